"""The colours of every picture, written once: the plotly figures read them here, and the browser components get
them as a JavaScript prelude (`as_javascript`), so the canvas and the panels always agree.

As in TensorFlow Playground: orange is negative (class 0), blue is positive (class 1), a light grey in between.
numpy only, so the core, the figures and the web layer may all import it.
"""

from __future__ import annotations

import json

import numpy as np

NEGATIVE = (245, 147, 34)   # orange: class 0, values towards -1
NEUTRAL = (232, 234, 235)   # light grey: 0, undecided
POSITIVE = (8, 119, 189)    # blue: class 1, values towards +1
# class 0 orange, class 1 blue, then green, red, purple (classes 3 and 4 in this order everywhere)
CLASSES = ((245, 147, 34), (8, 119, 189), (44, 160, 44), (214, 39, 40), (148, 103, 189))
LAYERS = ((27, 158, 119), (217, 95, 2), (117, 112, 179), (231, 41, 138), (102, 166, 30), (230, 171, 2),
          (166, 118, 29), (102, 102, 102), (31, 120, 180), (178, 223, 138), (251, 154, 153))  # one per weight layer

CLASS_RGB = np.array(CLASSES, np.uint8)  # (5, 3)


def hex_colour(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in rgb))


CLASS_HEX = tuple(hex_colour(c) for c in CLASSES)
LAYER_HEX = tuple(hex_colour(c) for c in LAYERS)
NEGATIVE_HEX, NEUTRAL_HEX, POSITIVE_HEX = map(hex_colour, (NEGATIVE, NEUTRAL, POSITIVE))


def diverging(values: np.ndarray, middle=NEUTRAL) -> np.ndarray:
    """Values in [-1, 1] (clipped) -> (..., 3) float RGB: orange through `middle` to blue."""
    v = np.clip(np.nan_to_num(np.asarray(values, np.float64)), -1.0, 1.0)[..., None]
    mid, neg, pos = (np.array(c, np.float64) for c in (middle, NEGATIVE, POSITIVE))
    return np.where(v < 0, mid + (-v) * (neg - mid), mid + v * (pos - mid))


def as_javascript() -> str:
    """`const` declarations of the same colours for the browser components (prepended to their code)."""
    return (f"const NEG = {json.dumps(NEGATIVE)}, MID = {json.dumps(NEUTRAL)}, POS = {json.dumps(POSITIVE)};\n"
            f"const CLASS_COLOURS = {json.dumps([list(c) for c in CLASSES])};\n")
