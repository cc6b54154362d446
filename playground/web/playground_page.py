"""Streamlit widgets, session state and the live fragment. Nothing here trains or computes a picture itself.

Widgets are the source of truth for the config: every control has a stable key, its value lives in
`st.session_state[key]`, and `config_from_widgets()` reads them all into one `Config` per script run. Tuple fields
are assembled from one widget per item (`width_i`, `activation_i`, `feature_<name>`); seeds are kept under their own
keys and changed by the Reset and Regenerate callbacks.

Callbacks are idempotent where they can be: while the animation timer runs, Streamlit can deliver one click together
with a fragment run, so Play sets a value instead of toggling and Step only pauses when playing.
"""

from __future__ import annotations

import streamlit as st

from ..core.config import (
    ACTIVATION_NAMES,
    CLASSIFICATION_DATASETS,
    FEATURE_NAMES,
    FIELDS,
    INIT_NAMES,
    MAX_LAYERS,
    MAX_WIDTH,
    MULTICLASS_DATASETS,
    OPTIMIZER_NAMES,
    OUTPUT_NAMES,
    REGRESSION_DATASETS,
    REGULARIZATION_NAMES,
    Config,
    ConfigError,
    fields_with_widget,
    from_strings_lenient,
    to_strings,
)
from ..core.session import Session
from ..core.train import enable_compilation_cache
from ..figures import curves as figures
from . import components, live_view

enable_compilation_cache()  # once per server process (module import): repeat shapes load from disk in ~0.3 s

FRAME_SECONDS = 0.05  # at most 20 painted frames per second
FRAMES_PER_RUN = 2    # painted frames per live fragment run: Streamlit's own cost per run (~8 ms) is shared
SPEEDS = (1, 2, 3, 5, 10, 20, 50, 100, 250)  # epochs per frame; 250 fits one engine call (CAPACITY 256)
LEARNING_RATES = (1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (1, 2, 5, 10, 20, 30, 50, 100, 250, 500, 1000, 2000)
PROBLEMS = {"classification": CLASSIFICATION_DATASETS, "regression": REGRESSION_DATASETS}
# Config fields that are exactly one widget, keyed by the field's name (each field declares its widget).
WIDGET_FIELDS = fields_with_widget("select", "slider", "select_slider")
# Config fields kept in session state but changed by buttons or only by the link, not by one widget.
HELD_FIELDS = fields_with_widget("button", None)



# --- state ------------------------------------------------------------------------------------------------------------

def _state_from_config(config: Config):
    """Write every widget's and held value from `config` (before the widgets are drawn)."""
    s = st.session_state
    for name in WIDGET_FIELDS + HELD_FIELDS:
        s[name] = getattr(config, name)
    s.problem = config.problem
    for name in FEATURE_NAMES:
        s[f"feature_{name}"] = name in config.features
    s.hidden_layers = len(config.layers)
    for i, (width, act) in enumerate(zip(config.layers, config.layer_activations)):
        s[f"width_{i}"], s[f"activation_{i}"] = width, act
    s.activation_all = config.activation[0]
    s.dropout = max(config.dropout)


def init_state():
    """Once per browser session: the config from the URL (bad values -> defaults with notes) and its Session.
    Later, only a config sent from the lab by `open_in_playground` replaces the session."""
    s = st.session_state
    if "pending_config" in s:
        config = s.pop("pending_config")
        _state_from_config(config)
        s.playing = False
        s.session = Session(config, bridge=True)
        st.query_params.from_dict(to_strings(config))
    if "session" in s:
        return
    config, notes = from_strings_lenient(dict(st.query_params))
    _state_from_config(config)
    s.url_notes = notes
    s.playing, s.speed, s.show_test, s.discretize = False, 1, False, False
    s.session = Session(config, bridge=True)
    st.query_params.from_dict(to_strings(config))


def open_in_playground(config: Config):
    """Callback (from the lab): show `config` in the Playground tab; `init_state` applies it on the run this starts."""
    st.session_state.pending_config = config
    st.session_state.page = "Playground"


def config_from_widgets() -> tuple[Config, str | None]:
    """The config the widgets describe, or the running one and a reason if that combination is invalid."""
    s = st.session_state
    n = s.hidden_layers
    layers = tuple(int(s.get(f"width_{i}", 4)) for i in range(n))
    activations = tuple(s.get(f"activation_{i}", s.activation_all) for i in range(n)) or (s.activation_all,)
    if len(set(activations)) == 1:
        activations = activations[:1]
    changes = {name: s[name] for name in WIDGET_FIELDS + HELD_FIELDS}
    changes["layers"] = layers
    changes["features"] = tuple(f for f in FEATURE_NAMES if s[f"feature_{f}"])
    changes["activation"] = activations
    changes["dropout"] = (float(s.dropout),)
    if s.dataset not in MULTICLASS_DATASETS:
        changes["classes"] = 2
    changes["freeze"] = tuple(k for k in s.freeze if k <= n + 1)
    try:
        return s.session.config.replace(**changes), None
    except ConfigError as err:
        return s.session.config, str(err)


def apply_config(config: Config):
    """Hand a changed config to the session and put it in the URL."""
    session = st.session_state.session
    if config != session.config:
        session.apply(config)
        st.session_state.changed = True  # the next live run paints one frame: the change shows sooner
        st.query_params.from_dict(to_strings(config))


# --- callbacks (run before the script, so they may set widget values) -------------------------------------------------

def _set_playing(playing: bool):
    # Idempotent, not a toggle: a click that Streamlit delivers twice (once with a timer-driven fragment run) must
    # not cancel itself.
    st.session_state.playing = playing


def _step():
    """One epoch when paused; while playing it only pauses (a click may reach the server twice while the timer runs,
    and Step must never train two epochs)."""
    if st.session_state.playing:
        st.session_state.playing = False
    else:
        st.session_state.session.advance(1)


def _reset():
    st.session_state.seed = (st.session_state.seed + 1) % 2**31


def _regenerate():
    st.session_state.data_seed = (st.session_state.data_seed + 1) % 2**31


def _problem_changed():
    st.session_state.dataset = PROBLEMS[st.session_state.problem][0]


def _all_activations():
    for i in range(MAX_LAYERS):
        st.session_state[f"activation_{i}"] = st.session_state.activation_all


def _layers_changed():
    """New hidden layers take the last layer's width and the "all layers" activation. Streamlit forgets the widgets
    of layers that were not drawn, so from no hidden layer the last width is the one kept in `last_width`."""
    s = st.session_state
    widths = [s[f"width_{i}"] for i in range(MAX_LAYERS) if f"width_{i}" in s]  # the layers before this change
    s.last_width = widths[-1] if widths else s.get("last_width", 4)
    for i in range(s.hidden_layers):
        if f"width_{i}" not in s:
            s[f"width_{i}"], s[f"activation_{i}"] = s.last_width, s.activation_all


def _resume():
    """Back to the last finite state, with half the learning rate."""
    s = st.session_state
    s.session.resume_after_divergence()
    s.learning_rate = max(FIELDS["learning_rate"].metadata["bounds"][0], s.learning_rate / 2)


# --- widgets ----------------------------------------------------------------------------------------------------------

def _options(choices, current):
    """A slider's fixed choices plus the current value (which a URL may have set to anything in bounds)."""
    return sorted(set(choices) | {current})


def top_bar():
    """Run controls and the knobs that act while training runs."""
    s = st.session_state
    cols = st.columns([1, 1, 1, 2, 2, 1.5, 1.5, 2, 1.8])
    cols[0].button("Pause" if s.playing else "Play", key="play", on_click=_set_playing, args=(not s.playing,),
                   type="primary",
                   width="stretch")
    cols[1].button("Step", key="step", on_click=_step, width="stretch", help="train exactly one epoch")
    cols[2].button("Reset", key="reset", on_click=_reset, width="stretch", help="new weights, same data")
    cols[3].select_slider("Speed (epochs per frame)", SPEEDS, key="speed")
    cols[4].select_slider("Learning rate", _options(LEARNING_RATES, s.learning_rate), key="learning_rate")
    cols[5].selectbox("Optimizer", OPTIMIZER_NAMES, key="optimizer")
    cols[6].selectbox("Regularization", REGULARIZATION_NAMES, key="regularization")
    cols[7].select_slider("Regularization rate", _options(REGULARIZATION_RATES, s.regularization_rate),
                          key="regularization_rate")
    cols[8].selectbox("Problem type", tuple(PROBLEMS), key="problem", on_change=_problem_changed)


def data_panel():
    s = st.session_state
    st.markdown("**DATA**")
    names = PROBLEMS[s.problem]
    st.image([live_view.dataset_preview(n, s.classes) for n in names], caption=list(names), width=64)
    st.selectbox("Data set", names, key="dataset")
    st.selectbox("Classes", (2, 3, 4, 5), key="classes", disabled=s.dataset not in MULTICLASS_DATASETS)
    st.slider("Noise", 0.0, 0.5, step=0.05, key="noise")
    st.slider("Ratio of training to test data", 0.1, 0.9, step=0.1, key="train_ratio")
    st.slider("Share of the second class", 0.05, 0.95, step=0.05, key="second_class_share",
              disabled=s.problem == "regression")
    st.select_slider("Batch size", _options(BATCH_SIZES, s.batch_size), key="batch_size")
    st.button("Regenerate data", key="regenerate", on_click=_regenerate)
    st.checkbox("Show test data", key="show_test")
    st.checkbox("Discretize output", key="discretize")


def features_panel():
    st.markdown("**FEATURES**")
    for name in FEATURE_NAMES:  # each toggle beside the feature's own map over the plane
        picture, toggle = st.columns([1, 2], vertical_alignment="center")
        picture.image(live_view.feature_thumbnail(name), width=36)
        toggle.checkbox(name, key=f"feature_{name}")


def network_panel():
    """Layer count and widths are number inputs with +/- steppers: values, not clicks, so a click that reaches the
    server twice while the animation timer runs cannot add two neurons."""
    s = st.session_state
    count, every = st.columns([1, 1])
    count.number_input("Hidden layers", 0, MAX_LAYERS, step=1, key="hidden_layers", on_change=_layers_changed)
    every.selectbox("Activation, all layers", ACTIVATION_NAMES, key="activation_all", on_change=_all_activations)
    for i in range(s.hidden_layers):
        label, width, act = st.columns([0.8, 1.2, 2], vertical_alignment="center")
        label.markdown(f"Layer {i + 1}")
        width.number_input(f"Neurons in layer {i + 1}", 1, MAX_WIDTH, step=1, key=f"width_{i}",
                           label_visibility="collapsed")
        act.selectbox(f"Activation {i + 1}", ACTIVATION_NAMES, key=f"activation_{i}", label_visibility="collapsed")
    drop, init, out = st.columns(3)
    drop.slider("Dropout", 0.0, 0.9, step=0.05, key="dropout")
    init.selectbox("Initialisation", INIT_NAMES, key="init")
    out.selectbox("Output", OUTPUT_NAMES, key="output")


def divergence_notice():
    """Plain words and a way back when the loss became NaN or infinite."""
    session = st.session_state.session
    if not session.diverged:
        return
    st.error(f"Training diverged at epoch {session.epoch:,}: the loss became infinite. The learning rate "
             f"({session.config.learning_rate:g}) is probably too high for this network, or the initial weights "
             f"('{session.config.init}') are too large. Training is paused on the last good state.")
    st.button("Go back to the last good state with half the learning rate", key="resume", on_click=_resume)


# --- the live part ----------------------------------------------------------------------------------------------------

def _status_line(session) -> str:
    h = session.history
    text = f"Epoch {session.epoch:,}"
    if len(h.train_loss):
        text += f" · train loss {h.train_loss[-1]:.3f} · test loss {h.test_loss[-1]:.3f}"
        if session.config.problem == "classification":
            text += f" · test accuracy {100 * h.test_accuracy[-1]:.1f}%"
    if session.bridging:
        text += " · (compiling this network; training on the padded one meanwhile)"
    return text


def _live_frame():
    """One run of the animation: while playing, FRAMES_PER_RUN times advance by `speed` epochs and take a frame;
    then the status line and the canvas, which paints the frames FRAME_SECONDS apart."""
    s = st.session_state
    session = s.session
    frames = [] if s.playing else [live_view.frame(session, s.show_test, s.discretize)]
    count = 1 if s.pop("changed", False) else FRAMES_PER_RUN
    while s.playing and len(frames) < count:
        session.advance(s.speed)
        if session.diverged:
            s.playing = False
            st.rerun()  # the whole page: stops the timer, shows the divergence notice and the Play label
        frames.append(live_view.frame(session, s.show_test, s.discretize, whole=not frames))
    st.markdown(f'<div style="font-size:26px;font-weight:600">{_status_line(session)}</div>', unsafe_allow_html=True)
    # A list, not a dict: Streamlit checks every top-level value of a dict for a dataframe (~3 ms a run).
    components.live_view(data=[round(1000 * FRAME_SECONDS), *frames], key="live")


def live_view_fragment():
    """The animated part of the page; it repaints itself while playing, and only then."""
    period = FRAME_SECONDS * FRAMES_PER_RUN if st.session_state.playing else None
    st.fragment(_live_frame, run_every=period)()


def loss_chart():
    """Plotly loss and accuracy curves; drawn by full page runs (pause, step, any control), not every frame."""
    with st.expander("Loss and accuracy curves", expanded=not st.session_state.playing):
        st.plotly_chart(figures.loss_curves_figure(st.session_state.session.history), key="loss_chart")


def url_notes():
    for note in st.session_state.get("url_notes", ()):
        st.warning(f"Link setting ignored: {note}")

