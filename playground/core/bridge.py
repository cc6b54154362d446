"""The bridge: one padded network that trains any architecture up to its size with no compilation.

Compiling a network for its own shape takes about a second. The padded network is the same network (`model.Params`,
`model.forward`) sized to L hidden layers of W neurons, with a `model.Layout` of traced arrays saying which layers
and neurons are real and which activation each layer uses. It is compiled once per training context (optimizer,
output head, batch size, data shape) and then trains a freshly changed architecture at once, while the network's own
program compiles in the background (`session.Bridge`). Padding never changes the maths: padded neurons are masked
to zero, so their weights get zero gradients and stay zero; an inactive layer passes its input through. Sweeps train
many networks at once as one padded network vmapped over them (`batched=True`).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .config import ACTIVATION_NAMES, MAX_LAYERS, MAX_SCHEDULE_EPOCHS, MAX_WIDTH
from .data import feature_matrix
from .model import Arch, Layer, Layout, forward, head_output, init_layers
from .probes import grid_points
from .train import Knobs, Spec, TrainState, fresh_state
from .compiled import bounded


class PaddedSpec(NamedTuple):
    """The `train.Program` of a padded network: L hidden layers of W neurons (10 and 32 by default)."""

    head: str
    n_out: int
    optimizer: str
    batch_size: int
    has_dropout: bool
    depth: int = MAX_LAYERS  # L: hidden layers in the stack
    width: int = MAX_WIDTH   # W: neurons per layer, at least the number of input features
    activations: tuple[str, ...] = ACTIVATION_NAMES  # the ones a layer may pick; fewer is faster (one: no switch)
    batched: bool = False    # trained under vmap: a batched matmul beats the fused elementwise product there

    @classmethod
    def from_spec(cls, spec: Spec, depth: int = MAX_LAYERS, width: int = MAX_WIDTH) -> "PaddedSpec":
        a = spec.arch
        return cls(a.head, a.n_out, spec.optimizer, spec.batch_size, spec.has_dropout, depth, max(width, a.n_in))

    def fits(self, arch: Arch) -> bool:
        return len(arch.widths) <= self.depth and max(arch.sizes[:-1]) <= self.width

    def pad_input(self, x):
        return jnp.pad(x, ((0, 0), (0, self.width - x.shape[-1])))  # (B, F) -> (B, W)

    def logits(self, params, x, knobs: Knobs, small_batch=False, key=None):
        return forward(params, self.pad_input(x), self.activations, layout=knobs.layout,
                       small_batch=small_batch and not self.batched, key=key if self.has_dropout else None)[-1]

    def shapes(self) -> list[tuple[tuple[int, int], tuple[int]]]:
        """(W shape, b shape) per weight layer."""
        L, W = self.depth, self.width
        return [((W, W), (W,))] * L + [((W, self.n_out), (self.n_out,))]

    def init_state(self, init: str, seed: int) -> TrainState:
        params = tuple(Layer(jnp.zeros(w), jnp.zeros(b)) for w, b in self.shapes())
        return fresh_state(params, self.optimizer, seed)

    def knobs_struct(self) -> Knobs:
        f32 = lambda *shape: jax.ShapeDtypeStruct(shape, jnp.float32)  # noqa: E731
        L, W = self.depth, self.width
        layout = Layout(f32(L), f32(L, W), jax.ShapeDtypeStruct((L,), jnp.int32), f32(L))
        return Knobs(f32(), f32(), f32(), f32(L + 1), layout, f32(MAX_SCHEDULE_EPOCHS + 1))

    def layout(self, arch: Arch) -> Layout:
        """The architecture as arrays (dtypes settled in numpy: a device conversion compiles per new shape)."""
        L, W, n = self.depth, self.width, len(arch.widths)
        mask = np.zeros((L, W), np.float32)
        for i, width in enumerate(arch.widths):
            mask[i, :width] = 1.0
        act_id, dropout = np.zeros(L, np.int32), np.zeros(L, np.float32)
        act_id[:n] = [self.activations.index(a) for a in arch.activations]
        dropout[:n] = arch.dropout
        return Layout(jnp.asarray((np.arange(L) < n).astype(np.float32)), jnp.asarray(mask), jnp.asarray(act_id),
                      jnp.asarray(dropout))

    def knobs(self, arch: Arch, knobs: Knobs) -> Knobs:
        """The exact network's knobs for the padded one: its layout, and freezing moved to the padded rows."""
        trainable = np.ones(self.depth + 1, np.float32)
        for layer, t in enumerate(np.asarray(knobs.trainable)):
            trainable[_row(arch, layer, self.depth)] = t
        return knobs._replace(trainable=jnp.asarray(trainable), layout=self.layout(arch))


def _row(arch: Arch, layer: int, L: int) -> int:
    """The padded row that holds the exact network's weight layer `layer` (the output layer is always row L)."""
    return layer if layer < len(arch.widths) else L


# --- moving weights between the exact and the padded layout (numpy on the host: no compilation for new shapes) --------

def pad_layers(spec: PaddedSpec, arch: Arch, layers) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(W, b)] of `arch` placed in the padded shapes, zeros elsewhere."""
    padded = [(np.zeros(w, np.float32), np.zeros(b, np.float32)) for w, b in spec.shapes()]
    for layer, (kernel, bias) in enumerate(layers):
        w, b = padded[_row(arch, layer, spec.depth)]
        w[: kernel.shape[0], : kernel.shape[1]] = kernel
        b[: bias.shape[0]] = bias
    return padded


def unpad_layers(arch: Arch, padded) -> list[tuple[np.ndarray, np.ndarray]]:
    """The exact network's [(W, b)] cut out of padded params (or params-shaped moments)."""
    L, s = len(padded) - 1, arch.sizes
    out = []
    for i, (n_in, n_out) in enumerate(zip(s[:-1], s[1:])):
        w, b = padded[_row(arch, i, L)]
        out.append((np.asarray(w)[:n_in, :n_out], np.asarray(b)[:n_out]))
    return out


def _as_device(layers):
    return tuple(Layer(jnp.asarray(w), jnp.asarray(b)) for w, b in layers)


def _is_params(t) -> bool:
    """The params, or a params-shaped part of the optimizer state (moments): a tuple of `Layer`s."""
    return type(t) is tuple and len(t) > 0 and all(isinstance(p, Layer) for p in t)


def _convert(state: TrainState, convert) -> TrainState:
    """Convert the params and every params-shaped part of the optimizer state (moments), nothing else."""
    is_params = _is_params
    mapped = lambda t: convert(t) if is_params(t) else t  # noqa: E731
    return state._replace(params=convert(state.params), opt_state=jax.tree.map(mapped, state.opt_state,
                                                                                is_leaf=is_params))


def to_padded(spec: PaddedSpec, arch: Arch, state: TrainState) -> TrainState:
    """The same training state in the padded layout (optimizer moments included)."""
    return _convert(state, lambda t: _as_device(pad_layers(spec, arch, t)))


def from_padded(arch: Arch, state: TrainState) -> TrainState:
    """Back to the exact layout of `arch`."""
    return _convert(state, lambda t: _as_device(unpad_layers(arch, t)))


def init_padded_state(spec: PaddedSpec, arch: Arch, init: str, seed: int) -> TrainState:
    """A fresh network of `arch` born in the padded layout: every array shape here was compiled before."""
    return fresh_state(_as_device(pad_layers(spec, arch, init_layers(arch, init, seed))), spec.optimizer, seed)


@bounded
@functools.partial(jax.jit, static_argnames=("spec", "features", "n", "step"))
def padded_grid(spec: PaddedSpec, params, layout: Layout, features, extent, n: int, step: int = 1):
    """Every padded layer's output (L, n/step, n/step, W) and the prediction (n*n, n_out) over an n x n grid."""
    x = spec.pad_input(feature_matrix(grid_points(extent, n, xp=jnp), features, xp=jnp))  # (n*n, W)
    outs = forward(params, x, spec.activations, layout=layout)
    hidden = jnp.stack(outs[:-1]).reshape(spec.depth, n, n, spec.width)[:, ::step, ::step]
    return hidden, head_output(spec.head, outs[-1])


def neuron_activations_on_grid(spec: PaddedSpec, arch: Arch, params, features, extent, n: int, step: int = 1):
    """`probes.neuron_activations_on_grid` for a network in the padded layout (one compilation for all)."""
    hidden, out = padded_grid(spec, params, spec.layout(arch), tuple(features), jnp.float32(extent), n, step)
    hidden = np.asarray(hidden)
    return [hidden[i, :, :, :width] for i, width in enumerate(arch.widths)], np.asarray(out).reshape(n, n, -1)
