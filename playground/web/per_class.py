"""What the live view gets besides the weights: the learning rate of each frame's epoch (it changes under a
schedule) and, on the last frame of a message, the test set's confusion matrix and per-class accuracy.

A good overall accuracy can hide a minority class the network gets wrong (ninety points of one class and ten of the
other: 90 % while every minority point is wrong); the per-class numbers beside the loss make that visible, and a class
far below the overall accuracy is flagged (`LAGGING`). Computed once per message (about four times a second while
playing), not per frame: one small jitted prediction over the test points. No streamlit import here.
"""

from __future__ import annotations

import numpy as np

from ..core import probes
from ..core.schedule import rate_at

LAGGING = 0.2  # a class whose accuracy is this far below the overall accuracy is flagged on the page


def per_class(session) -> dict | None:
    """{"matrix": k x k counts (row = true class, column = predicted), "accuracy": per class (None for a class with
    no test point), "overall", "lagging": classes flagged} on the test set, or None for regression."""
    config, data = session.config, session.data
    k = config.n_classes
    if k == 0 or len(data.y_test) == 0:
        return None
    matrix = probes.confusion_matrix(session.arch, session.params, data.x_test, data.y_test, k)
    return summary(matrix)


def summary(matrix: np.ndarray) -> dict:
    totals = matrix.sum(1)
    overall = float(np.trace(matrix) / max(1, totals.sum()))
    accuracy = [round(float(matrix[c, c] / totals[c]), 4) if totals[c] else None for c in range(len(matrix))]
    lagging = [c for c, a in enumerate(accuracy) if a is not None and a < overall - LAGGING]
    return {"matrix": matrix.tolist(), "accuracy": accuracy, "overall": round(overall, 4), "lagging": lagging}


def annotate(message: list, session) -> list:
    """Add each frame's learning rate, and the per-class view to the last frame when it is the session's now."""
    config = session.config
    for frame in message[1:]:
        frame["rate"] = float(f"{rate_at(config, frame['epoch']):.4g}")
    if len(message) > 1 and message[-1]["epoch"] == session.epoch:
        view = per_class(session)
        if view is not None:
            message[-1]["per_class"] = view
    return message
