"""The compile-once bridge: one padded network whose depth, widths and activations are traced arrays.

Compiling a network for its own shape takes about a second; this one is compiled once per training context
(optimizer, output head, batch size, data shape) and then trains any stack of up to 10 layers of up to 32 neurons
with no compilation. `session.Session` trains a freshly changed architecture with it while the exact network
compiles in the background, then moves the state over. Padding never changes the maths: padded neurons are masked
to zero, so their weights get zero gradients and stay zero; an inactive layer passes its input through.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .config import ACTIVATION_NAMES, MAX_LAYERS, MAX_WIDTH
from .data import feature_matrix
from .model import ACTIVATIONS, Arch, dense_small, head_output, init_layers, layers_of, params_from_layers
from .probes import grid_points
from .train import Knobs, Spec, TrainState, optimizer


class Padded(NamedTuple):
    """Weights of a padded network of L hidden layers of W neurons (L, W from the spec; 10 and 32 by default)."""

    w: jax.Array  # (L + 1, W, W) weight matrices; hidden layers 0..L-1, output layer L
    b: jax.Array  # (L + 1, W)


class Layout(NamedTuple):
    """An architecture as arrays: what the bridge traces instead of compiling."""

    active: jax.Array   # (L,) 1.0 for the network's hidden layers
    mask: jax.Array     # (L, W) 1.0 for real neurons
    act_id: jax.Array   # (L,) index into ACTIVATION_NAMES
    dropout: jax.Array  # (L,)

    @classmethod
    def from_arch(cls, arch: Arch, L: int = MAX_LAYERS, W: int = MAX_WIDTH,
                  names: tuple[str, ...] = ACTIVATION_NAMES) -> "Layout":
        n = len(arch.widths)
        active = np.arange(L) < n
        mask = np.zeros((L, W), np.float32)
        for i, width in enumerate(arch.widths):
            mask[i, :width] = 1.0
        act_id = np.zeros(L, np.int32)
        act_id[:n] = [names.index(a) for a in arch.activations]
        dropout = np.zeros(L, np.float32)
        dropout[:n] = arch.dropout
        # dtypes settled in numpy: a conversion on the device would compile a small program per new shape
        return cls(jnp.asarray(active.astype(np.float32)), jnp.asarray(mask), jnp.asarray(act_id), jnp.asarray(dropout))


def _hidden_stack(params: Padded, layout: Layout, x, matmul, key=None, names: tuple[str, ...] = ACTIVATION_NAMES):
    """The padded hidden layers on (B, F) inputs: (last hidden output (B, W), every layer's output (L, B, W))."""
    L, W = params.w.shape[0] - 1, params.w.shape[1]
    h = jnp.pad(x, ((0, 0), (0, W - x.shape[-1])))  # (B, W)

    def layer(h, args):
        w, b, active, mask, act_id, rate, i = args
        z = matmul(h, w) + b
        if len(names) == 1:
            a = ACTIVATIONS[names[0]](z) * mask
        else:
            a = jax.lax.switch(act_id, [ACTIVATIONS[name] for name in names], z) * mask
        if key is not None:
            keep = jax.random.bernoulli(jax.random.fold_in(key, i), 1 - rate, a.shape)
            a = jnp.where(keep, a / (1 - rate), 0.0)
        h = jnp.where(active > 0, a, h)
        return h, h

    outs = []
    for i in range(L):  # unrolled: a scan over layers costs more than it saves at these sizes
        h, _ = layer(h, (params.w[i], params.b[i], layout.active[i], layout.mask[i], layout.act_id[i],
                         layout.dropout[i], i))
        outs.append(h)
    return h, jnp.stack(outs)


def _stack_index(arch: Arch, layer: int, L: int) -> int:
    """Row of the padded stacks that holds the exact network's weight layer `layer`."""
    return layer if layer < len(arch.widths) else L


class PaddedSpec(NamedTuple):
    """A Spec for the padded network: the same training loop (`train.train_epochs`) runs it."""

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

    @property
    def arch(self):  # what train_epochs reads off a spec's arch
        return self

    def logits(self, params: Padded, x, knobs: Knobs, small_batch=False, key=None):
        matmul = dense_small if small_batch and not self.batched else jnp.matmul
        h, _ = _hidden_stack(params, knobs.layout, x, matmul, key if self.has_dropout else None, self.activations)
        return (matmul(h, params.w[-1]) + params.b[-1])[:, : self.n_out]

    def regularization_grad(self, params: Padded, knobs: Knobs):
        return Padded(knobs.l1 * jnp.sign(params.w) + knobs.l2 * params.w, jnp.zeros_like(params.b))

    def mask_updates(self, updates: Padded, knobs: Knobs):
        t = knobs.trainable  # (L + 1,)
        return Padded(updates.w * t[:, None, None], updates.b * t[:, None])

    def init_state(self, init: str, seed: int) -> TrainState:
        L, W = self.depth, self.width
        params = Padded(jnp.zeros((L + 1, W, W)), jnp.zeros((L + 1, W)))
        return TrainState(params, optimizer(self.optimizer).init(params), jax.random.key(seed),
                          jnp.zeros((), jnp.int32), jnp.zeros((), bool))

    def knobs_struct(self) -> Knobs:
        f32 = lambda *shape: jax.ShapeDtypeStruct(shape, jnp.float32)  # noqa: E731
        L, W = self.depth, self.width
        layout = Layout(f32(L), f32(L, W), jax.ShapeDtypeStruct((L,), jnp.int32), f32(L))
        return Knobs(f32(), f32(), f32(), f32(L + 1), layout)


def padded_knobs(spec: PaddedSpec, arch: Arch, knobs: Knobs) -> Knobs:
    trainable = np.ones(spec.depth + 1, np.float32)
    for layer, t in enumerate(np.asarray(knobs.trainable)):
        trainable[_stack_index(arch, layer, spec.depth)] = t
    layout = Layout.from_arch(arch, spec.depth, spec.width, spec.activations)
    return knobs._replace(trainable=jnp.asarray(trainable), layout=layout)


# --- moving a state between the exact and the padded layout (numpy on the host: no compilation for new shapes) --------

def _pad_layers_np(spec: PaddedSpec, arch: Arch, layers) -> tuple[np.ndarray, np.ndarray]:
    L, W = spec.depth, spec.width
    w, b = np.zeros((L + 1, W, W), np.float32), np.zeros((L + 1, W), np.float32)
    for layer, (kernel, bias) in enumerate(layers):
        k = _stack_index(arch, layer, L)
        w[k, : kernel.shape[0], : kernel.shape[1]] = kernel
        b[k, : bias.shape[0]] = bias
    return w, b


def _pad_layers(spec: PaddedSpec, arch: Arch, layers) -> Padded:
    return Padded(*map(jnp.asarray, _pad_layers_np(spec, arch, layers)))


def _unpad_layers(arch: Arch, padded: Padded):
    w, b = np.asarray(padded.w), np.asarray(padded.b)
    s, L = arch.sizes, w.shape[0] - 1
    return [(w[_stack_index(arch, i, L), :n_in, :n_out], b[_stack_index(arch, i, L), :n_out])
            for i, (n_in, n_out) in enumerate(zip(s[:-1], s[1:]))]


def _convert(state: TrainState, is_params, convert) -> TrainState:
    """Convert the params and every params-shaped part of the optimizer state (moments), nothing else."""
    mapped = lambda t: convert(t) if is_params(t) else t  # noqa: E731
    return state._replace(params=convert(state.params), opt_state=jax.tree.map(mapped, state.opt_state,
                                                                                is_leaf=is_params))


def to_padded(spec: PaddedSpec, arch: Arch, state: TrainState) -> TrainState:
    """The same training state in the padded layout (optimizer moments included)."""
    params_type = type(state.params)
    return _convert(state, lambda t: isinstance(t, params_type), lambda t: _pad_layers(spec, arch, layers_of(t)))


def from_padded(arch: Arch, state: TrainState) -> TrainState:
    """Back to the exact layout of `arch`."""
    return _convert(state, lambda t: isinstance(t, Padded),
                    lambda t: params_from_layers(arch, _unpad_layers(arch, t)))


def init_padded_state(spec: PaddedSpec, arch: Arch, init: str, seed: int) -> TrainState:
    """A fresh network of `arch` born in the padded layout: every array shape here was compiled before."""
    return spec.init_state(init, seed)._replace(params=_pad_layers(spec, arch, init_layers(arch, init, seed)))


@functools.partial(jax.jit, static_argnames=("spec", "features", "n", "step"))
def _padded_grid(spec: PaddedSpec, params: Padded, layout: Layout, features, extent, n: int, step: int = 1):
    x = feature_matrix(grid_points(extent, n, xp=jnp), features, xp=jnp)  # (n*n, F)
    h, hidden = _hidden_stack(params, layout, x, jnp.matmul, names=spec.activations)  # (n*n, W), (L, n*n, W)
    hidden = hidden.reshape(spec.depth, n, n, spec.width)[:, ::step, ::step]
    return hidden, head_output(spec.head, (h @ params.w[-1] + params.b[-1])[:, : spec.n_out])


def neuron_activations_on_grid(spec: PaddedSpec, arch: Arch, params: Padded, features, extent, n: int,
                               step: int = 1):
    """`probes.neuron_activations_on_grid` for a network in the padded layout (one compilation for all)."""
    layout = Layout.from_arch(arch, spec.depth, spec.width, spec.activations)
    hidden, out = _padded_grid(spec, params, layout, tuple(features), jnp.float32(extent), n, step)
    hidden = np.asarray(hidden)
    return [hidden[i, :, :, :width] for i, width in enumerate(arch.widths)], np.asarray(out).reshape(n, n, -1)
