"""Training: a pytree state advanced by many epochs per jit-compiled call.

An epoch is TensorFlow Playground's: one pass over the training set in batches (an averaged update per batch), then
the loss and accuracy over all train and test points. `train_epochs` runs up to `capacity` epochs in one call
(the count is a traced argument, so any number of epochs per frame reuses one compilation); learning rate,
regularization and frozen layers are traced too, so moving those sliders never recompiles.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .config import Config
from .model import Arch, init_params, layer_of, merge, per_example_correct, per_example_loss

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


@functools.cache
def optimizer(name: str) -> optax.GradientTransformation:
    """Built once per name: the learning rate lives in the state (inject_hyperparams), not in the closure."""
    return optax.inject_hyperparams(OPTIMIZERS[name])(learning_rate=0.0)


class Spec(NamedTuple):
    """Everything static about a training function: changing any of it means another compilation.

    A spec also says how its params are used (`logits`, `regularization_grad`, `mask_updates`), so the same
    training loop serves this exact network and the padded bridge network of `bridge.py`."""

    arch: Arch
    optimizer: str
    batch_size: int  # already clipped to the training set size

    @classmethod
    def from_config(cls, c: Config, n_train: int) -> "Spec":
        return cls(Arch.from_config(c), c.optimizer, min(c.batch_size, n_train))

    @property
    def has_dropout(self) -> bool:
        return any(r > 0 for r in self.arch.dropout)

    def logits(self, params, x, knobs, small_batch=False, key=None):
        return merge(self.arch, params)(x, small_batch=small_batch, dropout=self.arch.dropout, key=key)

    def regularization_grad(self, params, knobs):
        return _map_layers(lambda i, is_w, w: knobs.l1 * jnp.sign(w) + knobs.l2 * w if is_w else jnp.zeros_like(w),
                           params)

    def mask_updates(self, updates, knobs):
        return _map_layers(lambda i, is_w, u: u * knobs.trainable[i], updates)

    def init_state(self, init: str, seed: int) -> "TrainState":
        params = init_params(self.arch, init, seed)
        return TrainState(params, optimizer(self.optimizer).init(params), jax.random.key(seed),
                          jnp.zeros((), jnp.int32), jnp.zeros((), bool))

    def knobs_struct(self) -> "Knobs":
        f32 = lambda *shape: jax.ShapeDtypeStruct(shape, jnp.float32)  # noqa: E731
        return Knobs(f32(), f32(), f32(), f32(len(self.arch.widths) + 1))


class Knobs(NamedTuple):
    """Hyperparameters that may change while training runs (traced arrays, no recompilation)."""

    learning_rate: jax.Array  # ()
    l1: jax.Array             # ()
    l2: jax.Array             # ()
    trainable: jax.Array      # (n_weight_layers,) 1.0 = trained, 0.0 = frozen
    layout: object = None     # the padded bridge's traced architecture (padded.Layout); None for exact networks

    @classmethod
    def from_config(cls, c: Config) -> "Knobs":
        rate = c.regularization_rate
        trainable = np.ones(len(c.layers) + 1, np.float32)
        trainable[[k - 1 for k in c.freeze]] = 0.0
        f32 = lambda v: jnp.asarray(np.float32(v))  # noqa: E731  (converted on the host: nothing to compile)
        return cls(f32(c.learning_rate), f32(rate if c.regularization == "l1" else 0.0),
                   f32(rate if c.regularization == "l2" else 0.0), jnp.asarray(trainable))


class Data(NamedTuple):
    x_train: jax.Array  # (n_train, F) features
    y_train: jax.Array  # (n_train,)
    x_test: jax.Array   # (n_test, F)
    y_test: jax.Array   # (n_test,)


class TrainState(NamedTuple):
    params: object       # nnx.State of the MLP's weights
    opt_state: object
    key: jax.Array       # dropout randomness, folded with the step number
    epoch: jax.Array     # () int32, epochs completed
    diverged: jax.Array  # () bool: a non-finite loss or weight appeared; the state is the last finite one


class History(NamedTuple):
    """Per-epoch metrics, each (epochs,). Accuracies are 0 for regression."""

    train_loss: np.ndarray
    test_loss: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray


def init_state(c: Config, spec: Spec) -> TrainState:
    return spec.init_state(c.init, c.seed)


# --- the pure functions that jit compiles ----------------------------------------------------------------------------

def _map_layers(fn, *trees):
    """tree_map with the leaf's (layer index, is-kernel) passed first."""
    return jax.tree_util.tree_map_with_path(lambda path, *xs: fn(*layer_of(path), *xs), *trees)


def batch_loss(spec: Spec, params, knobs, x, y, mask, key=None):
    """Mean loss over the real (mask = 1) examples of one padded batch, with dropout when a key is given."""
    z = spec.logits(params, x, knobs, small_batch=True, key=key)
    return (per_example_loss(spec.arch.head, z, y) * mask).sum() / mask.sum()


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
        grads = jax.tree.map(jnp.add, grads, spec.regularization_grad(params, knobs))
        updates, opt_state = opt.update(grads, opt_state, params)
        updates = spec.mask_updates(updates, knobs)
        return (optax.apply_updates(params, updates), opt_state, b + 1), None

    opt_state = state.opt_state
    opt_state.hyperparams["learning_rate"] = knobs.learning_rate
    (params, opt_state, _), _ = jax.lax.scan(step, (state.params, opt_state, 0), batches)
    return state._replace(params=params, opt_state=opt_state, epoch=state.epoch + 1)


def _is_finite(tree) -> jax.Array:
    return jnp.all(jnp.stack([jnp.isfinite(leaf).all() for leaf in jax.tree.leaves(tree)]))


def train_epochs(spec: Spec, state: TrainState, data: Data, knobs: Knobs, n_epochs, capacity: int = CAPACITY):
    """Advance `state` by `n_epochs` (<= capacity) epochs; returns (state, metrics (4, capacity)).

    Metrics rows are train loss, test loss, train accuracy, test accuracy; only the first
    `new_state.epoch - state.epoch` columns are meaningful. On a non-finite loss or weight the state stays at the
    last finite epoch and `diverged` is set; later epochs in the call change nothing.
    """
    batches = _batches(spec, data)
    x_all = jnp.concatenate([data.x_train, data.x_test])
    n_train = data.x_train.shape[0]

    def metrics_of(params):
        z = spec.logits(params, x_all, knobs)
        y_all = jnp.concatenate([data.y_train, data.y_test])
        loss = per_example_loss(spec.arch.head, z, y_all)
        correct = per_example_correct(spec.arch.head, z, y_all)
        return jnp.stack([loss[:n_train].mean(), loss[n_train:].mean(),
                          correct[:n_train].mean(), correct[n_train:].mean()])

    def body(i, carry):
        state, history = carry
        new = _one_epoch(spec, state, batches, knobs)
        metrics = metrics_of(new.params)
        ok = _is_finite(metrics[:2]) & _is_finite(new.params) & ~state.diverged
        kept = jax.tree.map(lambda a, b: jnp.where(ok, a, b), new, state)
        kept = kept._replace(diverged=state.diverged | ~ok)
        return kept, history.at[:, i].set(jnp.where(ok, metrics, 0.0))

    history = jnp.zeros((4, capacity), jnp.float32)
    return jax.lax.fori_loop(0, jnp.minimum(n_epochs, capacity), body, (state, history))


_train_epochs_jit = jax.jit(train_epochs, static_argnames=("spec", "capacity"))


def enable_compilation_cache(path: str | None = None):
    """Keep compiled programs on disk, so a shape compiled once (in any process) loads in ~0.3 s instead of ~1 s.

    The app and the CLI call this; tests do not, so that they measure and exercise real compilation."""
    path = path or os.environ.get("PLAYGROUND_JAX_CACHE") or os.path.expanduser("~/.cache/playground/jax")
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)


_compile_lock = threading.Lock()
_compiled: dict = {}


def compiled_trainer(spec, data_shapes: tuple, capacity: int = CAPACITY):
    """Ahead-of-time compiled `train_epochs` for one spec and data shape, and the seconds compiling took.

    Cached per shape, so a frame never compiles twice; safe to call from several threads (the first caller
    compiles, the others wait for it)."""
    key = (spec, data_shapes, capacity)
    with _compile_lock:
        entry = _compiled.setdefault(key, [threading.Lock(), None])
    with entry[0]:
        if entry[1] is None:
            n_train, n_test, n_features, y_dtype = data_shapes
            f32 = jnp.float32
            data = Data(jax.ShapeDtypeStruct((n_train, n_features), f32), jax.ShapeDtypeStruct((n_train,), y_dtype),
                        jax.ShapeDtypeStruct((n_test, n_features), f32), jax.ShapeDtypeStruct((n_test,), y_dtype))
            state = jax.eval_shape(lambda: spec.init_state("zeros", 0))
            start = time.perf_counter()
            compiled = _train_epochs_jit.lower(spec, state, data, spec.knobs_struct(),
                                               jax.ShapeDtypeStruct((), jnp.int32), capacity=capacity).compile()
            entry[1] = (compiled, time.perf_counter() - start)
    return entry[1]


def is_compiled(spec, data_shapes: tuple, capacity: int = CAPACITY) -> bool:
    entry = _compiled.get((spec, data_shapes, capacity))
    return entry is not None and entry[1] is not None


def data_shapes(data: Data) -> tuple:
    return (data.x_train.shape[0], data.x_test.shape[0], data.x_train.shape[1], str(data.y_train.dtype))
