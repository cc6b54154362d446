"""A session under the app's conditions: changes while training runs in another thread, background compilation,
and divergence reported with the last finite numbers."""

import dataclasses
import threading
import time

import numpy as np

from playground.core.config import Config
from playground.core.model import layers_of
from playground.core.session import Session
from playground.core.sweep import Sweep, grid_configs


def test_architecture_changes_while_another_thread_trains_never_mix_states():
    """The app's fragment trains while the script thread applies changes; a background compile runs meanwhile.
    Once a program could be called with another architecture's state (`Argument types differ`, `Incorrect number of
    leaves`); one Running value replaced under the session's lock makes that impossible."""
    s = Session(Config(dataset="xor", points=180, train_ratio=0.7), bridge=True)
    errors, stop = [], threading.Event()

    def play():
        deadline = time.monotonic() + 120
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                s.advance(3, wait=False)
                s.grid(20, 4)
            except Exception as err:  # noqa: BLE001 - any error is the failure being tested
                errors.append(err)
                return

    player = threading.Thread(target=play)
    player.start()
    try:
        for layers in [(3,), (5, 5), (), (8, 2, 8), (4,), (6, 6, 6, 6), (2,), (7, 7), (1,), (4, 4)] * 2:
            s.apply(s.config.replace(layers=layers, activation=("relu",) if len(layers) % 2 else ("tanh",)))
            time.sleep(0.05)
    finally:
        stop.set()
        player.join(60)
    assert not errors, errors
    assert [w.shape for w, _ in layers_of(s.params)] == [(2, 4), (4, 4), (4, 1)]
    hidden, out = s.grid(20)
    assert [h.shape[-1] for h in hidden] == [4, 4] and out.shape == (20, 20, 1)


def test_without_waiting_a_session_trains_nothing_until_something_is_compiled_and_says_so():
    s = Session(Config(dataset="circle", points=140, train_ratio=0.6, layers=(3, 3)), bridge=True)
    assert s.advance(5, wait=False) in (0, 5)
    deadline = time.monotonic() + 120
    while s.preparing and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not s.preparing
    assert s.advance(5, wait=False) == 5


def test_a_diverged_network_reports_its_last_finite_numbers_everywhere():
    """`sweep --learning-rate 10 --init large --activations relu --depths 1,3 --widths 32` once reported losses of
    exactly 0 for networks that had diverged (epochs after a divergence were zero-filled)."""
    base = Config(dataset="circle", learning_rate=10.0, init="large", activation=("relu",))
    sweep = Sweep(grid_configs(base, [1, 3], [32]))
    sweep.advance(200)
    results = sweep.results()
    assert any(r["diverged"] for r in results)
    for i, r in enumerate(results):
        curve = sweep.history(i).test_loss
        if r["diverged"]:
            assert r["test_loss"] is None or r["test_loss"] > 0
            assert not np.any(curve == 0.0)
    session = Session(base.replace(layers=(32, 32, 32)))
    session.advance(200)
    assert session.diverged and np.all(session.history.train_loss > 0)


def test_compiled_programs_and_probe_caches_stay_bounded():
    """A visitor can open any number of shapes through links: the server keeps a bounded number of programs."""
    import jax
    import jax.numpy as jnp

    from playground.core.compiled import MAX_SHAPES_PER_PROBE, CompiledCache, bounded, trim_probes

    cache = CompiledCache(max_programs=3)
    for key in range(5):
        cache.get(key, lambda key=key: f"program {key}")
    assert len(cache) == 3 and cache.ready(4) and not cache.ready(0)  # the least recently used went first
    doubled = bounded(jax.jit(lambda x: 2 * x))
    for n in range(MAX_SHAPES_PER_PROBE + 2):
        doubled(jnp.zeros(n + 1))
    trim_probes()
    assert doubled._cache_size() == 0
    np.testing.assert_array_equal(doubled(jnp.ones(3)), 2 * np.ones(3))  # still works: it compiles again


def test_a_long_run_keeps_a_bounded_history_thinned_in_its_older_part(monkeypatch):
    """Hours at top speed are millions of epochs: the latest epochs stay exact, older ones get sparser, and the
    curve, the frames and a rewind still find each kept epoch by its number."""
    from playground.core import session as session_module
    monkeypatch.setattr(session_module, "HISTORY_RECENT", 40)
    s = Session(Config(dataset="circle", points=100, layers=(3,)))
    for _ in range(60):
        s.advance(25)
    h = s.history
    assert s.epoch == 1500
    assert len(h.train_loss) <= 3 * 40 + 25
    assert np.all(np.diff(h.epochs) > 0) and h.epochs[-1] == 1500 and h.epochs[0] == 1
    assert list(h.epochs[-40:]) == list(range(1461, 1501))  # the latest epochs, every one of them
    assert np.diff(h.epochs[:10]).min() > 1  # the oldest, thinned
    checkpoint = s.checkpoint()
    s.advance(30)
    assert s.rewind(checkpoint) and s.history.epochs[-1] == 1500


def test_frames_of_one_call_are_the_epochs_one_by_one_and_a_frame_mark_rewinds_exactly():
    """The live view gets a batch of frames from one call of the compiled program; each must be bit for bit the
    network that epoch-by-epoch training reaches (dropout keys and Adam's moments included), and Pause on any of them
    must put the session exactly there, by training again from the call's start."""
    c = Config(dataset="circle", layers=(4, 2), dropout=(0.2, 0.0), optimizer="adam")
    batched, single = Session(c), Session(c)
    frames = batched.advance_frames(7, 3, wait=True)
    assert [epoch for epoch, _, _ in frames] == [3, 6, 9, 12, 15, 18, 21] and batched.epoch == 21
    for epoch, params, _ in frames:
        single.advance(epoch - single.epoch)
        for (w, b), (w1, b1) in zip(layers_of(params), layers_of(single.params)):
            assert np.array_equal(w, w1) and np.array_equal(b, b1)
    assert np.array_equal(batched.history.train_loss, single.history.train_loss)
    batched.apply(dataclasses.replace(c, learning_rate=1.0))  # a knob changed after the frames were trained
    assert batched.rewind(*frames[3][2]) and batched.epoch == 12 and batched.history.epochs[-1] == 12
    for (w, b), (w1, b1) in zip(layers_of(frames[3][1]), layers_of(batched.params)):
        assert np.array_equal(w, w1) and np.array_equal(b, b1)
    assert batched.knobs.learning_rate == 1.0  # the new rate applies from here on


def test_frames_stop_at_a_divergence_with_the_last_finite_one():
    s = Session(Config(dataset="circle", learning_rate=10.0, init="large", activation=("relu",) * 3,
                       layers=(32, 32, 32)))
    frames = s.advance_frames(40, 5, wait=True)
    assert s.diverged and len(frames) < 40
    assert all(np.isfinite(w).all() for _, params, _ in frames for w, _ in layers_of(params))
    assert not frames or frames[-1][0] <= s.epoch
