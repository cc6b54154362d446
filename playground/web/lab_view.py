"""The sweep grid's live picture: small multiples, the depth x width heatmap and every network's loss curve, as
compact arrays for one small canvas component (`assets/lab_view.js`, registered by `components`; no streamlit
import here).

The server trains, the browser paints: the message carries every network's exact weights (float32), and the
browser computes each network's prediction over a 40 x 40 grid of the plane with the live view's forward pass
(`assets/live_forward.js`) and colours it as `figures.inside.boundary_rgb` does. The heatmap and the curves are
numbers. Every cell (a small multiple or a heatmap square) is clickable: the component sends the network's index
back as the trigger `open`.
"""

from __future__ import annotations

import numpy as np

from ..core.model import Arch
from .encoding import b64, curve

CURVE_POINTS = 120  # most points per network's loss curve in one message
GRID = 40  # prediction grid per small multiple, points per side (a multiple of 4: the browser's SIMD path)


def _score(r: dict, metric: str) -> tuple[str, float | None]:
    """(text, quality in [0, 1] for the heatmap colour; None when not trained yet)."""
    value = r.get(metric)
    if r["diverged"]:
        return "diverged", 0.0
    if value is None:
        return "–", None
    if "accuracy" in metric:
        return f"{100 * value:.0f}%", float(np.clip((value - 0.5) / 0.5, 0, 1))
    return f"{value:.3f}", None  # losses are scaled against the sweep's own range below


def sweep_message(cells, results: list[dict], weights: list[np.ndarray], curves: list[np.ndarray],
                  points: np.ndarray, labels: np.ndarray, extent: float, metric: str, epoch: int,
                  target: int) -> dict:
    """Everything the lab canvas paints for one state of a sweep.

    cells: `sweep.Cell`s; results: `Sweep.results()`; weights: per network its exact weights (`Sweep.flat_weights`);
    curves: per network its test loss per epoch so far; points/labels/extent: the training data, drawn as dots."""
    archs = [Arch.from_config(c.config) for c in cells]
    head = archs[0].head
    offsets = np.cumsum([0] + [len(w) for w in weights])
    scores = [_score(r, metric) for r in results]
    if "loss" in metric:  # colour losses by where they sit between the sweep's best and worst
        finite = [r[metric] for r in results if r[metric] is not None and np.isfinite(r[metric])]
        low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
        scores = [(text, 0.0 if r["diverged"] else None if r[metric] is None else
                   float(1 - (r[metric] - low) / max(high - low, 1e-9))) for (text, _), r in zip(scores, results)]
    tables = []
    for activation in dict.fromkeys(c.activation for c in cells if c.depth > 0) or [""]:
        widths = sorted({c.width for c in cells if c.depth > 0}) or [cells[0].width]
        depths = sorted({c.depth for c in cells})
        rows = [[next((i for i, c in enumerate(cells) if c.depth == d and
                       (d == 0 or (c.width == w and c.activation == activation))), None) for w in widths]
                for d in depths]
        tables.append({"activation": activation, "widths": widths, "depths": depths, "rows": rows})
    classes = head in ("sigmoid_ce", "softmax_ce")
    return {
        "n": GRID,
        "features": list(cells[0].config.features),
        "head": head,
        "networks": [{"sizes": list(a.sizes), "activations": list(a.activations), "offset": int(o)}
                     for a, o in zip(archs, offsets)],
        "weights": b64(np.concatenate(weights).astype(np.float32)),
        "tables": tables,
        "cells": [{"depth": c.depth, "width": c.width, "activation": c.activation, "params": c.params,
                   "score": text, "quality": quality} for c, (text, quality) in zip(cells, scores)],
        "metric": metric.replace("_", " "),
        "curves": [curve(c, CURVE_POINTS, 4) for c in curves],
        "epoch": epoch,
        "target": target,
        "points": np.round(np.column_stack([points, labels]).astype(np.float64), 2).tolist() if classes else [],
        "extent": extent,
    }
