"""The live picture: one frame of the network as compact arrays, and the canvas code that paints it in the browser.

Why not images or plotly: a plotly figure of 48 heatmaps takes ~340 ms to redraw and a PNG data-URI ~40 ms of server
CPU to encode (docs/DESIGN.md). Here the server only quantises every map to uint8 (a few hundred microseconds) and
sends them base64-encoded; the browser maps bytes through a 256-colour table onto canvases (`assets/live_view.js`,
registered by `components`). No streamlit import here.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import palette
from ..core import probes
from ..core.config import MULTICLASS_DATASETS, Config
from ..core.data import make_dataset
from ..core.session import GRID, MAP_STEP  # GRID: pixels per side of the output map, the grid warmed in the background
from .encoding import b64, curve, quantise

NODE_MAP = GRID // MAP_STEP  # 25 pixels per side of each neuron's thumbnail (TF Playground uses 10)
CURVE_POINTS = 200  # most points of the loss curve sent per frame


@functools.lru_cache(maxsize=32)
def input_maps(features: tuple[str, ...], extent: float) -> np.ndarray:
    """(F, NODE_MAP, NODE_MAP) uint8: each input feature over the plane, scaled by its largest magnitude."""
    maps = probes.feature_maps_on_grid(features, extent, GRID)[:: GRID // NODE_MAP, :: GRID // NODE_MAP]  # (m, m, F)
    maps = maps / np.maximum(np.abs(maps).max(axis=(0, 1)), 1e-6)
    return quantise(maps).transpose(2, 0, 1).copy()


def colourise(values: np.ndarray) -> np.ndarray:
    """uint8 values (0 = orange, 128 = grey, 255 = blue) -> (..., 3) uint8 RGB, as the canvas paints them."""
    return (palette.diverging(values.astype(np.float32) / 127.5 - 1.0) + 0.5).astype(np.uint8)


@functools.lru_cache(maxsize=32)
def feature_thumbnail(name: str, extent: float = 6.0) -> np.ndarray:
    """(NODE_MAP, NODE_MAP, 3) RGB: one input feature over the plane, for its toggle."""
    return colourise(input_maps((name,), extent)[0])


@functools.lru_cache(maxsize=64)
def dataset_preview(name: str, classes: int = 2, size: int = 64) -> np.ndarray:
    """(size, size, 3) RGB thumbnail of a data set's points, for the picker."""
    config = Config(dataset=name, classes=classes if name in MULTICLASS_DATASETS else 2, points=400)
    d = make_dataset(config)
    points, labels = np.concatenate([d.points_train, d.points_test]), np.concatenate([d.y_train, d.y_test])
    image = np.full((size, size, 3), 248, np.uint8)
    px = np.clip(((points[:, 0] + d.extent) / (2 * d.extent) * (size - 2)).astype(int), 0, size - 2)
    py = np.clip(((d.extent - points[:, 1]) / (2 * d.extent) * (size - 2)).astype(int), 0, size - 2)
    if config.problem == "regression":
        colours = colourise(quantise(labels))
    else:
        colours = palette.CLASS_RGB[labels % len(palette.CLASS_RGB)]
    for dx in (0, 1):  # 2 x 2 dots
        for dy in (0, 1):
            image[py + dy, px + dx] = colours
    return image


def output_map(output: np.ndarray, head: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(GRID, GRID) uint8 value in [-1, 1] (class 1 = +1), and for k classes the (GRID, GRID) winning class."""
    if head == "softmax_ce":
        k = output.shape[-1]
        confidence = (output.max(-1) - 1.0 / k) / (1.0 - 1.0 / k)  # 0 = undecided, 1 = sure
        return quantise(confidence, 0.0, 1.0), output.argmax(-1).astype(np.uint8)
    value = output[..., 0]
    if head == "sigmoid_ce":
        value = 2.0 * value - 1.0
    return quantise(value), None


def _points(points: np.ndarray, labels: np.ndarray) -> list:
    """[[x, y, label], ...] rounded for a small JSON message."""
    return np.round(np.column_stack([points, labels]).astype(np.float64), 3).tolist()


def frame(session, show_test: bool = False, discretize: bool = False, whole: bool = True) -> dict:
    """Everything the canvas needs for one painted frame of `session` (JSON-serialisable, ~60 kB for 6x8).

    `whole=False` leaves out what a fragment run cannot change (network shape, data points, display options): the
    canvas takes those from the run's first frame."""
    config, arch, dataset = session.config, session.arch, session.dataset
    hidden, output = session.grid(GRID, MAP_STEP)
    hidden_maps = [quantise(h).transpose(2, 0, 1) for h in hidden]       # [(width, m, m)]
    value, winner = output_map(output, arch.head)
    layers = probes.weights(session.params)
    history = session.history
    changing = {
        "nodes": b64(np.concatenate([input_maps(tuple(config.features), dataset.extent), *hidden_maps])),
        "output": b64(value),
        "winner": None if winner is None else b64(winner),
        "weights": [np.round(np.asarray(w, np.float64), 3).T.tolist() for w, _ in layers],  # per layer: [out][in]
        "biases": [np.round(np.asarray(b, np.float64), 3).tolist() for _, b in layers],     # per layer: [out]
        "train_loss": curve(history.train_loss, CURVE_POINTS),
        "test_loss": curve(history.test_loss, CURVE_POINTS),
        "epoch": session.epoch,
    }
    if not whole:
        return changing
    return {
        "sizes": list(arch.sizes),
        "features": list(config.features),
        "activations": list(arch.activations),
        "head": arch.head,
        "classes": config.n_classes,
        "node_map": NODE_MAP,
        "grid": GRID,
        "extent": dataset.extent,
        "train": _points(dataset.points_train, dataset.y_train),
        "test": _points(dataset.points_test, dataset.y_test) if show_test else [],
        "discretize": discretize,
    } | changing
