"""One experiment in progress: config, data, training state and history, advanced chunk by chunk.

This is what the app keeps per browser session and what the CLI drives. It decides what a config change costs:
a new learning rate or regularization only swaps traced knobs; a new optimizer or batch size keeps the weights; a new
architecture, init or seed starts from fresh weights; new data starts over.

What trains is one value, `Running` (a program and its state in that program's layout), replaced as a whole and
under the session's lock, so a program can never be called with another architecture's state. With a `Bridge` (the
app), a changed architecture trains at once on the padded network of its training context while its own program
compiles in the background, and the state moves over when that program is ready.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import dataclasses
import threading
import time
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import bridge as padded
from . import probes
from .config import Config, fields_with_effect
from .data import Dataset, feature_matrix, make_dataset
from .model import Arch, layers_of, params_from_layers
from .userdata import UserData
from .train import (CAPACITY, FRAMES, Data, History, Knobs, Program, Spec, TrainState, compiled_trainer, data_shapes,
                    fresh_state, init_state, is_compiled)

GRID = 100  # the default grid of `Session.grid` (points per side)
SNAPSHOTS = 400  # weights kept for replay
HISTORY_RECENT = 10_000  # the latest epochs' metrics are all kept; older ones are thinned (see `_thin_history`)
EXACT_DELAY = 0.4  # seconds of bridged training before the exact network's compilation starts

DATA_FIELDS = fields_with_effect("data")            # what each field's change costs is declared with the field
WEIGHT_FIELDS = fields_with_effect("weights")
OPTIMIZER_FIELDS = fields_with_effect("optimizer")
KNOB_FIELDS = fields_with_effect("knob")

_compiler = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="compile")
_closing = threading.Event()  # set when the interpreter exits: queued compilations are then skipped
# At exit the executor joins its threads, which first run every queued job; this hook runs before that one (hooks run
# newest first), so a stopping server waits for at most the compilations in progress, not the queue.
getattr(threading, "_register_atexit", atexit.register)(_closing.set)


def _changed(a: Config, b: Config, names) -> bool:
    return any(getattr(a, n) != getattr(b, n) for n in names)


def _same_shapes(a, b) -> bool:
    """Two parameter pytrees of one shape: weights trained on one data set can go on training on another."""
    return [x.shape for x in jax.tree.leaves(a)] == [x.shape for x in jax.tree.leaves(b)]


def data_arrays(config: Config, dataset: Dataset) -> Data:
    f = config.features
    return Data(jnp.asarray(feature_matrix(dataset.points_train, f)), jnp.asarray(dataset.y_train),
                jnp.asarray(feature_matrix(dataset.points_test, f)), jnp.asarray(dataset.y_test))


class Running(NamedTuple):
    """What trains now: a program (`train.Spec` or `bridge.PaddedSpec`) and the state in its layout."""

    program: Program
    state: TrainState

    @property
    def bridged(self) -> bool:
        return isinstance(self.program, padded.PaddedSpec)


class Bridge:
    """One session's way across compilation, in the background (a shared pool of two compile threads).

    Every change of the session bumps `generation`; background work asked for an older generation is skipped when
    its turn comes, so quick successive changes do not queue up compilations nobody waits for any more. A job
    already compiling cannot be stopped (XLA), but it only fills the shared compile cache."""

    def __init__(self):
        self.generation = 0

    def changed(self) -> int:
        self.generation += 1
        return self.generation

    def submit(self, work, *args, delay: float = 0.0):
        generation = self.generation

        def job():
            if delay:
                time.sleep(delay)
            if generation == self.generation and not _closing.is_set():
                work(*args)
        return _compiler.submit(job)


class Session:
    def __init__(self, config: Config, bridge: bool = False, upload: UserData | None = None):
        """`bridge=True` (the app): never wait for a compilation that the padded network can stand in for.
        `upload`: the points of a CSV file, used when `config.source` is "file"."""
        self.bridge = Bridge() if bridge else None
        self.config, self.upload = config, upload
        self._lock = threading.RLock()
        self._scalars_of, self._scalars_cache = None, (0, False)
        self.epoch_seconds: float | None = None  # wall seconds per epoch of the running program, smoothed
        self.knob_changes = 0  # counts changes of the knobs' values: a reader that trained ahead knows it is stale
        self._new_data()

    @property
    def lock(self) -> threading.RLock:
        """Held by every change of the session; a reader that needs several steps at once holds it around them
        (the app's live view: one answer to the browser, from the script run or the frame route)."""
        return self._lock

    # --- what a config change does -----------------------------------------------------------------------------------
    def apply(self, config: Config, upload: UserData | None = None, keep_weights: bool = False) -> str:
        """Move to `config`, keeping as much of the run as the change allows. Returns what happened:
        "data" (new data, fresh weights), "transfer" (new data, the trained weights kept: `keep_weights` and the
        same network shape), "reset" (fresh weights), "optimizer" (same weights, fresh optimizer state), "knobs"
        (same run, new learning rate / regularization / freezing) or "none". `upload` replaces the uploaded points
        (None keeps them)."""
        with self._lock:
            old, self.config = self.config, config
            new_upload = upload is not None and upload is not self.upload
            self.upload = upload if upload is not None else self.upload
            if _changed(old, config, DATA_FIELDS) or (new_upload and config.source == "file"):
                params = self.params
                self._new_data()
                if keep_weights and _same_shapes(params, self.params) and not _changed(old, config, WEIGHT_FIELDS):
                    self._running = Running(self.spec, fresh_state(params, self.spec.optimizer, config.seed))
                    self.snapshots = []
                    self._snapshot()
                    return "transfer"
                return "data"
            if _changed(old, config, WEIGHT_FIELDS):
                self.reset()
                return "reset"
            if _changed(old, config, OPTIMIZER_FIELDS):
                state = self.state
                self._new_spec()
                fresh = init_state(config, self.spec).opt_state
                self._running = Running(self.spec, state._replace(opt_state=fresh))
                self._request_exact()
                return "optimizer"
            self.knobs = Knobs.from_config(config)
            self.knob_changes += _changed(old, config, KNOB_FIELDS)
            return "knobs" if old != config else "none"

    def _new_data(self):
        self.dataset = make_dataset(self.config, self.upload)
        self.data = data_arrays(self.config, self.dataset)
        self.reset()

    def _new_spec(self):
        self.spec = Spec.from_config(self.config, self.dataset.n_train)
        self.knobs = Knobs.from_config(self.config)
        self._exact_requested = False
        self.epoch_seconds = None  # another network or data: its own cost
        if self.bridge is not None:
            self.bridge.changed()
            if not is_compiled(self._padded_spec, self._shapes):  # this context's bridge, for later changes
                self.bridge.submit(_warm_padded, self._padded_spec, self._shapes)

    def _request_exact(self, delay: float = 0.0):
        """Compile the exact network in the background (with a bridge; without one, `advance` compiles it). While
        the padded network trains, this starts after its first chunk and `delay` more: tracing in the compile thread
        holds the interpreter in long stretches, and the new network's first frames would wait behind it."""
        if self.bridge is not None and not self._exact_requested:
            self._exact_requested = True
            self.bridge.submit(_warm, self.spec, self._shapes, delay=delay)

    @property
    def _shapes(self) -> tuple:
        return data_shapes(self.data)

    @property
    def _padded_spec(self) -> padded.PaddedSpec:
        return padded.PaddedSpec.from_spec(self.spec)

    def reset(self, seed: int | None = None):
        """Fresh weights (a new seed if given), same data; history cleared."""
        with self._lock:
            if seed is not None:
                self.config = dataclasses.replace(self.config, seed=seed)
            self._history: list[np.ndarray] = []
            self.snapshots: list[tuple[int, list]] = []  # (epoch, [(W, b)] per layer) for replay and trajectories
            self.gradient_history: list[tuple[int, np.ndarray]] = []  # (epoch, per-layer gradient norms)
            self._snapshot_every = 1
            self.generation = getattr(self, "generation", 0) + 1  # a checkpoint belongs to one run (see `rewind`)
            self._new_spec()
            c, shapes = self.config, self._shapes
            if (self.bridge is not None and not is_compiled(self.spec, shapes)
                    and is_compiled(self._padded_spec, shapes)):  # train at once on the warm padded network
                self._running = Running(self._padded_spec,
                                        padded.init_padded_state(self._padded_spec, self.arch, c.init, c.seed))
            else:
                self._request_exact()
                self._running = Running(self.spec, init_state(c, self.spec))
            self._snapshot()

    # --- the training state, in whichever layout is running ----------------------------------------------------------
    @property
    def arch(self) -> Arch:
        return self.spec.arch

    @property
    def bridging(self) -> bool:
        """True while the padded network stands in for this one (whose own program is still compiling)."""
        return self._running.bridged

    @property
    def preparing(self) -> bool:
        """True while nothing compiled can train this network yet (its program and its context's padded network are
        both compiling): `advance(..., wait=False)` then trains nothing."""
        return not is_compiled(self.spec, self._shapes) and not is_compiled(self._padded_spec, self._shapes)

    @property
    def state(self) -> TrainState:
        """The training state in the exact layout (converted on the fly while bridging)."""
        run = self._running
        return padded.from_padded(self.arch, run.state) if run.bridged else run.state

    @property
    def params(self):
        return self.state.params

    def _scalars(self) -> tuple[int, bool]:
        """(epoch, diverged) of the running state, read from the device once per state: each read of a device scalar
        costs a transfer, and the live view asks for both several times a frame."""
        run = self._running
        if self._scalars_of is not run:
            epoch, diverged = jax.device_get((run.state.epoch, run.state.diverged))
            self._scalars_of, self._scalars_cache = run, (int(epoch), bool(diverged))
        return self._scalars_cache

    @property
    def epoch(self) -> int:
        return self._scalars()[0]

    @property
    def diverged(self) -> bool:
        return self._scalars()[1]

    @property
    def history(self) -> History:
        """Per-epoch train/test loss and accuracy since the last reset, each (epochs,)."""
        if len(self._history) != 1:
            self._history = [np.concatenate(self._history, 1) if self._history else np.zeros((5, 0))]
        columns = self._history[0]
        return History(*columns[:4].astype(np.float32), epoch=columns[4].astype(np.int64))

    def _thin_history(self):
        """Bound the metrics kept over a long run (a student can leave top speed on for an hour: millions of
        epochs): past 3 x HISTORY_RECENT columns, every other column older than the latest HISTORY_RECENT is dropped,
        so older stretches get sparser and the history never exceeds about that size."""
        self._columns = sum(c.shape[1] for c in self._history)
        if self._columns > 3 * HISTORY_RECENT:
            columns = np.concatenate(self._history, 1)
            older, recent = columns[:, :-HISTORY_RECENT], columns[:, -HISTORY_RECENT:]
            self._history = [np.concatenate([older[:, ::2], recent], 1)]
            self._columns = self._history[0].shape[1]

    # --- training ----------------------------------------------------------------------------------------------------
    def _trainer(self, wait: bool):
        """(Running, its compiled program, its knobs) for the next chunk, or None when `wait` is False and nothing
        compiled can train this network yet. Moves a bridged state to its own program once that is compiled."""
        run, shapes = self._running, self._shapes
        if run.bridged and is_compiled(self.spec, shapes):
            run = self._running = Running(self.spec, padded.from_padded(self.arch, run.state))
        if not run.bridged and not is_compiled(self.spec, shapes) and self.bridge is not None:
            if is_compiled(self._padded_spec, shapes):  # its own program is not ready: the padded one stands in
                run = self._running = Running(self._padded_spec, padded.to_padded(self._padded_spec, self.arch,
                                                                                  run.state))
            elif not wait:
                self._request_exact()
                return None
        knobs = run.program.knobs(self.arch, self.knobs) if run.bridged else self.knobs
        return run, compiled_trainer(run.program, shapes)[0], knobs

    def advance(self, epochs: int, wait: bool = True) -> int:
        """Train up to `epochs` epochs (stops early on divergence); returns how many were completed.

        With `wait=False` it never waits for a compilation: while `preparing`, it trains nothing and returns 0."""
        with self._lock:
            done = 0
            while done < epochs and not self.diverged:
                trainer = self._trainer(wait)
                if trainer is None:
                    break
                done += self._call(*trainer, min(epochs - done, CAPACITY), 1, False)[0]
            self._after_training(done)
            return done

    def advance_frames(self, count: int, every: int, wait: bool = False) -> list[tuple[int, object, tuple]]:
        """Train up to `count` frames `every` epochs apart (fewer on divergence, none while `preparing` unless
        `wait`): [(epoch, params as numpy, mark)] per frame, where `rewind(mark)` comes back to exactly that frame.

        One call of the compiled program trains many frames and returns the weights of each (see
        `train.train_epochs`); a frame's mark is the call's starting checkpoint and its distance from it, so no
        training state is kept per frame. While the padded network stands in (bridging) each frame is one call."""
        frames = []
        with self._lock:
            while len(frames) < count and not self.diverged:
                trainer = self._trainer(wait)
                if trainer is None:
                    break
                if trainer[0].bridged:  # its snapshots are in the padded layout: one frame, read as the exact network
                    if not self._call(*trainer, every, every, False)[0]:
                        break
                    frames.append((self.epoch, self.params, (self.checkpoint(), 0)))
                    continue
                mark, start = self.checkpoint(), self.epoch
                k = max(1, min(count - len(frames), FRAMES, CAPACITY // every))
                done, shots = self._call(*trainer, k * every, every, True)
                leaves, tree = jax.tree.flatten(shots)  # each leaf (frames, ...): frame j is every leaf's row j
                frames += [(start + (j + 1) * every, tree.unflatten([leaf[j] for leaf in leaves]),
                            (mark, (j + 1) * every)) for j in range(done // every)]
                if done < k * every:
                    break
            self._after_training(len(frames))
            return frames

    def _call(self, run: Running, program, knobs, epochs: int, every: int, frames: bool) -> tuple[int, object]:
        """One call of the compiled program: (epochs completed, the frames' weights as numpy if `frames`); the
        history is kept."""
        start, began = self.epoch, time.perf_counter()
        # numpy scalars: a jnp one is a dispatch of its own (~0.3 ms a call, measured)
        state, metrics, shots = program(run.state, self.data, knobs, np.int32(epochs), np.int32(every))
        epoch, diverged, metrics = jax.device_get((state.epoch, state.diverged, metrics))  # one read back
        completed = int(epoch) - start
        seconds = (time.perf_counter() - began) / max(1, completed)  # short calls over-estimate (dispatch)
        last = self.epoch_seconds
        self.epoch_seconds = seconds if last is None else last + (0.5 if seconds < last else 0.3) * (seconds - last)
        self._running = run._replace(state=state)
        self._scalars_of, self._scalars_cache = self._running, (int(epoch), bool(diverged))
        numbers = np.arange(start + 1, start + completed + 1)
        self._history.append(np.vstack([np.asarray(metrics[:, :completed], np.float64), numbers]))
        return completed, (jax.device_get(shots) if frames else None)

    def _after_training(self, done: int):
        if done:
            self._thin_history()
            self._snapshot()
        self._request_exact(EXACT_DELAY if self._running.bridged else 0.0)

    def _snapshot(self):
        """Keep the weights now and then: at most SNAPSHOTS, evenly thinned as the run grows."""
        if self.snapshots and self.epoch - self.snapshots[-1][0] < self._snapshot_every:
            return
        self.snapshots.append((self.epoch, layers_of(self.params)))
        if len(self.snapshots) > SNAPSHOTS:
            self.snapshots = self.snapshots[::2]
            self._snapshot_every *= 2

    def resume_after_divergence(self):
        """Go on from the last finite state (kept when training diverged), e.g. after lowering the learning rate."""
        with self._lock:
            run = self._running
            self._running = run._replace(state=run.state._replace(diverged=jnp.zeros((), bool)))

    # --- going back, and editing by hand (the live view trains a little ahead of what the browser shows) ------------
    def checkpoint(self) -> tuple:
        """What `rewind` needs to come back to this moment. Cheap: JAX arrays are immutable, kept by reference."""
        return (self.generation, self._running, self.knobs)

    def rewind(self, checkpoint: tuple, epochs: int = 0) -> bool:
        """Back to a checkpoint taken since the last reset: training state as it was, later history, snapshots and
        gradient norms dropped; then `epochs` more epochs trained again with the knobs of that moment, which gives
        exactly the state the first training reached (same program, same inputs: XLA on one machine is
        deterministic). A frame's mark from `advance_frames` is such a `(checkpoint, epochs)` pair:
        `rewind(*mark)`. False (and nothing changed) if the checkpoint belongs to an earlier run."""
        generation, running, knobs = checkpoint
        with self._lock:
            if not self._restore(generation, running):
                return False
            if epochs:
                now, self.knobs = self.knobs, knobs
                try:
                    self.advance(epochs)
                finally:
                    self.knobs = now
            return True

    def _restore(self, generation: int, running: Running) -> bool:
        """`rewind`'s first half, under its lock: the state of the checkpoint, later history dropped."""
        if generation != self.generation:
            return False
        target = int(jax.device_get(running.state.epoch))
        if self.epoch > target:
            self.history  # noqa: B018 - joins the kept columns into one array
            columns = self._history[0]
            self._history = [columns[:, columns[4] <= target]]
            self.snapshots = [s for s in self.snapshots if s[0] <= target]
            self.gradient_history = [g for g in self.gradient_history if g[0] <= target]
        self._running = running
        return True

    def set_parameter(self, layer: int, row: int | None, column: int, value: float):
        """Set one weight (`row` = its input neuron) or, with `row=None`, one bias of weight layer `layer` (input side
        first) to `value`: an edit by hand. Optimizer state untouched."""
        with self._lock:
            state = self.state
            layers = [(w.copy(), b.copy()) for w, b in layers_of(state.params)]
            if row is None:
                layers[layer][1][column] = value
            else:
                layers[layer][0][row, column] = value
            self._running = Running(self.spec, state._replace(params=params_from_layers(layers)))
            self._snapshot()

    def set_weights(self, layers):
        """Start this run again from the given [(W, b)] per weight layer (loaded from a file): epoch 0, history
        cleared, a fresh optimizer state; the shapes must be this network's."""
        with self._lock:
            self.reset()
            params = params_from_layers(layers)
            self._running = Running(self.spec, fresh_state(params, self.config.optimizer, self.config.seed))
            self.snapshots = []
            self._snapshot()

    # --- probes of the current network -------------------------------------------------------------------------------
    def grid(self, n: int = GRID, step: int = 1):
        """(hidden maps [(n / step, n / step, width)], output (n, n, n_out)) over the data's plane; see probes."""
        with self._lock:
            run, c, extent = self._running, self.config, self.dataset.extent
            if run.bridged:
                return padded.neuron_activations_on_grid(run.program, self.arch, run.state.params, c.features,
                                                         extent, n, step)
            return probes.neuron_activations_on_grid(self.arch, run.state.params, c.features, extent, n, step)

    def gradient_norms(self) -> np.ndarray:
        """Per-layer norms of the training-loss gradient now; also kept in `gradient_history`."""
        with self._lock:
            norms = probes.gradient_norms(self.arch, self.params, self.data.x_train, self.data.y_train)
            if not self.gradient_history or self.gradient_history[-1][0] != self.epoch:
                self.gradient_history.append((self.epoch, norms))
                if len(self.gradient_history) > SNAPSHOTS:
                    self.gradient_history = self.gradient_history[::2]
            return norms


def _warm(spec: Spec, shapes: tuple):
    """Compile the exact network's trainer, so that the frame that switches to it does not stall. Probes are not
    warmed: the browser computes the live maps from the weights, and a panel that needs a probe compiles it when
    opened (warming them cost a compilation and megabytes per shape that most visitors never use)."""
    compiled_trainer(spec, shapes)


def _warm_padded(spec: padded.PaddedSpec, shapes: tuple):
    """Compile the padded network of this training context: its trainer and its fresh state."""
    compiled_trainer(spec, shapes)
    arch = Arch(shapes[2], (1,), ("linear",), (0.0,), spec.n_out, spec.head)
    padded.init_padded_state(spec, arch, "zeros", 0)
