"""The GAN engine: real distributions, losses, config strings, and the textbook behaviour (the defaults cover the
8-Gaussian ring, the documented setting collapses, a seed reproduces a run)."""

import numpy as np
import pytest

from playground.core.config import ConfigError, from_strings, from_strings_lenient, to_strings
from playground.core.gan import d_loss_of, g_loss_of
from playground.core.gan_config import COLLAPSE, GAN_DEFAULT, REAL_NAMES, GanConfig
from playground.core.gan_data import EXTENT, js_divergence, modes_covered, n_modes, real_samples
from playground.core.gan_session import GanRun


@pytest.mark.parametrize("name", [n for n in REAL_NAMES if n != "drawn"])
def test_real_distributions_lie_on_the_plane_and_repeat_with_the_seed(name):
    a, b, c = real_samples(name, 500, 1), real_samples(name, 500, 1), real_samples(name, 500, 2)
    assert a.shape == (500, 2) and a.dtype == np.float32
    assert np.abs(a).max() <= EXTENT
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.std(0).min() > 0.3  # spread over the plane, not a point


@pytest.mark.parametrize("name", ["ring8", "grid25", "clusters"])
def test_the_real_samples_cover_all_their_modes(name):
    assert modes_covered(real_samples(name, 2000, 0), name) == n_modes(name)


def test_drawn_points_become_blobs_around_them():
    points = real_samples("drawn", 300, 0, drawn=(1.0, 1.0, -1.0, 0.5, 0.0, -2.0))
    nearest = np.min(np.linalg.norm(points[:, None] - np.array([[1, 1], [-1, 0.5], [0, -2]])[None], axis=-1), 1)
    assert nearest.max() < 0.5


def test_divergence_is_zero_for_the_same_samples_and_large_for_disjoint_ones():
    real = real_samples("ring8", 1000, 0)
    assert js_divergence(real, real) == pytest.approx(0.0, abs=1e-12)
    assert js_divergence(real, np.zeros((500, 2))) == pytest.approx(np.log(2))  # disjoint: the most there is
    assert js_divergence(real, np.full((10, 2), np.nan)) == pytest.approx(np.log(2))


def test_losses_at_an_undecided_discriminator():
    zero = np.zeros(4, np.float32)
    assert float(d_loss_of("nonsaturating", zero, zero)) == pytest.approx(2 * np.log(2), rel=1e-6)
    assert float(g_loss_of("nonsaturating", zero)) == pytest.approx(np.log(2), rel=1e-6)
    assert float(g_loss_of("minimax", zero)) == pytest.approx(-np.log(2), rel=1e-6)
    assert float(d_loss_of("least_squares", zero, zero)) == pytest.approx(0.5)
    assert float(g_loss_of("least_squares", zero)) == pytest.approx(0.5)


def test_gan_config_strings_use_the_one_parser():
    c = from_strings({"real": "moons", "g_layers": "8,8", "d_learning_rate": "0.01", "loss": "minimax"}, GAN_DEFAULT)
    assert isinstance(c, GanConfig) and c.g_layers == (8, 8) and c.d_learning_rate == 0.01
    assert from_strings(to_strings(c), GAN_DEFAULT) == c
    assert to_strings(c, only_changed=True) == {"real": "moons", "g_layers": "8,8", "d_learning_rate": "0.01",
                                                "loss": "minimax"}
    for name, bad in [("real", "ring9"), ("noise_dim", "3"), ("g_layers", "8,x"), ("d_steps", "1_0"),
                      ("batch_size", "nan"), ("dataset", "spiral")]:
        with pytest.raises(ConfigError) as err:
            from_strings({name: bad}, GAN_DEFAULT)
        assert err.value.field == name
    with pytest.raises(ConfigError, match="pairs"):
        GanConfig(drawn=(1.0, 2.0, 3.0))
    with pytest.raises(ConfigError, match="at least 3 points"):
        GanConfig(real="drawn")
    lenient, notes = from_strings_lenient({"real": "nope", "loss": "least_squares"}, GAN_DEFAULT)
    assert lenient == GAN_DEFAULT.replace(loss="least_squares") and len(notes) == 1 and "real" in notes[0]


def test_defaults_cover_at_least_six_of_the_eight_ring_modes():
    run = GanRun(GAN_DEFAULT)
    first_divergence = run.history.divergence[0]
    run.advance(GAN_DEFAULT.steps)
    assert not run.diverged
    assert run.modes_covered() >= 6
    assert run.history.divergence[-1] < 0.7 * first_divergence


def test_the_documented_collapse_setting_keeps_three_modes_or_fewer():
    run = GanRun(from_strings(COLLAPSE, GAN_DEFAULT))
    run.advance(3000)
    assert not run.diverged
    samples = run.samples()
    assert np.isfinite(samples).all()
    assert modes_covered(samples, "ring8") <= 3


def test_a_seed_reproduces_a_run_and_another_seed_does_not():
    def run(seed):
        r = GanRun(GAN_DEFAULT.replace(seed=seed))
        r.advance(300)
        return r
    a, b, c = run(3), run(3), run(4)
    for (wa, ba), (wb, bb) in zip(a.parameters()[0] + a.parameters()[1], b.parameters()[0] + b.parameters()[1]):
        assert np.array_equal(wa, wb) and np.array_equal(ba, bb)
    assert np.array_equal(a.history.g_loss, b.history.g_loss) and len(a.history.g_loss) == 300
    assert np.array_equal(a.samples(), b.samples())
    assert not np.array_equal(a.samples(), c.samples())


def test_slow_motion_steps_move_only_their_own_network():
    run = GanRun(GAN_DEFAULT)
    g0, d0 = run.parameters()
    run.step_discriminator()
    g1, d1 = run.parameters()
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(g0, g1))
    assert not all(np.array_equal(a[0], b[0]) for a, b in zip(d0, d1))
    run.step_generator()
    g2, d2 = run.parameters()
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(d1, d2))
    assert not all(np.array_equal(a[0], b[0]) for a, b in zip(g1, g2))
    assert run.step == 2 and np.isnan(run.history.d_loss[1]) and np.isfinite(run.history.d_loss[0])


def test_moving_against_the_generator_gradient_raises_d_on_the_samples():
    run = GanRun(GAN_DEFAULT)
    run.advance(200)
    points = run.samples(200)
    grad = run.generator_gradient(points)
    step = 1e-3 / np.maximum(np.linalg.norm(grad, axis=1, keepdims=True), 1e-12)
    moved = run.discriminator(points - step * grad)
    assert np.mean(moved > run.discriminator(points)) > 0.95


def test_changes_keep_what_they_can_and_rewind_restores():
    run = GanRun(GAN_DEFAULT)
    run.advance(50)
    mark = run.checkpoint()
    g_before = run.parameters()[0][0][0]
    assert run.apply(GAN_DEFAULT.replace(d_learning_rate=0.01)) == "knob" and run.step == 50
    run.advance(20)
    assert run.step == 70 and len(run.history.g_loss) == 70
    run.rewind(mark)
    assert run.step == 50 and len(run.history.g_loss) == 50
    assert np.array_equal(run.parameters()[0][0][0], g_before)
    assert run.apply(run.config.replace(loss="least_squares")) == "optimizer" and run.step == 50
    assert run.apply(run.config.replace(real="moons")) == "data" and run.step == 0
    assert modes_covered(run.real, "moons") is None


def test_the_divergence_is_estimated_every_few_steps_and_on_request():
    run = GanRun(GAN_DEFAULT)
    for _ in range(25):
        run.advance(1)
    assert list(run.history.div_step) == [0, 10, 20]
    run.measure_divergence()
    assert list(run.history.div_step) == [0, 10, 20, 25]
    d_loss, g_loss, divergence = run.last()
    assert d_loss == run.history.d_loss[-1] and g_loss == run.history.g_loss[-1]
    assert divergence == run.history.divergence[-1]
    run.rewind(GanRun(GAN_DEFAULT).checkpoint())  # back to step 0: no losses yet
    assert np.isnan(run.last()[0])


def test_a_diverging_run_stops_on_its_last_finite_state():
    run = GanRun(GAN_DEFAULT.replace(g_optimizer="sgd", d_optimizer="sgd", g_learning_rate=1.0, d_learning_rate=1.0,
                                     loss="least_squares", g_activation="linear", d_activation="linear"))
    done = run.advance(500)
    assert run.diverged and done < 500 and run.step == done
    assert all(np.isfinite(w).all() and np.isfinite(b).all() for w, b in run.parameters()[0] + run.parameters()[1])
    assert run.advance(10) == 0 and len(run.history.g_loss) == done


def test_a_long_run_keeps_its_history_bounded_and_rewinds_by_step(monkeypatch):
    from playground.core import gan_session

    monkeypatch.setattr(gan_session, "MAX_LOSSES", 100)
    monkeypatch.setattr(gan_session, "MAX_DIVERGENCES", 8)
    run = GanRun(GAN_DEFAULT.replace(g_layers=(4,), d_layers=(4,)))
    for _ in range(30):
        run.advance(20)
    h = run.history
    assert run.step == 600 and len(h.step) <= 100 and len(h.div_step) <= 8
    assert np.all(np.diff(h.step) > 0) and h.step[-1] == 600
    assert list(h.step[-50:]) == list(range(551, 601))  # the latest steps whole
    mark = run.checkpoint()
    run.advance(30)
    run.rewind(mark)
    assert run.step == 600 and run.history.step[-1] == 600 and run.history.div_step[-1] <= 600
