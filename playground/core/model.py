"""The layer stack: a Flax NNX multilayer perceptron, its activations, initialisations and output heads."""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from .config import Config

ACTIVATIONS = {
    "relu": jax.nn.relu,
    "tanh": jnp.tanh,
    "sigmoid": jax.nn.sigmoid,
    "linear": lambda z: z,
    "leaky_relu": jax.nn.leaky_relu,
    "elu": jax.nn.elu,
    "gelu": jax.nn.gelu,
    "swish": jax.nn.swish,
    "softplus": jax.nn.softplus,
    "sin": jnp.sin,
}


def _fan_scaled(scale, uniform=False):
    """Variance-scaling initialiser on fan_in (+ fan_out when `uniform`, i.e. Glorot), drawn with numpy."""
    def init(rng, fan_in, fan_out):
        if uniform:
            limit = np.sqrt(scale * 6.0 / (fan_in + fan_out))
            return rng.uniform(-limit, limit, (fan_in, fan_out)), np.zeros(fan_out)
        return rng.normal(0.0, np.sqrt(scale / fan_in), (fan_in, fan_out)), np.zeros(fan_out)
    return init


# name -> rng, fan_in, fan_out -> (kernel, bias). Numpy, not jax: a new shape then needs no XLA compilation, which
# matters when the user changes the architecture while the new network compiles in the background.
INITS = {
    "glorot": _fan_scaled(1.0, uniform=True),
    "he": _fan_scaled(2.0),
    "lecun": _fan_scaled(1.0),
    "uniform": lambda rng, i, o: (rng.uniform(-0.5, 0.5, (i, o)), np.full(o, 0.1)),  # TensorFlow Playground's
    "zeros": lambda rng, i, o: (np.zeros((i, o)), np.zeros(o)),
    "large": lambda rng, i, o: (rng.normal(0.0, 1.0, (i, o)), rng.normal(0.0, 1.0, o)),  # to show bad init
}


class Arch(NamedTuple):
    """What fixes the shapes and the traced program of a network: hashable, a static jit argument."""

    n_in: int
    widths: tuple[int, ...]
    activations: tuple[str, ...]
    dropout: tuple[float, ...]
    n_out: int
    head: str  # "sigmoid_ce", "softmax_ce", "linear_mse" or "tanh_mse"

    @classmethod
    def from_config(cls, c: Config) -> "Arch":
        if c.output == "tanh_mse":
            head = "tanh_mse"
        elif c.problem == "regression":
            head = "linear_mse"
        else:
            head = "sigmoid_ce" if c.n_classes == 2 else "softmax_ce"
        n_out = c.n_classes if head == "softmax_ce" else 1
        return cls(len(c.features), tuple(c.layers), c.layer_activations, c.layer_dropout, n_out, head)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.n_in, *self.widths, self.n_out)

    @property
    def n_params(self) -> int:
        s = self.sizes
        return sum((a + 1) * b for a, b in zip(s[:-1], s[1:]))


def dense_small(h, w):
    """h @ w as one fused elementwise kernel: faster than a library matmul for a handful of rows (docs/DESIGN.md)."""
    return (h[..., :, None] * w).sum(-2)  # (B, i, 1) * (i, o) -> (B, o)


class MLP(nnx.Module):
    """Dense layers with one activation each; the last layer is the linear pre-activation of the output head."""

    def __init__(self, arch: Arch, *, rngs: nnx.Rngs):
        s = arch.sizes
        self.layers = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in zip(s[:-1], s[1:])])
        self.activations = tuple(arch.activations)

    def hidden_outputs(self, x, *, small_batch=False, dropout=(), key=None):
        """Every hidden layer's activations and the output pre-activation: a list of (..., width) arrays."""
        matmul = dense_small if small_batch else jnp.matmul
        outs, h = [], x
        for i, layer in enumerate(self.layers):
            z = matmul(h, layer.kernel[...]) + layer.bias[...]
            if i == len(self.layers) - 1:
                outs.append(z)
                break
            h = ACTIVATIONS[self.activations[i]](z)
            if dropout and dropout[i] > 0 and key is not None:
                keep = jax.random.bernoulli(jax.random.fold_in(key, i), 1 - dropout[i], h.shape)
                h = jnp.where(keep, h / (1 - dropout[i]), 0.0)
            outs.append(h)
        return outs

    def __call__(self, x, **kw):
        return self.hidden_outputs(x, **kw)[-1]


@functools.lru_cache(maxsize=256)
def _abstract(arch: Arch):
    """(graphdef, params of ShapeDtypeStructs) for this architecture, built once without allocating weights."""
    return nnx.split(nnx.eval_shape(lambda: MLP(arch, rngs=nnx.Rngs(0))), nnx.Param)


def graphdef(arch: Arch):
    return _abstract(arch)[0]


@functools.lru_cache(maxsize=32)
def params_template(n_layers: int):
    """The params pytree of any network with this many weight layers (its leaves' shapes do not matter): tracing a
    new architecture's MLP costs ~70 ms, too slow for the frame after an architecture change."""
    return _abstract(Arch(1, (1,) * (n_layers - 1), ("linear",) * (n_layers - 1), (0.0,) * (n_layers - 1), 1,
                          "linear_mse"))[1]


def layer_of(path) -> tuple[int, bool]:
    """(layer index, is it the weight matrix) for a leaf path of a params pytree: layers/<i>/kernel|bias."""
    keys = [getattr(k, "key", None) for k in path]
    return next(k for k in keys if isinstance(k, int)), "kernel" in keys


def params_from_layers(arch: Arch, layers) -> nnx.State:
    """An nnx.State of params from [(kernel (in, out), bias (out,))] arrays, input side first."""
    def take(path, leaf):
        layer, is_kernel = layer_of(path)
        return jnp.asarray(np.asarray(layers[layer][0 if is_kernel else 1], np.float32))
    return jax.tree_util.tree_map_with_path(take, params_template(len(arch.sizes) - 1))


def layers_of(params) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(kernel (in, out), bias (out,))] per layer, input side first, as numpy arrays: the inverse of
    `params_from_layers`, also for any params-shaped pytree such as gradients or optimizer moments."""
    found: dict[int, list] = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
        layer, is_kernel = layer_of(path)
        found.setdefault(layer, [None, None])[0 if is_kernel else 1] = np.asarray(leaf)
    return [tuple(found[i]) for i in sorted(found)]


def init_layers(arch: Arch, init: str, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Initial [(kernel, bias)] per layer as float32 numpy arrays, reproducible from the seed."""
    rng = np.random.default_rng(seed)
    s = arch.sizes
    return [tuple(a.astype(np.float32) for a in INITS[init](rng, i, o)) for i, o in zip(s[:-1], s[1:])]


def init_params(arch: Arch, init: str, seed: int) -> nnx.State:
    """Initial weights as an nnx.State pytree (the training state holds this, never the module)."""
    return params_from_layers(arch, init_layers(arch, init, seed))


def merge(arch: Arch, params) -> MLP:
    return nnx.merge(graphdef(arch), params)


# --- output heads: activation on the last pre-activation, per-example loss and correctness --------------------------

def head_output(head: str, z):
    """What the network predicts: probability of class 1, class probabilities, or the regression value."""
    if head == "sigmoid_ce":
        return jax.nn.sigmoid(z[..., 0])
    if head == "softmax_ce":
        return jax.nn.softmax(z, axis=-1)
    if head == "tanh_mse":
        return jnp.tanh(z[..., 0])
    return z[..., 0]


def _target(head: str, y, n_out: int):
    if head == "tanh_mse" and n_out == 1 and y.dtype.kind == "i":
        return 2.0 * y - 1.0  # classes 0/1 -> -1/+1 as in TensorFlow Playground
    return y.astype(jnp.float32)


def per_example_loss(head: str, z, y):
    """(B, n_out) pre-activations and (B,) labels -> (B,) losses."""
    if head == "sigmoid_ce":
        return jnp.logaddexp(0.0, z[:, 0]) - y * z[:, 0]  # stable binary cross-entropy on the logit
    if head == "softmax_ce":
        return jax.nn.logsumexp(z, axis=-1) - jnp.take_along_axis(z, y[:, None].astype(jnp.int32), -1)[:, 0]
    out = jnp.tanh(z[:, 0]) if head == "tanh_mse" else z[:, 0]
    return 0.5 * (out - _target(head, y, z.shape[-1])) ** 2


def per_example_correct(head: str, z, y):
    """(B,) 1.0 where the predicted class is right; regression has no classes and counts nothing."""
    if head == "softmax_ce":
        return (jnp.argmax(z, -1) == y).astype(jnp.float32)
    if head == "linear_mse" or y.dtype.kind == "f":
        return jnp.zeros(z.shape[0], jnp.float32)
    return ((z[:, 0] > 0) == (y > 0)).astype(jnp.float32)
