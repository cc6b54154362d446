"""The GAN tab: widgets, state, the link and the live fragment. Nothing here trains or computes a picture itself.

Every widget is keyed `gan_<field>` (the classifier's widgets use the bare field names, e.g. `seed`), its value lives
in session state, and `config_from_widgets()` reads them into one `GanConfig` per run. The run (`GanRun`) and its
player live in session state: one per browser session.

The live view (`components.gan_view`, key "gan_live") owns Play, Pause, Step, Step D, Step G and the speed; the
protocol is in `gan_player`'s docstring. Trigger `draw`: the points drawn on the canvas for the "drawn"
distribution, a flat list x1, y1, x2, y2, ...

The link: GAN fields changed from their defaults as `gan.<field>=value`, and `mode=gan` to open this tab, next to
the classifier's own parameters (which ignore these).
"""

from __future__ import annotations

import math

import streamlit as st

from ..core.config import ACTIVATION_NAMES, OPTIMIZER_NAMES, ConfigError, from_strings_lenient, parse_value, to_strings
from ..core.gan_config import (
    COLLAPSE,
    GAN_DEFAULT,
    GAN_FIELDS,
    LOSS_NAMES,
    MAX_DRAWN,
    NOISE_NAMES,
    REAL_NAMES,
    GanConfig,
)
from ..core.gan_data import n_modes
from ..core.gan_session import GanRun
from . import components
from .gan_player import GanPlayer

TAB = "GAN"
URL_PREFIX, URL_MODE = "gan.", ("mode", "gan")
LEARNING_RATES = (1e-5, 1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024)
WIDGETS = ("real", "loss", "d_steps", "batch_size", "noise", "noise_dim", "g_activation", "g_optimizer",
           "g_learning_rate", "d_activation", "d_optimizer", "d_learning_rate")
HELD = ("drawn", "real_points", "data_seed", "seed", "steps")  # buttons, the canvas or the link only
LAYER_FIELDS = ("g_layers", "d_layers")  # typed as comma lists, parsed by the config's parser
# A first drawing when "drawn" is picked with nothing drawn yet: a smile, so there is something to learn at once.
FIRST_DRAWING = (-1.5, 0.5, -1.0, -0.5, -0.5, -1.0, 0.0, -1.2, 0.5, -1.0, 1.0, -0.5, 1.5, 0.5, -0.8, 1.2, 0.8, 1.2)


def classifier_params(query) -> dict:
    """The link's parameters that are the classifier's: without this tab's `gan.*` and `mode`."""
    return {k: v for k, v in dict(query).items() if not k.startswith(URL_PREFIX) and k != URL_MODE[0]}


def _state_from_config(c: GanConfig):
    s = st.session_state
    for name in WIDGETS + HELD:
        s[f"gan_{name}"] = getattr(c, name)
    for name in LAYER_FIELDS:
        s[f"gan_{name}"] = ",".join(map(str, getattr(c, name)))


def init_state():
    """Once per browser session, before the classifier reads the link: this tab's config from the link (bad values
    fall back to defaults with a note), and the tab opened if the link says so."""
    s = st.session_state
    if "gan_first_config" in s:
        return
    query = dict(st.query_params)
    values = {k[len(URL_PREFIX):]: v for k, v in query.items() if k.startswith(URL_PREFIX)}
    config, notes = from_strings_lenient(values, GAN_DEFAULT)
    _state_from_config(config)
    s.gan_url_notes, s.gan_playing, s.gan_player = notes, False, GanPlayer()
    s.gan_first_config = config  # the run itself is made when the tab first opens (`_ensure_run`)
    if query.get(URL_MODE[0]) == URL_MODE[1]:
        s.page = TAB


def _ensure_run():
    """The GAN run, made on the tab's first opening: a visitor who never opens it pays nothing (its real samples, its
    first divergence estimate and the compilation of its probes)."""
    s = st.session_state
    if "gan_run" not in s:
        s.gan_run = GanRun(s.gan_first_config)


def _restore_widgets():
    """Streamlit drops the values of widgets a run did not draw (this tab closed): back from the run's config."""
    s = st.session_state
    config = s.gan_run.config
    for name in WIDGETS + HELD + LAYER_FIELDS:
        if f"gan_{name}" not in s:
            value = getattr(config, name)
            s[f"gan_{name}"] = ",".join(map(str, value)) if name in LAYER_FIELDS else value


def config_from_widgets() -> tuple[GanConfig, str | None]:
    """The config the widgets describe, or the running one and a reason if that is not possible."""
    s = st.session_state
    try:
        changes = {name: s[f"gan_{name}"] for name in WIDGETS + HELD}
        changes |= {name: parse_value(name, s[f"gan_{name}"], GanConfig) for name in LAYER_FIELDS}
        return s.gan_run.config.replace(**changes), None
    except ConfigError as err:
        return s.gan_run.config, str(err)


def apply_config(config: GanConfig):
    run = st.session_state.gan_run
    if config != run.config:
        run.apply(config)


def sync_url(open_: bool):
    """While this tab is open the link holds its config (`gan.*`) and `mode=gan`; closed, neither. Kept for
    `playground_page.sync_link`, which writes the whole link once per page run."""
    s = st.session_state
    config = s.gan_run.config if "gan_run" in s else s.gan_first_config
    wanted = {URL_PREFIX + k: v for k, v in to_strings(config, only_changed=True).items()} if open_ else {}
    if open_:
        wanted[URL_MODE[0]] = URL_MODE[1]
    s.gan_link = wanted


# --- callbacks --------------------------------------------------------------------------------------------------------

def open_config(config: GanConfig):
    """Callback (a GAN lesson's step): this tab opens with `config` as a new run, paused; the widgets show it."""
    s = st.session_state
    _state_from_config(config)
    if "gan_run" in s:
        s.gan_run = GanRun(config)
        s.gan_player.stopped_seq = int(_control().get("seq", 0))  # the browser's Play ends with the old run
    else:
        s.gan_first_config = config  # `_ensure_run` makes the run when the tab draws
    s.page = TAB


def _reset():
    st.session_state.gan_seed = (st.session_state.gan_seed + 1) % 2**31


def _collapse():
    """The documented mode-collapse setting (gan_config.COLLAPSE) on the 8-Gaussian ring."""
    _state_from_config(GAN_DEFAULT.replace(**{k: parse_value(k, v, GanConfig) for k, v in COLLAPSE.items()}))


def _defaults():
    _state_from_config(GAN_DEFAULT)


def _real_changed():
    s = st.session_state
    if s.gan_real == "drawn" and len(s.gan_drawn) < 6:
        s.gan_drawn = FIRST_DRAWING


def drawn_points(points) -> tuple[float, ...] | None:
    """The `draw` trigger's value checked: x1, y1, ... of 3 to MAX_DRAWN points, clipped to the plane; else None."""
    if not isinstance(points, list) or not 6 <= len(points) <= 2 * MAX_DRAWN or len(points) % 2:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in points):
        return None
    return tuple(round(max(-3.0, min(3.0, float(v))), 3) for v in points)


def _drawn():
    """The `draw` trigger: the points drawn on the canvas replace the drawn distribution."""
    state = st.session_state.get("gan_live")
    drawn = drawn_points(state.get("draw") if hasattr(state, "get") else getattr(state, "draw", None))
    if drawn is None:
        return
    s = st.session_state
    s.gan_drawn, s.gan_real = drawn, "drawn"
    config, problem = config_from_widgets()
    if problem is None:
        apply_config(config)


# --- widgets ----------------------------------------------------------------------------------------------------------

def _options(choices, current):
    return sorted(set(choices) | {current})


def top_bar():
    s = st.session_state
    cols = st.columns([0.7, 1.2, 1.3, 1.2, 1.4, 1.1, 0.8])
    cols[0].button("Reset", key="gan_reset", on_click=_reset, width="stretch", help="new weights, same data")
    cols[1].selectbox("Real distribution", REAL_NAMES, key="gan_real", on_change=_real_changed,
                      help="'drawn': click on the plane to draw your own")
    cols[2].selectbox("Loss", LOSS_NAMES, key="gan_loss", help=GAN_FIELDS["loss"].metadata["help"])
    cols[3].select_slider("D steps per G step (k)", list(range(1, 11)), key="gan_d_steps")
    cols[4].select_slider("Batch size", _options(BATCH_SIZES, s.gan_batch_size), key="gan_batch_size")
    cols[5].button("Show mode collapse", key="gan_collapse", on_click=_collapse, width="stretch",
                   help="the original minimax loss and a tiny generator (4 neurons, 1-D noise) on the ring")
    cols[6].button("Defaults", key="gan_defaults", on_click=_defaults, width="stretch")


def _network_column(prefix: str, title: str):
    s = st.session_state
    st.markdown(f"**{title}**")
    st.text_input("Hidden layers (widths, comma separated)", key=f"gan_{prefix}_layers")
    a, o = st.columns(2)
    a.selectbox("Activation", ACTIVATION_NAMES, key=f"gan_{prefix}_activation")
    o.selectbox("Optimizer", OPTIMIZER_NAMES, key=f"gan_{prefix}_optimizer")
    st.select_slider("Learning rate", _options(LEARNING_RATES, s[f"gan_{prefix}_learning_rate"]),
                     key=f"gan_{prefix}_learning_rate")


def settings():
    g, d, about = st.columns([1, 1, 1.2], gap="large")
    with g:
        _network_column("g", "GENERATOR: noise → point")
        n, k = st.columns(2)
        n.selectbox("Noise", NOISE_NAMES, key="gan_noise")
        k.selectbox("Noise dimension", (1, 2), key="gan_noise_dim")
    with d:
        _network_column("d", "DISCRIMINATOR: point → real or fake")
    return about


def scores():
    """Modes covered and the divergence, measured on the server at page runs (Pause, Step, any control)."""
    run = st.session_state.gan_run
    st.markdown("**SCORES** (at the step shown when paused)")
    modes = run.modes_covered()
    if modes is not None:
        st.metric("Modes covered (≥ 2% of 2,000 samples within 3 σ)", f"{modes} of {n_modes(run.config.real)}")
    st.caption(f"Step {run.step:,} · divergence estimate (Jensen-Shannon, histogram) "
               f"{run.history.divergence[-1]:.3f} (0 = same, 0.693 = disjoint)")


def notices(problem: str | None):
    for note in st.session_state.get("gan_url_notes", ()):
        st.warning("A GAN setting in the link was ignored:")
        st.text(note)
    if problem:
        st.warning("That combination is not possible; keeping the previous settings:")
        st.text(problem)
    run = st.session_state.gan_run
    if run.diverged:
        st.error(f"Training diverged at step {run.step:,}: a loss or weight stopped being finite. Lower the learning "
                 "rates, or press Reset. Training is paused on the last good state.")


# --- the live part ----------------------------------------------------------------------------------------------------

def _control() -> dict:
    state = st.session_state.get("gan_live")
    value = state.get("control") if hasattr(state, "get") else getattr(state, "control", None)
    return value if isinstance(value, dict) else {}


def _live_frame():
    s = st.session_state
    wanted = _control()
    message = s.gan_player.serve(s.gan_run, wanted)
    playing = message[0]["playing"]
    components.gan_view(data=message, key="gan_live", on_control_change=_noop, on_draw_change=_drawn)
    rerun = playing != s.gan_playing
    s.gan_playing = playing
    if rerun and playing:
        s.gan_rerun_next = True  # a page run now would replace this message before the browser took it
    elif rerun or s.pop("gan_rerun_next", False):
        s.pop("gan_rerun_next", None)
        st.rerun()  # the whole page: the scores follow Pause and Step


def _noop():
    """Every change of `control` reruns the live fragment, which reads it."""


def live_view_fragment():
    st.fragment(_live_frame)()


def gan_page():
    """The tab, top to bottom."""
    _ensure_run()
    _restore_widgets()
    top_bar()
    live = st.container()
    st.markdown("#### The two networks")
    about = settings()
    config, problem = config_from_widgets()
    apply_config(config)
    with about:
        scores()
    with live:
        notices(problem)
        live_view_fragment()
