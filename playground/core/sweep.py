"""Many networks trained together: a depth x width x activation grid, or a seed ensemble, in lockstep.

All networks of a sweep share the data, the optimizer, the batch size and the output head, so they fit one padded
network (`bridge.py`) sized to the largest of them, vmapped over the networks: one compilation for the whole grid.
The networks are split over the machine's cores, one thread each (XLA runs such tiny programs on one core).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import functools
import os
import threading
import time
import weakref
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .bridge import Padded, PaddedSpec, _pad_layers_np, _padded_grid, _unpad_layers, padded_knobs
from .config import MAX_WIDTH, Config
from .data import make_dataset
from .model import Arch, init_layers, params_from_layers
from .session import data_arrays
from .train import History, Knobs, Spec, TrainState, optimizer, train_epochs


def grid_configs(base: Config, depths, widths, activations=None) -> list[Config]:
    """One config per (activation, depth, width); depth 0 once (neither its width nor its activation matters)."""
    configs = []
    for k, activation in enumerate(activations or base.activation[:1]):
        for depth in depths:
            if depth == 0 and k > 0:  # no hidden layer: the activation plays no part, one network is enough
                continue
            for width in ([widths[0]] if depth == 0 else widths):
                configs.append(base.replace(layers=(width,) * depth, activation=(activation,), dropout=(0.0,),
                                            freeze=()))
    return configs


def seed_configs(base: Config, seeds: int) -> list[Config]:
    return [base.replace(seed=base.seed + i) for i in range(seeds)]


def n_params(config: Config) -> int:
    return Arch.from_config(config).n_params


def match_parameter_count(config: Config, target: int) -> Config:
    """The same layer pattern scaled by one factor so that the parameter count comes closest to `target`."""
    if not config.layers:
        return config
    best = config
    for factor in np.geomspace(1 / 32, 32, 400):
        layers = tuple(int(min(MAX_WIDTH, max(1, round(w * factor)))) for w in config.layers)
        candidate = config.replace(layers=layers)
        if abs(n_params(candidate) - target) < abs(n_params(best) - target):
            best = candidate
    return best


def ensemble_summary(results: list[dict], threshold: float) -> dict:
    """Success rate (test accuracy >= threshold) and the spread of the final test accuracy / loss over seeds."""
    accuracy = [r["test_accuracy"] for r in results if r["test_accuracy"] is not None]
    loss = np.array([r["test_loss"] for r in results], float)
    out = {"networks": len(results), "loss_mean": float(np.nanmean(loss)), "loss_std": float(np.nanstd(loss))}
    if accuracy:
        a = np.array(accuracy)
        out |= {"success_rate": float((a >= threshold).mean()), "accuracy_mean": float(a.mean()),
                "accuracy_std": float(a.std()), "accuracy_min": float(a.min()), "accuracy_max": float(a.max())}
    return out


class Cell(NamedTuple):
    config: Config
    depth: int
    width: int
    activation: str
    params: int


def cells_of(configs: list[Config]) -> list[Cell]:
    """What a grid shows of each network: its config, depth, width, activation and parameter count."""
    archs = [Arch.from_config(c) for c in configs]
    return [Cell(c, len(a.widths), a.widths[0] if a.widths else 0, a.activations[0] if a.activations else "",
                 a.n_params) for c, a in zip(configs, archs)]


def _take(tree, start, stop):
    return jax.tree.map(lambda a: a[start:stop], tree)


_compile_lock = threading.Lock()
_compiled: dict = {}  # (spec, capacity, argument shapes) -> [lock, compiled program]


@functools.lru_cache(maxsize=16)
def _vmapped(spec: PaddedSpec, capacity: int):
    return jax.jit(jax.vmap(functools.partial(train_epochs, spec, capacity=capacity), in_axes=(0, None, 0, None)))


class Sweep:
    """Networks that differ only in architecture, init, seed, learning rate or regularization, trained in lockstep."""

    def __init__(self, configs: list[Config], threads: int | None = None, capacity: int = 100):
        base = configs[0]
        self.configs = configs
        self.dataset = make_dataset(base)
        self.data = data_arrays(base, self.dataset)
        specs = [Spec.from_config(c, self.dataset.n_train) for c in configs]
        if len({(s.optimizer, s.batch_size, s.arch.head, s.arch.n_in) for s in specs}) != 1 or any(
                c.dataset != base.dataset or c.data_seed != base.data_seed for c in configs):
            raise ValueError("a sweep's networks must share data, features, optimizer, batch size and output")
        self.archs = [s.arch for s in specs]
        depth = max(1, max(len(a.widths) for a in self.archs))
        width = max(max(a.sizes[:-1]) for a in self.archs)
        names = tuple(sorted({n for a in self.archs for n in a.activations})) or base.activation[:1]
        self.spec = PaddedSpec.from_spec(specs[0], depth, width)._replace(activations=names, batched=True)
        self.threads = max(1, min(threads or os.cpu_count() or 1, len(configs)))
        self.per_thread = -(-len(configs) // self.threads)
        n_padded = self.per_thread * self.threads  # equal shares: one compiled shape (repeat the last network)
        pick = [min(i, len(configs) - 1) for i in range(n_padded)]
        self.state = self._initial_state([configs[i] for i in pick], [self.archs[i] for i in pick])
        self.knobs = jax.tree.map(jnp.asarray, jax.tree.map(lambda *a: np.stack(a), *[
            padded_knobs(self.spec, self.archs[i], Knobs.from_config(configs[i])) for i in pick]))
        self.capacity = capacity
        self._history: list[np.ndarray] = []
        self._pool = concurrent.futures.ThreadPoolExecutor(self.threads)

    def _initial_state(self, configs, archs) -> TrainState:
        """All networks' fresh weights, stacked on the host and moved in one go (no per-network device work)."""
        layers = [_pad_layers_np(self.spec, a, init_layers(a, c.init, c.seed)) for c, a in zip(configs, archs)]
        params = Padded(jnp.asarray(np.stack([w for w, _ in layers])), jnp.asarray(np.stack([b for _, b in layers])))
        n = len(configs)
        # Every network's fresh optimizer state is the same: one network's, repeated on the host. (A vmapped init
        # or key would compile small programs for each new number of networks: ~0.5 s on a new machine.)
        one = optimizer(self.spec.optimizer).init(Padded(np.zeros_like(layers[0][0]), np.zeros_like(layers[0][1])))
        opt_state = jax.tree.map(lambda a: jnp.asarray(np.repeat(np.asarray(a)[None], n, 0)), one)
        keys = jax.random.wrap_key_data(np.stack([np.asarray(jax.random.key_data(jax.random.key(c.seed)))
                                                  for c in configs]))
        return TrainState(params, opt_state, keys, jnp.zeros(n, jnp.int32), jnp.zeros(n, bool))

    @property
    def cells(self) -> list[Cell]:
        return cells_of(self.configs)

    def compile(self):
        """The compiled program for one thread's share of the networks (compiled once per shape per process)."""
        share = _take(self.state, 0, self.per_thread), _take(self.knobs, 0, self.per_thread)
        leaves, structure = jax.tree.flatten((share, self.data))
        key = (self.spec, self.capacity, structure, tuple((a.shape, str(a.dtype)) for a in leaves))
        with _compile_lock:  # one lock per shape: other shapes compile meanwhile
            entry = _compiled.setdefault(key, [threading.Lock(), None])
        with entry[0]:
            if entry[1] is None:
                run = _vmapped(self.spec, self.capacity)
                entry[1] = run.lower(share[0], self.data, share[1], jnp.int32(1)).compile()
            return entry[1]

    def advance(self, epochs: int):
        """Train every network `epochs` more epochs (a network that diverges stays at its last finite state)."""
        run = self.compile()
        done = 0
        while done < epochs:
            n = jnp.int32(min(self.capacity, epochs - done))
            shares = [(i * self.per_thread, (i + 1) * self.per_thread) for i in range(self.threads)]
            results = list(self._pool.map(
                lambda s, n=n: run(_take(self.state, *s), self.data, _take(self.knobs, *s), n), shares))
            self.state = jax.tree.map(lambda *a: jnp.concatenate(a), *[r[0] for r in results])
            metrics = np.concatenate([np.asarray(r[1]) for r in results])  # (networks, 4, capacity)
            self._history.append(metrics[: len(self.configs), :, : int(n)])
            done += int(n)

    def close(self):
        """Let this sweep's worker threads end (a replaced sweep need not wait for the garbage collector)."""
        self._pool.shutdown(wait=False)

    @property
    def epoch(self) -> int:
        return sum(h.shape[-1] for h in self._history)

    @property
    def diverged(self) -> np.ndarray:
        return np.asarray(self.state.diverged[: len(self.configs)])

    def history(self, i: int) -> History:
        """Per-epoch metrics of network i (epochs after a divergence repeat nothing: they are zero)."""
        if len(self._history) != 1:  # concatenate once per chunk, not once per network
            self._history = [np.concatenate(self._history, -1) if self._history else
                             np.zeros((len(self.configs), 4, 0), np.float32)]
        return History(*self._history[0][i])

    def params(self, i: int):
        """Network i's weights in its exact layout."""
        padded = jax.tree.map(lambda a: a[i], self.state.params)
        return params_from_layers(self.archs[i], _unpad_layers(self.archs[i], padded))

    def results(self) -> list[dict]:
        """One dict per network: depth, width, activation, params and the final losses and accuracies."""
        out = []
        for i, cell in enumerate(self.cells):
            h = self.history(i)
            last = lambda a: float(a[-1]) if len(a) else None  # noqa: E731
            classification = cell.config.problem == "classification"
            out.append({"depth": cell.depth, "width": cell.width, "activation": cell.activation,
                        "params": cell.params, "seed": cell.config.seed,
                        "train_loss": last(h.train_loss), "test_loss": last(h.test_loss),
                        "train_accuracy": last(h.train_accuracy) if classification else None,
                        "test_accuracy": last(h.test_accuracy) if classification else None,
                        "diverged": bool(self.diverged[i])})
        return out

    def output_grids(self, n: int = 40) -> np.ndarray:
        """(networks, n, n, n_out): every network's prediction over the plane, for small multiples."""
        out = _output_grids(self.spec, self.state.params, self.knobs.layout, tuple(self.configs[0].features),
                            jnp.float32(self.dataset.extent), n)
        return np.asarray(out[: len(self.configs)]).reshape(len(self.configs), n, n, -1)


@functools.partial(jax.jit, static_argnames=("spec", "features", "n"))
def _output_grids(spec: PaddedSpec, params, layouts, features, extent, n: int):
    return jax.vmap(lambda p, layout: _padded_grid(spec, p, layout, features, extent, n)[1])(params, layouts)


class Snapshot(NamedTuple):
    """What a UI shows of a running sweep: taken by the training thread after each chunk."""

    epoch: int
    results: list          # Sweep.results()
    grids: np.ndarray      # (networks, n, n, n_out) predictions over the plane
    test_loss: list        # per network, its test loss per epoch so far


_runs: "weakref.WeakSet[SweepRun]" = weakref.WeakSet()


@atexit.register
def _stop_runs():
    """A training thread still inside XLA when the interpreter exits aborts the process: stop and join them first."""
    for run in list(_runs):
        run.stop()
    for run in list(_runs):
        run.wait(30)


class SweepRun:
    """A sweep trained to `target` epochs in a background thread, chunk by chunk; a UI polls `snapshot`.

    Training never waits for painting: the thread compiles, then advances by CHUNK epochs at a time and publishes a
    `Snapshot` after each (the first chunk is small so that the grid appears soon after compiling)."""

    FIRST_CHUNK, CHUNK = 20, 100

    def __init__(self, sweep: "Sweep | list[Config]", target: int, grid: int = 40):
        """`sweep`: a built Sweep, or its configs (then it is built in the thread: a click returns at once)."""
        self.configs = list(sweep.configs if isinstance(sweep, Sweep) else sweep)
        self.sweep: Sweep | None = sweep if isinstance(sweep, Sweep) else None
        self.target, self.grid = target, grid
        self.started = time.monotonic()
        self.seconds: float | None = None  # wall time from start to the last chunk, once finished
        self.error: str | None = None
        self.snapshot: Snapshot | None = None
        self.published: list[int] = []  # the epoch of every snapshot, in order
        self.compile_seconds: float | None = None  # compiling (or loading) the programs, before the first chunk
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._train, name="sweep", daemon=True)
        _runs.add(self)
        self._thread.start()

    def _train(self):
        try:
            if self.sweep is None:
                self.sweep = Sweep(self.configs)
            grids = threading.Thread(target=self.sweep.output_grids, args=(self.grid,))  # compiles the probe
            grids.start()  # ... alongside the trainer: XLA compiles without holding the interpreter
            self.sweep.compile()
            grids.join()
            self.compile_seconds = time.monotonic() - self.started
            chunk = self.FIRST_CHUNK
            while self.sweep.epoch < self.target and not self._stop.is_set():
                self.sweep.advance(min(chunk, self.target - self.sweep.epoch))
                self.snapshot = self.take_snapshot()
                self.published.append(self.snapshot.epoch)
                chunk = self.CHUNK
        except Exception as err:  # shown by the UI; the rest of the app keeps working
            self.error = f"{type(err).__name__}: {err}"
        finally:
            self.seconds = time.monotonic() - self.started
            if self.sweep is not None:
                self.sweep.close()

    def take_snapshot(self) -> Snapshot:
        s = self.sweep
        return Snapshot(s.epoch, s.results(), s.output_grids(self.grid),
                        [s.history(i).test_loss for i in range(len(s.configs))])

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def epoch(self) -> int:
        return self.snapshot.epoch if self.snapshot else 0

    @property
    def elapsed(self) -> float:
        return self.seconds if self.seconds is not None else time.monotonic() - self.started

    def wait(self, timeout: float | None = None) -> "SweepRun":
        self._thread.join(timeout)
        return self

    def stop(self):
        """Stop after the chunk in progress (a replaced run must not keep the cores busy)."""
        self._stop.set()


# --- compiling ahead: the lab prepares the sweep its widgets describe before Run is pressed ------------------------

PREPARE_AFTER = 1.0  # seconds a choice must stay unchanged before it is compiled (people click several options)

_prepare_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sweep-prepare")
_prepare_lock = threading.Lock()
_prepared: dict = {}      # tuple(configs) -> a compiled, untrained Sweep (only the latest one is kept)
_wanted: list = [None, 0.0]  # the configs most recently asked for (only they are prepared), and when


def prepare(configs: list[Config], grid: int = 40) -> concurrent.futures.Future | None:
    """Build and compile (trainer and grid probe) the sweep of `configs` in the background once the choice has
    stayed the same for PREPARE_AFTER seconds; `take_prepared` hands it over. Compilation is the one slow step of a
    small sweep (~2 s on a new machine). Asking for other configs drops what was waiting. Returns the background
    task, or None when these configs are already prepared or on their way."""
    key = tuple(configs)
    with _prepare_lock:
        if key in _prepared or _wanted[0] == key:
            return None
        _wanted[:] = [key, time.monotonic()]
    return _prepare_pool.submit(_prepare, key, grid)


def _prepare(key: tuple, grid: int):
    _lower_priority()
    while _wanted[0] == key and time.monotonic() - _wanted[1] < PREPARE_AFTER:  # wait for a quiet moment
        time.sleep(0.05)
    if _wanted[0] != key:  # superseded, or taken by a run that compiles it itself
        return
    sweep = Sweep(list(key))
    sweep.compile()
    sweep.output_grids(grid)
    with _prepare_lock:
        if _wanted[0] != key:
            sweep.close()
            return
        for old in _prepared.values():
            old.close()
        _prepared.clear()
        _prepared[key] = sweep


def _lower_priority():
    """Compile ahead at the lowest CPU priority: when Run is pressed while a superseded choice still compiles (an XLA
    compilation cannot be stopped), the sweep that was asked for gets the cores."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only (Linux)
    except (AttributeError, OSError):
        pass


def take_prepared(configs: list[Config]) -> Sweep | None:
    """The prepared sweep of exactly these configs if it is ready (it is then no longer kept); either way nothing
    more is prepared until `prepare` is asked again."""
    with _prepare_lock:
        _wanted[0] = None
        return _prepared.pop(tuple(configs), None)
