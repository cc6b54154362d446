"""What the live canvas is sent: the server trains, the browser paints.

A message is a JSON list `[header, frame, frame, ...]`. A frame is one moment of training, at most a few hundred bytes:
`{"epoch", "p", "train_loss", "test_loss", "accuracy"}`, where `p` is every weight and bias (per layer the kernel
(in, out) row by row, then the biases) as base64 float16 while playing or float32 when paused, so that a paused
picture is exactly the server's network. The browser computes every neuron's map and the output map from them
(`assets/live_forward.js`). What does not change from frame to frame (network shape, features, activations, head,
data points, extent, display options, data set previews) is the header's `static` part, sent only when the browser
does not hold that version yet. No streamlit import here.
"""

from __future__ import annotations

import functools
import hashlib
import json

import numpy as np

from .. import palette
from ..core.config import MULTICLASS_DATASETS, Config
from ..core.data import make_dataset
from ..core.model import flat_layers, layers_of
from .encoding import b64, curve, quantise

CURVE_POINTS = 200  # most points of the loss curve sent at once
PREVIEW = 48        # pixels per side of a data set's preview


@functools.lru_cache(maxsize=64)
def dataset_preview(name: str, classes: int = 2, size: int = PREVIEW) -> np.ndarray:
    """(size, size) uint8 thumbnail of a data set's points, for the picker: 0 is the background, 1 + k a point of
    class k, 128..255 a regression target from -1 to +1. A byte a pixel: the browser colours it (`live_input.js`)."""
    config = Config(dataset=name, classes=classes if name in MULTICLASS_DATASETS else 2, points=400)
    d = make_dataset(config)
    points, labels = np.concatenate([d.points_train, d.points_test]), np.concatenate([d.y_train, d.y_test])
    image = np.zeros((size, size), np.uint8)
    px = np.clip(((points[:, 0] + d.extent) / (2 * d.extent) * (size - 2)).astype(int), 0, size - 2)
    py = np.clip(((d.extent - points[:, 1]) / (2 * d.extent) * (size - 2)).astype(int), 0, size - 2)
    if config.problem == "regression":
        values = 128 + quantise(labels) // 2
    else:
        values = 1 + labels % len(palette.CLASS_RGB)
    for dx in (0, 1):  # 2 x 2 dots
        for dy in (0, 1):
            image[py + dy, px + dx] = values
    return image


def _points(points: np.ndarray, labels: np.ndarray) -> list:
    """[[x, y, label], ...] rounded for a small JSON message."""
    return np.round(np.column_stack([points, labels]).astype(np.float64), 3).tolist()


@functools.lru_cache(maxsize=16)
def _previews(names: tuple[str, ...], classes: int) -> list:
    return [{"name": n, "pixels": b64(dataset_preview(n, classes))} for n in names]


def static_part(session, show_test: bool, discretize: bool, datasets: tuple[str, ...]) -> dict:
    """Everything the canvas needs that no frame changes, with a `version` that names it."""
    config, arch, dataset = session.config, session.arch, session.dataset
    part = {
        "sizes": list(arch.sizes),
        "features": list(config.features),
        "activations": list(arch.activations),
        "head": arch.head,
        "classes": config.n_classes,
        "extent": dataset.extent,
        "train": _points(dataset.points_train, dataset.y_train),
        "test": _points(dataset.points_test, dataset.y_test) if show_test else [],
        "discretize": discretize,
        "dataset": config.dataset,
        "frozen": list(config.freeze),  # layer headers on the network show it and toggle it (a `pick`)
        "source": config.source,  # where the points come from: the draw tools offer "generated" unless there
        "datasets": _previews(datasets, config.classes if config.dataset in MULTICLASS_DATASETS else 2),
        "preview": PREVIEW,
    }
    part["version"] = hashlib.blake2b(json.dumps(part).encode(), digest_size=8).hexdigest()
    return part


def _parts(params) -> list:
    """Every layer's kernel (in, out), then its biases, in the order of the flat vector."""
    return [part for layer in layers_of(params) for part in layer]


def flat_parameters(params, dtype) -> np.ndarray:
    """Every weight and bias in one vector: per layer the kernel (in, out) row by row, then its biases."""
    return flat_layers(layers_of(params)).astype(dtype)


def frame(epoch: int, params, history, exact: bool) -> dict:
    """One moment of training. `history` is the session's, which may run further than `epoch`."""
    return frames([(epoch, params)], history, exact)[0]


def frames(items: list, history, exact: bool = False) -> list[dict]:
    """`frame` for every (epoch, params) in `items`, at once: one matrix for all their weights and one lookup of
    their losses (frame by frame it cost ~0.1 ms each, and a request carries up to 40 frames). Float16 while
    playing, float32 (`exact`) for a paused picture that is exactly the server's network."""
    if not items:
        return []
    n = len(items)
    columns = zip(*(_parts(params) for _, params in items))
    flat = np.concatenate([np.stack(column).reshape(n, -1) for column in columns], axis=1)
    with np.errstate(over="ignore"):  # float16 overflows to infinity beyond 65504 (a diverging network) ...
        flat = flat.astype(np.float32 if exact else np.float16)
    if not exact:  # ... such a weight is shown as the largest one
        flat = np.nan_to_num(flat, posinf=65504, neginf=-65504)
    epochs = np.fromiter((epoch for epoch, _ in items), np.int64, n)
    kept = len(history.train_loss)
    at = np.minimum(np.searchsorted(history.epochs, epochs), max(kept - 1, 0))  # older epochs may be thinned
    found = (history.epochs[at] == epochs) if kept else np.zeros(n, bool)
    metrics = [_finite(values[at]) if kept else [None] * n
               for values in (history.train_loss, history.test_loss, history.test_accuracy)]
    out = []
    for k, (epoch, _) in enumerate(items):
        item = {"epoch": int(epoch), "p": b64(flat[k]), "f32": exact}
        if found[k]:
            item |= {"train_loss": metrics[0][k], "test_loss": metrics[1][k], "accuracy": metrics[2][k]}
        out.append(item)
    return out


def _finite(values: np.ndarray) -> list:
    """Each value rounded to 5 decimals, None where it is not finite (JSON has no NaN)."""
    values = np.asarray(values, np.float64)
    return [r if ok else None for r, ok in zip(np.round(values, 5).tolist(), np.isfinite(values).tolist())]


def loss_curve(history) -> dict:
    """The whole run's losses, thinned to CURVE_POINTS, with the epoch of each point."""
    n = len(history.train_loss)
    keep = np.arange(n)
    if n > CURVE_POINTS:
        keep = keep[np.linspace(0, n - 1, CURVE_POINTS).astype(int)]
    return {"epochs": history.epochs[keep].tolist(), "train": curve(history.train_loss[keep], n),
            "test": curve(history.test_loss[keep], n)}
