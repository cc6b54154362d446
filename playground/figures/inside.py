"""Plotly figures of the 'see inside' panels and of sweeps: pure functions of arrays from `analysis` and `sweep`.

Tests read `fig.data`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import palette

CLASS_COLOURS = palette.CLASS_HEX  # class 0 orange, class 1 blue (as TF), then green, red, purple
LAYER_COLOURS = palette.LAYER_HEX
_LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), font=dict(size=15))
# a figure title above subplot titles: 40 px put the two on top of each other; the extra height keeps the plots' size
_TITLED_SUBPLOTS = dict(_LAYOUT, margin=dict(l=10, r=10, t=76, b=10))
_EXTRA = 36


def layer_name(i: int, n_layers: int) -> str:
    return "output" if i == n_layers - 1 else f"layer {i + 1}"


def gradient_flow_figure(history: list[tuple[int, np.ndarray]]) -> go.Figure:
    """Gradient norm of each weight layer over the epochs, log scale: where the gradient dies shows at a glance."""
    fig = go.Figure()
    if history:
        epochs = np.array([e for e, _ in history])
        norms = np.stack([n for _, n in history])  # (snapshots, layers)
        for i in range(norms.shape[1]):
            fig.add_scatter(x=epochs, y=np.maximum(norms[:, i], 1e-12), name=layer_name(i, norms.shape[1]),
                            mode="lines+markers", line=dict(color=LAYER_COLOURS[i % len(LAYER_COLOURS)], width=3))
    fig.update_layout(title="Gradient norm per layer", xaxis_title="epoch", yaxis_title="|dL/dW|",
                      yaxis_type="log", height=330, **_LAYOUT)
    return fig


def layer_spaces_figure(spaces, labels: np.ndarray, n_classes: int) -> go.Figure:
    """One panel per layer: the training points and the input plane's grid lines as that layer sees them."""
    n = len(spaces)
    titles = [layer_name(i, n) for i in range(n)]
    fig = make_subplots(rows=1, cols=n, subplot_titles=titles, horizontal_spacing=0.03)
    if n_classes:  # numbers on a discrete colour scale: far cheaper for plotly to validate than colour strings
        colours = np.asarray(labels, np.float32)
        scale = [[i / max(n_classes - 1, 1), c] for i, c in enumerate(CLASS_COLOURS[:max(n_classes, 2)])]
        marker = dict(size=5, color=colours, colorscale=scale, cmin=0, cmax=max(n_classes - 1, 1))
    else:
        marker = dict(size=5, color=np.asarray(labels, np.float32), colorscale="RdBu")
    for col, (points, lines) in enumerate(spaces, start=1):
        # one trace for all lines: a NaN row after each line breaks the polyline
        broken = np.concatenate([lines, np.full((len(lines), 1, 2), np.nan, lines.dtype)], 1).reshape(-1, 2)
        fig.add_scatter(x=broken[:, 0], y=broken[:, 1], mode="lines", showlegend=False, hoverinfo="skip",
                        line=dict(color="rgba(120,120,120,0.35)", width=1), row=1, col=col)
        fig.add_scatter(x=points[:, 0], y=points[:, 1], mode="markers", showlegend=False, marker=marker,
                        row=1, col=col)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(title="How each layer sees the data", height=300 + _EXTRA, **_TITLED_SUBPLOTS)
    return fig


def saliency_figure(saliency: np.ndarray, extent: float, points=None, labels=None) -> go.Figure:
    """Heatmap of |d decision / d input| over the plane, with the training points on top."""
    axis = np.linspace(-extent, extent, saliency.shape[0])
    fig = go.Figure(go.Heatmap(z=saliency[::-1], x=axis, y=axis, colorscale="Viridis",
                               colorbar=dict(title="|grad|")))
    if points is not None:
        colours = [CLASS_COLOURS[int(c) % len(CLASS_COLOURS)] for c in labels]
        fig.add_scatter(x=points[:, 0], y=points[:, 1], mode="markers", showlegend=False,
                        marker=dict(size=5, color=colours, line=dict(color="white", width=0.5)))
    fig.update_layout(title="Saliency: where the decision is sensitive", height=380,
                      xaxis=dict(constrain="domain"), yaxis=dict(scaleanchor="x"), **_LAYOUT)
    return fig


def contributions_figure(contributions: dict[str, float], point) -> go.Figure:
    names, values = list(contributions), list(contributions.values())
    fig = go.Figure(go.Bar(x=values, y=names, orientation="h",
                           marker_color=[palette.POSITIVE_HEX if v >= 0 else palette.NEGATIVE_HEX for v in values]))
    fig.update_layout(title=f"Contribution of each input at ({point[0]:.1f}, {point[1]:.1f}) (gradient x input)",
                      height=60 + 40 * len(names), xaxis_title="toward class 1 (blue) / class 0 (orange)", **_LAYOUT)
    return fig


def activation_statistics_figure(stats) -> go.Figure:
    """Per hidden layer: histogram of activations (top row) and of incoming weights (bottom row)."""
    n = max(len(stats), 1)
    fig = make_subplots(rows=2, cols=n, subplot_titles=[f"layer {s.layer} ({s.activation})" for s in stats] +
                        [""] * n, vertical_spacing=0.12, horizontal_spacing=0.03)
    for col, s in enumerate(stats, start=1):
        fig.add_histogram(x=s.values, nbinsx=40, marker_color=palette.POSITIVE_HEX, showlegend=False, row=1, col=col)
        fig.add_histogram(x=s.weights, nbinsx=30, marker_color="#777777", showlegend=False, row=2, col=col)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(title="Activations (top) and weights (bottom) per layer", height=380 + _EXTRA, bargap=0.05,
                      **_TITLED_SUBPLOTS)
    return fig


def landscape_figure(landscape, line=None) -> go.Figure:
    """2-D slice of the training loss around the current weights (log colour) with the trajectory projected on it;
    with `line` = (steps, loss), the 1-D slice beside it."""
    cols = 2 if line is not None else 1
    fig = make_subplots(rows=1, cols=cols, column_widths=[0.62, 0.38][:cols], horizontal_spacing=0.16,
                        subplot_titles=["2-D slice (log10 loss)", "1-D slice"][:cols])
    z = np.log10(np.maximum(landscape.loss, 1e-8))
    fig.add_contour(x=landscape.betas, y=landscape.alphas, z=z, colorscale="Viridis", ncontours=25,
                    colorbar=dict(title="log10 loss", x=0.535 if cols == 2 else 1.0, thickness=14), row=1, col=1)
    if len(landscape.trajectory):
        t = landscape.trajectory
        fig.add_scatter(x=t[:, 1], y=t[:, 0], mode="lines+markers", name="training path",
                        line=dict(color="white", width=2), marker=dict(size=4), row=1, col=1)
    fig.add_scatter(x=[0], y=[0], mode="markers", name="now", marker=dict(color="red", size=11, symbol="x"),
                    row=1, col=1)
    if line is not None:
        fig.add_scatter(x=line[0], y=line[1], mode="lines", name="loss along direction 1",
                        line=dict(color=palette.POSITIVE_HEX, width=3), row=1, col=2)
    fig.update_layout(title="Loss landscape around the current weights", height=400 + _EXTRA,
                      showlegend=False, **_TITLED_SUBPLOTS)
    return fig


def activation_curves_figure(curves: dict) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, subplot_titles=["f(x)", "f'(x)"])
    for i, (name, (x, f, df)) in enumerate(curves.items()):
        colour = LAYER_COLOURS[i % len(LAYER_COLOURS)]
        fig.add_scatter(x=x, y=f, name=name, line=dict(color=colour, width=3), row=1, col=1)
        fig.add_scatter(x=x, y=df, name=name + "'", line=dict(color=colour, width=3, dash="dot"), showlegend=False,
                        row=1, col=2)
    fig.update_layout(title="Activation functions and their derivatives", height=320 + _EXTRA,
                      **_TITLED_SUBPLOTS)
    return fig


# --- sweeps -----------------------------------------------------------------------------------------------------------

def overlaid_loss_figure(curves: dict[str, np.ndarray], title: str = "Test loss") -> go.Figure:
    fig = go.Figure()
    for i, (name, values) in enumerate(curves.items()):
        fig.add_scatter(x=np.arange(1, len(values) + 1), y=values, name=name, mode="lines",
                        line=dict(color=LAYER_COLOURS[i % len(LAYER_COLOURS)], width=2))
    fig.update_layout(title=title, xaxis_title="epoch", yaxis_title="loss", yaxis_type="log", height=360, **_LAYOUT)
    return fig


def replay_figure(output: np.ndarray, extent: float, points, labels, n_classes: int, epoch: int) -> go.Figure:
    """The network's output over the plane at an earlier snapshot (`output` (n, n, n_out), row 0 at the top), with
    the training points: class 1's probability for two classes, the predicted class for more, the value for
    regression (n_classes 0)."""
    axis = np.linspace(-extent, extent, output.shape[0])
    if n_classes > 2:
        z, zrange = output.argmax(-1), (0, n_classes - 1)
        scale = [[i / (n_classes - 1), c] for i, c in enumerate(CLASS_COLOURS[:n_classes])]
    else:
        z = output[..., 0]
        zrange = (0, 1) if n_classes else (float(z.min()), float(z.max()))
        scale = [[0, CLASS_COLOURS[0]], [0.5, palette.NEUTRAL_HEX], [1, CLASS_COLOURS[1]]]
    fig = go.Figure(go.Heatmap(z=z[::-1], x=axis, y=axis, colorscale=scale, zmin=zrange[0], zmax=zrange[1],
                               opacity=0.85, colorbar=dict(title="output")))
    colours = [CLASS_COLOURS[int(c) % len(CLASS_COLOURS)] for c in labels] if n_classes else "#333333"
    fig.add_scatter(x=points[:, 0], y=points[:, 1], mode="markers", showlegend=False,
                    marker=dict(size=5, color=colours, line=dict(color="white", width=0.5)))
    fig.update_layout(title=f"Output at epoch {epoch:,}", height=400, xaxis=dict(constrain="domain"),
                      yaxis=dict(scaleanchor="x"), **_LAYOUT)
    return fig


# --- many networks: small multiples and ensembles ---------------------------------------------------------------------

_WHITE = (255, 255, 255)


def boundary_rgb(output: np.ndarray, head: str, points=None, labels=None, extent: float = 1.0,
                 scale: int = 2) -> np.ndarray:
    """(n*scale, n*scale, 3) uint8 picture of one network's prediction (n, n, n_out) over the plane, row 0 at the top:
    orange (class 0 / -1) through white to blue (class 1 / +1), or for k classes each class's colour faded by how
    sure the network is. With `points`, the data as 2x2-pixel dots. Plain numpy: ~0.1 ms for 40x40, so a grid of
    dozens repaints as fast as it encodes (docs/DESIGN.md: plotly subplot grids are 10-100 times slower)."""
    if head == "softmax_ce":
        k = output.shape[-1]
        sure = np.clip((output.max(-1) - 1.0 / k) / (1.0 - 1.0 / k), 0, 1)[..., None]
        colours = palette.CLASS_RGB[np.arange(k) % len(palette.CLASS_RGB)].astype(float)
        rgb = 255.0 + sure * (colours[output.argmax(-1)] - 255.0)
    else:
        v = output[..., 0] * 2.0 - 1.0 if head == "sigmoid_ce" else output[..., 0]
        rgb = palette.diverging(v, middle=_WHITE)
    rgb = rgb * 0.85 + 0.15 * 255  # lighter than the dots drawn on top
    rgb = np.repeat(np.repeat(rgb, scale, 0), scale, 1)
    if points is not None:
        size = rgb.shape[0]
        cols = np.clip(((points[:, 0] + extent) / (2 * extent) * (size - 2)).astype(int), 0, size - 2)
        rows = np.clip(((extent - points[:, 1]) / (2 * extent) * (size - 2)).astype(int), 0, size - 2)
        if head == "softmax_ce" or head == "sigmoid_ce":
            dots = palette.CLASS_RGB[np.asarray(labels, int) % len(palette.CLASS_RGB)].astype(float)
        else:
            dots = palette.diverging(labels, middle=_WHITE)
        dots = dots * 0.8  # a shade darker than the background of the same class
        for dr in (0, 1):
            for dc in (0, 1):
                rgb[rows + dr, cols + dc] = dots
    return np.clip(rgb, 0, 255).astype(np.uint8)


def ensemble_figure(mean: np.ndarray, spread: np.ndarray, extent: float, points=None, labels=None,
                    classes: int = 2) -> go.Figure:
    """Two heatmaps side by side: the seeds' mean prediction and their standard deviation (where seeds disagree).
    `mean` and `spread` are (n, n), row 0 at the top of the plane."""
    axis = np.linspace(-extent, extent, mean.shape[0])
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=["mean prediction over seeds", "disagreement (std over seeds)"])
    mean_scale = [[0, CLASS_COLOURS[0]], [0.5, "#ffffff"], [1, CLASS_COLOURS[1]]]
    fig.add_heatmap(z=mean[::-1], x=axis, y=axis, colorscale=mean_scale if classes <= 2 else "Viridis",
                    colorbar=dict(x=0.44, len=0.9, title="mean"), row=1, col=1)
    fig.add_heatmap(z=spread[::-1], x=axis, y=axis, colorscale="Magma_r", zmin=0,
                    colorbar=dict(x=1.0, len=0.9, title="std"), row=1, col=2)
    if points is not None:
        colours = [CLASS_COLOURS[int(c) % len(CLASS_COLOURS)] for c in labels] if classes else "#333333"
        for col in (1, 2):
            fig.add_scatter(x=points[:, 0], y=points[:, 1], mode="markers", showlegend=False, hoverinfo="skip",
                            marker=dict(size=4, color=colours, line=dict(color="white", width=0.5)), row=1, col=col)
    fig.update_xaxes(range=[-extent, extent])
    fig.update_yaxes(range=[-extent, extent])
    fig.update_layout(height=420, **_LAYOUT)
    return fig


def accuracy_spread_figure(values: list[float], threshold: float | None, title: str) -> go.Figure:
    """One dot per seed (final test accuracy or loss) with the success threshold as a line."""
    fig = go.Figure(go.Scatter(x=values, y=[0] * len(values), mode="markers",
                               marker=dict(size=16, color=palette.POSITIVE_HEX, opacity=0.7),
                               text=[f"seed +{i}" for i in range(len(values))], hoverinfo="text+x"))
    if threshold is not None:
        fig.add_vline(x=threshold, line=dict(color="#d62728", dash="dash"), annotation_text="threshold")
    fig.update_yaxes(visible=False)
    fig.update_layout(title=title, height=200, **_LAYOUT)
    return fig
