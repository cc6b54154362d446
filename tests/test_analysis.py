import numpy as np
import pytest

from playground.core import analysis, probes
from playground.core.config import Config
from playground.core.model import layers_of, params_from_layers
from playground.core.session import Session


def test_loss_landscape_centre_is_the_current_loss_and_trajectory_projects_back():
    s = Session(Config(dataset="spiral", layers=(8,) * 6))
    s.advance(30)
    x, y = s.data.x_train, s.data.y_train
    probe = analysis.LandscapeProbe(s.arch, layers_of(s.params))
    land = probe.slice_2d(s.params, x, y, k=41)
    assert land.loss.shape == (41, 41) and np.isfinite(land.loss).all()
    assert land.loss[20, 20] == pytest.approx(probes.loss(s.arch, s.params, x, y), rel=1e-4)
    assert land.loss.min() <= land.loss[20, 20] + 1e-6 and land.loss.max() > land.loss[20, 20]
    steps, line = probe.slice_1d(s.params, x, y)
    assert line[20] == pytest.approx(land.loss[20, 20], rel=1e-5)
    centre = layers_of(s.params)
    moved = [(w + 0.5 * d1 - 0.25 * d2, b) for (w, b), (d1, _), (d2, _) in zip(centre, probe.d1, probe.d2)]
    np.testing.assert_allclose(probe.project(centre, [moved, centre]), [[0.5, -0.25], [0, 0]], atol=1e-4)


def test_filter_normalised_directions_match_each_neurons_norm():
    layers = [(np.arange(6, dtype=np.float32).reshape(2, 3) + 1, np.zeros(3, np.float32))]
    (d, db), = analysis.filter_normalised_direction(layers, seed=0)
    np.testing.assert_allclose(np.linalg.norm(d, axis=0), np.linalg.norm(layers[0][0], axis=0), rtol=1e-5)
    assert not db.any()


def test_layer_space_projection_is_exact_for_two_neurons_and_fixed_across_frames():
    s = Session(Config(layers=(4, 2)))
    points = s.dataset.points_train
    spaces, projections = analysis.layer_spaces(s.arch, s.params, s.config.features, points, s.dataset.extent)
    hidden = analysis.hidden_on_points(s.arch, s.params, s.config.features, points)
    np.testing.assert_allclose(spaces[1][0], hidden[1], atol=1e-6)  # the 2-neuron layer is shown as it is
    assert spaces[0][1].shape == (18, 30, 2)
    s.advance(50)
    later, same = analysis.layer_spaces(s.arch, s.params, s.config.features, points, s.dataset.extent, projections)
    assert same is projections
    np.testing.assert_allclose(projections[0].axes, analysis.Projection.fit(hidden[0]).axes)


def test_saliency_of_a_linear_model_is_its_weight_norm_and_contributions_are_weight_times_input():
    s = Session(Config(layers=(), dataset="gauss"))
    s.advance(20)
    (w, _), = layers_of(s.params)
    sal = analysis.saliency_on_grid(s.arch, s.params, s.config.features, 6.0, 10)
    np.testing.assert_allclose(sal, np.linalg.norm(w), rtol=1e-5)
    c = analysis.feature_contributions(s.arch, s.params, s.config.features, (2.0, -1.0))
    np.testing.assert_allclose([c["x1"], c["x2"]], [w[0, 0] * 2.0, w[1, 0] * -1.0], rtol=1e-5)


def test_activation_statistics_find_dead_relus_and_saturated_tanh():
    s = Session(Config(layers=(4, 3), activation=("relu", "tanh")))
    (w1, b1), (w2, b2), out = layers_of(s.params)
    params = params_from_layers([(w1, b1 - 100.0), (w2 * 50, b2 + 5.0), out])
    stats = analysis.activation_statistics(s.arch, params, s.data.x_train)
    assert stats[0].dead == 4 and "dead" in stats[0].hint
    assert stats[1].saturated == 3 and "saturated" in stats[1].hint
    healthy = analysis.activation_statistics(s.arch, s.params, s.data.x_train)
    assert all(st.hint == "" for st in healthy) and healthy[0].values.shape == (250 * 4,)


def test_activation_curves():
    curves = analysis.activation_curves(["tanh", "relu", "tanh"])
    assert set(curves) == {"tanh", "relu"}
    x, f, df = curves["tanh"]
    mid = len(x) // 2
    assert x[mid] == pytest.approx(0, abs=1e-6) and df[mid] == pytest.approx(1) and f[mid] == pytest.approx(0, abs=1e-6)
    assert curves["relu"][2][0] == 0 and curves["relu"][2][-1] == 1


def test_a_large_init_saturates_tanh_layers_and_the_defaults_do_not():
    def saturated_layers(init):
        s = Session(Config(dataset="spiral", layers=(8,) * 6, activation=("tanh",), init=init))
        return [st.layer for st in analysis.activation_statistics(s.arch, s.params, s.data.x_train) if st.hint]
    assert len(saturated_layers("large")) >= 1
    assert saturated_layers("glorot") == []
    default = Session(Config())
    assert all(not st.hint for st in analysis.activation_statistics(default.arch, default.params, default.data.x_train))
