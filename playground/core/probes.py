"""Probes: what the network computes, read out in one jitted call each. Nothing here trains or draws."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from .data import feature_matrix
from .model import Arch, head_output, layers_of, logits, outputs, per_example_loss
from .compiled import bounded


def grid_points(extent, n: int, xp=np):
    """(n*n, 2) points of an n x n grid over [-extent, extent]^2, row by row from the top (y = +extent)."""
    xs = xp.linspace(-extent, extent, n, dtype=xp.float32)
    gx, gy = xp.meshgrid(xs, xs[::-1])
    return xp.stack([gx.ravel(), gy.ravel()], 1)


@bounded
@functools.partial(jax.jit, static_argnames=("arch", "features", "n", "step"))
def _grid_outputs(arch: Arch, params, features: tuple[str, ...], extent, n: int, step: int = 1):
    x = feature_matrix(grid_points(extent, n, xp=jnp), features, xp=jnp)           # (n*n, F)
    outs = outputs(arch, params, x)                                      # [(n*n, width)]
    return ([o.reshape(n, n, -1)[::step, ::step] for o in outs[:-1]],
            head_output(arch.head, outs[-1]).reshape(n, n, -1))


def neuron_activations_on_grid(arch: Arch, params, features, extent: float, n: int = 100, step: int = 1):
    """Every hidden neuron's activation and the network's output over an n x n grid of the input plane.

    Returns (hidden: list of (n, n, width) arrays, input side first; output: (n, n, n_out) prediction, i.e. the
    probability of class 1, the class probabilities, or the regression value). Row 0 is the top of the plane.
    With `step` > 1 the hidden maps keep every step-th point per side (thumbnails: a 16th of the copying)."""
    hidden, out = _grid_outputs(arch, params, tuple(features), jnp.float32(extent), n, step)
    return [np.asarray(h) for h in hidden], np.asarray(out)


@bounded
@functools.partial(jax.jit, static_argnames=("arch",))
def _loss_grads(arch: Arch, params, x, y):
    return jax.grad(lambda p: per_example_loss(arch.head, logits(arch, p, x), y).mean())(params)


def gradient_norms(arch: Arch, params, x, y) -> np.ndarray:
    """(n_weight_layers,) L2 norm of the training-loss gradient for each weight matrix, input side first.

    The loss is the plain data loss over all given points: no regularization, no dropout."""
    grads = _loss_grads(arch, params, jnp.asarray(x), jnp.asarray(y))
    return np.array([np.linalg.norm(kernel) for kernel, _ in layers_of(grads)])


def weights(params) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(W (in, out), b (out,))] per layer, input side first, as numpy arrays."""
    return layers_of(params)


@bounded
@functools.partial(jax.jit, static_argnames=("arch",))
def _predict(arch: Arch, params, x):
    return head_output(arch.head, logits(arch, params, x))


def predict(arch: Arch, params, x) -> np.ndarray:
    """The network's prediction for (N, F) inputs (see `head_output`)."""
    return np.asarray(_predict(arch, params, jnp.asarray(x)))


def predicted_class(arch: Arch, prediction: np.ndarray) -> np.ndarray:
    if arch.head == "softmax_ce":
        return prediction.argmax(-1)
    return (prediction > (0.0 if arch.head == "tanh_mse" else 0.5)).astype(np.int32)


def confusion_matrix(arch: Arch, params, x, y, n_classes: int) -> np.ndarray:
    """(k, k) counts: row = true class, column = predicted class."""
    predicted = predicted_class(arch, predict(arch, params, x))
    matrix = np.zeros((n_classes, n_classes), np.int64)
    np.add.at(matrix, (np.asarray(y), predicted), 1)
    return matrix


def accuracy(arch: Arch, params, x, y) -> float:
    return float((predicted_class(arch, predict(arch, params, x)) == np.asarray(y)).mean())


@bounded
@functools.partial(jax.jit, static_argnames=("arch",))
def _mean_loss(arch: Arch, params, x, y):
    return per_example_loss(arch.head, logits(arch, params, x), y).mean()


def loss(arch: Arch, params, x, y) -> float:
    """Mean data loss (no regularization) over the given points."""
    return float(_mean_loss(arch, params, jnp.asarray(x), jnp.asarray(y)))
