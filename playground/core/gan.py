"""A generative adversarial network on the plane: a generator (noise -> hidden layers -> a point) and a
discriminator (a point -> hidden layers -> one logit, real or fake) trained against each other.

Same engine conventions as the classifier (`train.py`): both networks are `model.Params` pytrees run by
`model.forward`; the training state is one pytree; `train_gan_steps` advances up to `CAPACITY` steps in one
jit-compiled call (count, learning rates and k traced, so they never recompile), compiled once per `GanSpec` in the
shared cache (`compiled.PROGRAMS`); every random draw comes from the state's explicit PRNG key, so a seed reproduces
a run. One step is k discriminator updates then one generator update; the live view's slow motion runs a step with
only the discriminator's part (`g_on` 0) or only the generator's (`d_steps` 0).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .compiled import PROGRAMS, bounded
from .gan_config import GanConfig
from .model import Arch, forward, init_params
from .train import fresh_state, optimizer

CAPACITY = 256  # most steps one call runs; longer runs are several calls


class GanSpec(NamedTuple):
    """What fixes the shapes and the traced program of a GAN: hashable, a static jit argument."""

    g_arch: Arch
    d_arch: Arch
    noise: str        # "uniform" in [-1, 1] or "gaussian"
    g_optimizer: str
    d_optimizer: str
    loss: str
    batch_size: int
    n_real: int

    @classmethod
    def from_config(cls, c: GanConfig) -> "GanSpec":
        def arch(n_in, widths, activation, n_out):
            return Arch(n_in, tuple(widths), (activation,) * len(widths), (0.0,) * len(widths), n_out, "linear_mse")
        return cls(arch(c.noise_dim, c.g_layers, c.g_activation, 2), arch(2, c.d_layers, c.d_activation, 1),
                   c.noise, c.g_optimizer, c.d_optimizer, c.loss, c.batch_size, c.real_points)


class GanState(NamedTuple):
    g: object            # generator params
    d: object            # discriminator params
    g_opt: object
    d_opt: object
    key: jax.Array       # every draw of noise and real batches
    step: jax.Array      # () int32, steps completed
    diverged: jax.Array  # () bool: a non-finite loss or weight appeared; the state is the last finite one


class GanKnobs(NamedTuple):
    """Traced per call: changing them recompiles nothing."""

    g_learning_rate: jax.Array  # ()
    d_learning_rate: jax.Array  # ()
    d_steps: jax.Array          # () int32, discriminator updates per step (0: only the generator moves)
    g_on: jax.Array             # () int32, 1: the generator updates after them, 0: it does not

    @classmethod
    def make(cls, c: GanConfig, d_steps: int | None = None, g_on: bool = True) -> "GanKnobs":
        f32, i32 = (lambda v: jnp.asarray(np.float32(v))), (lambda v: jnp.asarray(np.int32(v)))
        return cls(f32(c.g_learning_rate), f32(c.d_learning_rate), i32(c.d_steps if d_steps is None else d_steps),
                   i32(int(g_on)))


def init_gan_state(spec: GanSpec, seed: int) -> GanState:
    """Fresh weights for both networks (numpy draws from the seed, so a new shape compiles nothing) and their
    optimizers."""
    g = fresh_state(init_params(spec.g_arch, "glorot", seed), spec.g_optimizer, seed)
    d = fresh_state(init_params(spec.d_arch, "glorot", seed + 1), spec.d_optimizer, seed)
    return GanState(g.params, d.params, g.opt_state, d.opt_state, jax.random.key(seed), jnp.zeros((), jnp.int32),
                    jnp.zeros((), bool))


def fresh_optimizers(spec: GanSpec, state: GanState) -> GanState:
    """Same weights, new optimizer states (after the optimizer or the loss changed)."""
    return state._replace(g_opt=optimizer(spec.g_optimizer).init(state.g),
                          d_opt=optimizer(spec.d_optimizer).init(state.d))


# --- the pure functions that jit compiles ----------------------------------------------------------------------------

def generate(spec: GanSpec, g_params, z):
    """Noise (B, noise_dim) -> points (B, 2)."""
    return forward(g_params, z, spec.g_arch.activations)[-1]


def discriminate(spec: GanSpec, d_params, x):
    """Points (B, 2) -> the discriminator's logit (B,) (least squares: its raw output)."""
    return forward(d_params, x, spec.d_arch.activations)[-1][..., 0]


def sample_noise(spec: GanSpec, key, n: int):
    shape = (n, spec.g_arch.n_in)
    if spec.noise == "uniform":
        return jax.random.uniform(key, shape, jnp.float32, -1.0, 1.0)
    return jax.random.normal(key, shape, jnp.float32)


def d_loss_of(loss: str, real_out, fake_out):
    """The discriminator's loss: cross-entropy of real as 1 and fake as 0 (least squares: squared distance)."""
    if loss == "least_squares":
        return 0.5 * jnp.mean((real_out - 1.0) ** 2) + 0.5 * jnp.mean(fake_out ** 2)
    return jnp.mean(jax.nn.softplus(-real_out)) + jnp.mean(jax.nn.softplus(fake_out))


def g_loss_of(loss: str, fake_out):
    """The generator's loss on D's outputs for its samples. minimax: log(1 - D), which barely moves while D rejects
    the samples confidently (saturates); nonsaturating: -log D, the same optimum with strong early gradients."""
    if loss == "minimax":
        return -jnp.mean(jax.nn.softplus(fake_out))
    if loss == "least_squares":
        return 0.5 * jnp.mean((fake_out - 1.0) ** 2)
    return jnp.mean(jax.nn.softplus(-fake_out))


def _d_update(spec, real, carry):
    """One discriminator update on a real batch and a generated batch (the generator held fixed)."""
    g, d, d_opt, key, _last_loss = carry
    key, k_idx, k_z = jax.random.split(key, 3)
    x_real = real[jax.random.randint(k_idx, (spec.batch_size,), 0, real.shape[0])]
    x_fake = generate(spec, g, sample_noise(spec, k_z, spec.batch_size))
    loss_fn = lambda dp: d_loss_of(spec.loss, discriminate(spec, dp, x_real), discriminate(spec, dp, x_fake))
    value, grads = jax.value_and_grad(loss_fn)(d)
    updates, d_opt = optimizer(spec.d_optimizer).update(grads, d_opt, d)
    return g, optax.apply_updates(d, updates), d_opt, key, value


def _g_update(spec, g, d, g_opt, key, g_on):
    """The generator's loss on a fresh noise batch, and its update when `g_on` (else the state is unchanged)."""
    z = sample_noise(spec, key, spec.batch_size)
    loss_fn = lambda gp: g_loss_of(spec.loss, discriminate(spec, d, generate(spec, gp, z)))
    value, grads = jax.value_and_grad(loss_fn)(g)

    def apply(_):
        updates, new_opt = optimizer(spec.g_optimizer).update(grads, g_opt, g)
        return optax.apply_updates(g, updates), new_opt
    g, g_opt = jax.lax.cond(g_on > 0, apply, lambda _: (g, g_opt), None)
    return g, g_opt, value


def _one_step(spec: GanSpec, state: GanState, real, knobs: GanKnobs):
    key, k_d, k_g = jax.random.split(state.key, 3)
    g_opt, d_opt = state.g_opt, state.d_opt
    g_opt.hyperparams["learning_rate"] = knobs.g_learning_rate
    d_opt.hyperparams["learning_rate"] = knobs.d_learning_rate
    d_update = lambda _, carry: _d_update(spec, real, carry)
    carry = (state.g, state.d, d_opt, k_d, jnp.float32(jnp.nan))
    _, d, d_opt, _, d_loss = jax.lax.fori_loop(0, knobs.d_steps, d_update, carry)
    g, g_opt, g_loss = _g_update(spec, state.g, d, g_opt, k_g, knobs.g_on)
    new = GanState(g, d, g_opt, d_opt, key, state.step + 1, state.diverged)
    return new, jnp.stack([d_loss, g_loss])


def _is_finite(tree) -> jax.Array:
    return jnp.all(jnp.stack([jnp.isfinite(leaf).all() for leaf in jax.tree.leaves(tree)]))


def train_gan_steps(spec: GanSpec, state: GanState, real, knobs: GanKnobs, n_steps, capacity: int = CAPACITY):
    """Advance `state` by `n_steps` (<= capacity) steps; returns (state, losses (2, capacity)): the discriminator's
    loss (of its last update in the step; NaN when it made none) and the generator's, per step. On a non-finite
    weight or loss the state stays at the last finite step and `diverged` is set."""
    def body(i, carry):
        state, history = carry
        new, losses = _one_step(spec, state, real, knobs)
        ok = _is_finite((new.g, new.d, losses[1])) & ~state.diverged
        kept = jax.tree.map(lambda a, b: jnp.where(ok, a, b), new, state)
        kept = kept._replace(diverged=state.diverged | ~ok)
        return kept, history.at[:, i].set(losses)

    history = jnp.full((2, capacity), jnp.nan, jnp.float32)
    return jax.lax.fori_loop(0, jnp.minimum(n_steps, capacity), body, (state, history))


_train_gan_steps_jit = jax.jit(train_gan_steps, static_argnames=("spec", "capacity"))


def compiled_gan_trainer(spec: GanSpec, capacity: int = CAPACITY):
    """Ahead-of-time compiled `train_gan_steps` for one spec, from the shared compile-once cache, and the seconds
    compiling took."""
    def compile_program():
        state = jax.eval_shape(lambda: init_gan_state(spec, 0))
        real = jax.ShapeDtypeStruct((spec.n_real, 2), jnp.float32)
        knobs = jax.eval_shape(lambda: GanKnobs.make(GanConfig()))
        return _train_gan_steps_jit.lower(spec, state, real, knobs, jax.ShapeDtypeStruct((), jnp.int32),
                                          capacity=capacity).compile()
    return PROGRAMS.get(("gan", spec, capacity), compile_program)


def _point_gradient(spec: GanSpec, d_params, x):
    """d(generator loss of one point)/d(point), (B, 2): the direction the generator's update pulls each sample is
    the negative of this."""
    per_point = lambda p: g_loss_of(spec.loss, discriminate(spec, d_params, p[None]))
    return jax.vmap(jax.grad(per_point))(x)


# Probes, compiled per spec and sample count; bounded like the classifier's (compiled.bounded).
point_gradient = bounded(jax.jit(_point_gradient, static_argnames=("spec",)))
generate_points = bounded(jax.jit(generate, static_argnames=("spec",)))
discriminator_logits = bounded(jax.jit(discriminate, static_argnames=("spec",)))
