"""The browser's forward pass (assets/live_forward.js, run in chromium) against the engine's grid probe on the same
weights: every activation, every input feature, every output head, to 1e-4; and the lab grid's pictures painted from
a sweep's weights (assets/lab_view.js) against the engine's."""

import base64
import os

import numpy as np
import pytest
from browser_utils import browser_available, chromium_page

from playground.core import probes
from playground.core.config import ACTIVATION_NAMES, FEATURE_NAMES, Config
from playground.core.model import Arch, init_params, layers_of
from playground.core.sweep import Sweep, grid_configs
from playground.figures.inside import boundary_rgb
from playground.web import components, lab_view, live_view

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")

GRID = 40  # points per side: enough to cover the plane; the code path is the same as at 100
HEADS = (("sigmoid_ce", 1), ("softmax_ce", 3), ("linear_mse", 1), ("tanh_mse", 1))


@pytest.fixture(scope="module")
def forward_page():
    with chromium_page(400, 300) as page:
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=components.script_text("live_forward.js", "lab_view.js"))
        yield page


def cases():
    """(arch, features): each activation in a two-layer network, each head, and every feature at once."""
    for i, act in enumerate(ACTIVATION_NAMES):
        head, n_out = HEADS[i % len(HEADS)]
        yield Arch(len(FEATURE_NAMES), (5, 3), (act, ACTIVATION_NAMES[-1 - i]), (0.0, 0.0), n_out, head), FEATURE_NAMES
    for head, n_out in HEADS:
        yield Arch(2, (4,), ("tanh",), (0.0,), n_out, head), ("x1", "x2")


@pytest.mark.parametrize("path", ["simd", "plain"])
@pytest.mark.parametrize("arch,features", list(cases()), ids=lambda c: "-".join(map(str, c[1:3]))
                         if isinstance(c, Arch) else "")
def test_browser_forward_pass_matches_the_engine(forward_page, arch, features, path):
    """Both paths: WebAssembly SIMD (what Chromium runs) and plain JavaScript (a browser without it)."""
    params = init_params(arch, "large", seed=3)  # weights and biases of order 1: every activation's range is used
    extent = 6.0
    hidden, output = probes.neuron_activations_on_grid(arch, params, features, extent, GRID)
    flat = live_view.flat_parameters(params, np.float32)
    assert len(flat) == sum((a + 1) * b for a, b in zip(arch.sizes[:-1], arch.sizes[1:]))
    spec = {"sizes": list(arch.sizes), "features": list(features), "activations": list(arch.activations),
            "head": arch.head, "extent": extent}
    result = forward_page.evaluate("([spec, params, n, plain]) => window.__pgForward(spec, params, n, plain)",
                                   [spec, flat.tolist(), GRID, path == "plain"])
    assert result["simd"] == (path == "simd")
    for layer, (expected, got) in enumerate(zip(hidden, result["layers"])):
        got = np.array(got, np.float32).reshape(-1, GRID, GRID).transpose(1, 2, 0)  # neuron-major -> (n, n, width)
        np.testing.assert_allclose(got, expected, atol=1e-4, rtol=0, err_msg=f"hidden layer {layer}")
    got = np.array(result["output"], np.float32).reshape(-1, GRID, GRID).transpose(1, 2, 0)
    np.testing.assert_allclose(got, output, atol=1e-4, rtol=0, err_msg="output")


def test_flat_parameters_are_kernel_rows_then_biases():
    arch = Arch(2, (3,), ("relu",), (0.0,), 1, "sigmoid_ce")
    params = init_params(arch, "large", seed=0)
    (w0, b0), (w1, b1) = layers_of(params)
    flat = live_view.flat_parameters(params, np.float32)
    np.testing.assert_array_equal(flat, np.concatenate([w0.ravel(), b0, w1.ravel(), b1]))


def test_config_heads_are_the_ones_tested():
    heads = {Arch.from_config(c).head for c in (Config(), Config(dataset="spiral", classes=3), Config(dataset="plane"),
                                                 Config(output="tanh_mse"))}
    assert heads == {h for h, _ in HEADS}


@pytest.mark.parametrize("base", [Config(dataset="spiral"), Config(dataset="spiral", classes=3),
                                  Config(dataset="plane"), Config(dataset="xor", output="tanh_mse")],
                         ids=["sigmoid", "softmax", "regression", "tanh"])
def test_the_lab_grid_paints_each_network_from_its_weights_as_the_engine_pictures_it(forward_page, base):
    """The sweep grid's pictures: each network's weights as the lab's message carries them (unpadded from the sweep),
    the browser's forward pass and colours, against `boundary_rgb` of the sweep's own padded grid probe."""
    configs = grid_configs(base, [0, 1, 3], [2, 5], ["tanh", "relu"])
    sweep = Sweep(configs)
    sweep.advance(100)
    message = lab_view.sweep_message(sweep.cells, sweep.results(), sweep.flat_weights(), [[]] * len(configs),
                                     sweep.dataset.points_train, sweep.dataset.y_train, sweep.dataset.extent,
                                     "test_loss", sweep.epoch, 100)
    n, weights = message["n"], np.frombuffer(base64.b64decode(message["weights"]), np.float32)
    grids = sweep.output_grids(n)
    assert len(message["networks"]) == len(configs) == 9
    pictures = 0
    for i, net in enumerate(message["networks"]):
        count = sum((a + 1) * b for a, b in zip(net["sizes"][:-1], net["sizes"][1:]))
        params = weights[net["offset"]: net["offset"] + count]
        got = forward_page.evaluate("([d, net, params]) => window.__labBoundary(d, net, params)",
                                [{k: message[k] for k in ("n", "features", "head", "extent")}, net, params.tolist()])
        assert got["simd"]
        pixels = np.array(got["pixels"], np.int16).reshape(n, n, 4)
        expected = boundary_rgb(grids[i], message["head"], scale=1).astype(np.int16)
        assert (pixels[..., 3] == 255).all()
        difference = np.abs(pixels[..., :3] - expected)
        assert difference.max() <= 1, f"network {i} ({net['sizes']}): {difference.max()} at most"
        pictures += len(np.unique(expected.reshape(-1, 3), axis=0)) > 20  # a real picture, not one colour
    assert pictures >= 7  # (a ReLU network may die: one colour)
