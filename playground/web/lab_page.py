"""The "Depth × width lab" tab: many networks trained at once on the playground's data.

Three experiments, one at a time (a radio picks which is drawn):
- Sweep grid: every depth x width (x activation) network trained in lockstep by one `sweep.Sweep`, in a background
  thread (`runs.Run`); a `run_every` fragment paints its latest snapshot with the `lab_view` canvas component
  (small multiples, heatmap, every loss curve), whose cells open their network in the playground when clicked.
- Side by side: up to four configurations that differ in any setting, each its own `Session`, trained in lockstep
  by a background `runs.Run` of `runs.SideBySide`.
- Seed ensemble: the playground's configuration over N seeds (`Sweep(seed_configs(...))`), also a `runs.Run`.

Each experiment keeps its run in session state (`lab_sweep`, `lab_side`, `lab_seeds`), built by the Run buttons'
callbacks. When a run finishes, its fragment reruns the page once so that the timer stops.
"""

from __future__ import annotations

import streamlit as st

from ..core.config import ACTIVATION_NAMES, DATASET_NAMES, MAX_LAYERS, MAX_NETWORKS, Config, ConfigError
from ..core.runs import Preparer, Run
from ..core.sweep import Sweep, cells_of, grid_configs
from . import components, lab_view
from . import playground_page as ui
from .lab_common import (EPOCHS, PLAYGROUND_DATA, _playground_config, _status, _stop, _with_dataset,
                         builder, describe, live_run, painted_run, playground_upload)
from .lab_seeds import seed_section
from .lab_side import side_by_side_section

DEPTHS = tuple(range(0, MAX_LAYERS + 1))
WIDTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
METRICS = ("test_accuracy", "test_loss", "train_accuracy", "train_loss")
EXPERIMENTS = ("Sweep grid", "Side by side", "Seed ensemble")


# --- the page ---------------------------------------------------------------------------------------------------------

def lab_page():
    st.markdown("Train many networks at once on the same data and seed, and compare them. Every experiment starts "
                "from the playground's current settings:")
    st.caption(describe(_playground_config()))
    experiment = st.radio("Experiment", EXPERIMENTS, key="lab_mode", horizontal=True, label_visibility="collapsed")
    if experiment == "Sweep grid":
        sweep_section()
    elif experiment == "Side by side":
        side_by_side_section()
    else:
        seed_section()


# --- 1. sweep grid ----------------------------------------------------------------------------------------------------

def _sweep_defaults():
    s = st.session_state
    config = _playground_config()
    s.setdefault("sweep_dataset", PLAYGROUND_DATA)
    s.setdefault("sweep_depths", [1, 2, 3, 4])
    s.setdefault("sweep_widths", [2, 4, 8])
    s.setdefault("sweep_activations", [config.activation[0]])
    s.setdefault("sweep_epochs", 500)
    s.setdefault("sweep_metric", "test_accuracy")


def sweep_problem(depths, widths, activations) -> str | None:
    if not depths:
        return "Pick at least one depth (number of hidden layers)."
    if any(depths) and not widths:
        return "Pick at least one width (neurons per layer)."
    if not activations:
        return "Pick at least one activation."
    n = len(grid_configs(Config(), depths, widths or [1], activations))
    if n > MAX_NETWORKS:
        return f"That is {n} networks; at most {MAX_NETWORKS} train together here. Pick fewer depths or widths."
    return None


def _start_sweep():
    s = st.session_state
    depths, widths, activations = sorted(s.sweep_depths), sorted(s.sweep_widths), list(s.sweep_activations)
    s.lab_sweep_error = sweep_problem(depths, widths, activations)
    if s.lab_sweep_error:
        return
    try:
        base = _with_dataset(_playground_config(), s.sweep_dataset)
        configs = grid_configs(base, depths, widths or [1], activations)
    except (ValueError, ConfigError) as err:
        s.lab_sweep_error = f"This sweep cannot run: {err}"
        return
    _stop(s.get("lab_sweep"))
    s.setdefault("lab_preparer", Preparer()).cancel()
    # built in its thread (on the playground's uploaded points, if any); compiled ahead if it was
    s.lab_sweep = Run(configs, int(s.sweep_epochs), 0, build=builder(Sweep))  # 0: weights, no server pictures
    s.sweep_cell = 0


def sweep_section():
    _sweep_defaults()
    c = st.columns([1.3, 1.3, 1.6, 1.3, 1.0])
    c[0].selectbox("Data set", (PLAYGROUND_DATA, *DATASET_NAMES), key="sweep_dataset",
                   help="the other settings (noise, features, optimizer, batch size, seed) stay the playground's")
    c[1].multiselect("Depths (hidden layers)", DEPTHS, key="sweep_depths")
    c[2].multiselect("Widths (neurons per layer)", WIDTHS, key="sweep_widths")
    c[3].multiselect("Activations", ACTIVATION_NAMES, key="sweep_activations")
    c[4].select_slider("Epochs", EPOCHS, key="sweep_epochs")
    run_col, metric_col, _ = st.columns([1, 1.5, 3], vertical_alignment="bottom")
    run_col.button("Run sweep", key="sweep_run", on_click=_start_sweep, type="primary", width="stretch")
    metric_col.selectbox("Heatmap shows", METRICS, key="sweep_metric", format_func=lambda m: m.replace("_", " "))
    _prepare_planned_sweep()
    run = live_run("sweep", _sweep_live, "Choose depths, widths and activations, then press Run sweep: all networks "
                   "train together and the grid fills in as they learn. Click any network's picture or heatmap cell "
                   "to open it in the playground.")
    if run is not None:
        _sweep_picker(cells_of(run.configs))


def _prepare_planned_sweep():
    """Compile the sweep the widgets describe while the user looks at it (not while the playground animates or a
    sweep trains: those need the cores)."""
    s = st.session_state
    depths, widths, activations = sorted(s.sweep_depths), sorted(s.sweep_widths), list(s.sweep_activations)
    run = s.get("lab_sweep")
    if s.get("playing") or (run is not None and run.running) or sweep_problem(depths, widths, activations):
        return
    try:
        configs = grid_configs(_with_dataset(_playground_config(), s.sweep_dataset), depths, widths or [1],
                               activations)
        # this user's own: no one else's choice drops it
        s.setdefault("lab_preparer", Preparer()).want(configs, 0, playground_upload())
    except (ValueError, ConfigError):
        pass  # reported when Run is pressed


def _metric(config: Config) -> str:
    metric = st.session_state.sweep_metric
    if "accuracy" in metric and config.problem != "classification":
        metric = metric.replace("accuracy", "loss")
    return metric


def _sweep_live():
    s = st.session_state
    if "pending_config" in s:  # a cell was clicked (the callback ran): show the playground, a whole-page run
        st.rerun()
    run = painted_run("sweep")
    snapshot = run.snapshot  # first: once there is a snapshot, the sweep is built
    sweep = run.sweep
    _status(run, f"{len(run.configs)} networks")
    if snapshot is None:
        st.caption("Compiling one program for all these networks (about a second; a shape compiled before loads "
                   "from disk)…")
        return
    d, metric = sweep.dataset, _metric(sweep.configs[0])
    cached = s.get("lab_message")  # repaints between two snapshots resend the same message, built once
    if cached is None or cached[0] is not snapshot or cached[1] != metric:
        message = lab_view.sweep_message(sweep.cells, snapshot.results, snapshot.weights, snapshot.test_loss,
                                         d.points_train, d.y_train, d.extent, metric, snapshot.epoch, run.target)
        s.lab_message = cached = (snapshot, metric, message)
    components.lab_grid(data=[cached[2]], key="lab_grid", on_open_change=_open_clicked_cell)
    results = snapshot.results
    i = min(s.get("sweep_cell", 0), len(results) - 1)
    r = results[i]
    m = st.columns(5)
    m[0].metric("Network (depth × width)", f"{r['depth']} × {r['width']}")
    m[1].metric("Parameters", r["params"])
    m[2].metric("Test accuracy", "–" if r["test_accuracy"] is None else f"{100 * r['test_accuracy']:.1f}%")
    m[3].metric("Test loss", "–" if r["test_loss"] is None else f"{r['test_loss']:.4f}")
    m[4].metric("Train loss", "–" if r["train_loss"] is None else f"{r['train_loss']:.4f}")


def _open_clicked_cell():
    """The lab canvas's `open` trigger: the index of the clicked network."""
    s = st.session_state
    state = s.get("lab_grid")
    clicked = None if state is None else (state.get("open") if hasattr(state, "get") else getattr(state, "open", None))
    if clicked is None or "lab_sweep" not in s:
        return
    cells = cells_of(s.lab_sweep.configs)
    s.sweep_cell = min(int(clicked), len(cells) - 1)
    ui.open_in_playground(cells[s.sweep_cell].config)


def _sweep_picker(cells):
    pick, button = st.columns([3, 1], vertical_alignment="bottom")
    pick.selectbox("Network (its numbers are shown above)", range(len(cells)), key="sweep_cell",
                   format_func=lambda i: f"depth {cells[i].depth} × width {cells[i].width} "
                                         f"{cells[i].activation} · {cells[i].params} parameters")
    button.button("Open in playground", key="sweep_open", on_click=_open_sweep_cell, width="stretch",
                  help="opens this network, with all its settings, in the Playground tab")


def _open_sweep_cell():
    s = st.session_state
    cells = cells_of(s.lab_sweep.configs)
    ui.open_in_playground(cells[min(s.get("sweep_cell", 0), len(cells) - 1)].config)
