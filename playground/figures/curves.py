"""Plotly figures of a run's curves. Pure functions of arrays: tests read `fig.data`."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .. import palette

TRAIN_COLOUR, TEST_COLOUR = "#999999", "#222222"


def loss_curves_figure(history, max_points: int = 1000) -> go.Figure:
    """Train and test loss per epoch (left axis) and accuracy (right axis, classification only)."""
    epochs = history.epochs
    if len(epochs) > max_points:  # plotly's redraw cost grows with points; keep the shape, drop the rest
        keep = np.linspace(0, len(epochs) - 1, max_points).astype(int)
        history = type(history)(*(np.asarray(a)[keep] for a in history.metrics()))
        epochs = epochs[keep]
    fig = go.Figure()
    fig.add_scatter(x=epochs, y=history.train_loss, name="train loss", line=dict(color=TRAIN_COLOUR, width=3))
    fig.add_scatter(x=epochs, y=history.test_loss, name="test loss", line=dict(color=TEST_COLOUR, width=3))
    if np.isfinite(history.test_accuracy).any() and np.nanmax(history.test_accuracy) > 0:
        fig.add_scatter(x=epochs, y=history.test_accuracy, name="test accuracy", yaxis="y2",
                        line=dict(color=palette.POSITIVE_HEX, width=2, dash="dot"))
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=30, b=10), font=dict(size=16),
                      xaxis_title="epoch", yaxis_title="loss",
                      yaxis2=dict(title="accuracy", overlaying="y", side="right", range=[0, 1], tickformat=".0%",
                                  tickmode="linear", dtick=0.25, showgrid=False),
                      legend=dict(orientation="h", y=1.15))
    return fig
