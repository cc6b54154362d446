"""What the live GAN canvas is sent: the server trains, the browser paints (as `live_view` for the classifier).

A message is a JSON list `[header, frame, frame, ...]`. A frame is `{"step", "g", "d", "f32", "dl", "gl", "div"}`:
both networks' weights and biases (per layer the kernel (in, out) row by row, then the biases; base64 float16 while
playing, float32 when paused), the step's discriminator and generator losses and the divergence estimate. From them
the browser computes the generated samples (the generator on the fixed noise the header carries), the
discriminator's heatmap, the generator's gradient at every sample and the bent noise grid (`assets/gan_view.js`).
The header's `static` part (network shapes and activations, loss, noise, real samples, the fixed noise) is sent
only when the browser does not hold that version. No streamlit import here.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from ..core.gan_data import EXTENT
from ..core.gan_session import fixed_noise
from .encoding import b64, curve
from .live_view import flat_parameters

SHOWN_SAMPLES = 500  # real and generated points painted (the divergence and mode scores use more)
CURVE_POINTS = 300


def _flat(layers, dtype) -> str:
    """The classifier's layout (`live_view.flat_parameters`); float16 overflows beyond 65504, shown as the largest."""
    flat = flat_parameters(layers, dtype)
    return b64(np.nan_to_num(flat, posinf=65504, neginf=-65504) if dtype == np.float16 else flat)


def static_part(run) -> dict:
    c, spec = run.config, run.spec
    static = {
        "g_sizes": list(spec.g_arch.sizes), "d_sizes": list(spec.d_arch.sizes),
        "g_activation": c.g_activation, "d_activation": c.d_activation, "loss": c.loss,
        "noise": c.noise, "noise_dim": c.noise_dim, "extent": EXTENT, "real_name": c.real,
        "real": np.round(run.real[:SHOWN_SAMPLES].astype(np.float64), 3).tolist(),
        "z": np.round(fixed_noise(c, SHOWN_SAMPLES).astype(np.float64), 4).ravel().tolist(),
        "drawing": c.real == "drawn", "drawn": list(c.drawn),
    }
    static["version"] = hashlib.sha1(json.dumps(static, sort_keys=True).encode()).hexdigest()[:12]
    return static


def frame(run, exact: bool) -> dict:
    """One moment of training: both networks' weights, the last losses and divergence estimate of `run`."""
    dtype = np.float32 if exact else np.float16
    g, d = run.parameters()
    finite = lambda x: round(x, 5) if np.isfinite(x) else None  # noqa: E731  (JSON has no NaN)
    d_loss, g_loss, divergence = run.last()
    return {"step": run.step, "g": _flat(g, dtype), "d": _flat(d, dtype), "f32": exact,
            "dl": finite(d_loss), "gl": finite(g_loss), "div": finite(divergence)}


def curves(history) -> dict:
    """The loss and divergence curves so far, thinned to a few hundred points (sent on Pause and at Play)."""
    steps = history.step
    if len(steps) > CURVE_POINTS:
        steps = steps[np.linspace(0, len(steps) - 1, CURVE_POINTS).astype(int)]
    return {"steps": [int(s) for s in steps], "d": curve(history.d_loss, CURVE_POINTS),
            "g": curve(history.g_loss, CURVE_POINTS), "div_steps": [int(s) for s in history.div_step[-CURVE_POINTS:]],
            "div": curve(history.divergence[-CURVE_POINTS:], CURVE_POINTS)}
