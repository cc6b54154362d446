"""Pictures to download: the output map with its points as PNG, the training as an animated GIF (Pillow).

Rendered on the server from the engine's grid probe, not captured from the browser's canvas: the file is then exactly
the engine's network (the canvas paints from float16 weights while playing), it needs no round trip of a large data
URL through the component's state, and the same code serves the page, the tests and any later CLI flag. The colours
are the canvas's (`palette`): the map at most 60 % of the class colour, points in full colour with a white ring.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from .. import palette
from ..core import probes
from ..core.model import params_from_layers

MAP_STRENGTH = 0.6  # as the canvas: the map lighter than the points
GRID = 100


def output_rgb(head: str, output: np.ndarray, discretize: bool = False) -> np.ndarray:
    """(n, n, n_out) prediction -> (n, n, 3) uint8, coloured as the live view's output map."""
    if head == "softmax_ce":
        k = output.shape[-1]
        best = output.argmax(-1)
        confidence = np.ones(best.shape) if discretize else np.clip((output.max(-1) - 1 / k) / (1 - 1 / k), 0, 1)
        colours = np.asarray(palette.CLASSES, np.float64)[best % len(palette.CLASSES)]
        mid = np.asarray(palette.NEUTRAL, np.float64)
        share = (0.1 + 0.5 * confidence)[..., None]
        return np.round(mid + share * (colours - mid)).astype(np.uint8)
    value = output[..., 0]
    if head == "sigmoid_ce":
        value = 2 * value - 1
    if discretize:
        value = np.where(value >= 0, 0.8, -0.8)
    return np.round(palette.diverging(value * MAP_STRENGTH)).astype(np.uint8)


def _point_colour(label, regression: bool):
    if regression:
        return tuple(int(v) for v in np.round(palette.diverging(np.array(label))))
    return palette.CLASSES[int(label) % len(palette.CLASSES)]


def draw_points(image: Image.Image, points: np.ndarray, labels: np.ndarray, extent: float, regression: bool,
                radius: float = 3.5):
    """Points in full colour with a white ring and a thin dark one, as on the canvas."""
    draw, size = ImageDraw.Draw(image), image.size[0]
    for (x, y), label in zip(points, labels):
        px, py = (x + extent) / (2 * extent) * size, (extent - y) / (2 * extent) * size
        draw.ellipse((px - radius - 1, py - radius - 1, px + radius + 1, py + radius + 1), outline=(60, 60, 60))
        draw.ellipse((px - radius, py - radius, px + radius, py + radius), fill=_point_colour(label, regression),
                     outline=(255, 255, 255))


def picture(session, params=None, size: int = 400, show_test: bool = False, discretize: bool = False,
            epoch: int | None = None) -> Image.Image:
    """The output map of `params` (default: the session's network now) with the training points (and test points)."""
    arch, config, dataset = session.arch, session.config, session.dataset
    params = session.params if params is None else params
    _, output = probes.neuron_activations_on_grid(arch, params, config.features, dataset.extent, GRID)
    image = Image.fromarray(output_rgb(arch.head, output, discretize)).resize((size, size), Image.BILINEAR)
    regression = config.problem == "regression"
    draw_points(image, dataset.points_train, dataset.y_train, dataset.extent, regression)
    if show_test:
        draw_points(image, dataset.points_test, dataset.y_test, dataset.extent, regression, radius=2.5)
    if epoch is not None:
        ImageDraw.Draw(image).text((6, 4), f"epoch {epoch:,}", fill=(20, 20, 20))
    return image


def png_bytes(session, **kwargs) -> bytes:
    out = io.BytesIO()
    picture(session, **kwargs).save(out, format="PNG")
    return out.getvalue()


def gif_bytes(session, frames: int = 40, size: int = 240, frame_ms: int = 120) -> bytes:
    """The training as an animated GIF: up to `frames` of the replay snapshots, evenly spread, the last one held."""
    snapshots = list(session.snapshots)
    pick = np.unique(np.linspace(0, len(snapshots) - 1, min(frames, len(snapshots))).round().astype(int))
    # Each frame quantised to 64 colours by fast octree: a quarter of the bytes and of the time of Pillow's default
    # (measured: 40 frames of 240 px in 0.25 s and 0.3 MB instead of 0.9 s and 1.1 MB), and the maps are smooth.
    images = [picture(session, params_from_layers(snapshots[i][1]), size, epoch=snapshots[i][0])
              .quantize(64, method=Image.Quantize.FASTOCTREE) for i in pick]
    durations = [frame_ms] * (len(images) - 1) + [frame_ms * 10]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    return out.getvalue()
