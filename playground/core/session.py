"""One experiment in progress: config, data, training state and history, advanced chunk by chunk.

This is what the app keeps per browser session and what the CLI drives. It decides what a config change costs:
a new learning rate or regularization only swaps traced knobs; a new optimizer or batch size keeps the weights; a new
architecture, init or seed starts from fresh weights; new data starts over. With `bridge=True` (the app) a changed
architecture trains at once on the compile-once padded network while its own network compiles in the background.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import time

import jax.numpy as jnp
import numpy as np

from . import bridge as padded
from . import probes
from .bridge import PaddedSpec, from_padded, init_padded_state, padded_knobs
from .config import Config
from .data import Dataset, feature_matrix, make_dataset
from .model import Arch, init_params, layers_of, params_from_layers, params_template
from .train import (
    CAPACITY,
    Data,
    History,
    Knobs,
    Spec,
    TrainState,
    compiled_trainer,
    data_shapes,
    init_state,
    is_compiled,
)

GRID = 100  # the live view's output map: the grid resolution warmed in the background
MAP_STEP = 4  # its neuron thumbnails keep every 4th point per side (25 x 25), also warmed
SNAPSHOTS = 400  # weights kept for replay
EXACT_DELAY = 0.4  # seconds of bridged training before the exact network's compilation starts

DATA_FIELDS = ("dataset", "classes", "points", "noise", "train_ratio", "second_class_share", "data_seed", "features")
WEIGHT_FIELDS = ("layers", "activation", "dropout", "init", "output", "seed")
OPTIMIZER_FIELDS = ("optimizer", "batch_size")

_compiler = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="compile")


def _changed(a: Config, b: Config, names) -> bool:
    return any(getattr(a, n) != getattr(b, n) for n in names)


def data_arrays(config: Config, dataset: Dataset) -> Data:
    f = config.features
    return Data(jnp.asarray(feature_matrix(dataset.points_train, f)), jnp.asarray(dataset.y_train),
                jnp.asarray(feature_matrix(dataset.points_test, f)), jnp.asarray(dataset.y_test))


class Session:
    def __init__(self, config: Config, bridge: bool = False):
        self.bridge = bridge
        self.config = config
        self._new_data()

    # --- what a config change does -----------------------------------------------------------------------------------
    def apply(self, config: Config) -> str:
        """Move to `config`, keeping as much of the run as the change allows. Returns what happened:
        "data" (new data, fresh weights), "reset" (fresh weights), "optimizer" (same weights, fresh optimizer
        state), "knobs" (same run, new learning rate / regularization / freezing) or "none"."""
        old, self.config = self.config, config
        if _changed(old, config, DATA_FIELDS):
            self._new_data()
            return "data"
        if _changed(old, config, WEIGHT_FIELDS):
            self.reset()
            return "reset"
        if _changed(old, config, OPTIMIZER_FIELDS):
            state = self.state
            self._new_spec()
            self._state, self._padded = state._replace(opt_state=init_state(config, self.spec).opt_state), False
            self._request_exact()
            return "optimizer"
        self.knobs = Knobs.from_config(config)
        return "knobs" if old != config else "none"

    def _new_data(self):
        self.dataset = make_dataset(self.config)
        self.data = data_arrays(self.config, self.dataset)
        self.reset()

    def _new_spec(self):
        self.spec = Spec.from_config(self.config, self.dataset.n_train)
        self.knobs = Knobs.from_config(self.config)
        self._exact_requested = False
        if self.bridge and not is_compiled(self._padded_spec, self._shapes):  # this context's bridge, for later
            _compiler.submit(_warm_padded, self._padded_spec, self._shapes, self.config.features, self.dataset.extent)

    def _request_exact(self):
        """Compile the exact network in the background. While bridging this waits for the first bridged chunk and
        then EXACT_DELAY more: tracing in the compile thread holds the interpreter in long stretches, and the new
        network's first frames (made in the same process) would wait behind it."""
        if self.bridge and not self._exact_requested:
            self._exact_requested = True
            _compiler.submit(_warm, self.spec, self._shapes, self.config.features, self.dataset.extent,
                             EXACT_DELAY if self._padded else 0.0)

    @property
    def _shapes(self) -> tuple:
        return data_shapes(self.data)

    @property
    def _padded_spec(self) -> PaddedSpec:
        return PaddedSpec.from_spec(self.spec)

    def reset(self, seed: int | None = None):
        """Fresh weights (a new seed if given), same data; history cleared."""
        if seed is not None:
            self.config = dataclasses.replace(self.config, seed=seed)
        self.generation = getattr(self, "generation", 0) + 1  # a checkpoint belongs to one run (see `rewind`)
        self._history: list[np.ndarray] = []
        self.snapshots: list[tuple[int, list]] = []     # (epoch, [(W, b)] per layer) for replay and trajectories
        self.gradient_history: list[tuple[int, np.ndarray]] = []  # (epoch, per-layer gradient norms)
        self._snapshot_every = 1
        self._new_spec()
        c = self.config
        self._padded = (self.bridge and not is_compiled(self.spec, self._shapes)
                        and is_compiled(self._padded_spec, self._shapes))
        if self._padded:  # train at once on the warm padded network; the exact one compiles after its first chunk
            self._state = init_padded_state(self._padded_spec, self.arch, c.init, c.seed)
        else:
            self._request_exact()
            self._state = init_state(c, self.spec)
        self._snapshot()

    # --- the training state, in whichever layout is running ----------------------------------------------------------
    @property
    def arch(self) -> Arch:
        return self.spec.arch

    @property
    def bridging(self) -> bool:
        """True while the padded bridge network is training (the exact one is still compiling)."""
        return self._padded

    @property
    def state(self) -> TrainState:
        """The training state in the exact layout (converted on the fly while bridging)."""
        return from_padded(self.arch, self._state) if self._padded else self._state

    @property
    def params(self):
        return self.state.params

    @property
    def epoch(self) -> int:
        return int(self._state.epoch)

    @property
    def diverged(self) -> bool:
        return bool(self._state.diverged)

    @property
    def history(self) -> History:
        """Per-epoch train/test loss and accuracy since the last reset, each (epochs,)."""
        if len(self._history) != 1:
            self._history = [np.concatenate(self._history, 1) if self._history else np.zeros((4, 0), np.float32)]
        return History(*self._history[0])

    # --- training ----------------------------------------------------------------------------------------------------
    def advance(self, epochs: int) -> int:
        """Train up to `epochs` epochs (stops early on divergence); returns how many were completed."""
        done = 0
        while done < epochs and not self.diverged:
            if self._padded and is_compiled(self.spec, self._shapes):
                self._state, self._padded = from_padded(self.arch, self._state), False
            if self._padded:
                spec = self._padded_spec
                run, knobs = compiled_trainer(spec, self._shapes)[0], padded_knobs(spec, self.arch, self.knobs)
            else:
                run, knobs = compiled_trainer(self.spec, self._shapes)[0], self.knobs
            start = int(self._state.epoch)
            self._state, metrics = run(self._state, self.data, knobs, jnp.int32(min(epochs - done, CAPACITY)))
            completed = int(self._state.epoch) - start
            self._history.append(np.asarray(metrics[:, :completed]))
            done += completed
        if done:
            self._snapshot()
        self._request_exact()
        return done

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
        self._state = self._state._replace(diverged=jnp.zeros((), bool))

    # --- going back, and editing by hand (the live view trains a little ahead of what the browser shows) ----------
    def checkpoint(self) -> tuple:
        """What `rewind` needs to come back to this moment. Cheap: JAX arrays are immutable, kept by reference."""
        return (self.generation, self._state, self._padded)

    def rewind(self, checkpoint: tuple) -> bool:
        """Back to a checkpoint taken since the last reset: training state as it was, later history, snapshots and
        gradient norms dropped. False (and nothing changed) if the checkpoint belongs to an earlier run."""
        generation, state, padded_layout = checkpoint
        if generation != self.generation:
            return False
        target, dropped = int(state.epoch), self.epoch - int(state.epoch)
        if dropped > 0:
            columns = np.stack(self.history)
            self._history = [columns[:, : columns.shape[1] - dropped]]
            self.snapshots = [s for s in self.snapshots if s[0] <= target]
            self.gradient_history = [g for g in self.gradient_history if g[0] <= target]
        self._state, self._padded = state, padded_layout
        return True

    def set_parameter(self, layer: int, row: int | None, column: int, value: float):
        """Set one weight (`row` = its input neuron) or, with `row=None`, one bias of weight layer `layer` (input side
        first) to `value`: an edit by hand. The run goes on in the exact layout, optimizer state untouched."""
        state = self.state
        layers = [(w.copy(), b.copy()) for w, b in layers_of(state.params)]
        if row is None:
            layers[layer][1][column] = value
        else:
            layers[layer][0][row, column] = value
        self._state, self._padded = state._replace(params=params_from_layers(self.arch, layers)), False
        self._snapshot()

    # --- probes of the current network -------------------------------------------------------------------------------
    def grid(self, n: int = GRID, step: int = 1):
        """(hidden maps [(n / step, n / step, width)], output (n, n, n_out)) over the data's plane; see probes."""
        c, extent = self.config, self.dataset.extent
        if self._padded:
            return padded.neuron_activations_on_grid(self._padded_spec, self.arch, self._state.params, c.features,
                                                     extent, n, step)
        return probes.neuron_activations_on_grid(self.arch, self._state.params, c.features, extent, n, step)

    def gradient_norms(self) -> np.ndarray:
        """Per-layer norms of the training-loss gradient now; also kept in `gradient_history`."""
        norms = probes.gradient_norms(self.arch, self.params, self.data.x_train, self.data.y_train)
        if not self.gradient_history or self.gradient_history[-1][0] != self.epoch:
            self.gradient_history.append((self.epoch, norms))
            if len(self.gradient_history) > SNAPSHOTS:
                self.gradient_history = self.gradient_history[::2]
        return norms




def _warm(spec: Spec, shapes: tuple, features, extent: float, delay: float = 0.0):
    """Compile the exact network's trainer and probes, so that the frame that switches to it does not stall."""
    time.sleep(delay)
    compiled_trainer(spec, shapes)
    params = init_params(spec.arch, "zeros", 0)
    probes.neuron_activations_on_grid(spec.arch, params, features, extent, GRID, MAP_STEP)
    x = np.zeros((shapes[0], shapes[2]), np.float32)
    probes.gradient_norms(spec.arch, params, x, np.zeros(shapes[0], shapes[3]))


def _warm_padded(spec: PaddedSpec, shapes: tuple, features, extent: float):
    """Compile the bridge network of this training context: trainer, fresh state and grid probe."""
    compiled_trainer(spec, shapes)
    arch = Arch(shapes[2], (1,), ("linear",), (0.0,), spec.n_out, spec.head)
    state = init_padded_state(spec, arch, "zeros", 0)
    padded.neuron_activations_on_grid(spec, arch, state.params, features, extent, GRID, MAP_STEP)
    for n_layers in range(1, spec.depth + 2):  # the exact layout's params pytree of every depth the bridge trains
        params_template(n_layers)
