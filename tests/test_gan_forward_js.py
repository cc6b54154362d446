"""The GAN view's computations in chromium (assets/gan_view.js) against the engine on the same weights: the
generator's samples, the discriminator's output and the generator's pull on points (the arrows), for each loss."""

import os

import numpy as np
import pytest
from browser_utils import browser_available, chromium_page

from playground.core.gan_config import GAN_DEFAULT, LOSS_NAMES
from playground.core.gan_session import GanRun, fixed_noise
from playground.web import components, gan_view
from playground.web.live_view import flat_parameters

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")


@pytest.fixture(scope="module")
def gan_page():
    with chromium_page(400, 300) as page:
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=components.script_text("live_forward.js", "gan_view.js"))
        yield page


@pytest.mark.parametrize("loss, noise_dim, activation", [(LOSS_NAMES[0], 2, "relu"), (LOSS_NAMES[1], 1, "tanh"),
                                                         (LOSS_NAMES[2], 2, "elu")])
def test_browser_samples_map_and_pulls_match_the_engine(gan_page, loss, noise_dim, activation):
    run = GanRun(GAN_DEFAULT.replace(loss=loss, noise_dim=noise_dim, g_activation=activation,
                                     d_activation=activation, g_layers=(8, 8), d_layers=(16, 8)))
    run.advance(40)  # trained a little: D is no longer near its initial flat map
    g, d = run.parameters()
    z = fixed_noise(run.config, 60)
    points = np.random.default_rng(1).uniform(-2.5, 2.5, (60, 2)).astype(np.float32)
    spec = {k: v for k, v in gan_view.static_part(run).items() if k in ("g_sizes", "d_sizes", "g_activation",
                                                                        "d_activation", "loss", "noise_dim")}
    got = gan_page.evaluate("([spec, g, d, z, points]) => window.__pgGanCompute(spec, g, d, z, points)",
                            [spec, flat_parameters(g, np.float32).tolist(), flat_parameters(d, np.float32).tolist(),
                             z.T.ravel().tolist(), points.tolist()])
    fake = np.array(got["fake"]).reshape(2, -1).T
    np.testing.assert_allclose(fake, run.samples(60), atol=1e-4)
    np.testing.assert_allclose(got["out"], run.discriminator(points), atol=1e-4)
    pulls, grads = np.array(got["pulls"]), -run.generator_gradient(points)
    big = np.linalg.norm(grads, axis=1) > 1e-3  # directions of vanishing pulls are noise
    assert big.sum() > 20
    cosine = (pulls * grads).sum(1)[big] / (np.linalg.norm(pulls, axis=1) * np.linalg.norm(grads, axis=1))[big]
    # central differences 0.01 apart: exact up to rounding except where the step crosses a ReLU kink
    error = np.linalg.norm(pulls - grads, axis=1)[big] / np.linalg.norm(grads, axis=1)[big]
    assert np.median(error) < 0.01 and np.mean(error < 0.05) >= 0.9 and np.median(cosine) > 0.999
