"""The lab's "Side by side": up to four configurations that differ in any setting, each its own `Session`, trained
in lockstep in a background `runs.Run` (`runs.SideBySide`) whose latest snapshot a fragment paints."""

from __future__ import annotations

import streamlit as st

from ..core.config import ACTIVATION_NAMES, OPTIMIZER_NAMES, REGULARIZATION_NAMES, Config, ConfigError
from ..core.model import Arch
from ..core.runs import Run, SideBySide
from ..core.sweep import match_parameter_count, n_params, with_layers
from ..figures import inside as inside_figures
from . import playground_page as ui
from .lab_common import (EPOCHS, builder, _playground_config, _status, _stop, live_run, painted_run, parse_layers,
                         png_data_uri, short_name)

SIDE_MAX = 4
SIDE_GRID = 100  # each configuration's boundary picture
SIDE_WIDGETS = ("layers", "activation", "optimizer", "lr", "reg", "reg_rate")  # one column's keys: side_<name>_<i>


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
            shaped = with_layers(base, parse_layers(s[f"side_layers_{i}"]), (s[f"side_activation_{i}"],))
            configs.append(shaped.replace(optimizer=s[f"side_optimizer_{i}"],
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
    _stop(s.get("lab_side"))
    # built and trained in its thread
    s.lab_side = Run(configs, int(s.side_epochs), SIDE_GRID, build=builder(SideBySide))


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
    live_run("side", _side_live, "Edit the columns, then press Train side by side: all train the same number of epochs "
             "on the same data and seed.")


def _side_live():
    run = painted_run("side")
    _status(run, f"{len(run.configs)} configurations")
    snapshot = run.snapshot
    if snapshot is None:
        return
    d, columns = run.experiment.sessions[0].dataset, st.columns(SIDE_MAX)
    for i, (r, grid) in enumerate(zip(snapshot.results, snapshot.grids)):
        config = r["config"]
        picture = png_data_uri(inside_figures.boundary_rgb(grid, Arch.from_config(config).head, d.points_train,
                                                           d.y_train, d.extent, scale=2))
        score = (f"test accuracy {100 * r['test_accuracy']:.1f}%" if r["test_accuracy"] is not None else
                 f"test loss {r['test_loss']:.4f}" if r["test_loss"] is not None else "not trained yet")
        columns[i].markdown(f'<img class="lab-side" src="{picture}" style="width:200px;height:200px"><br>'
                            f"<b>{i + 1}</b>: {short_name(config)}<br>{r['params']} parameters · "
                            f"{score}" + (" · <b>diverged</b>" if r["diverged"] else ""), unsafe_allow_html=True)
    curves = {f"{i + 1}: {short_name(r['config'])}": loss for i, (r, loss) in
              enumerate(zip(snapshot.results, snapshot.test_loss))}
    curves |= {f"{i + 1} train": r["train_curve"] for i, r in enumerate(snapshot.results)}
    st.plotly_chart(inside_figures.overlaid_loss_figure(curves, "Test loss (and train loss) of each configuration"),
                    key="side_losses")
    for i, r in enumerate(snapshot.results):
        st.button(f"Open {i + 1} in playground", key=f"side_open_{i}", on_click=ui.open_in_playground,
                  args=(r["config"],))
