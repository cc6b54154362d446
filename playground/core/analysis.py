"""Looking inside a network: saliency, layer spaces, activation statistics, the loss landscape, activation curves.

Pure functions of (architecture, weights, points), each one jitted call; `playground.figures.inside`
draws them.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .data import feature_matrix
from .model import ACTIVATIONS, Arch, layers_of, logits, outputs, params_from_layers, per_example_loss
from .probes import grid_points
from .compiled import bounded


def _decision_value(arch: Arch, params, inputs):
    """The scalar a decision rests on: class 1's logit, the predicted class's logit, or the regression output."""
    z = logits(arch, params, inputs)
    if arch.head == "softmax_ce":
        return jnp.take_along_axis(z, jnp.argmax(z, -1, keepdims=True), -1)[..., 0]
    return z[..., 0]


# --- saliency -------------------------------------------------------------------------------------------------------

@bounded
@functools.partial(jax.jit, static_argnames=("arch", "features", "n"))
def _saliency(arch: Arch, params, features, extent, n: int):
    def value(point):  # (2,) -> scalar
        return _decision_value(arch, params, feature_matrix(point[None], features, xp=jnp))[0]
    grads = jax.vmap(jax.grad(value))(grid_points(extent, n, xp=jnp))  # (n*n, 2)
    return jnp.linalg.norm(grads, axis=-1).reshape(n, n)


def saliency_on_grid(arch: Arch, params, features, extent: float, n: int = 60) -> np.ndarray:
    """(n, n) size of the gradient of the decision value with respect to the input point (x1, x2)."""
    return np.asarray(_saliency(arch, params, tuple(features), jnp.float32(extent), n))


@bounded
@functools.partial(jax.jit, static_argnames=("arch",))
def _contributions(arch: Arch, params, inputs):
    grads = jax.grad(lambda x: _decision_value(arch, params, x[None])[0])(inputs)
    return grads * inputs


def feature_contributions(arch: Arch, params, features, point) -> dict[str, float]:
    """Gradient x input for each input feature at one point: how much each feature pushed the decision there."""
    inputs = feature_matrix(np.asarray(point, np.float32)[None], tuple(features))[0]
    values = np.asarray(_contributions(arch, params, jnp.asarray(inputs)))
    return dict(zip(features, values.tolist()))


# --- layer spaces ---------------------------------------------------------------------------------------------------

def grid_lines(extent: float, lines: int = 9, samples: int = 30) -> np.ndarray:
    """(2 * lines, samples, 2): horizontal then vertical lines across the input plane."""
    ticks = np.linspace(-extent, extent, lines, dtype=np.float32)
    along = np.linspace(-extent, extent, samples, dtype=np.float32)
    horizontal = np.stack(np.broadcast_arrays(along[None, :], ticks[:, None]), -1)
    vertical = np.stack(np.broadcast_arrays(ticks[:, None], along[None, :]), -1)
    return np.concatenate([horizontal, vertical])


@bounded
@functools.partial(jax.jit, static_argnames=("arch", "features"))
def _hidden_on_points(arch: Arch, params, features, points):
    return outputs(arch, params, feature_matrix(points, features, xp=jnp))


def hidden_on_points(arch: Arch, params, features, points) -> list[np.ndarray]:
    """Every hidden layer's activations (N, width) and the output pre-activation (N, n_out) at (N, 2) points."""
    return [np.asarray(h) for h in _hidden_on_points(arch, params, tuple(features), jnp.asarray(points))]


class Projection(NamedTuple):
    """A fixed linear map of one layer's space to the plane: (h - mean) @ axes."""

    mean: np.ndarray  # (width,)
    axes: np.ndarray  # (width, 2)

    @classmethod
    def fit(cls, h: np.ndarray) -> "Projection":
        """Exact for a layer of 1 or 2 neurons, else the first two principal components of `h` (N, width)."""
        width = h.shape[1]
        if width <= 2:
            return cls(np.zeros(width, np.float32), np.eye(width, 2, dtype=np.float32))
        mean = h.mean(0)
        _, _, vt = np.linalg.svd(h - mean, full_matrices=False)
        return cls(mean.astype(np.float32), vt[:2].T.astype(np.float32))

    def __call__(self, h: np.ndarray) -> np.ndarray:
        return (h - self.mean) @ self.axes


def layer_spaces(arch: Arch, params, features, points, extent: float, projections=None):
    """How each layer sees the data: for hidden layers and the output pre-activation, the (N, 2) projected points and
    the (lines, samples, 2) projected grid of the input plane. Pass the projections of the first frame back in
    (`spaces, projections = layer_spaces(...)`) so that the view does not jump between frames."""
    lines = grid_lines(extent)
    flat = lines.reshape(-1, 2)
    outs = hidden_on_points(arch, params, features, np.concatenate([points, flat]))
    n = len(points)
    projections = projections or [Projection.fit(h[:n]) for h in outs]
    spaces = [(p(h[:n]), p(h[n:]).reshape(*lines.shape[:2], 2)) for p, h in zip(projections, outs)]
    return spaces, projections


# --- activation statistics ------------------------------------------------------------------------------------------

class LayerStats(NamedTuple):
    layer: int          # 1 = first hidden layer
    activation: str
    values: np.ndarray  # (N * width,) activations over the training points, for a histogram
    weights: np.ndarray  # this layer's incoming weights, flattened
    dead: int           # ReLU-like neurons that are zero for every point
    saturated: int      # sigmoid / tanh neurons within 5% of their limits for over 60% of the points
    width: int
    hint: str


_SATURATION = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}
_DEAD_WHEN_ZERO = {"relu"}


def activation_statistics(arch: Arch, params, x) -> list[LayerStats]:
    """Per hidden layer: activation and weight values, dead and saturated neuron counts, a plain-language hint."""
    hidden = [np.asarray(h) for h in outputs(arch, params, jnp.asarray(x))[:-1]]
    stats = []
    for i, (h, (w, _)) in enumerate(zip(hidden, layers_of(params))):
        name = arch.activations[i]
        dead = int((np.abs(h) < 1e-6).all(0).sum()) if name in _DEAD_WHEN_ZERO else 0
        saturated = 0
        if name in _SATURATION:
            lo, hi = _SATURATION[name]
            near = (h < lo + 0.05 * (hi - lo)) | (h > hi - 0.05 * (hi - lo))
            saturated = int((near.mean(0) > 0.6).sum())
        hint = ""
        if dead:
            hint = (f"layer {i + 1}: {dead} of {h.shape[1]} ReLU neurons are dead (zero for every point): "
                    "try a smaller learning rate, leaky_relu, or he init")
        elif saturated * 2 > h.shape[1]:
            hint = (f"layer {i + 1} is saturated ({saturated} of {h.shape[1]} {name} neurons pinned at their limits): "
                    "try a smaller init, a smaller learning rate, or another activation")
        stats.append(LayerStats(i + 1, name, h.ravel(), w.ravel(), dead, saturated, h.shape[1], hint))
    return stats


# --- the loss landscape (Li et al., 2018) ---------------------------------------------------------------------------

def filter_normalised_direction(layers, seed: int):
    """A random direction in weight space with each neuron's incoming weights scaled to that neuron's own norm
    (Li et al.'s filter normalisation for dense layers); zero on biases."""
    rng = np.random.default_rng(seed)
    direction = []
    for w, b in layers:
        d = rng.normal(size=w.shape).astype(np.float32)
        d *= np.linalg.norm(w, axis=0, keepdims=True) / (np.linalg.norm(d, axis=0, keepdims=True) + 1e-10)
        direction.append((d, np.zeros_like(b)))
    return direction


@bounded
@functools.partial(jax.jit, static_argnames=("arch",))
def _loss_surface(arch: Arch, centre, d1, d2, alphas, betas, x, y):
    def loss_at(a, b):
        moved = jax.tree.map(lambda c, u, v: c + a * u + b * v, centre, d1, d2)
        return per_example_loss(arch.head, logits(arch, moved, x), y).mean()
    return jax.vmap(lambda a: jax.vmap(lambda b: loss_at(a, b))(betas))(alphas)  # (len(alphas), len(betas))


class Landscape(NamedTuple):
    alphas: np.ndarray      # (k,) steps along direction 1
    betas: np.ndarray       # (k,) steps along direction 2
    loss: np.ndarray        # (k, k) training loss; loss[i, j] at alphas[i], betas[j]
    trajectory: np.ndarray  # (snapshots, 2) earlier weights projected onto the two directions


class LandscapeProbe:
    """Two fixed random directions, chosen once per network, and slices of the loss along them."""

    def __init__(self, arch: Arch, layers, seed: int = 0):
        self.arch = arch
        self.d1 = filter_normalised_direction(layers, seed)
        self.d2 = filter_normalised_direction(layers, seed + 1)
        flat = lambda d: np.concatenate([a.ravel() for pair in d for a in pair])  # noqa: E731
        self._basis = np.stack([flat(self.d1), flat(self.d2)], 1)  # (P, 2)
        self._flat = flat

    def slice_2d(self, params, x, y, span: float = 1.0, k: int = 41, trajectory=()) -> Landscape:
        steps = np.linspace(-span, span, k, dtype=np.float32)
        as_params = lambda d: params_from_layers(d)  # noqa: E731
        loss = _loss_surface(self.arch, params, as_params(self.d1), as_params(self.d2), jnp.asarray(steps),
                             jnp.asarray(steps), jnp.asarray(x), jnp.asarray(y))
        return Landscape(steps, steps, np.asarray(loss), self.project(layers_of(params), trajectory))

    def slice_1d(self, params, x, y, span: float = 1.0, k: int = 41) -> tuple[np.ndarray, np.ndarray]:
        steps = np.linspace(-span, span, k, dtype=np.float32)
        as_params = lambda d: params_from_layers(d)  # noqa: E731
        loss = _loss_surface(self.arch, params, as_params(self.d1), as_params(self.d2), jnp.asarray(steps),
                             jnp.zeros(1, jnp.float32), jnp.asarray(x), jnp.asarray(y))
        return steps, np.asarray(loss[:, 0])

    def project(self, centre_layers, snapshots) -> np.ndarray:
        """Least-squares coordinates of (snapshot - centre) in the two directions, for each snapshot's layers."""
        if not len(snapshots):
            return np.zeros((0, 2), np.float32)
        centre = self._flat(centre_layers)
        offsets = np.stack([self._flat(s) - centre for s in snapshots], 1)  # (P, snapshots)
        coords, *_ = np.linalg.lstsq(self._basis, offsets, rcond=None)
        return coords.T.astype(np.float32)


# --- activation functions -------------------------------------------------------------------------------------------

def activation_curves(names, lo: float = -5.0, hi: float = 5.0, n: int = 201):
    """{name: (x, f(x), f'(x))} for each named activation."""
    x = jnp.linspace(lo, hi, n)
    out = {}
    for name in dict.fromkeys(names):
        f = ACTIVATIONS[name]
        out[name] = (np.asarray(x), np.asarray(f(x)), np.asarray(jax.vmap(jax.grad(f))(x)))
    return out
