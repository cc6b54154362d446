"""Learning-rate schedules: optax's schedules per epoch, applied inside the compiled epochs, never recompiling."""

import numpy as np
import pytest

from playground.core.compiled import PROGRAMS
from playground.core.config import MAX_SCHEDULE_EPOCHS, SCHEDULE_NAMES, Config, ConfigError, from_strings
from playground.core.model import layers_of
from playground.core.schedule import multipliers, optax_schedule, rate_at
from playground.core.session import Session
from playground.core.sweep import Sweep, grid_configs


@pytest.mark.parametrize("name", SCHEDULE_NAMES)
def test_table_is_optax_schedule_per_epoch_then_its_final_value(name):
    table = multipliers(name, 200)
    assert table.shape == (MAX_SCHEDULE_EPOCHS + 1,)
    expected = np.array([float(optax_schedule(name, 200)(e)) for e in range(201)])
    np.testing.assert_allclose(table[:201], expected, rtol=1e-6, atol=1e-7)
    assert np.all(table[200:] == table[200])


def test_shapes_are_the_ones_the_help_promises():
    step, cosine, warm = multipliers("step", 100), multipliers("cosine", 100), multipliers("warmup_cosine", 100)
    assert step[24] == 1.0 and step[25] == 0.5 and step[100] == 0.0625
    assert cosine[0] == 1.0 and cosine[50] == pytest.approx(0.5) and cosine[100] == 0.0
    assert warm[0] == 0.0 and warm[10] == 1.0 and warm[5] == pytest.approx(0.5) and warm[100] == 0.0
    c = Config(learning_rate=0.1, schedule="step", schedule_epochs=100)
    assert rate_at(c, 0) == pytest.approx(0.1) and rate_at(c, 60) == pytest.approx(0.025)
    assert rate_at(c, 10**6) == pytest.approx(0.1 / 16)


def test_config_string_forms_and_refusals():
    c = from_strings({"schedule": "warmup_cosine", "schedule_epochs": "300"})
    assert (c.schedule, c.schedule_epochs) == ("warmup_cosine", 300)
    with pytest.raises(ConfigError, match="schedule"):
        from_strings({"schedule": "linear"})
    with pytest.raises(ConfigError, match="schedule_epochs"):
        from_strings({"schedule_epochs": "5"})


def _weights(session):
    return np.concatenate([np.ravel(a) for layer in layers_of(session.params) for a in layer])


def test_the_rate_of_each_epoch_is_the_schedules():
    """Plain SGD: a zero multiplier trains nothing. Cosine over 10 epochs stops training after epoch 10; warm-up
    starts at 0, so its first epoch leaves the weights as they were; the constant schedule keeps training."""
    base = Config(dataset="xor", points=100, optimizer="sgd", learning_rate=0.3)
    cosine = Session(base.replace(schedule="cosine", schedule_epochs=10))
    cosine.advance(10)
    at_ten = _weights(cosine)
    cosine.advance(15)
    np.testing.assert_array_equal(_weights(cosine), at_ten)
    warm = Session(base.replace(schedule="warmup_cosine", schedule_epochs=50))
    start = _weights(warm)
    warm.advance(1)
    np.testing.assert_array_equal(_weights(warm), start)
    warm.advance(1)
    assert not np.array_equal(_weights(warm), start)
    constant = Session(base)
    constant.advance(10)
    at_ten = _weights(constant)
    constant.advance(15)
    assert not np.array_equal(_weights(constant), at_ten)


def test_changing_rate_or_schedule_while_training_recompiles_nothing():
    s = Session(Config(dataset="circle", points=120))
    s.advance(20)
    programs = len(PROGRAMS)
    for change in ({"learning_rate": 0.1}, {"schedule": "cosine"}, {"schedule_epochs": 40},
                   {"schedule": "step", "learning_rate": 0.01}):
        assert s.apply(s.config.replace(**change)) == "knobs"
        assert s.advance(20) == 20
    assert len(PROGRAMS) == programs
    assert s.knobs.schedule.shape == (MAX_SCHEDULE_EPOCHS + 1,)


def test_bridged_and_swept_networks_follow_the_schedule_too():
    """The padded network (app, while compiling) and the vmapped sweep read the same table: a cosine over 10 epochs
    trains only the first 10, there as in an exact session."""
    base = Config(dataset="xor", points=100, optimizer="sgd", learning_rate=0.3, schedule="cosine",
                  schedule_epochs=10)
    sweep = Sweep(grid_configs(base, [1, 2], [3]), threads=1)
    sweep.advance(10)
    after_ten = np.asarray(sweep.state.params[0].w).copy()
    sweep.advance(10)
    np.testing.assert_array_equal(np.asarray(sweep.state.params[0].w), after_ten)
