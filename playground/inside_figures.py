"""Plotly figures of the 'see inside' panels and of sweeps: pure functions of arrays from `analysis` and `sweep`.

With `figures.py`, the only modules that import plotly. Tests read `fig.data`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

CLASS_COLOURS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728"]  # class 0 orange, class 1 blue (as TF)
LAYER_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
                 "#1f78b4", "#b2df8a", "#fb9a99"]
_LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), font=dict(size=15))


def _layer_name(i: int, n_layers: int) -> str:
    return "output" if i == n_layers - 1 else f"layer {i + 1}"


def gradient_flow_figure(history: list[tuple[int, np.ndarray]]) -> go.Figure:
    """Gradient norm of each weight layer over the epochs, log scale: where the gradient dies shows at a glance."""
    fig = go.Figure()
    if history:
        epochs = np.array([e for e, _ in history])
        norms = np.stack([n for _, n in history])  # (snapshots, layers)
        for i in range(norms.shape[1]):
            fig.add_scatter(x=epochs, y=np.maximum(norms[:, i], 1e-12), name=_layer_name(i, norms.shape[1]),
                            mode="lines+markers", line=dict(color=LAYER_COLOURS[i % len(LAYER_COLOURS)], width=3))
    fig.update_layout(title="Gradient norm per layer", xaxis_title="epoch", yaxis_title="|dL/dW|",
                      yaxis_type="log", height=330, **_LAYOUT)
    return fig


def layer_spaces_figure(spaces, labels: np.ndarray, n_classes: int) -> go.Figure:
    """One panel per layer: the training points and the input plane's grid lines as that layer sees them."""
    n = len(spaces)
    titles = [_layer_name(i, n) for i in range(n)]
    fig = make_subplots(rows=1, cols=n, subplot_titles=titles, horizontal_spacing=0.03)
    for col, (points, lines) in enumerate(spaces, start=1):
        xs, ys = [], []
        for line in lines:  # one trace for all lines: None breaks the polyline
            xs += [*line[:, 0], None]
            ys += [*line[:, 1], None]
        fig.add_scatter(x=xs, y=ys, mode="lines", line=dict(color="rgba(120,120,120,0.35)", width=1),
                        showlegend=False, hoverinfo="skip", row=1, col=col)
        colours = [CLASS_COLOURS[int(c) % len(CLASS_COLOURS)] for c in labels] if n_classes else labels
        fig.add_scatter(x=points[:, 0], y=points[:, 1], mode="markers", showlegend=False,
                        marker=dict(size=5, color=colours, colorscale="RdBu" if not n_classes else None),
                        row=1, col=col)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(title="How each layer sees the data", height=300, **_LAYOUT)
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
                      yaxis=dict(scaleanchor="x"), **_LAYOUT)
    return fig


def contributions_figure(contributions: dict[str, float], point) -> go.Figure:
    names, values = list(contributions), list(contributions.values())
    fig = go.Figure(go.Bar(x=values, y=names, orientation="h",
                           marker_color=["#0877bd" if v >= 0 else "#f59322" for v in values]))
    fig.update_layout(title=f"Contribution of each input at ({point[0]:.1f}, {point[1]:.1f}) (gradient x input)",
                      height=60 + 40 * len(names), xaxis_title="toward class 1 (blue) / class 0 (orange)", **_LAYOUT)
    return fig


def activation_statistics_figure(stats) -> go.Figure:
    """Per hidden layer: histogram of activations (top row) and of incoming weights (bottom row)."""
    n = max(len(stats), 1)
    fig = make_subplots(rows=2, cols=n, subplot_titles=[f"layer {s.layer} ({s.activation})" for s in stats] +
                        [""] * n, vertical_spacing=0.12, horizontal_spacing=0.03)
    for col, s in enumerate(stats, start=1):
        fig.add_histogram(x=s.values, nbinsx=40, marker_color="#0877bd", showlegend=False, row=1, col=col)
        fig.add_histogram(x=s.weights, nbinsx=30, marker_color="#777777", showlegend=False, row=2, col=col)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(title="Activations (top) and weights (bottom) per layer", height=380, bargap=0.05, **_LAYOUT)
    return fig


def landscape_figure(landscape, line=None) -> go.Figure:
    """2-D slice of the training loss around the current weights (log colour) with the trajectory projected on it;
    with `line` = (steps, loss), the 1-D slice beside it."""
    cols = 2 if line is not None else 1
    fig = make_subplots(rows=1, cols=cols, column_widths=[0.62, 0.38][:cols],
                        subplot_titles=["2-D slice (log10 loss)", "1-D slice"][:cols])
    z = np.log10(np.maximum(landscape.loss, 1e-8))
    fig.add_contour(x=landscape.betas, y=landscape.alphas, z=z, colorscale="Viridis", ncontours=25,
                    colorbar=dict(title="log10 loss", x=0.6 if cols == 2 else 1.0), row=1, col=1)
    if len(landscape.trajectory):
        t = landscape.trajectory
        fig.add_scatter(x=t[:, 1], y=t[:, 0], mode="lines+markers", name="training path",
                        line=dict(color="white", width=2), marker=dict(size=4), row=1, col=1)
    fig.add_scatter(x=[0], y=[0], mode="markers", name="now", marker=dict(color="red", size=11, symbol="x"),
                    row=1, col=1)
    if line is not None:
        fig.add_scatter(x=line[0], y=line[1], mode="lines", name="loss along direction 1",
                        line=dict(color="#0877bd", width=3), row=1, col=2)
    fig.update_layout(title="Loss landscape around the current weights", height=400, showlegend=False, **_LAYOUT)
    return fig


def activation_curves_figure(curves: dict) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, subplot_titles=["f(x)", "f'(x)"])
    for i, (name, (x, f, df)) in enumerate(curves.items()):
        colour = LAYER_COLOURS[i % len(LAYER_COLOURS)]
        fig.add_scatter(x=x, y=f, name=name, line=dict(color=colour, width=3), row=1, col=1)
        fig.add_scatter(x=x, y=df, name=name + "'", line=dict(color=colour, width=3, dash="dot"), showlegend=False,
                        row=1, col=2)
    fig.update_layout(title="Activation functions and their derivatives", height=320, **_LAYOUT)
    return fig


# --- sweeps -----------------------------------------------------------------------------------------------------------

def sweep_heatmap_figure(results: list[dict], metric: str = "test_accuracy", activation: str | None = None):
    """Depth x width heatmap of a metric, each cell annotated with its parameter count."""
    rows = [r for r in results if activation is None or r["activation"] in (activation, "")]
    depths = sorted({r["depth"] for r in rows})
    widths = sorted({r["width"] for r in rows if r["depth"] > 0}) or [0]
    z = np.full((len(depths), len(widths)), np.nan)
    text = np.full(z.shape, "", dtype=object)
    for r in rows:
        i = depths.index(r["depth"])
        for j, w in enumerate(widths):
            if r["width"] == w or r["depth"] == 0:
                z[i, j] = np.nan if r[metric] is None else r[metric]
                text[i, j] = f"{'' if r[metric] is None else format(r[metric], '.2f')}<br>{r['params']} p"
    fig = go.Figure(go.Heatmap(z=z, x=[str(w) for w in widths], y=[str(d) for d in depths], text=text,
                               texttemplate="%{text}", colorscale="Blues" if "accuracy" in metric else "Reds_r",
                               colorbar=dict(title=metric.replace("_", " "))))
    fig.update_layout(title=f"{metric.replace('_', ' ')} by depth and width" + (f" ({activation})" if activation
                                                                                else ""),
                      xaxis_title="neurons per layer", yaxis_title="hidden layers", height=380, **_LAYOUT)
    return fig


def overlaid_loss_figure(curves: dict[str, np.ndarray], title: str = "Test loss") -> go.Figure:
    fig = go.Figure()
    for i, (name, values) in enumerate(curves.items()):
        fig.add_scatter(x=np.arange(1, len(values) + 1), y=values, name=name, mode="lines",
                        line=dict(color=LAYER_COLOURS[i % len(LAYER_COLOURS)], width=2))
    fig.update_layout(title=title, xaxis_title="epoch", yaxis_title="loss", yaxis_type="log", height=360, **_LAYOUT)
    return fig
