"""One GAN experiment in progress: what the GAN page and the CLI drive (the GAN counterpart of `session.Session`).

Holds the config, the real samples, the training state (one `gan.GanState` value, replaced as a whole under a lock)
and the history: both losses per step and the divergence estimate at the end of every `advance`. One per user:
nothing here is a module global.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from . import gan
from .gan_config import GanConfig, gan_fields_with_effect
from .gan_data import js_divergence, modes_covered, real_samples

DISPLAY_SAMPLES = 2000   # generated samples scored (divergence, modes) and written by the CLI
DIVERGENCE_SAMPLES = 1000  # per divergence estimate: enough for the trend
# Steps between divergence estimates (an estimate costs ~2-4 ms, more than a step): at 1 step a frame, every 10th.
DIVERGENCE_EVERY = 10
# Most loss columns (step, D loss, G loss) kept: beyond, the older half is thinned to every other column, so an
# hour at the top speed stays a few hundred kB (as the classifier's Session bounds its metrics).
MAX_LOSSES = 20_000
MAX_DIVERGENCES = 4_000


class GanHistory(NamedTuple):
    step: np.ndarray        # (n,) step after which the losses were recorded
    d_loss: np.ndarray      # (n,)
    g_loss: np.ndarray      # (n,)
    div_step: np.ndarray    # (m,) steps at which the divergence was estimated
    divergence: np.ndarray  # (m,)


class GanCheckpoint(NamedTuple):
    state: gan.GanState
    step: int


def fixed_noise(config: GanConfig, n: int) -> np.ndarray:
    """The same noise every time for a seed: the samples a picture shows and the scores measure (numpy, float32)."""
    rng = np.random.default_rng(config.seed + 7919)
    shape = (n, config.noise_dim)
    z = rng.uniform(-1, 1, shape) if config.noise == "uniform" else rng.normal(0, 1, shape)
    return z.astype(np.float32)


class GanRun:
    def __init__(self, config: GanConfig):
        self._lock = threading.RLock()
        self.config = config
        self.generation = 0  # grows with every new set of weights: names the run for the live view
        self._new_data()

    # --- changes ---------------------------------------------------------------------------------------------------

    def _new_data(self):
        c = self.config
        self.real = real_samples(c.real, c.real_points, c.data_seed, c.drawn)
        self._real_device = jnp.asarray(self.real)
        self._new_weights()

    def _new_weights(self):
        self.spec = gan.GanSpec.from_config(self.config)
        self.state = gan.init_gan_state(self.spec, self.config.seed)
        self.generation += 1
        self._losses: list[np.ndarray] = []   # (3, k) blocks: step, d loss, g loss
        self._n_losses = 0                     # columns in those blocks
        self._div: list[tuple[int, float]] = []
        self._record_divergence()

    def apply(self, config: GanConfig) -> str:
        """Switch to `config`, keeping as much of the run as the changed fields allow; returns the effect applied
        ("data", "weights", "optimizer", "knob" or "none")."""
        with self._lock:
            old, self.config = self.config, config
            changed = {name for name in config.__dataclass_fields__ if getattr(old, name) != getattr(config, name)}
            for effect, action in (("data", self._new_data), ("weights", self._new_weights),
                                   ("optimizer", self._new_optimizers)):
                if changed & set(gan_fields_with_effect(effect)):
                    action()
                    return effect
            return "knob" if changed & set(gan_fields_with_effect("knob")) else "none"

    def _new_optimizers(self):
        self.spec = gan.GanSpec.from_config(self.config)
        self.state = gan.fresh_optimizers(self.spec, self.state)

    # --- training --------------------------------------------------------------------------------------------------

    @property
    def step(self) -> int:
        return int(self.state.step)

    @property
    def diverged(self) -> bool:
        return bool(self.state.diverged)

    def advance(self, n_steps: int, d_steps: int | None = None, g_on: bool = True) -> int:
        """Train `n_steps` steps (k discriminator updates, then one generator update; `d_steps` and `g_on` override
        that for the slow-motion buttons); returns the steps done (fewer once diverged)."""
        with self._lock:
            program, _ = gan.compiled_gan_trainer(self.spec)
            knobs = gan.GanKnobs.make(self.config, d_steps, g_on)
            start, left = self.step, n_steps
            while left > 0 and not self.diverged:
                n = min(left, gan.CAPACITY)
                before = self.step
                self.state, losses = program(self.state, self._real_device, knobs, jnp.int32(n))
                done = self.step - before
                steps = np.arange(before + 1, before + done + 1)
                self._losses.append(np.vstack([steps, np.asarray(losses)[:, :done]]))
                self._n_losses += done
                left -= n
            if self.step - self._div[-1][0] >= DIVERGENCE_EVERY:
                self._record_divergence()
            self._bound_history()
            return self.step - start

    def _bound_history(self):
        """Thin the older half of the losses (and of the divergence estimates) once there are too many."""
        if self._n_losses > MAX_LOSSES:
            losses = np.hstack(self._losses)
            keep = MAX_LOSSES // 2
            self._losses = [np.hstack([losses[:, :-keep][:, ::2], losses[:, -keep:]])]
            self._n_losses = self._losses[0].shape[1]
        if len(self._div) > MAX_DIVERGENCES:
            keep = MAX_DIVERGENCES // 2
            self._div = self._div[:-keep][::2] + self._div[-keep:]

    def measure_divergence(self):
        """Estimate the divergence at this step, if the last estimate was at another (a paused picture, a result)."""
        with self._lock:
            if self._div[-1][0] != self.step:
                self._record_divergence()

    def step_discriminator(self) -> int:
        """One discriminator update and no generator update (counts as a step)."""
        return self.advance(1, d_steps=1, g_on=False)

    def step_generator(self) -> int:
        """One generator update and no discriminator update (counts as a step)."""
        return self.advance(1, d_steps=0, g_on=True)

    def checkpoint(self) -> GanCheckpoint:
        with self._lock:
            return GanCheckpoint(self.state, self.step)

    def rewind(self, checkpoint: GanCheckpoint):
        """Back to a checkpoint of this run (its state and history up to then)."""
        with self._lock:
            self.state = checkpoint.state
            losses = np.hstack(self._losses) if self._losses else np.zeros((3, 0))
            self._losses = [losses[:, losses[0] <= checkpoint.step]]
            self._n_losses = self._losses[0].shape[1]
            self._div = [(step, value) for step, value in self._div if step <= checkpoint.step]

    # --- what the picture and the scores read -----------------------------------------------------------------------

    def samples(self, n: int = DISPLAY_SAMPLES) -> np.ndarray:
        """(n, 2) generated points from the seed's fixed noise."""
        return np.asarray(gan.generate_points(self.spec, self.state.g, jnp.asarray(fixed_noise(self.config, n))))

    def discriminator(self, points: np.ndarray) -> np.ndarray:
        """D's logit (least squares: raw output) at each point."""
        return np.asarray(gan.discriminator_logits(self.spec, self.state.d, jnp.asarray(points, jnp.float32)))

    def generator_gradient(self, points: np.ndarray) -> np.ndarray:
        """The gradient of the generator's loss with respect to each point (the generator moves against it)."""
        return np.asarray(gan.point_gradient(self.spec, self.state.d, jnp.asarray(points, jnp.float32)))

    def modes_covered(self, n: int = DISPLAY_SAMPLES) -> int | None:
        return modes_covered(self.samples(n), self.config.real)

    def _record_divergence(self):
        fake = self.samples(DIVERGENCE_SAMPLES)
        self._div.append((self.step, js_divergence(self.real, fake)))

    def last(self) -> tuple[float, float, float]:
        """The last step's discriminator and generator losses and the last divergence estimate (cheap: per frame)."""
        with self._lock:
            blocks = [b for b in self._losses if b.shape[1]]  # a rewind to step 0 leaves an empty block
            losses = blocks[-1][1:, -1] if blocks else (np.nan, np.nan)
            return float(losses[0]), float(losses[1]), self._div[-1][1]

    @property
    def history(self) -> GanHistory:
        with self._lock:
            losses = np.hstack(self._losses) if self._losses else np.zeros((3, 0))
            self._losses = [losses]  # one block from now on: the next call copies nothing twice
            div = np.array(self._div, np.float64).reshape(-1, 2)
            return GanHistory(losses[0].astype(np.int64), losses[1], losses[2], div[:, 0].astype(np.int64),
                              div[:, 1])

    def parameters(self) -> tuple[list, list]:
        """[(W, b)] per layer of the generator and of the discriminator, numpy."""
        layers = lambda params: [(np.asarray(w), np.asarray(b)) for w, b in params]
        return layers(self.state.g), layers(self.state.d)
