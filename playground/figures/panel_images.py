"""Pictures (PNG bytes) of the heaviest 'see inside' panels, shown while training runs instead of their plotly figures.

Why: Streamlit names a plotly chart by its figure, so every repaint of a panel is a new chart that the browser builds
from scratch, on the main thread that also paints the live view. Measured in headless Chromium on C2 while playing:
~1.2 s of long tasks per repaint of the eight-subplot layer spaces, ~0.3 s for each of the saliency panel's two
charts (every second), and the live view missed its frames meanwhile. An image is decoded in a few milliseconds.
Paused, the panels show the interactive plotly figures again (`figures.inside`); these draw the same content.
Pillow and numpy (plotly only for its Viridis stops).
"""

from __future__ import annotations

import io

import numpy as np
from plotly.colors import sequential
from PIL import Image, ImageDraw, ImageFont

from .. import palette
from .inside import layer_name

VIRIDIS = sequential.Viridis  # the saliency figure's colour scale (hex stops)
_GREY, _LINE, _TEXT = (225, 225, 225), (185, 185, 185), (49, 51, 63)


def _font(size: int):
    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)  # speed over bytes: it is sent once and replaced seconds later
    return buffer.getvalue()


def _dot_colours(labels, n_classes: int) -> list[tuple[int, int, int]]:
    if n_classes:
        rgb = palette.CLASS_RGB[np.asarray(labels, int) % len(palette.CLASS_RGB)]
    else:  # regression: the target's sign and size, as the plotly figure's diverging scale
        rgb = palette.diverging(np.asarray(labels, np.float64))
    return [tuple(int(v) for v in c) for c in rgb]


def _plane_pixels(points, extent: float, size: int, top: int) -> np.ndarray:
    """Points of the plane [-extent, extent]^2 -> pixel (x, y) in a size x size square whose top edge is at `top`."""
    xy = np.asarray(points, np.float64)
    return np.stack([(xy[:, 0] + extent) / (2 * extent) * (size - 1),
                     top + (extent - xy[:, 1]) / (2 * extent) * (size - 1)], 1)


def _dots(draw: ImageDraw.ImageDraw, xy: np.ndarray, colours, radius: float = 2.5):
    for (x, y), colour in zip(xy, colours):
        if np.isfinite(x) and np.isfinite(y):
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour, outline=(255, 255, 255))


def layer_spaces_png(spaces, labels, n_classes: int, panel: int = 170, gap: int = 8) -> bytes:
    """One square per layer (as `inside.layer_spaces_figure`): the projected grid lines of the input plane in grey and
    the training points in their class colours, each square scaled to what it holds."""
    n, title_h = len(spaces), 30
    image = Image.new("RGB", (n * panel + (n - 1) * gap, title_h + panel), "white")
    draw, font, colours = ImageDraw.Draw(image), _font(15), _dot_colours(labels, n_classes)
    for i, (points, lines) in enumerate(spaces):
        left = i * (panel + gap)
        both = np.concatenate([np.asarray(points, np.float64).reshape(-1, 2),
                               np.asarray(lines, np.float64).reshape(-1, 2)])
        both = both[np.isfinite(both).all(1)]
        low, high = (both.min(0), both.max(0)) if len(both) else (np.full(2, -1.0), np.full(2, 1.0))
        pad = np.maximum((high - low) * 0.05, 1e-6)
        low, high = low - pad, high + pad

        def to_pixels(xy, left=left, low=low, high=high):
            xy = np.asarray(xy, np.float64).reshape(-1, 2)
            return np.stack([left + (xy[:, 0] - low[0]) / (high[0] - low[0]) * (panel - 1),
                             title_h + (high[1] - xy[:, 1]) / (high[1] - low[1]) * (panel - 1)], 1)

        draw.rectangle((left, title_h, left + panel - 1, title_h + panel - 1), outline=_GREY)
        for line in lines:
            pixels = to_pixels(line)
            pixels = pixels[np.isfinite(pixels).all(1)]
            if len(pixels) > 1:
                draw.line([tuple(p) for p in pixels], fill=_LINE, width=1)
        _dots(draw, to_pixels(points), colours)
        draw.text((left + panel / 2, 4), layer_name(i, n), fill=_TEXT, font=font, anchor="ma")
    return _png(image)


def _viridis(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] -> (..., 3) uint8 along the Viridis scale."""
    stops = np.array([[int(h[k:k + 2], 16) for k in (1, 3, 5)] for h in VIRIDIS], np.float64)
    where = np.linspace(0, 1, len(stops))
    v = np.clip(np.nan_to_num(values), 0, 1)
    return np.stack([np.interp(v, where, stops[:, c]) for c in range(3)], -1).astype(np.uint8)


def saliency_png(saliency: np.ndarray, extent: float, points=None, labels=None, size: int = 380) -> bytes:
    """|d decision / d input| over the plane (row 0 at the top, as `inside.saliency_figure`), darkest where the
    decision barely moves, with the training points on top, and a scale bar low -> high."""
    top, bar = 30, 16
    image = Image.new("RGB", (size, top + size + 8 + bar + 18), "white")
    heat = np.asarray(saliency, np.float64)
    scaled = heat / heat.max() if np.isfinite(heat).any() and np.nanmax(heat) > 0 else np.zeros_like(heat)
    image.paste(Image.fromarray(_viridis(scaled)).resize((size, size), Image.Resampling.BILINEAR), (0, top))
    draw, font = ImageDraw.Draw(image), _font(15)
    draw.text((size / 2, 4), "Saliency: where the decision is sensitive", fill=_TEXT, font=font, anchor="ma")
    if points is not None:
        _dots(draw, _plane_pixels(points, extent, size, top), _dot_colours(labels, 2))
    strip = _viridis(np.linspace(0, 1, size))[None].repeat(bar, 0)
    image.paste(Image.fromarray(strip), (0, top + size + 8))
    small = _font(13)
    draw.text((0, top + size + 8 + bar + 2), "|grad| low", fill=_TEXT, font=small)
    draw.text((size, top + size + 8 + bar + 2), f"high ({np.nanmax(heat):.2g})" if scaled.any() else "high",
              fill=_TEXT, font=small, anchor="ra")
    return _png(image)


def contributions_png(contributions: dict[str, float], point, width: int = 340) -> bytes:
    """Each input's gradient x input at `point` as a horizontal bar from a middle line: blue towards class 1,
    orange towards class 0 (as `inside.contributions_figure`)."""
    names, values = list(contributions), np.array(list(contributions.values()), np.float64)
    row, top, label_w = 26, 48, 70
    image = Image.new("RGB", (width, top + row * len(names) + 6), "white")
    draw, font = ImageDraw.Draw(image), _font(14)
    draw.text((4, 4), f"Contribution of each input at ({point[0]:.1f}, {point[1]:.1f})", fill=_TEXT, font=font)
    draw.text((4, 22), "(gradient x input; blue: towards class 1)", fill=_TEXT, font=_font(12))
    middle, half = label_w + (width - label_w) / 2, (width - label_w) / 2 - 6
    biggest = float(np.nanmax(np.abs(values))) if len(values) and np.isfinite(values).any() else 0.0
    for k, (name, value) in enumerate(zip(names, values)):
        y = top + k * row
        draw.text((4, y + 4), name, fill=_TEXT, font=font)
        length = 0.0 if not biggest or not np.isfinite(value) else value / biggest * half
        colour = palette.POSITIVE if value >= 0 else palette.NEGATIVE
        draw.rectangle((min(middle, middle + length), y + 3, max(middle, middle + length), y + row - 5), fill=colour)
    draw.line((middle, top - 2, middle, top + row * len(names)), fill=_LINE)
    return _png(image)


def _bars(draw: ImageDraw.ImageDraw, box, values: np.ndarray, bins: int, colour):
    """A histogram of `values` in the pixel box (left, top, right, bottom): bar heights scaled to the tallest."""
    left, top, right, bottom = box
    values = np.asarray(values, np.float64)
    values = values[np.isfinite(values)]
    draw.line((left, bottom, right, bottom), fill=_GREY)
    if not len(values):
        return
    counts, _ = np.histogram(values, bins=bins)
    width = (right - left) / bins
    for k, count in enumerate(counts):
        if count:
            height = count / counts.max() * (bottom - top)
            draw.rectangle((left + k * width, bottom - height, left + (k + 1) * width - 1, bottom), fill=colour)


def activation_statistics_png(stats, panel: int = 170, gap: int = 10) -> bytes:
    """Per hidden layer (as `inside.activation_statistics_figure`): the histogram of its activations over the
    training points (top) and of its incoming weights (bottom), binned here rather than in the browser."""
    n, title_h, row = max(len(stats), 1), 26, 120
    image = Image.new("RGB", (n * panel + (n - 1) * gap, title_h + 2 * row + 24), "white")
    draw, font = ImageDraw.Draw(image), _font(14)
    for i, s in enumerate(stats):
        left = i * (panel + gap)
        draw.text((left + panel / 2, 4), f"layer {s.layer} ({s.activation})", fill=_TEXT, font=font, anchor="ma")
        _bars(draw, (left, title_h + 4, left + panel - 1, title_h + row - 6), s.values, 40, palette.POSITIVE)
        _bars(draw, (left, title_h + row + 18, left + panel - 1, title_h + 2 * row + 10), s.weights, 30,
              (119, 119, 119))
    draw.text((0, title_h + row + 1), "incoming weights", fill=_TEXT, font=_font(12))
    return _png(image)


def replay_png(output: np.ndarray, head: str, extent: float, points, labels, epoch: int, size: int = 360) -> bytes:
    """The network's output over the plane at an earlier snapshot with the training points (as
    `inside.replay_figure`), in the colours of the lab's small multiples (`inside.boundary_rgb`)."""
    from .inside import boundary_rgb

    n = output.shape[0]
    picture = boundary_rgb(output, head, extent=extent, scale=max(1, size // n))
    top = 28
    image = Image.new("RGB", (size, top + size), "white")
    image.paste(Image.fromarray(picture).resize((size, size), Image.Resampling.NEAREST), (0, top))
    draw = ImageDraw.Draw(image)
    draw.text((size / 2, 4), f"Output at epoch {epoch:,}", fill=_TEXT, font=_font(15), anchor="ma")
    if points is not None:
        _dots(draw, _plane_pixels(points, extent, size, top),
              _dot_colours(labels, 0 if head in ("linear_mse", "tanh_mse") else 2))
    return _png(image)
