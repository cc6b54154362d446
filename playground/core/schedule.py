"""Learning-rate schedules through optax, as a traced knob: a schedule never recompiles anything.

A schedule is a per-epoch table of multipliers of the learning rate (`multipliers`), evaluated once on the host by
optax's own schedule functions and handed to the compiled program inside `train.Knobs`; the program reads the entry
of the epoch it trains. The table always has `MAX_SCHEDULE_EPOCHS + 1` entries (one compiled shape for every
schedule and length), and after the schedule's length the rate stays at its final value. The learning-rate slider
multiplies the table, so moving it during a schedule keeps the shape of the schedule and recompiles nothing.
"""

from __future__ import annotations

import functools

import numpy as np
import optax

from .config import MAX_SCHEDULE_EPOCHS, Config

STEP_DECAY = 0.5      # "step": the rate is halved ...
STEP_COUNT = 4        # ... every quarter of the schedule's length (four times in all)
WARMUP_SHARE = 0.1    # "warmup_cosine": the first tenth of the length climbs linearly from 0 to the rate


def optax_schedule(name: str, epochs: int):
    """The optax schedule (a multiplier of the learning rate per epoch) that `name` over `epochs` epochs means."""
    if name == "constant":
        return optax.constant_schedule(1.0)
    if name == "step":
        return optax.exponential_decay(1.0, transition_steps=max(1, epochs // STEP_COUNT), decay_rate=STEP_DECAY,
                                       staircase=True, end_value=STEP_DECAY ** STEP_COUNT)
    if name == "cosine":
        return optax.cosine_decay_schedule(1.0, decay_steps=epochs)
    if name == "warmup_cosine":
        return optax.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=max(1, int(epochs * WARMUP_SHARE)),
                                                  decay_steps=epochs)
    raise ValueError(f"unknown schedule {name!r}")


@functools.lru_cache(maxsize=32)
def multipliers(name: str, epochs: int) -> np.ndarray:
    """(MAX_SCHEDULE_EPOCHS + 1,) float32: entry e multiplies the learning rate of the epoch that starts after e
    completed epochs; from `epochs` on, the final value. Read-only (one cached table for every caller)."""
    steps = np.minimum(np.arange(MAX_SCHEDULE_EPOCHS + 1), epochs)
    table = np.asarray(optax_schedule(name, epochs)(steps), np.float32)
    table = np.broadcast_to(table, steps.shape).copy()  # the constant schedule returns one number
    table.flags.writeable = False
    return table


def rate_at(config: Config, epoch: int) -> float:
    """The learning rate of the epoch after `epoch` completed epochs: what the live view shows while playing."""
    return float(config.learning_rate * multipliers(config.schedule, config.schedule_epochs)[
        min(max(epoch, 0), MAX_SCHEDULE_EPOCHS)])
