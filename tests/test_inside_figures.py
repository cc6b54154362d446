import base64

import numpy as np

from playground.core import analysis
from playground.core.config import Config
from playground.core.model import layers_of
from playground.core.session import Session
from playground.core.sweep import Sweep, grid_configs
from playground.figures import inside as figs
from playground.web import lab_view


def test_inside_figures_are_built_from_probe_arrays():
    s = Session(Config(layers=(4, 2), activation=("relu", "tanh")))
    s.advance(20)
    s.gradient_norms()
    s.advance(20)
    s.gradient_norms()
    fig = figs.gradient_flow_figure(s.gradient_history)
    assert len(fig.data) == 3 and fig.layout.yaxis.type == "log" and list(fig.data[0].x) == [20, 40]

    spaces, _ = analysis.layer_spaces(s.arch, s.params, s.config.features, s.dataset.points_train, 6.0)
    fig = figs.layer_spaces_figure(spaces, s.dataset.y_train, 2)
    assert len(fig.data) == 2 * 3 and len(fig.data[1].x) == len(s.dataset.y_train)

    sal = analysis.saliency_on_grid(s.arch, s.params, s.config.features, 6.0, 20)
    fig = figs.saliency_figure(sal, 6.0, s.dataset.points_train, s.dataset.y_train)
    assert fig.data[0].type == "heatmap" and np.asarray(fig.data[0].z).shape == (20, 20)

    fig = figs.contributions_figure(analysis.feature_contributions(s.arch, s.params, ("x1", "x2"), (1, 1)), (1, 1))
    assert list(fig.data[0].y) == ["x1", "x2"]

    fig = figs.activation_statistics_figure(analysis.activation_statistics(s.arch, s.params, s.data.x_train))
    assert [d.type for d in fig.data] == ["histogram"] * 4

    probe = analysis.LandscapeProbe(s.arch, layers_of(s.params))
    land = probe.slice_2d(s.params, s.data.x_train, s.data.y_train, k=11,
                          trajectory=[layers for _, layers in s.snapshots])
    fig = figs.landscape_figure(land, probe.slice_1d(s.params, s.data.x_train, s.data.y_train, k=11))
    assert fig.data[0].type == "contour" and len(fig.data[1].x) == len(s.snapshots)

    fig = figs.activation_curves_figure(analysis.activation_curves(["relu", "tanh"]))
    assert len(fig.data) == 4


def test_the_lab_canvas_message_has_one_cell_per_network():
    """lab_view.sweep_message: the no-hidden-layer network fills its row; scores, weights and curves per network."""
    sweep = Sweep(grid_configs(Config(dataset="xor"), [0, 1, 2], [2, 4]))
    sweep.advance(10)
    d, results = sweep.dataset, sweep.results()
    weights = sweep.flat_weights()
    curves = [sweep.history(i).test_loss for i in range(len(results))]
    message = lab_view.sweep_message(sweep.cells, results, weights, curves, d.points_train, d.y_train, d.extent,
                                     "test_accuracy", 10, 100)
    (table,) = message["tables"]
    assert table["depths"] == [0, 1, 2] and table["widths"] == [2, 4]
    assert table["rows"] == [[0, 0], [1, 2], [3, 4]]  # depth 0 is one network, shown under every width
    # every network's weights, one float32 vector after another: what the browser paints the pictures from
    assert [net["sizes"] for net in message["networks"]] == [[2, 1], [2, 2, 1], [2, 4, 1], [2, 2, 2, 1], [2, 4, 4, 1]]
    assert [net["offset"] for net in message["networks"]] == [0, 3, 12, 29, 44]
    assert len(base64.b64decode(message["weights"])) == 4 * (44 + 37) == 4 * sum(r["params"] for r in results)
    assert [c["score"] for c in message["cells"]] == [f"{100 * r['test_accuracy']:.0f}%" for r in results]
    assert all(0 <= c["quality"] <= 1 for c in message["cells"]) and len(message["points"]) == d.n_train
    assert [len(c) for c in message["curves"]] == [10] * 5
    losses = lab_view.sweep_message(sweep.cells, results, weights, curves, d.points_train, d.y_train, d.extent,
                                    "test_loss", 10, 100)["cells"]
    best, worst = np.argmin([r["test_loss"] for r in results]), np.argmax([r["test_loss"] for r in results])
    assert losses[best]["quality"] == 1.0 and losses[worst]["quality"] == 0.0
    fig = figs.overlaid_loss_figure({"a": np.array([1.0, 0.5]), "b": np.array([1.0, 0.2])})
    assert len(fig.data) == 2


def _picture(png: bytes) -> np.ndarray:
    import io

    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_panel_pictures_draw_the_points_in_their_class_colours_and_the_saliency_on_its_scale():
    from playground import palette
    from playground.figures import panel_images

    s = Session(Config(dataset="spiral", layers=(8, 8)))
    s.advance(30)
    d, c = s.dataset, s.config
    spaces, _ = analysis.layer_spaces(s.arch, s.params, c.features, d.points_train, d.extent, None)
    image = _picture(panel_images.layer_spaces_png(spaces, d.y_train, c.n_classes, panel=150, gap=8))
    assert image.shape == (30 + 150, len(spaces) * 158 - 8, 3)
    for colour in palette.CLASS_RGB[:2]:  # both classes' dots are drawn
        assert (np.abs(image.astype(int) - colour).sum(-1) < 10).sum() > 50

    heat = np.zeros((20, 20))
    heat[0, -1] = 1.0  # the top right corner is where the decision moves
    image = _picture(panel_images.saliency_png(heat, 1.0, size=200))
    corner, middle = image[30 + 2, 200 - 3].astype(int), image[30 + 100, 100].astype(int)
    assert corner[0] > 200 and corner[1] > 200  # Viridis' yellow end
    assert tuple(middle) == (68, 1, 84)          # its dark end (#440154)

    stats = analysis.activation_statistics(s.arch, s.params, s.data.x_train)
    histograms = _picture(panel_images.activation_statistics_png(stats, panel=150, gap=10))
    assert histograms.shape[1] == 2 * 150 + 10 and (np.abs(histograms.astype(int) - palette.POSITIVE).sum(-1) < 5).any()

    bars = _picture(panel_images.contributions_png({"x1": 2.0, "x2": -1.0}, (0.5, 0.5)))
    assert (np.abs(bars.astype(int) - palette.POSITIVE).sum(-1) < 5).any()
    assert (np.abs(bars.astype(int) - palette.NEGATIVE).sum(-1) < 5).any()
