"""The network: activations, initialisations, the architecture (`Arch`), one forward pass and the output heads."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

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


# --- the network: one representation, one forward pass ----------------------------------------------------------------
#
# A network's parameters are a plain pytree: a tuple with one `Layer` (W (in, out), b (out,)) per weight layer, input
# side first. Training, probes, analysis, sweeps and the bridge all use it; the bridge's padded network is the same
# tuple, sized to its largest depth and width, with a `Layout` saying which layers and neurons are real.

class Layer(NamedTuple):
    """One weight layer's parameters (or anything shaped like them: gradients, optimizer moments)."""

    w: jax.Array  # (in, out)
    b: jax.Array  # (out,)


Params = tuple  # (Layer, ...) per weight layer, input side first


class Layout(NamedTuple):
    """A padded network's architecture as arrays (traced, so changing it recompiles nothing). See `bridge`."""

    active: jax.Array   # (L,) 1.0 for the network's hidden layers; an inactive layer passes its input through
    mask: jax.Array     # (L, W) 1.0 for real neurons
    act_id: jax.Array   # (L,) index into the padded program's activation names
    dropout: jax.Array  # (L,)


def dense_small(h, w):
    """h @ w as one fused elementwise kernel: faster than a library matmul for a handful of rows (docs/DESIGN.md)."""
    return (h[..., :, None] * w).sum(-2)  # (B, i, 1) * (i, o) -> (B, o)


def _activate(activations: tuple[str, ...], layout: Layout | None, i: int, z):
    """Layer i's activation: its own name (exact network), or picked by the layout's id among `activations`."""
    if layout is None:
        return ACTIVATIONS[activations[i]](z)
    if len(activations) == 1:
        return ACTIVATIONS[activations[0]](z)
    return jax.lax.switch(layout.act_id[i], [ACTIVATIONS[name] for name in activations], z)


def forward(params: Params, x, activations: tuple[str, ...], dropout=(), layout: Layout | None = None, *,
            small_batch: bool = False, key=None) -> list:
    """Every hidden layer's output (..., width) and, last, the output pre-activation (..., n_out).

    `activations`: one name per hidden layer; with a `layout` (the padded network), the names a layer may pick.
    `dropout`: one rate per hidden layer (with a layout, its traced rates are used); applied only when `key` is given.
    """
    matmul = dense_small if small_batch else jnp.matmul
    outs, h = [], x
    for i, (w, b) in enumerate(params[:-1]):
        a = _activate(activations, layout, i, matmul(h, w) + b)
        rate = layout.dropout[i] if layout is not None else (dropout[i] if dropout else 0.0)
        if layout is not None:
            a = a * layout.mask[i]
        if key is not None and (layout is not None or rate > 0):
            keep = jax.random.bernoulli(jax.random.fold_in(key, i), 1 - rate, a.shape)
            a = jnp.where(keep, a / (1 - rate), 0.0)
        if layout is not None:
            a = jnp.where(layout.active[i] > 0, a, h)
        outs.append(h := a)
    w, b = params[-1]
    outs.append(matmul(h, w) + b)
    return outs


def outputs(arch: Arch, params: Params, x, **kw) -> list:
    """`forward` for the exact network of `arch`: hidden outputs, then the output pre-activation."""
    return forward(params, x, arch.activations, arch.dropout, **kw)


def logits(arch: Arch, params: Params, x, **kw):
    """The output pre-activation (..., n_out) of the exact network of `arch`."""
    return outputs(arch, params, x, **kw)[-1]


def layers_of(params) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(W (in, out), b (out,))] per layer as numpy arrays; also for params-shaped trees (gradients, moments)."""
    return [(np.asarray(w), np.asarray(b)) for w, b in params]


def flat_layers(layers) -> np.ndarray:
    """[(W (in, out), b)] per layer -> one float32 vector: per layer the kernel row by row, then its biases (the
    order the browser's forward pass reads)."""
    return np.concatenate([np.ravel(part) for layer in layers for part in layer]).astype(np.float32)


def params_from_layers(layers) -> Params:
    """The params pytree (float32 device arrays) from [(W, b)] per layer, input side first."""
    return tuple(Layer(jnp.asarray(np.asarray(w, np.float32)), jnp.asarray(np.asarray(b, np.float32)))
                 for w, b in layers)


def init_layers(arch: Arch, init: str, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Initial [(kernel, bias)] per layer as float32 numpy arrays, reproducible from the seed."""
    rng = np.random.default_rng(seed)
    s = arch.sizes
    return [tuple(a.astype(np.float32) for a in INITS[init](rng, i, o)) for i, o in zip(s[:-1], s[1:])]


def init_params(arch: Arch, init: str, seed: int) -> Params:
    """Initial weights (numpy draws, so a new shape needs no XLA compilation)."""
    return params_from_layers(init_layers(arch, init, seed))


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
