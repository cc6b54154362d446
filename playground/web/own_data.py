"""One's own data on the page: points drawn on the output map (the live view's `draw` trigger), a CSV upload, and
the "keep the trained weights" toggle. The parsing and checking is `core/userdata.py`; this turns a user's action
into widget values (`source`, `drawn`, data set, classes) that `playground_page` applies like any other.

Anything a user or a file supplied is shown as literal text (`st.text`), never as Markdown.
"""

from __future__ import annotations

import math

import streamlit as st

from ..core.config import CLASSIFICATION_DATASETS, REGRESSION_DATASETS
from ..core.userdata import MAX_DRAWN, DataError, config_for_upload, decode_drawn, edit_drawn, parse_csv

# Fixed text (Markdown is fine for it): a caption would also do, but the lab's tests read the page's first caption.
HINT = ("Draw on the output map (pick a class under it), or upload a CSV: `x1,x2,label` (classes 0 to 4) "
        "or `x1,x2,y` (values), up to 10,000 rows and 1 MB.")
MAX_STROKE = 2 * MAX_DRAWN  # most points one `draw` trigger may carry; more is not a stroke of ours


def _pairs(value) -> list[list[float]] | None:
    """A stroke from the browser: a list of [x, y] finite numbers within the drawn sets' range, or None."""
    if not isinstance(value, list) or len(value) > MAX_STROKE:
        return None
    ok = all(isinstance(p, list) and len(p) == 2 and all(_number(c) and abs(c) <= 300 for c in p) for p in value)
    return value if ok else None


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _stroke_label(state, draw: dict):
    """The class (0 to classes - 1) or value (-1 to 1) of the points added, or None if the browser sent nonsense."""
    label = draw.get("label")
    if not _number(label):
        return None
    if state["problem"] == "regression":
        return max(-1.0, min(1.0, float(label)))
    return int(label) if label == int(label) and 0 <= label < state["classes"] else None


def _points_in(text: str) -> int:
    return len(decode_drawn(text).labels) if text else 0


def draw_values(state, draw) -> dict | None:
    """The widget values a `draw` trigger asks for (see assets/live_draw.js), or None to ignore it. `state` is the
    session state (item access only, so that tests can pass a dict); sets its `draw_note` when points did not fit."""
    if not isinstance(draw, dict):
        return None
    source = state["source"]
    if draw.get("clear"):
        return {"drawn": "", "source": "generated" if source == "drawn" else source}
    if draw.get("generated"):
        return {"source": "generated"}
    add, erase = _pairs(draw.get("add", [])), _pairs(draw.get("erase", []))
    radius, label = draw.get("radius", 0.0), _stroke_label(state, draw) if draw.get("add") else 0
    if add is None or erase is None or label is None or not _number(radius):
        return None
    drawn, refused = edit_drawn(state["drawn"], state["problem"], add, label, erase, min(abs(radius), 50.0))
    state["draw_note"] = (f"{refused} point{'s' * (refused != 1)} not added: a drawn set holds at most {MAX_DRAWN}"
                          if refused else None)
    enough = _points_in(drawn) >= 2
    # every drawn point in view: half of them are test points, which are otherwise hidden
    return {"drawn": drawn, "source": "drawn" if enough else ("generated" if source == "drawn" else source),
            "show_test": True}


def _uploaded():
    """Callback of the file uploader: a good file becomes the data, a bad one is refused and the data stay."""
    s = st.session_state
    file = s.get("upload_file")
    if file is None:
        return
    try:
        upload = parse_csv(file.getvalue())
    except DataError as err:
        s.upload_error = (file.name, str(err))
        return
    s.upload_error, s.upload, s.upload_name = None, upload, file.name
    config = config_for_upload(s.session.config, upload)
    for name in ("source", "dataset", "classes", "problem", "drawn", "output"):  # before the widgets are drawn
        s[name] = getattr(config, name)


def _back_to_generated():
    s = st.session_state
    s.source = "generated"
    names = REGRESSION_DATASETS if s.problem == "regression" else CLASSIFICATION_DATASETS
    s.dataset = s.dataset if s.dataset in names else names[0]


def own_data_panel():
    """Under DATA: where the points come from, the upload, its refusal if any, and the keep-the-weights toggle."""
    s = st.session_state
    st.markdown("**YOUR OWN DATA**")
    st.markdown(HINT, help="A header line is optional. A byte-order mark and Windows line ends are fine.")
    st.file_uploader("Upload a CSV file", type=["csv", "txt"], key="upload_file", on_change=_uploaded)
    error = s.get("upload_error")
    if error:
        st.error("That file was not loaded; the previous data stay. The reason:")
        st.text(f"{error[0]}: {error[1]}")
    if s.source == "file":
        st.text(f"Training on {s.get('upload_name', 'the uploaded file')} ({len(s.upload.labels):,} points)")
    elif s.source == "drawn":
        st.text(f"Training on your {_points_in(s.drawn)} drawn points")
    if s.get("draw_note"):
        st.text(s.draw_note)
    if s.source != "generated":
        st.button("Back to the generated data", key="back_to_generated", on_click=_back_to_generated)
    st.checkbox("Keep the trained weights when the data change", key="keep_weights",
                help="train on one data set, switch to another, freeze the first layers and fine-tune: transfer "
                     "learning. Works when the inputs and outputs stay the same.")
