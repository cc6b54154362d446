"""The "Depth × width lab" tab: many networks trained at once on the playground's data.

Three experiments, one at a time (a radio picks which is drawn):
- Sweep grid: every depth x width (x activation) network trained in lockstep by one `sweep.Sweep`, in a background
  thread (`sweep.SweepRun`); a `run_every` fragment paints its latest snapshot with the `lab_view` canvas component
  (small multiples, heatmap, every loss curve), whose cells open their network in the playground when clicked.
- Side by side: up to four configurations that differ in any setting, each its own `Session`, advanced by the same
  number of epochs per fragment run.
- Seed ensemble: the playground's configuration over N seeds (`Sweep(seed_configs(...))`), also a `SweepRun`.

Each experiment keeps its run in session state (`lab_sweep`, `lab_side`, `lab_seeds`), built by the Run buttons'
callbacks. When a run finishes, its fragment reruns the page once so that the timer stops.
"""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import streamlit as st
from PIL import Image

from . import inside_figures, lab_view, ui
from .config import (ACTIVATION_NAMES, DATASET_NAMES, MAX_LAYERS, MAX_WIDTH, MULTICLASS_DATASETS, OPTIMIZER_NAMES,
                     REGULARIZATION_NAMES, Config, ConfigError)
from .model import Arch
from .session import Session
from .sweep import (SweepRun, cells_of, ensemble_summary, grid_configs, match_parameter_count, n_params, prepare,
                    seed_configs, take_prepared)

FRAME_SECONDS = 0.1  # the side-by-side fragment's period while it trains
PAINT_SECONDS = 0.3  # sweep and ensemble fragments: repaint the background run's latest snapshot this often
CHUNK = 25           # first chunk of epochs per fragment run: ~0.2 s for 24 spiral networks
CHUNK_SECONDS = 0.4  # later chunks are sized to train about this long: the grid fills in visibly, painting stays cheap
MAX_CHUNK = 200
MAX_NETWORKS = 96    # a bigger sweep would take minutes per hundred epochs
GRID = 40            # prediction grid per small multiple (40x40, drawn at 2x)
DEPTHS = tuple(range(0, MAX_LAYERS + 1))
WIDTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
EPOCHS = (50, 100, 200, 300, 500, 1000, 2000, 3000)
METRICS = ("test_accuracy", "test_loss", "train_accuracy", "train_loss")
PLAYGROUND_DATA = "the playground's data"
EXPERIMENTS = ("Sweep grid", "Side by side", "Seed ensemble")
SIDE_MAX = 4
SIDE_WIDGETS = ("layers", "activation", "optimizer", "lr", "reg", "reg_rate")  # one column's keys: side_<name>_<i>
SUCCESS_DEFAULT = 0.9


# --- small helpers (no widgets) ---------------------------------------------------------------------------------------

lab_component = st.components.v2.component("playground_lab_grid", html="", css=lab_view.LAB_VIEW_CSS,
                                           js=lab_view.LAB_VIEW_JS, isolate_styles=False)


def png_data_uri(rgb: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _playground_config() -> Config:
    return st.session_state.session.config


def describe(config: Config) -> str:
    """One line of what the networks share."""
    data = f"{config.dataset}" + (f" ({config.classes} classes)" if config.n_classes > 2 else "")
    return (f"{data}, noise {config.noise:g}, {config.points} points, features {', '.join(config.features)} · "
            f"{config.optimizer}, learning rate {config.learning_rate:g}, batch {config.batch_size}, "
            + (f"{config.regularization} regularization {config.regularization_rate:g}"
               if config.regularization != "none" else "no regularization") + f" · seed {config.seed}")


def short_name(config: Config) -> str:
    layers = ",".join(map(str, config.layers)) or "no hidden layer"
    text = f"[{layers}] {'/'.join(config.activation)} {config.optimizer} lr {config.learning_rate:g}"
    if config.regularization != "none" and config.regularization_rate > 0:
        text += f" {config.regularization} {config.regularization_rate:g}"
    return text


def parse_layers(text: str) -> tuple[int, ...]:
    """"8,8" -> (8, 8); "" or "0" -> (); raises ValueError with a readable message."""
    parts = [p.strip() for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if parts == ["0"]:
        return ()
    try:
        layers = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"'{text}' is not a list of whole numbers like 8,8") from None
    if len(layers) > MAX_LAYERS or any(not 1 <= w <= MAX_WIDTH for w in layers):
        raise ValueError(f"'{text}': at most {MAX_LAYERS} layers of 1 to {MAX_WIDTH} neurons")
    return layers


def _with_dataset(config: Config, dataset: str) -> Config:
    if dataset == PLAYGROUND_DATA or dataset == config.dataset:
        return config
    classes = config.classes if dataset in MULTICLASS_DATASETS else 2
    return config.replace(dataset=dataset, classes=classes)


def _head(config: Config) -> str:
    return Arch.from_config(config).head


def _elapsed(run: dict) -> float:
    return run.get("seconds") or time.monotonic() - run["start"]


def _stop(run):
    """A replaced background run stops after its chunk in progress."""
    if isinstance(run, SweepRun):
        run.stop()


def _timer_done(run: SweepRun, flag: str):
    """Called first in a background run's fragment: once the run has ended, rerun the whole page once, so that the
    fragment is drawn again without its timer (`flag` remembers that the timer was on)."""
    s = st.session_state
    if s.get(flag) and not run.running:
        s[flag] = False
        st.rerun()


def _advance(run: dict, step):
    """One fragment run of a live experiment: `step(epochs)` by a chunk; when the target is reached, stop and rerun
    the whole page once (that removes the timer). The chunk adapts so that training takes ~CHUNK_SECONDS per run:
    small sweeps repaint less often, big ones still show progress (the first call also compiles: not counted)."""
    if not run["running"]:
        return
    chunk = min(run.setdefault("chunk", CHUNK), run["target"] - run["epoch"])
    began = time.monotonic()
    step(chunk)
    seconds = time.monotonic() - began
    if run["epoch"] > 0 and chunk == run["chunk"]:
        run["chunk"] = int(np.clip(chunk * CHUNK_SECONDS / max(seconds, 1e-3), CHUNK // 2, MAX_CHUNK))
    run["epoch"] += chunk
    if run["epoch"] >= run["target"]:
        run["running"] = False
        run["seconds"] = time.monotonic() - run["start"]
        st.rerun()


def _status(run, what: str):
    """The status line of a side-by-side dict or a background `SweepRun`."""
    if isinstance(run, SweepRun):
        epoch, target, running, seconds = run.epoch, run.target, run.running, run.elapsed
    else:
        epoch, target, running, seconds = run["epoch"], run["target"], run["running"], _elapsed(run)
    state = f"finished in {seconds:.1f} s" if not running else f"training… {seconds:.1f} s"
    if isinstance(run, SweepRun) and run.compile_seconds is not None and run.compile_seconds >= 0.1:
        state += f" ({run.compile_seconds:.1f} s of it compiling)"
    st.markdown(f'<div class="lab-status" style="font-size:22px;font-weight:600">{what}: epoch {epoch:,} of '
                f'{target:,} · {state}</div>', unsafe_allow_html=True)
    if isinstance(run, SweepRun) and run.error:
        st.error(f"Training stopped: {run.error}")


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
    s.lab_sweep = SweepRun(take_prepared(configs) or configs, int(s.sweep_epochs), GRID)  # builds in its thread
    s.sweep_cell = 0


def sweep_section():
    s = st.session_state
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
    if s.get("lab_sweep_error"):
        st.error(s.lab_sweep_error)
    _prepare_planned_sweep()
    run = s.get("lab_sweep")
    if run is None:
        st.info("Choose depths, widths and activations, then press Run sweep: all networks train together and the "
                "grid fills in as they learn. Click any network's picture or heatmap cell to open it in the "
                "playground.")
        return
    s.lab_sweep_timer = run.running
    st.fragment(_sweep_live, run_every=PAINT_SECONDS if run.running else None)()
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
        prepare(grid_configs(_with_dataset(_playground_config(), s.sweep_dataset), depths, widths or [1],
                             activations), GRID)
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
    run = s.lab_sweep
    _timer_done(run, "lab_sweep_timer")
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
        message = lab_view.sweep_message(sweep.cells, snapshot.results, snapshot.grids, snapshot.test_loss,
                                         _head(sweep.configs[0]), d.points_train, d.y_train, d.extent, metric,
                                         snapshot.epoch, run.target)
        s.lab_message = cached = (snapshot, metric, message)
    lab_component(data=[cached[2]], key="lab_grid", on_open_change=_open_clicked_cell)
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


# --- 2. side by side --------------------------------------------------------------------------------------------------

def _side_presets(config: Config) -> list[Config]:
    """Column 1 is the playground's network; the others each change one thing, as suggestions to edit."""
    other = "relu" if config.activation[0] != "relu" else "tanh"
    l2 = config.replace(regularization="l2", regularization_rate=0.01) if config.regularization == "none" else \
        config.replace(regularization="none", regularization_rate=0.0)
    optimizer = "adam" if config.optimizer != "adam" else "sgd"
    return [config, config.replace(activation=(other,)),
            config.replace(optimizer=optimizer, learning_rate=0.01 if optimizer == "adam" else 0.03), l2]


def _side_from_playground(only_missing: bool = False):
    """Every column's widgets from the presets (or only those Streamlit dropped while they were not drawn)."""
    s = st.session_state
    for i, c in enumerate(_side_presets(_playground_config())):
        if only_missing and all(f"side_{name}_{i}" in s for name in SIDE_WIDGETS):
            continue
        s[f"side_layers_{i}"] = ",".join(map(str, c.layers))
        s[f"side_activation_{i}"] = c.activation[0]
        s[f"side_optimizer_{i}"] = c.optimizer
        s[f"side_lr_{i}"] = c.learning_rate
        s[f"side_reg_{i}"] = c.regularization
        s[f"side_reg_rate_{i}"] = c.regularization_rate


def side_configs(count: int, match: bool) -> list[Config]:
    """The columns' configs (raises ValueError or ConfigError with a readable message)."""
    s, base = st.session_state, _playground_config()
    configs = []
    for i in range(count):
        try:
            configs.append(base.replace(layers=parse_layers(s[f"side_layers_{i}"]),
                                        activation=(s[f"side_activation_{i}"],), dropout=base.dropout[:1],
                                        freeze=(), optimizer=s[f"side_optimizer_{i}"],
                                        learning_rate=float(s[f"side_lr_{i}"]),
                                        regularization=s[f"side_reg_{i}"],
                                        regularization_rate=float(s[f"side_reg_rate_{i}"])))
        except (ValueError, ConfigError) as err:
            raise ValueError(f"Configuration {i + 1}: {err}") from None
    if match:
        target = n_params(configs[0])
        configs = [configs[0]] + [match_parameter_count(c, target) for c in configs[1:]]
    return configs


def _start_side():
    s = st.session_state
    s.lab_side_error = None
    try:
        configs = side_configs(s.side_count, s.side_match)
    except ValueError as err:
        s.lab_side_error = str(err)
        return
    s.lab_side = {"sessions": [Session(c) for c in configs], "epoch": 0, "target": int(s.side_epochs),
                  "running": True, "start": time.monotonic(), "seconds": None}


def side_by_side_section():
    s = st.session_state
    _side_from_playground(only_missing=True)
    s.setdefault("side_count", 2)
    s.setdefault("side_match", False)
    s.setdefault("side_epochs", 500)
    top = st.columns([1, 1.3, 1.3, 1.3, 1.3], vertical_alignment="bottom")
    top[0].number_input("Configurations", 2, SIDE_MAX, step=1, key="side_count")
    top[1].checkbox("Match parameter counts to the first", key="side_match",
                    help="scales each configuration's layer widths so its parameter count comes closest")
    top[2].select_slider("Epochs", EPOCHS, key="side_epochs")
    top[3].button("Settings from the playground", key="side_from_playground", on_click=_side_from_playground)
    top[4].button("Train side by side", key="side_run", on_click=_start_side, type="primary", width="stretch")
    columns = st.columns(SIDE_MAX)
    for i in range(s.side_count):
        with columns[i]:
            st.markdown(f"**Configuration {i + 1}**")
            st.text_input("Hidden layers (widths)", key=f"side_layers_{i}", help="e.g. 8,8; empty for none")
            st.selectbox("Activation", ACTIVATION_NAMES, key=f"side_activation_{i}")
            st.selectbox("Optimizer", OPTIMIZER_NAMES, key=f"side_optimizer_{i}")
            st.select_slider("Learning rate", ui._options(ui.LEARNING_RATES, s[f"side_lr_{i}"]), key=f"side_lr_{i}")
            st.selectbox("Regularization", REGULARIZATION_NAMES, key=f"side_reg_{i}")
            st.select_slider("Regularization rate", ui._options(ui.REGULARIZATION_RATES, s[f"side_reg_rate_{i}"]),
                             key=f"side_reg_rate_{i}")
    try:
        planned = side_configs(s.side_count, s.side_match)
        st.caption("Parameters: " + " · ".join(f"{k + 1}: {n_params(c)} ([{','.join(map(str, c.layers))}])"
                                                for k, c in enumerate(planned)))
    except ValueError as err:
        st.warning(str(err))
    if s.get("lab_side_error"):
        st.error(s.lab_side_error)
    run = s.get("lab_side")
    if run is None:
        st.info("Edit the columns, then press Train side by side: all train the same number of epochs on the same "
                "data and seed.")
        return
    st.fragment(_side_live, run_every=FRAME_SECONDS if run["running"] else None)()


def _side_live():
    run = st.session_state.lab_side
    sessions = run["sessions"]
    _advance(run, lambda n: [session.advance(n) for session in sessions])
    _status(run, f"{len(sessions)} configurations")
    columns = st.columns(SIDE_MAX)
    for i, session in enumerate(sessions):
        h, d = session.history, session.dataset
        picture = png_data_uri(inside_figures.boundary_rgb(session.grid(100)[1], session.arch.head,
                                                           d.points_train, d.y_train, d.extent, scale=2))
        score = (f"test accuracy {100 * h.test_accuracy[-1]:.1f}%" if len(h.test_loss) and
                 session.config.problem == "classification" else
                 f"test loss {h.test_loss[-1]:.4f}" if len(h.test_loss) else "not trained yet")
        columns[i].markdown(f'<img class="lab-side" src="{picture}" style="width:200px;height:200px"><br>'
                            f"<b>{i + 1}</b>: {short_name(session.config)}<br>{session.arch.n_params} parameters · "
                            f"{score}" + (" · <b>diverged</b>" if session.diverged else ""), unsafe_allow_html=True)
    curves = {f"{i + 1}: {short_name(x.config)}": x.history.test_loss for i, x in enumerate(sessions)}
    curves |= {f"{i + 1} train": x.history.train_loss for i, x in enumerate(sessions)}
    st.plotly_chart(inside_figures.overlaid_loss_figure(curves, "Test loss (and train loss) of each configuration"),
                    key="side_losses")
    for i, session in enumerate(sessions):
        st.button(f"Open {i + 1} in playground", key=f"side_open_{i}", on_click=ui.open_in_playground,
                  args=(session.config,))


# --- 3. seed ensemble -------------------------------------------------------------------------------------------------

def _start_seeds():
    s = st.session_state
    s.lab_seeds_error = None
    config = _playground_config()
    try:
        configs = seed_configs(config, int(s.seeds_n))
    except (ValueError, ConfigError) as err:
        s.lab_seeds_error = f"This ensemble cannot run: {err}"
        return
    _stop(s.get("lab_seeds"))
    s.lab_seeds = SweepRun(configs, int(s.seeds_epochs), GRID)  # built and compiled in its thread


def seed_section():
    s = st.session_state
    s.setdefault("seeds_n", 8)
    s.setdefault("seeds_epochs", 500)
    s.setdefault("seeds_threshold", SUCCESS_DEFAULT)
    c = st.columns([1, 1.5, 1.5, 1.2], vertical_alignment="bottom")
    c[0].number_input("Seeds", 2, 32, step=1, key="seeds_n")
    c[1].select_slider("Epochs", EPOCHS, key="seeds_epochs")
    c[2].slider("Success: test accuracy at least", 0.5, 1.0, step=0.01, key="seeds_threshold")
    c[3].button("Run seeds", key="seeds_run", on_click=_start_seeds, type="primary", width="stretch")
    if s.get("lab_seeds_error"):
        st.error(s.lab_seeds_error)
    run = s.get("lab_seeds")
    if run is None:
        st.info("The playground's network, trained from N different initial weights (seeds 0, 1, …, N−1 added to its "
                "seed) on the same data: how often does it succeed, and where do the seeds disagree?")
        return
    s.lab_seeds_timer = run.running
    st.fragment(_seeds_live, run_every=PAINT_SECONDS if run.running else None)()


def _seeds_live():
    s = st.session_state
    run = s.lab_seeds
    _timer_done(run, "lab_seeds_timer")
    snapshot = run.snapshot  # first: once there is a snapshot, the sweep is built
    sweep = run.sweep
    config = run.configs[0]
    _status(run, f"{len(run.configs)} seeds of {short_name(config)}")
    if snapshot is None:
        return
    results = snapshot.results
    summary = ensemble_summary(results, s.seeds_threshold)
    m = st.columns(4)
    if "success_rate" in summary:
        m[0].metric(f"Success rate (test accuracy ≥ {100 * s.seeds_threshold:.0f}%)",
                    f"{100 * summary['success_rate']:.0f}%")
        m[1].metric("Test accuracy, mean ± std", f"{100 * summary['accuracy_mean']:.1f}% ± "
                                                  f"{100 * summary['accuracy_std']:.1f}")
        m[2].metric("Worst / best seed", f"{100 * summary['accuracy_min']:.1f}% / {100 * summary['accuracy_max']:.1f}%")
    m[3].metric("Test loss, mean ± std", f"{summary['loss_mean']:.3f} ± {summary['loss_std']:.3f}")
    grids = snapshot.grids  # (seeds, n, n, n_out)
    if grids.shape[-1] == 1:
        mean, spread = grids[..., 0].mean(0), grids[..., 0].std(0)
    else:  # k classes: the winning class of the mean, and the mean std over the class probabilities
        mean, spread = grids.mean(0).argmax(-1).astype(float), grids.std(0).mean(-1)
    d = sweep.dataset
    st.plotly_chart(inside_figures.ensemble_figure(mean, spread, d.extent, d.points_train, d.y_train,
                                                   config.n_classes), key="seeds_maps")
    left, right = st.columns(2)
    with left:
        if "success_rate" in summary:
            values = [r["test_accuracy"] for r in results]
            figure = inside_figures.accuracy_spread_figure(values, s.seeds_threshold, "Final test accuracy per seed")
        else:
            figure = inside_figures.accuracy_spread_figure([r["test_loss"] for r in results], None,
                                                           "Final test loss per seed")
        st.plotly_chart(figure, key="seeds_spread")
    with right:
        curves = {f"seed {c.seed}": loss for c, loss in zip(sweep.configs, snapshot.test_loss)}
        st.plotly_chart(inside_figures.overlaid_loss_figure(curves, "Test loss per seed"), key="seeds_losses")
