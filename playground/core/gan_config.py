"""The GAN mode's one frozen config dataclass, declared like `config.Config` (default, help, allowed values, effect,
widget per field), so that its URL, CLI flags and validation come from the same strict parser (`config.parse_value`
with `owner=GanConfig`, `config.from_strings(values, base=GAN_DEFAULT)`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .config import ACTIVATION_NAMES, MAX_WIDTH, OPTIMIZER_NAMES, ConfigError, _check_field, _opt

REAL_NAMES = ("ring8", "grid25", "moons", "spiral", "line", "clusters", "drawn")
NOISE_NAMES = ("uniform", "gaussian")
LOSS_NAMES = ("nonsaturating", "minimax", "least_squares")
MAX_GAN_LAYERS = 6
MAX_DRAWN = 200  # points a user may draw (x, y pairs in `drawn`): enough for a shape, short enough for a link
MAX_GAN_STEPS = 200_000  # a CLI run of the default models at ~2,000 steps/s takes under two minutes


@dataclass(frozen=True)
class GanConfig:
    # the real distribution
    real: str = _opt("ring8", "the real distribution the generator learns to imitate", "data", "select",
                     choices=REAL_NAMES)
    drawn: tuple[float, ...] = _opt((), "the points of the 'drawn' distribution, x1,y1,x2,y2,... in -3 to 3",
                                    "data", None, bounds=(-3.0, 3.0), length=(0, 2 * MAX_DRAWN))
    real_points: int = _opt(1000, "real samples drawn once; training batches are taken from them", "data", None,
                            bounds=(50, 5000))
    data_seed: int = _opt(0, "seed of the real samples", "data", "button", bounds=(0, 2**31 - 1))
    # the generator: noise -> hidden layers -> a point of the plane
    noise_dim: int = _opt(2, "dimension of the generator's noise (1 or 2)", "weights", "select", bounds=(1, 2))
    noise: str = _opt("gaussian", "distribution of the generator's noise", "weights", "select", choices=NOISE_NAMES)
    g_layers: tuple[int, ...] = _opt((32, 32), "generator hidden layer widths, noise side first", "weights", None,
                                     bounds=(1, MAX_WIDTH), length=(1, MAX_GAN_LAYERS))
    g_activation: str = _opt("relu", "generator hidden activation", "weights", "select", choices=ACTIVATION_NAMES)
    g_optimizer: str = _opt("adam", "generator optimizer", "optimizer", "select", choices=OPTIMIZER_NAMES)
    g_learning_rate: float = _opt(0.001, "generator learning rate", "knob", "select_slider", bounds=(1e-5, 1.0))
    # the discriminator: a point -> hidden layers -> real or fake
    d_layers: tuple[int, ...] = _opt((32, 32), "discriminator hidden layer widths, input side first", "weights",
                                     None, bounds=(1, MAX_WIDTH), length=(1, MAX_GAN_LAYERS))
    d_activation: str = _opt("relu", "discriminator hidden activation", "weights", "select",
                             choices=ACTIVATION_NAMES)
    d_optimizer: str = _opt("adam", "discriminator optimizer", "optimizer", "select", choices=OPTIMIZER_NAMES)
    d_learning_rate: float = _opt(0.001, "discriminator learning rate", "knob", "select_slider", bounds=(1e-5, 1.0))
    # the game
    loss: str = _opt("nonsaturating", "minimax: the original log(1 - D(G(z))); nonsaturating: -log D(G(z)) for the "
                     "generator; least_squares: LSGAN", "optimizer", "select", choices=LOSS_NAMES)
    d_steps: int = _opt(1, "discriminator steps per generator step (k)", "knob", "select_slider", bounds=(1, 10))
    batch_size: int = _opt(128, "real and generated samples per step", "optimizer", "select_slider",
                           bounds=(8, 1024))
    seed: int = _opt(0, "seed of both networks' weights and the noise (reset = new seed)", "weights", "button",
                     bounds=(0, 2**31 - 1))
    steps: int = _opt(5000, "generator steps to train when run from the command line", "run", None,
                      bounds=(0, MAX_GAN_STEPS))

    def __post_init__(self):
        for f in dataclasses.fields(self):
            _check_field(f, getattr(self, f.name), GanConfig)
        if len(self.drawn) % 2:
            raise ConfigError("drawn", "needs x, y pairs: an even number of values")
        if self.real == "drawn" and len(self.drawn) < 6:
            raise ConfigError("drawn", "the drawn distribution needs at least 3 points (draw some on the canvas)")

    def replace(self, **changes) -> "GanConfig":
        return dataclasses.replace(self, **changes)


GAN_DEFAULT = GanConfig()
# Mode collapse to show a class (tests/test_gan.py checks it): the original minimax loss and a tiny generator (one
# hidden layer of 4, noise of dimension 1) on the 8-Gaussian ring hold 3, 2, 2, 2, 2 of the 8 modes after 3,000 steps
# with seeds 0-4, where the defaults cover 8, 6, 8, 8, 8 after 5,000 (measured November 2026). With learning rates of
# 0.002 instead of 0.001 the defaults oscillated between modes (seed 4: 4 of 8 at 5,000 steps, 3 at 10,000).
COLLAPSE = {"loss": "minimax", "g_layers": "4", "noise_dim": "1"}
GAN_FIELDS = {f.name: f for f in dataclasses.fields(GanConfig)}


def gan_fields_with_effect(effect: str) -> tuple[str, ...]:
    """The GAN fields whose change costs `effect` (see config.EFFECTS), in declaration order."""
    return tuple(name for name, f in GAN_FIELDS.items() if f.metadata["effect"] == effect)
