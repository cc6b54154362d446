"""A standalone Python script that rebuilds one experiment and trains it with JAX and optax alone.

The script carries the data points themselves (the generators and any drawn or uploaded points need no copy of this
package), draws the initial weights with numpy from the seed exactly as `model.init_layers` does, and trains
TensorFlow Playground's epochs as `train.train_epochs` does: the same batches, dropout keys, regularization,
freezing, optimizer and learning-rate schedule. Run with the same number of epochs, it ends at the engine's final
loss to float rounding (a test checks 1e-4). Only what the config uses is written out, so the script stays readable.
"""

from __future__ import annotations

import numpy as np

from .config import Config, to_strings
from .data import Dataset
from .model import Arch

ACTIVATION_CODE = {"relu": "jax.nn.relu", "tanh": "jnp.tanh", "sigmoid": "jax.nn.sigmoid", "linear": "lambda z: z",
                   "leaky_relu": "jax.nn.leaky_relu", "elu": "jax.nn.elu", "gelu": "jax.nn.gelu",
                   "swish": "jax.nn.swish", "softplus": "jax.nn.softplus", "sin": "jnp.sin"}
FEATURE_CODE = {"x1": "p[:, 0]", "x2": "p[:, 1]", "x1sq": "p[:, 0] ** 2", "x2sq": "p[:, 1] ** 2",
                "x1x2": "p[:, 0] * p[:, 1]", "sinx1": "np.sin(p[:, 0])", "sinx2": "np.sin(p[:, 1])"}
INIT_CODE = {  # rng, fan_in i, fan_out o -> (kernel, bias): model.INITS written out
    "glorot": "limit = np.sqrt(6.0 / (i + o))\n    return rng.uniform(-limit, limit, (i, o)), np.zeros(o)",
    "he": "return rng.normal(0.0, np.sqrt(2.0 / i), (i, o)), np.zeros(o)",
    "lecun": "return rng.normal(0.0, np.sqrt(1.0 / i), (i, o)), np.zeros(o)",
    "uniform": "return rng.uniform(-0.5, 0.5, (i, o)), np.full(o, 0.1)",
    "zeros": "return np.zeros((i, o)), np.zeros(o)",
    "large": "return rng.normal(0.0, 1.0, (i, o)), rng.normal(0.0, 1.0, o)",
}
OPTIMIZER_CODE = {"sgd": "optax.sgd", "momentum": "lambda learning_rate: optax.sgd(learning_rate, momentum=0.9)",
                  "nesterov": "lambda learning_rate: optax.sgd(learning_rate, momentum=0.9, nesterov=True)",
                  "adam": "optax.adam", "adamw": "optax.adamw", "rmsprop": "optax.rmsprop",
                  "adagrad": "optax.adagrad"}
LOSS_CODE = {  # model.per_example_loss per output head
    "sigmoid_ce": "return jnp.logaddexp(0.0, z[:, 0]) - y * z[:, 0]",
    "softmax_ce": "return jax.nn.logsumexp(z, axis=-1) - jnp.take_along_axis(z, y[:, None], -1)[:, 0]",
    "linear_mse": "return 0.5 * (z[:, 0] - y) ** 2",
    "tanh_mse": "return 0.5 * (jnp.tanh(z[:, 0]) - TARGET(y)) ** 2",
}
SCHEDULE_CODE = {  # schedule.optax_schedule written out
    "constant": "optax.constant_schedule(1.0)",
    "step": "optax.exponential_decay(1.0, transition_steps=max(1, {e} // 4), decay_rate=0.5, staircase=True, "
            "end_value=0.5 ** 4)",
    "cosine": "optax.cosine_decay_schedule(1.0, decay_steps={e})",
    "warmup_cosine": "optax.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=max(1, int({e} * 0.1)), "
                     "decay_steps={e})",
}

TEMPLATE = '''"""Rebuilds and trains one network of the neural-network playground with JAX and optax alone.

Settings (the playground's link or CLI flags): {settings}
The data points are written out below; {start_note}. Run: python {name} [epochs]
It prints one JSON line: the final train and test loss (and accuracy for classification).
"""

import functools
import json
import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax

EPOCHS = {epochs}
LEARNING_RATE = {learning_rate!r}
L1, L2 = {l1!r}, {l2!r}  # penalty rates on the weights (not the biases)
BATCH_SIZE = {batch_size}
SEED = {seed}
LAYERS = {sizes!r}  # inputs, hidden widths, outputs
ACTIVATIONS = [{activations}]
DROPOUT = {dropout!r}
TRAINABLE = {trainable!r}  # 0.0: a frozen weight layer
SCHEDULE, SCHEDULE_EPOCHS = {schedule_code}, {schedule_epochs}  # a multiplier of the learning rate per epoch
CLASSIFICATION = {classification!r}

POINTS_TRAIN = np.array({points_train!r}, np.float32)
Y_TRAIN = np.array({y_train!r}, {y_dtype})
POINTS_TEST = np.array({points_test!r}, np.float32)
Y_TEST = np.array({y_test!r}, {y_dtype})


def features(p):
    return np.stack([{features}], axis=-1).astype(np.float32)


def init_layer(rng, i, o):
    {init_code}


INITIAL = {initial!r}  # the starting weights [(W, b)] per layer when they were loaded, not drawn (None: drawn)


def init_params():
    rng = np.random.default_rng(SEED)
    layers = INITIAL or [init_layer(rng, i, o) for i, o in zip(LAYERS[:-1], LAYERS[1:])]
    return tuple((jnp.asarray(np.asarray(w, np.float32)), jnp.asarray(np.asarray(b, np.float32))) for w, b in layers)


def forward(params, x, small_batch=False, key=None):
    """The output pre-activation; small batches as one fused elementwise product, as the playground does."""
    matmul = (lambda h, w: (h[..., :, None] * w).sum(-2)) if small_batch else jnp.matmul
    h = x
    for i, (w, b) in enumerate(params[:-1]):
        h = ACTIVATIONS[i](matmul(h, w) + b)
        if key is not None and DROPOUT[i] > 0:
            keep = jax.random.bernoulli(jax.random.fold_in(key, i), 1 - DROPOUT[i], h.shape)
            h = jnp.where(keep, h / (1 - DROPOUT[i]), 0.0)
    w, b = params[-1]
    return matmul(h, w) + b


TARGET = lambda y: (2.0 * y - 1.0) if CLASSIFICATION else y  # noqa: E731  (tanh output: classes as -1 / +1)


def per_example_loss(z, y):
    {loss_code}


def correct(z, y):
    if z.shape[-1] > 1:
        return (jnp.argmax(z, -1) == y).astype(jnp.float32)
    return ((z[:, 0] > 0) == (y > 0)).astype(jnp.float32)


def batch_loss(params, x, y, mask, key):
    return (per_example_loss(forward(params, x, True, key), y) * mask).sum() / mask.sum()


OPTIMIZER = optax.inject_hyperparams({optimizer_code})(learning_rate=0.0)


@jax.jit
def one_epoch(params, opt_state, epoch, rate, batches, key):
    """One pass over the training set in batches (the last one padded and masked)."""
    n_batches = batches[0].shape[0]

    def step(carry, batch):
        params, opt_state, b = carry
        x, y, mask = batch
        batch_key = jax.random.fold_in(key, epoch * n_batches + b) if any(DROPOUT) else None
        grads = jax.grad(batch_loss)(params, x, y, mask, batch_key)
        grads = tuple((gw + L1 * jnp.sign(w) + L2 * w, gb) for (gw, gb), (w, _) in zip(grads, params))
        updates, opt_state = OPTIMIZER.update(grads, opt_state, params)
        updates = tuple((uw * t, ub * t) for (uw, ub), t in zip(updates, TRAINABLE))
        return (optax.apply_updates(params, updates), opt_state, b + 1), None

    opt_state.hyperparams["learning_rate"] = rate
    (params, opt_state, _), _ = jax.lax.scan(step, (params, opt_state, 0), batches)
    return params, opt_state


@functools.partial(jax.jit, static_argnames="n_train")
def metrics(params, x, y, n_train):
    z = forward(params, x)
    loss, right = per_example_loss(z, y), correct(z, y)
    return loss[:n_train].mean(), loss[n_train:].mean(), right[:n_train].mean(), right[n_train:].mean()


def batches(x, y):
    n = x.shape[0]
    bs = min(BATCH_SIZE, n)
    nb = -(-n // bs)
    pad = nb * bs - n
    xb = jnp.pad(x, ((0, pad), (0, 0))).reshape(nb, bs, -1)
    yb = jnp.pad(y, (0, pad)).reshape(nb, bs)
    mask = (jnp.arange(nb * bs) < n).astype(jnp.float32).reshape(nb, bs)
    return xb, yb, mask


def main(epochs):
    x_train, y_train = jnp.asarray(features(POINTS_TRAIN)), jnp.asarray(Y_TRAIN)
    x_all = jnp.concatenate([x_train, jnp.asarray(features(POINTS_TEST))])
    y_all = jnp.concatenate([y_train, jnp.asarray(Y_TEST)])
    data, n_train = batches(x_train, y_train), x_train.shape[0]
    params = init_params()
    opt_state, key = OPTIMIZER.init(params), jax.random.key(SEED)
    result = {{"epochs": 0}}
    for epoch in range(epochs):
        scale = jnp.float32(SCHEDULE(min(epoch, SCHEDULE_EPOCHS)))
        rate = jnp.float32(LEARNING_RATE) * scale
        new_params, new_state = one_epoch(params, opt_state, jnp.int32(epoch), rate, data, key)
        losses = [float(v) for v in metrics(new_params, x_all, y_all, n_train)]
        if not all(np.isfinite(losses[:2])):
            result["diverged"] = True  # the playground also stops at the last finite state
            break
        params, opt_state = new_params, new_state
        result = {{"epochs": epoch + 1, "train_loss": losses[0], "test_loss": losses[1]}}
        if CLASSIFICATION:
            result |= {{"train_accuracy": losses[2], "test_accuracy": losses[3]}}
    print(json.dumps(result))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else EPOCHS)
'''


def _values(a: np.ndarray, kind) -> list:
    """Array values as Python numbers whose repr converts back to the same float32 (or int) exactly."""
    return np.asarray(a).astype(kind).tolist()


def standalone_script(config: Config, dataset: Dataset, initial=None, name: str = "train_network.py") -> str:
    """The script's text for `config` on `dataset` (the session's own data, so drawn or uploaded points too),
    starting from the seed's weights or from `initial` ([(W, b)] per layer, e.g. loaded from a weights file)."""
    arch = Arch.from_config(config)
    classification = config.problem == "classification"
    trainable = [1.0] * (len(arch.widths) + 1)
    for k in config.freeze:
        trainable[k - 1] = 0.0
    rate = config.regularization_rate
    y_kind, y_dtype = (int, "np.int32") if classification else (float, "np.float32")
    settings = " ".join(f"--{k.replace('_', '-')} {v or repr(v)}" for k, v in to_strings(config).items())
    return TEMPLATE.format(
        settings=settings, name=name, epochs=config.epochs, learning_rate=config.learning_rate,
        l1=rate if config.regularization == "l1" else 0.0, l2=rate if config.regularization == "l2" else 0.0,
        batch_size=config.batch_size, seed=config.seed, sizes=list(arch.sizes),
        activations=", ".join(ACTIVATION_CODE[a] for a in arch.activations), dropout=list(arch.dropout),
        trainable=trainable, schedule_code=SCHEDULE_CODE[config.schedule].format(e=config.schedule_epochs),
        schedule_epochs=config.schedule_epochs, classification=classification,
        points_train=_values(dataset.points_train, float), y_train=_values(dataset.y_train, y_kind),
        points_test=_values(dataset.points_test, float), y_test=_values(dataset.y_test, y_kind), y_dtype=y_dtype,
        features=", ".join(FEATURE_CODE[f] for f in config.features), init_code=INIT_CODE[config.init],
        loss_code=LOSS_CODE[arch.head], optimizer_code=OPTIMIZER_CODE[config.optimizer],
        start_note="the initial weights are drawn from the seed" if initial is None else
        "training starts from the weights written out in INITIAL (loaded, not drawn)",
        initial=None if initial is None else [(_values(w, float), _values(b, float)) for w, b in initial])
