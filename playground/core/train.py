"""Training: a pytree state advanced by many epochs per jit-compiled call.

An epoch is TensorFlow Playground's: one pass over the training set in batches (an averaged update per batch), then
the loss and accuracy over all train and test points. `train_epochs` runs up to `capacity` epochs in one call
(the count is a traced argument, so any number of epochs per frame reuses one compilation); learning rate,
regularization and frozen layers are traced too, so moving those sliders never recompiles.
"""

from __future__ import annotations

import functools
import os
from typing import NamedTuple, Protocol

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .compiled import PROGRAMS
from .config import MAX_SCHEDULE_EPOCHS, Config
from .model import Arch, Layer, init_params, logits, per_example_correct, per_example_loss
from .schedule import multipliers

OPTIMIZERS = {
    "sgd": optax.sgd,
    "momentum": lambda learning_rate: optax.sgd(learning_rate, momentum=0.9),
    "nesterov": lambda learning_rate: optax.sgd(learning_rate, momentum=0.9, nesterov=True),
    "adam": optax.adam,
    "adamw": optax.adamw,
    "rmsprop": optax.rmsprop,
    "adagrad": optax.adagrad,
}

CAPACITY = 256  # most epochs one call can run; longer runs are several calls
FRAMES = 40     # most weight snapshots (live frames) one call of the compiled trainer returns


@functools.cache
def optimizer(name: str) -> optax.GradientTransformation:
    """Built once per name: the learning rate lives in the state (inject_hyperparams), not in the closure."""
    return optax.inject_hyperparams(OPTIMIZERS[name])(learning_rate=0.0)


class Program(Protocol):
    """What the training loop needs to know about a network, static and hashable: one value, one compilation.

    Implemented by `Spec` (a network compiled for its own shape) and `bridge.PaddedSpec` (the padded network that
    trains any architecture up to its size, also vmapped over many networks in a sweep). Both use the same params
    pytree (`model.Params`) and the same forward pass (`model.forward`); they differ in how the architecture is
    given: static here, traced (`Knobs.layout`) there."""

    optimizer: str
    batch_size: int

    @property
    def head(self) -> str: ...

    @property
    def has_dropout(self) -> bool: ...

    def logits(self, params, x, knobs: "Knobs", small_batch: bool = False, key=None): ...

    def init_state(self, init: str, seed: int) -> "TrainState": ...

    def knobs_struct(self) -> "Knobs": ...


class Spec(NamedTuple):
    """A network compiled for its own architecture (the `Program` of an exact network)."""

    arch: Arch
    optimizer: str
    batch_size: int  # already clipped to the training set size

    @classmethod
    def from_config(cls, c: Config, n_train: int) -> "Spec":
        return cls(Arch.from_config(c), c.optimizer, min(c.batch_size, n_train))

    @property
    def head(self) -> str:
        return self.arch.head

    @property
    def has_dropout(self) -> bool:
        return any(r > 0 for r in self.arch.dropout)

    def logits(self, params, x, knobs, small_batch=False, key=None):
        return logits(self.arch, params, x, small_batch=small_batch, key=key)

    def init_state(self, init: str, seed: int) -> "TrainState":
        return fresh_state(init_params(self.arch, init, seed), self.optimizer, seed)

    def knobs_struct(self) -> "Knobs":
        f32 = lambda *shape: jax.ShapeDtypeStruct(shape, jnp.float32)  # noqa: E731
        return Knobs(f32(), f32(), f32(), f32(len(self.arch.widths) + 1), schedule=f32(MAX_SCHEDULE_EPOCHS + 1))


def fresh_state(params, optimizer_name: str, seed: int) -> "TrainState":
    return TrainState(params, optimizer(optimizer_name).init(params), jax.random.key(seed),
                      jnp.zeros((), jnp.int32), jnp.zeros((), bool))


class Knobs(NamedTuple):
    """Hyperparameters that may change while training runs (traced arrays, no recompilation)."""

    learning_rate: jax.Array  # ()
    l1: jax.Array             # ()
    l2: jax.Array             # ()
    trainable: jax.Array      # (n_weight_layers,) 1.0 = trained, 0.0 = frozen
    layout: object = None     # the padded network's traced architecture (model.Layout); None for exact networks
    schedule: jax.Array = None  # (MAX_SCHEDULE_EPOCHS + 1,) learning-rate multiplier per epoch (core/schedule.py)

    @classmethod
    def from_config(cls, c: Config) -> "Knobs":
        rate = c.regularization_rate
        trainable = np.ones(len(c.layers) + 1, np.float32)
        trainable[[k - 1 for k in c.freeze]] = 0.0
        f32 = lambda v: jnp.asarray(np.float32(v))  # noqa: E731  (converted on the host: nothing to compile)
        return cls(f32(c.learning_rate), f32(rate if c.regularization == "l1" else 0.0),
                   f32(rate if c.regularization == "l2" else 0.0), jnp.asarray(trainable),
                   schedule=jnp.asarray(multipliers(c.schedule, c.schedule_epochs)))


class Data(NamedTuple):
    x_train: jax.Array  # (n_train, F) features
    y_train: jax.Array  # (n_train,)
    x_test: jax.Array   # (n_test, F)
    y_test: jax.Array   # (n_test,)


class TrainState(NamedTuple):
    params: object       # model.Params: ((W, b), ...) per weight layer
    opt_state: object
    key: jax.Array       # dropout randomness, folded with the step number
    epoch: jax.Array     # () int32, epochs completed
    diverged: jax.Array  # () bool: a non-finite loss or weight appeared; the state is the last finite one


class History(NamedTuple):
    """Metrics per kept epoch, each (columns,). Accuracies are 0 for regression. `epoch` holds each column's epoch
    when a long run's older epochs were thinned (see `Session.history`); None means every epoch, 1, 2, 3, ..."""

    train_loss: np.ndarray
    test_loss: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    epoch: np.ndarray | None = None

    @property
    def epochs(self) -> np.ndarray:
        return np.arange(1, len(self.train_loss) + 1) if self.epoch is None else self.epoch

    def metrics(self) -> tuple:
        """The four metric arrays, without the epochs."""
        return self[:4]


def init_state(c: Config, spec: Spec) -> TrainState:
    return spec.init_state(c.init, c.seed)


# --- the pure functions that jit compiles ----------------------------------------------------------------------------

def regularization_grad(params, knobs: Knobs):
    """Gradient of the L1 / L2 penalty: on weight matrices, never on biases."""
    return tuple(Layer(knobs.l1 * jnp.sign(w) + knobs.l2 * w, jnp.zeros_like(b)) for w, b in params)


def mask_updates(updates, knobs: Knobs):
    """Frozen layers (trainable 0) get no update."""
    return tuple(Layer(u * knobs.trainable[i], v * knobs.trainable[i]) for i, (u, v) in enumerate(updates))


def batch_loss(spec: Spec, params, knobs, x, y, mask, key=None):
    """Mean loss over the real (mask = 1) examples of one padded batch, with dropout when a key is given."""
    z = spec.logits(params, x, knobs, small_batch=True, key=key)
    return (per_example_loss(spec.head, z, y) * mask).sum() / mask.sum()


def _batches(spec: Spec, data: Data):
    n, bs = data.x_train.shape[0], spec.batch_size
    nb = -(-n // bs)
    pad = nb * bs - n
    x = jnp.pad(data.x_train, ((0, pad), (0, 0))).reshape(nb, bs, -1)   # (nb, B, F)
    y = jnp.pad(data.y_train, (0, pad)).reshape(nb, bs)                 # (nb, B)
    m = (jnp.arange(nb * bs) < n).astype(jnp.float32).reshape(nb, bs)   # (nb, B) real examples
    return x, y, m


def _one_epoch(spec: Spec, state: TrainState, batches, knobs: Knobs):
    opt = optimizer(spec.optimizer)
    n_batches = batches[0].shape[0]

    def step(carry, batch):
        params, opt_state, b = carry
        x, y, m = batch
        key = jax.random.fold_in(state.key, state.epoch * n_batches + b) if spec.has_dropout else None
        grads = jax.grad(batch_loss, argnums=1)(spec, params, knobs, x, y, m, key)
        grads = jax.tree.map(jnp.add, grads, regularization_grad(params, knobs))
        updates, opt_state = opt.update(grads, opt_state, params)
        updates = mask_updates(updates, knobs)
        return (optax.apply_updates(params, updates), opt_state, b + 1), None

    opt_state = state.opt_state
    # The schedule's multiplier for this epoch (the table is traced: neither slider nor schedule recompiles).
    scale = knobs.schedule[jnp.minimum(state.epoch, knobs.schedule.shape[-1] - 1)]
    opt_state.hyperparams["learning_rate"] = knobs.learning_rate * scale
    (params, opt_state, _), _ = jax.lax.scan(step, (state.params, opt_state, 0), batches)
    return state._replace(params=params, opt_state=opt_state, epoch=state.epoch + 1)


def _is_finite(tree) -> jax.Array:
    return jnp.all(jnp.stack([jnp.isfinite(leaf).all() for leaf in jax.tree.leaves(tree)]))


def train_epochs(spec: Spec, state: TrainState, data: Data, knobs: Knobs, n_epochs, every=1,
                 capacity: int = CAPACITY, frames: int = 0):
    """Advance `state` by `n_epochs` (<= capacity) epochs; returns (state, metrics (4, capacity)), and with
    `frames` > 0 also the weights after every `every`-th epoch of the call: a params tree whose leaves have a leading
    axis of `frames` (slot k holds epoch (k + 1) * every of the call; slots past the call's end are zeros).

    Metrics rows are train loss, test loss, train accuracy, test accuracy, one column per epoch asked for. On a
    non-finite loss or weight the state stays at the last finite epoch and `diverged` is set; later epochs in the
    call change nothing and their columns repeat the last finite metrics (NaN if the call had none).

    The weights every few epochs are what the live view paints: one call gives a whole batch of frames, where a call
    per frame cost a dispatch and a read back each (~0.5 ms per frame for the six-by-eight network, measured).
    """
    batches = _batches(spec, data)
    x_all = jnp.concatenate([data.x_train, data.x_test])
    n_train = data.x_train.shape[0]

    def metrics_of(params):
        z = spec.logits(params, x_all, knobs)
        y_all = jnp.concatenate([data.y_train, data.y_test])
        loss = per_example_loss(spec.head, z, y_all)
        correct = per_example_correct(spec.head, z, y_all)
        return jnp.stack([loss[:n_train].mean(), loss[n_train:].mean(),
                          correct[:n_train].mean(), correct[n_train:].mean()])

    every = jnp.maximum(every, 1)

    def body(i, carry):
        state, history, last, shots = carry
        new = _one_epoch(spec, state, batches, knobs)
        metrics = metrics_of(new.params)
        ok = _is_finite(metrics[:2]) & _is_finite(new.params) & ~state.diverged
        kept = jax.tree.map(lambda a, b: jnp.where(ok, a, b), new, state)
        kept = kept._replace(diverged=state.diverged | ~ok)
        last = jnp.where(ok, metrics, last)  # after a divergence: the last finite epoch's metrics, never zeros
        if frames:  # epochs between frames write to the spare last slot: no branch in the loop
            slot = jnp.where((i + 1) % every == 0, jnp.minimum((i + 1) // every - 1, frames), frames)
            shots = jax.tree.map(lambda s, p: jax.lax.dynamic_update_index_in_dim(s, p, slot, 0), shots, kept.params)
        return kept, history.at[:, i].set(last), last, shots

    history = jnp.zeros((4, capacity), jnp.float32)
    last = jnp.full((4,), jnp.nan, jnp.float32)  # NaN only if the very first epoch of a call diverged
    shots = jax.tree.map(lambda p: jnp.zeros((frames + 1, *p.shape), p.dtype), state.params) if frames else ()
    state, history, _, shots = jax.lax.fori_loop(0, jnp.minimum(n_epochs, capacity), body,
                                                 (state, history, last, shots))
    if frames:
        return state, history, jax.tree.map(lambda s: s[:frames], shots)
    return state, history


_train_epochs_jit = jax.jit(train_epochs, static_argnames=("spec", "capacity", "frames"))


def enable_compilation_cache(path: str | None = None):
    """Keep compiled programs on disk, so a shape compiled once (in any process) loads in ~0.3 s instead of ~1 s.

    The app and the CLI call this; tests do not, so that they measure and exercise real compilation."""
    path = path or os.environ.get("PLAYGROUND_JAX_CACHE") or os.path.expanduser("~/.cache/playground/jax")
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)


def _abstract_data(data_shapes: tuple) -> Data:
    n_train, n_test, n_features, y_dtype = data_shapes
    f32 = jnp.float32
    return Data(jax.ShapeDtypeStruct((n_train, n_features), f32), jax.ShapeDtypeStruct((n_train,), y_dtype),
                jax.ShapeDtypeStruct((n_test, n_features), f32), jax.ShapeDtypeStruct((n_test,), y_dtype))


def compiled_trainer(spec: Program, data_shapes: tuple, capacity: int = CAPACITY):
    """Ahead-of-time compiled `train_epochs` for one program and data shape, and the seconds compiling took. It is
    called `(state, data, knobs, n_epochs, every)` and returns `(state, metrics, frames)` (FRAMES snapshots).

    From the process's one compile-once cache (`compiled.PROGRAMS`): a shape never compiles twice while it is kept;
    safe to call from several threads."""
    def compile_program():
        state = jax.eval_shape(lambda: spec.init_state("zeros", 0))
        count = jax.ShapeDtypeStruct((), jnp.int32)
        return _train_epochs_jit.lower(spec, state, _abstract_data(data_shapes), spec.knobs_struct(), count, count,
                                       capacity=capacity, frames=FRAMES).compile()
    return PROGRAMS.get(("train", spec, data_shapes, capacity), compile_program)


def is_compiled(spec: Program, data_shapes: tuple, capacity: int = CAPACITY) -> bool:
    return PROGRAMS.ready(("train", spec, data_shapes, capacity))


def data_shapes(data: Data) -> tuple:
    return (data.x_train.shape[0], data.x_test.shape[0], data.x_train.shape[1], str(data.y_train.dtype))
