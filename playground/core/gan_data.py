"""The GAN mode's real distributions on the plane (numpy, seeded), and how to score generated samples against them:
mode coverage for the mixtures and a histogram estimate of the Jensen-Shannon divergence for any of them.

Every distribution lies within `EXTENT` (the plane the live view paints). Each generator has one signature,
`make_x(n, rng, drawn) -> (n, 2) float32`.
"""

from __future__ import annotations

import numpy as np

EXTENT = 3.0          # the plane is [-EXTENT, EXTENT]^2
TAU = 2 * np.pi
RING_RADIUS, RING_STD = 2.0, 0.1
GRID_SPACING, GRID_STD = 1.0, 0.05
CLUSTER_CENTRE, CLUSTER_STD = 1.5, 0.25
DRAWN_STD = 0.08


def ring_centres() -> np.ndarray:
    angle = TAU * np.arange(8) / 8
    return RING_RADIUS * np.stack([np.cos(angle), np.sin(angle)], 1)


def grid_centres() -> np.ndarray:
    ticks = GRID_SPACING * np.arange(-2, 3)
    return np.stack(np.meshgrid(ticks, ticks), -1).reshape(-1, 2)


def cluster_centres() -> np.ndarray:
    return np.array([[-CLUSTER_CENTRE, -CLUSTER_CENTRE], [CLUSTER_CENTRE, CLUSTER_CENTRE]])


def _mixture(centres, std, n, rng):
    which = rng.integers(0, len(centres), n)
    return centres[which] + rng.normal(0.0, std, (n, 2))


def make_ring8(n, rng, drawn=()):
    return _mixture(ring_centres(), RING_STD, n, rng)


def make_grid25(n, rng, drawn=()):
    return _mixture(grid_centres(), GRID_STD, n, rng)


def make_clusters(n, rng, drawn=()):
    return _mixture(cluster_centres(), CLUSTER_STD, n, rng)


def make_moons(n, rng, drawn=()):
    """Two interleaved half circles (the classic two moons), centred and scaled to about +-2."""
    upper = rng.random(n) < 0.5
    t = rng.uniform(0, np.pi, n)
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    points = 1.6 * np.stack([x - 0.5, y - 0.25], 1)
    return points + rng.normal(0.0, 0.06, (n, 2))


def make_spiral(n, rng, drawn=()):
    """Two arms of 1.75 turns each out to radius 2.4 (the classifier's spiral, smaller and unlabelled)."""
    arm = rng.integers(0, 2, n)
    r = rng.uniform(0.05, 1.0, n)
    angle = 1.75 * TAU * r + np.pi * arm
    points = 2.4 * r[:, None] * np.stack([np.sin(angle), np.cos(angle)], 1)
    return points + rng.normal(0.0, 0.05, (n, 2))


def make_line(n, rng, drawn=()):
    """A segment from (-2, -1) to (2, 1), slightly blurred."""
    t = rng.uniform(-1, 1, n)
    return np.stack([2 * t, t], 1) + rng.normal(0.0, 0.03, (n, 2))


def make_drawn(n, rng, drawn=()):
    """The user's points (x1, y1, x2, y2, ...), each a small Gaussian blob."""
    centres = np.asarray(drawn, np.float64).reshape(-1, 2)
    return _mixture(centres, DRAWN_STD, n, rng)


REAL = {"ring8": make_ring8, "grid25": make_grid25, "moons": make_moons, "spiral": make_spiral,
        "line": make_line, "clusters": make_clusters, "drawn": make_drawn}
# The mixtures' modes (centres, standard deviation), for counting which modes a generator covers.
MODES = {"ring8": (ring_centres, RING_STD), "grid25": (grid_centres, GRID_STD),
         "clusters": (cluster_centres, CLUSTER_STD)}


def real_samples(name: str, n: int, seed: int, drawn=()) -> np.ndarray:
    """(n, 2) float32 samples of the named real distribution, reproducible from the seed, clipped to the plane."""
    points = REAL[name](n, np.random.default_rng(seed), drawn)
    return np.clip(points, -EXTENT, EXTENT).astype(np.float32)


def mode_counts(samples: np.ndarray, centres: np.ndarray, std: float) -> np.ndarray:
    """How many samples lie within three standard deviations of each mode's centre."""
    distance = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=-1)
    return (distance <= 3 * std).sum(0)


def modes_covered(samples: np.ndarray, real: str, share: float = 0.02) -> int | None:
    """Modes holding at least `share` of the samples within three standard deviations; None for a distribution that
    has no discrete modes (moons, spiral, line, drawn)."""
    if real not in MODES:
        return None
    centres, std = MODES[real]
    return int((mode_counts(np.asarray(samples), centres(), std) >= share * len(samples)).sum())


def n_modes(real: str) -> int | None:
    return len(MODES[real][0]()) if real in MODES else None


def js_divergence(real: np.ndarray, fake: np.ndarray, bins: int = 24) -> float:
    """Jensen-Shannon divergence (nats, 0 to ln 2) between the two samples' histograms on a bins x bins grid over
    the plane: an estimate, biased upwards for small samples, that falls as the generated samples match the real."""
    edges = np.linspace(-EXTENT, EXTENT, bins + 1)
    hist = lambda s: np.histogram2d(*np.clip(np.asarray(s, np.float64), -EXTENT, EXTENT).T, bins=[edges, edges])[0]
    if not np.isfinite(fake).all():
        return float(np.log(2))
    p, q = hist(real), hist(fake)
    p, q = p / max(p.sum(), 1), q / max(q.sum(), 1)
    m = 0.5 * (p + q)
    kl = lambda a: float(np.sum(np.where(a > 0, a * np.log(np.where(a > 0, a, 1) / np.where(m > 0, m, 1)), 0)))
    return 0.5 * kl(p) + 0.5 * kl(q)
