"""Many networks trained together: a depth x width x activation grid, or a seed ensemble, in lockstep.

All networks of a sweep share the data, the optimizer, the batch size and the output head, so they fit one padded
network (`bridge.py`) sized to the largest of them, vmapped over the networks: one compilation for the whole grid.
The networks are split over the machine's cores, one thread each (XLA runs such tiny programs on one core).
"""

from __future__ import annotations

import concurrent.futures
import functools
import os
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .bridge import PaddedSpec, pad_layers, padded_grid, unpad_layers
from .config import MAX_WIDTH, Config
from .data import make_dataset
from .userdata import UserData
from .compiled import PROGRAMS, bounded
from .model import Arch, Layer, flat_layers, init_layers, params_from_layers
from .session import data_arrays
from .train import History, Knobs, Spec, TrainState, optimizer, train_epochs


def with_layers(base: Config, layers: tuple[int, ...], activation: tuple[str, ...]) -> Config:
    """`base` with other hidden layers, keeping what its layers carried: each layer's dropout rate (new layers take
    the last one's), frozen hidden layers that still exist, and a frozen output layer (renumbered)."""
    rates = base.layer_dropout or base.dropout[:1]
    rates = tuple(rates[min(i, len(rates) - 1)] for i in range(len(layers))) or rates[:1]
    freeze = tuple(k for k in base.freeze if k <= min(len(layers), len(base.layers)))
    if len(base.layers) + 1 in base.freeze:
        freeze += (len(layers) + 1,)
    return base.replace(layers=layers, activation=activation,
                        dropout=rates[:1] if len(set(rates)) <= 1 else rates, freeze=freeze)


def grid_configs(base: Config, depths, widths, activations=None) -> list[Config]:
    """One config per (activation, depth, width); depth 0 once (neither its width nor its activation matters).
    The playground's dropout and freezing go along (`with_layers`)."""
    configs = []
    for k, activation in enumerate(activations or base.activation[:1]):
        for depth in depths:
            if depth == 0 and k > 0:  # no hidden layer: the activation plays no part, one network is enough
                continue
            for width in ([widths[0]] if depth == 0 else widths):
                configs.append(with_layers(base, (width,) * depth, (activation,)))
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


class Snapshot(NamedTuple):
    """What a UI shows of many networks in training (`runs.Run` takes one after each chunk)."""

    epoch: int
    results: list          # one dict per network: see `Sweep.results`
    grids: np.ndarray | None  # (networks, n, n, n_out) predictions over the plane; None when asked for none (n = 0)
    test_loss: list        # per network, its test loss per epoch so far
    weights: list | None = None  # per network, its exact weights as one float32 vector (`flat_layers`); grid 0 only


def _take(tree, start, stop):
    return jax.tree.map(lambda a: a[start:stop], tree)


@functools.lru_cache(maxsize=16)
def _vmapped(spec: PaddedSpec, capacity: int):
    return jax.jit(jax.vmap(functools.partial(train_epochs, spec, capacity=capacity), in_axes=(0, None, 0, None)))


class Sweep:
    """Networks that differ only in architecture, init, seed, learning rate or regularization, trained in lockstep."""

    def __init__(self, configs: list[Config], threads: int | None = None, capacity: int = 100,
                 upload: UserData | None = None):
        """`upload`: the points of a CSV file, when the configs' source is "file"."""
        base = configs[0]
        self.configs = configs
        self.dataset = make_dataset(base, upload)
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
            self.spec.knobs(self.archs[i], Knobs.from_config(configs[i])) for i in pick]))
        self.capacity = capacity
        self._history: list[np.ndarray] = []
        self._pool = concurrent.futures.ThreadPoolExecutor(self.threads)

    def _initial_state(self, configs, archs) -> TrainState:
        """All networks' fresh weights, stacked on the host and moved in one go (no per-network device work)."""
        nets = [pad_layers(self.spec, a, init_layers(a, c.init, c.seed)) for c, a in zip(configs, archs)]
        params = tuple(Layer(jnp.asarray(np.stack([net[k][0] for net in nets])),
                             jnp.asarray(np.stack([net[k][1] for net in nets]))) for k in range(len(nets[0])))
        n = len(configs)
        # Every network's fresh optimizer state is the same: one network's, repeated on the host. (A vmapped init
        # or key would compile small programs for each new number of networks: ~0.5 s on a new machine.)
        one = optimizer(self.spec.optimizer).init(tuple(Layer(np.zeros_like(w), np.zeros_like(b)) for w, b in nets[0]))
        opt_state = jax.tree.map(lambda a: jnp.asarray(np.repeat(np.asarray(a)[None], n, 0)), one)
        keys = jax.random.wrap_key_data(np.stack([np.asarray(jax.random.key_data(jax.random.key(c.seed)))
                                                  for c in configs]))
        return TrainState(params, opt_state, keys, jnp.zeros(n, jnp.int32), jnp.zeros(n, bool))

    @property
    def cells(self) -> list[Cell]:
        return cells_of(self.configs)

    def _share(self):
        return _take(self.state, 0, self.per_thread), _take(self.knobs, 0, self.per_thread)

    @property
    def compile_key(self) -> tuple:
        """What its compiled program is cached under: the program and the argument shapes of one thread's share."""
        leaves, structure = jax.tree.flatten((self._share(), self.data))
        return ("sweep", self.spec, self.capacity, structure, tuple((a.shape, str(a.dtype)) for a in leaves))

    @property
    def compiled(self) -> bool:
        return PROGRAMS.ready(self.compile_key)

    def compile(self):
        """The compiled program for one thread's share of the networks (from the process's compile-once cache)."""
        state, knobs = self._share()
        compile_program = lambda: _vmapped(self.spec, self.capacity).lower(  # noqa: E731
            state, self.data, knobs, jnp.int32(1)).compile()
        return PROGRAMS.get(self.compile_key, compile_program)[0]

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
            metrics = np.concatenate([np.asarray(r[1]) for r in results])[: len(self.configs), :, : int(n)]
            if self._history and self._history[-1].shape[-1]:  # a chunk that began diverged repeats the last
                # finite metrics of the chunk before
                metrics = np.where(np.isnan(metrics), self._history[-1][:, :, -1:], metrics)
            self._history.append(metrics)  # (networks, 4, epochs)
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
        """Per-epoch metrics of network i (epochs after a divergence repeat its last finite metrics)."""
        if len(self._history) != 1:  # concatenate once per chunk, not once per network
            self._history = [np.concatenate(self._history, -1) if self._history else
                             np.zeros((len(self.configs), 4, 0), np.float32)]
        return History(*self._history[0][i])

    def params(self, i: int):
        """Network i's weights in its exact layout."""
        padded = jax.tree.map(lambda a: a[i], self.state.params)
        return params_from_layers(unpad_layers(self.archs[i], padded))

    def results(self) -> list[dict]:
        """One dict per network: depth, width, activation, params and the final losses and accuracies."""
        out = []
        for i, cell in enumerate(self.cells):
            h = self.history(i)
            last = lambda a: float(a[-1]) if len(a) and np.isfinite(a[-1]) else None  # noqa: E731
            classification = cell.config.problem == "classification"
            out.append({"depth": cell.depth, "width": cell.width, "activation": cell.activation,
                        "params": cell.params, "seed": cell.config.seed,
                        "train_loss": last(h.train_loss), "test_loss": last(h.test_loss),
                        "train_accuracy": last(h.train_accuracy) if classification else None,
                        "test_accuracy": last(h.test_accuracy) if classification else None,
                        "diverged": bool(self.diverged[i])})
        return out

    def flat_weights(self) -> list[np.ndarray]:
        """Every network's exact weights (`flat_layers`), from one copy of the padded ones off the device."""
        padded = jax.tree.map(np.asarray, self.state.params)
        return [flat_layers(unpad_layers(arch, jax.tree.map(lambda a, i=i: a[i], padded)))
                for i, arch in enumerate(self.archs)]

    def snapshot(self, grid: int) -> "Snapshot":
        """The networks' state now, with the server's pictures of them over a `grid` x `grid` plane; with `grid` = 0,
        with their weights instead (a browser paints the pictures from those)."""
        return Snapshot(self.epoch, self.results(), self.output_grids(grid) if grid else None,
                        [self.history(i).test_loss for i in range(len(self.configs))],
                        None if grid else self.flat_weights())

    def output_grids(self, n: int = 40) -> np.ndarray:
        """(networks, n, n, n_out): every network's prediction over the plane, for small multiples."""
        out = _output_grids(self.spec, self.state.params, self.knobs.layout, tuple(self.configs[0].features),
                            jnp.float32(self.dataset.extent), n)
        return np.asarray(out[: len(self.configs)]).reshape(len(self.configs), n, n, -1)


@bounded
@functools.partial(jax.jit, static_argnames=("spec", "features", "n"))
def _output_grids(spec: PaddedSpec, params, layouts, features, extent, n: int):
    return jax.vmap(lambda p, layout: padded_grid(spec, p, layout, features, extent, n)[1])(params, layouts)
