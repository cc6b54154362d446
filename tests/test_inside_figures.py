import numpy as np

from playground import analysis, inside_figures as figs
from playground.config import Config
from playground.model import layers_of
from playground.session import Session
from playground.sweep import Sweep, grid_configs


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


def test_sweep_heatmap_has_one_cell_per_network():
    sweep = Sweep(grid_configs(Config(dataset="xor"), [0, 1, 2], [2, 4]))
    sweep.advance(10)
    fig = figs.sweep_heatmap_figure(sweep.results())
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (3, 2) and np.isfinite(z).all()
    assert "p" in fig.data[0].text[1][1]
    fig = figs.overlaid_loss_figure({"a": np.array([1.0, 0.5]), "b": np.array([1.0, 0.2])})
    assert len(fig.data) == 2
