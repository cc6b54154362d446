"""Toy data sets with TensorFlow Playground's geometry, and the hand-made input features.

Every generator has one signature, `make_x(n, noise, rng, classes) -> (points (n, 2), labels (n,))`, with numpy's
seeded Generator. Class labels are 0..k-1 (TensorFlow Playground's +1 is our class 1, its -1 our class 0); regression
targets lie in [-1, 1] (the plane's in [-1.2, 1.2] at zero noise, as in TensorFlow Playground).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .config import Config
from .userdata import UserData, data_extent, decode_drawn

TAU = 2 * np.pi


def _uniform(rng, lo, hi, n):
    return rng.uniform(lo, hi, n)


def make_circle(n, noise, rng, classes=2):
    """Class 1 inside radius 2.5, class 0 in the ring 3.5..5; noise labels a point by a shifted copy of it."""
    radius = 5.0
    n_in = n // 2
    r = np.concatenate([_uniform(rng, 0, radius * 0.5, n_in), _uniform(rng, radius * 0.7, radius, n - n_in)])
    angle = _uniform(rng, 0, TAU, n)
    points = np.stack([r * np.sin(angle), r * np.cos(angle)], 1)
    shifted = points + _uniform(rng, -radius, radius, (n, 2)) * noise
    return points, (np.linalg.norm(shifted, axis=1) < radius * 0.5).astype(np.int32)


def make_xor(n, noise, rng, classes=2):
    """Uniform on +-5, pushed 0.3 off the axes; class 1 where x*y >= 0 (of the noise-shifted point)."""
    points = _uniform(rng, -5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    shifted = points + _uniform(rng, -5, 5, (n, 2)) * noise
    return points, (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int32)


def _class_sizes(n, classes):
    sizes = np.full(classes, n // classes)
    sizes[: n - sizes.sum()] += 1
    return sizes


def make_gauss(n, noise, rng, classes=2):
    """Blobs at (2, 2) (class 1) and (-2, -2) (class 0); variance grows from 0.5 to 4 with noise.

    With k classes the k blobs sit on the same circle (radius 2*sqrt(2)), evenly spaced."""
    variance = 0.5 + noise / 0.5 * 3.5
    labels = np.repeat(np.arange(classes)[::-1], _class_sizes(n, classes)).astype(np.int32)
    angle = np.pi / 4 + TAU * (classes - 1 - labels) / classes
    centres = 2 * np.sqrt(2) * np.stack([np.cos(angle), np.sin(angle)], 1)
    return centres + rng.normal(0, np.sqrt(variance), (n, 2)), labels


def make_spiral(n, noise, rng, classes=2):
    """k arms, radius up to 5 over 1.75 turns; noise moves the points by up to +-noise in each coordinate."""
    labels, points = [], []
    for arm, size in enumerate(_class_sizes(n, classes)):
        i = np.arange(size)
        r = i / size * 5
        t = 1.75 * i / size * TAU + TAU * arm / classes
        points.append(np.stack([r * np.sin(t), r * np.cos(t)], 1) + _uniform(rng, -1, 1, (size, 2)) * noise)
        labels.append(np.full(size, classes - 1 - arm))
    return np.concatenate(points), np.concatenate(labels).astype(np.int32)


def make_moons(n, noise, rng, classes=2):
    """Two interleaving half circles scaled to +-5; noise is Gaussian with standard deviation 2.5 * noise."""
    n_upper = n // 2
    t = np.concatenate([_uniform(rng, 0, np.pi, n_upper), _uniform(rng, 0, np.pi, n - n_upper)])
    upper = np.arange(n) < n_upper
    x = np.where(upper, np.cos(t), 1 - np.cos(t)) - 0.5
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t)) - 0.25
    points = 2.5 * np.stack([x, y], 1) + rng.normal(0, 2.5 * noise, (n, 2))
    return points, upper.astype(np.int32)


def make_checkerboard(n, noise, rng, classes=2):
    """Uniform on +-5, a 4x4 board of 2.5-wide squares; noise labels by a shifted point, as in xor."""
    points = _uniform(rng, -5, 5, (n, 2))
    shifted = points + _uniform(rng, -5, 5, (n, 2)) * noise
    cells = np.floor(shifted / 2.5).astype(np.int64)
    return points, ((cells[:, 0] + cells[:, 1]) % 2 == 0).astype(np.int32)


def make_plane(n, noise, rng, classes=2):
    """Uniform on +-6; target (x + y) / 10 of the noise-shifted point (so up to +-1.2, as in TensorFlow Playground)."""
    points = _uniform(rng, -6, 6, (n, 2))
    shifted = points + _uniform(rng, -6, 6, (n, 2)) * noise
    return points, (shifted.sum(1) / 10).astype(np.float32)


_GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def make_multigauss(n, noise, rng, classes=2):
    """Six signed bumps; the target is the bump of largest magnitude, 1 at its centre falling to 0 at distance 2."""
    points = _uniform(rng, -6, 6, (n, 2))
    shifted = points + _uniform(rng, -6, 6, (n, 2)) * noise
    dist = np.linalg.norm(shifted[:, None, :] - _GAUSSIANS[None, :, :2], axis=2)  # (n, 6)
    values = _GAUSSIANS[:, 2] * np.clip(1 - dist / 2, 0, 1)
    pick = np.abs(values).argmax(1)
    return points, values[np.arange(n), pick].astype(np.float32)


DATASETS = {
    "circle": make_circle, "xor": make_xor, "gauss": make_gauss, "spiral": make_spiral, "moons": make_moons,
    "checkerboard": make_checkerboard, "plane": make_plane, "multigauss": make_multigauss,
}


# --- hand-made features: the same code runs on numpy and jax arrays -------------------------------------------------

FEATURES = {
    "x1": lambda p, xp: p[..., 0],
    "x2": lambda p, xp: p[..., 1],
    "x1sq": lambda p, xp: p[..., 0] ** 2,
    "x2sq": lambda p, xp: p[..., 1] ** 2,
    "x1x2": lambda p, xp: p[..., 0] * p[..., 1],
    "sinx1": lambda p, xp: xp.sin(p[..., 0]),
    "sinx2": lambda p, xp: xp.sin(p[..., 1]),
}


def feature_matrix(points, features: tuple[str, ...], xp=np):
    """(..., 2) points -> (..., F) inputs, one column per named feature."""
    return xp.stack([FEATURES[name](points, xp) for name in features], axis=-1)


class Dataset(NamedTuple):
    points_train: np.ndarray  # (n_train, 2) raw coordinates, for drawing
    y_train: np.ndarray       # (n_train,) int32 class or float32 target
    points_test: np.ndarray   # (n_test, 2)
    y_test: np.ndarray        # (n_test,)
    extent: float             # the plane shown is [-extent, extent]^2

    @property
    def n_train(self) -> int:
        return len(self.y_train)


def _rebalance(points, labels, share, n, rng):
    """Subsample a larger draw so that class 1 has `share` of n points, the rest split evenly."""
    classes = int(labels.max()) + 1
    n1 = int(round(n * share))
    others = _class_sizes(n - n1, classes - 1)
    wanted = np.insert(others, 1, n1) if classes > 1 else np.array([n])
    take = []
    for c, k in enumerate(wanted):
        idx = np.flatnonzero(labels == c)
        take.append(rng.choice(idx, size=min(k, len(idx)), replace=False))
    take = np.concatenate(take)
    return points[take], labels[take]


PLANE = 6.0  # the generated sets' plane is at least [-6, 6]^2, as in TensorFlow Playground


def make_dataset(config: Config, upload: UserData | None = None) -> Dataset:
    """The config's data, shuffled and split into train and test; the same config gives the same arrays.
    `config.source` says where the points come from: the generator, the drawn points, or `upload` (a CSV file)."""
    if config.source != "generated":
        return _own_dataset(config, upload)
    rng = np.random.default_rng(config.data_seed)
    make = DATASETS[config.dataset]
    classes = max(config.n_classes, 2)
    if config.problem == "classification" and config.second_class_share != 0.5:
        # Draw a generous pool so that even 95% of one class can be met, then subsample per class.
        pool_n = int(np.ceil(config.points / min(config.second_class_share, 1 - config.second_class_share)) * 2)
        points, labels = make(pool_n, config.noise, rng, classes)
        points, labels = _rebalance(points, labels, config.second_class_share, config.points, rng)
    else:
        points, labels = make(config.points, config.noise, rng, classes)
    order = rng.permutation(len(labels))
    points, labels = points[order].astype(np.float32), labels[order]
    extent = float(max(PLANE, np.ceil(np.abs(points).max() * 1.05)))
    return _split(points, labels, config.train_ratio, extent)


def _split(points, labels, train_ratio: float, extent: float) -> Dataset:
    n_train = int(round(len(labels) * train_ratio))
    n_train = min(max(n_train, 1), len(labels) - 1)
    return Dataset(points[:n_train], labels[:n_train], points[n_train:], labels[n_train:], extent)


def _own_dataset(config: Config, upload: UserData | None) -> Dataset:
    """Drawn or uploaded points, shuffled by the data seed. The plane follows the data: a file's exactly (with a
    margin), drawn points' never smaller than the plane they were drawn on."""
    if config.source == "file":
        if upload is None:
            raise ValueError("source 'file' needs the uploaded data")
        own, floor = upload, 0.0
    else:
        own, floor = decode_drawn(config.drawn), PLANE
    if len(own.labels) < 2:
        raise ValueError("at least two points are needed, one to train on and one to test")
    order = np.random.default_rng(config.data_seed).permutation(len(own.labels))
    points, labels = own.points[order].astype(np.float32), own.labels[order]
    return _split(points, labels, config.train_ratio, data_extent(points, floor))
