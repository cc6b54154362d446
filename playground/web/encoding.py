"""Compact encodings of arrays for the browser components (numpy only): bytes as base64, maps as uint8, curves
thinned to a few hundred points."""

from __future__ import annotations

import base64

import numpy as np


def b64(array: np.ndarray) -> str:
    """The array's raw bytes (C order) as base64 text; the components decode it into a typed array."""
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def quantise(values: np.ndarray, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """Values in [low, high] (clipped) -> uint8 0..255."""
    scaled = (np.clip(values, low, high) - low) * (255.0 / (high - low))
    return (scaled + 0.5).astype(np.uint8)


def curve(values: np.ndarray, points: int, digits: int = 5) -> list:
    """At most `points` evenly spaced values of a per-epoch curve, rounded, non-finite values as 0 (JSON has no NaN)."""
    values = np.nan_to_num(np.asarray(values, np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    if len(values) > points:
        values = values[np.linspace(0, len(values) - 1, points).astype(int)]
    return np.round(values, digits).tolist()
