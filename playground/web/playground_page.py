"""Streamlit widgets, session state and the live fragment. Nothing here trains or computes a picture itself.

Widgets are the source of truth for the config: every control has a stable key, its value lives in
`st.session_state[key]`, and `config_from_widgets()` reads them all into one `Config` per script run. Tuple fields
are assembled from one widget per item (`width_i`, `activation_i`, `feature_<name>`); seeds are kept under their own
keys and changed by the Reset and Regenerate callbacks.

The live view (`components.live_view`, key "live", inside the fragment `live_view_fragment`) owns Play, Pause, Step
and the speed: they act in the browser at once, and the server is told through the component's state value
`control`, a JSON object:

    {"playing": bool, "speed": 1|2|3|5|10|20|50|100|250, "shown": int, "last": int, "want": int, "run": str,
     "have": str, "seq": int, "fps": int, "restart": bool (optional)}

- Play: `"playing": true`. Each change of `control` reruns the fragment, which trains up to epoch `want` (at most
  `live_player.MAX_FRAMES` frames, `speed` epochs apart, and at most `live_player.BUDGET_S` of training: a heavy
  network gets fewer frames, or frames fewer epochs apart) and sends those frames; the browser sets a higher `want`
  whenever fewer than ~0.25 s of frames are left (more when the server answers slowly). `last` is the last epoch it
  holds: frames the server sent beyond it (a message lost to a page rerun) are sent again. Without a `want` field
  (a protocol-level client that only says "playing") the fragment reruns itself every FALLBACK_SECONDS (`run_every`)
  and each run sends `live_player.FALLBACK_FRAMES` frames.
- The top bar's knobs (learning rate, regularization and its rate) are drawn by a fragment around the live one
  (`_knobs_and_live_view`): moving one reruns it (and the live fragment inside), which applies the knob and answers
  with frames trained with it; a page run follows after those frames (a page run costs about 0.4 s before the live
  view gets its message). The browser asking for frames reruns the inner fragment alone, without the knobs.
- A new learning rate (any knob) while playing, or a new speed (`"restart": true`, sent once with the new
  `speed`): the server goes back to about the frame the page paints when the answer arrives (from `shown` and the
  page's frame rate `fps`) and trains on from there with the new knobs or speed (`live_player._catch_up`).
- Pause: `"playing": false, "shown": E, "want": E`: the server goes back to epoch E, the epoch on screen.
- Step: `"playing": false, "shown": E, "want": E + 1` (a target, so a repeated message trains once).
- `run` and `have` echo the header's `run` and `version` (see `live_view`); `seq` grows with every change. A
  `run` that is not the current one (the network was reset meanwhile) makes the server ignore `shown` and `want`.

Every message the component gets (its `data`) is a JSON list `[header, frame, ...]`; each frame carries its integer
epoch in `epoch`. Triggers: `edit` (one weight or bias typed in while paused), `arch` ({"layers": [widths]} from the
+ / - on the network), `pick` ({"dataset": name}, {"feature": name} or {"freeze": hidden layer from 1}: a layer's
header clicked), `draw` (points drawn on the output map, see `own_data.draw_values`), `painted` (a new page's live
view has painted: the rest of the page is drawn, see `first_paint`). Layer counts and widths stay
values, not clicks: a click that reaches the server twice cannot add two neurons.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

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
    from_query,
    to_link,
)
from ..core.session import Session
from ..core.train import enable_compilation_cache
from ..figures import curves as figures
from . import components, first_paint, gan_page, gc_tuning, live_feed, own_data, per_class, view_link
from .live_player import SPEEDS, LivePlayer

enable_compilation_cache()  # once per server process (module import): repeat shapes load from disk in ~0.3 s

FALLBACK_SECONDS = 0.25  # the fragment's own timer, only for a client that plays without asking for frames
LEARNING_RATES = (1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (1, 2, 5, 10, 20, 30, 50, 100, 250, 500, 1000, 2000)
DROPOUT_RATES = tuple(round(0.05 * k, 2) for k in range(19))  # 0 to 0.9, the field's bounds
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
    for i, rate in enumerate(config.layer_dropout):
        s[f"dropout_{i}"], s[f"freeze_{i}"] = rate, i + 1 in config.freeze
    s.freeze_out = len(config.layers) + 1 in config.freeze


def write_url(config: Config):
    """The address bar: the whole link (see `_link`)."""
    st.query_params.from_dict(_link(config))


def init_state():
    """Once per browser session: the config from the URL (bad values -> defaults with notes) and its Session.
    Later, only a config sent from the lab by `open_in_playground` replaces the session."""
    s = st.session_state
    if "pending_config" in s:
        config = s.pop("pending_config")
        _state_from_config(config)
        s.playing = False
        s.session = Session(config, bridge=True)
        write_url(config)
    if "session" in s:
        apply_pending_widgets()
        return
    classifier = gan_page.classifier_params(st.query_params)  # not the GAN tab's `gan.*` and `mode`
    query = {name: st.query_params.get_all(name) for name in classifier}
    view = {name: texts for name, texts in query.items() if name in view_link.names()}
    config, notes = from_query({name: texts for name, texts in query.items() if name not in view})
    _state_from_config(config)
    s.playing, s.speed, s.show_test, s.discretize = False, 1, False, False
    s.url_notes = notes + view_link.read(view)  # speed, test points, panels, the lab's choices
    s.link_speed = s.speed  # the live view starts at the link's speed
    s.player = LivePlayer()
    s.session = Session(config, bridge=True)
    write_url(config)


def open_in_playground(config: Config):
    """Callback (from the lab): show `config` in the Playground tab; `init_state` applies it on the run this starts."""
    st.session_state.pending_config = config
    st.session_state.page = "Playground"


def continue_in_playground(config: Config):
    """Callback (a lesson's transfer step): the running network goes on with `config`, keeping its trained weights
    where their shapes allow (new data included), paused; the widgets show `config`."""
    s = st.session_state
    s.keep_weights = True
    _state_from_config(config)
    s.playing = False
    s.session.apply(config, upload=s.get("upload"), keep_weights=True)
    s.page = "Playground"


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
    dropout = tuple(float(s.get(f"dropout_{i}", s.dropout)) for i in range(n)) or (float(s.dropout),)
    changes["dropout"] = dropout[:1] if len(set(dropout)) == 1 else dropout
    if s.dataset not in MULTICLASS_DATASETS and s.source == "generated":
        changes["classes"] = 2
    # a layer's freeze flag stays with its row, and the output layer's with the output, however many layers there are
    changes["freeze"] = tuple(i + 1 for i in range(n) if s.get(f"freeze_{i}")) + ((n + 1,) if s.freeze_out else ())
    try:
        return s.session.config.replace(**changes), None
    except ConfigError as err:
        return s.session.config, str(err)


def apply_config(config: Config):
    """Hand a changed config (or a newly uploaded file) to the session and put the config in the URL."""
    s = st.session_state
    session, upload = s.session, s.get("upload")
    if config != session.config or (upload is not None and upload is not session.upload):
        session.apply(config, upload=upload, keep_weights=s.get("keep_weights", False))
        write_url(config)


def _link(config: Config) -> dict:
    """The whole link: the config, the view settings (test points, panels, the lab's choices), an open lesson's
    or challenge's own parameters (`link_extra`) and the GAN tab's (`gan_link`, see `gan_page.sync_url`)."""
    s = st.session_state
    return to_link(config) | view_link.written() | s.get("link_extra", {}) | s.get("gan_link", {})


def sync_link():
    """At the end of a page run: the link follows the view settings too (test points, panels, the lab's choices)."""
    wanted = _link(st.session_state.session.config)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


# --- callbacks (run before the script, so they may set widget values) -------------------------------------------------

def control() -> dict:
    """The live view's `control` state (see the module docstring); {} before the browser has said anything."""
    state = st.session_state.get("live")
    value = state.get("control") if hasattr(state, "get") else getattr(state, "control", None)
    return value if isinstance(value, dict) else {}


def _trigger(name: str):
    state = st.session_state.get("live")
    return state.get(name) if hasattr(state, "get") else getattr(state, name, None)


def _edited():
    """The `edit` trigger: one weight or bias typed in on the paused network."""
    edit = _trigger("edit")
    s = st.session_state
    if isinstance(edit, dict):
        with s.session.lock:  # the player's checkpoints too (the frame route may be answering a late request)
            s.player.edit(s.session, edit, s.playing)


def _arch_clicked():
    """The `arch` trigger (+ / - on the network): the new hidden layer widths, set as the widgets' values."""
    arch = _trigger("arch")
    if not isinstance(arch, dict) or not isinstance(arch.get("layers"), list):
        return
    s = st.session_state
    widths = [max(1, min(MAX_WIDTH, int(w))) for w in arch["layers"][:MAX_LAYERS]]
    s.hidden_layers = len(widths)
    _layers_changed()
    values = {"hidden_layers": len(widths)} | {f"width_{i}": w for i, w in enumerate(widths)}
    values |= {f"activation_{i}": s[f"activation_{i}"] for i in range(len(widths))}
    _set_widgets(values)


def _picked():
    """The `pick` trigger: a data set preview, an input feature or a layer's header clicked on the live view.

    A feature or a header says the state wanted (`on`: what the live view showed, switched), never "switch": the
    trigger's message carries every widget's value as the browser last saw it, which may be from before the last
    click's page run, so switching what the settings held froze a layer again on a second click under load."""
    pick, s = _trigger("pick"), st.session_state
    if not isinstance(pick, dict):
        return
    on = pick.get("on")
    if pick.get("dataset") in PROBLEMS[s.problem]:
        _set_widgets({"dataset": pick["dataset"], "source": "generated"})
    elif pick.get("feature") in FEATURE_NAMES and isinstance(on, bool):
        _set_widgets({f"feature_{pick['feature']}": on})
    elif pick.get("freeze") in range(1, s.hidden_layers + 1) and isinstance(on, bool):  # a layer's header
        _set_widgets({f"freeze_{pick['freeze'] - 1}": on})


PENDING_SECONDS = 2.0  # how long a value set from the live view overrides what the browser says its widget holds


def _set_widgets(values: dict):
    """From a live-view callback: set widgets' values, train the new config at once, rerun the page to redraw them.

    While playing, the browser keeps sending the live view's state, each time with every widget's value as it last
    saw it; such a message sent before the page rerun reached it would put the old value back. So each full run in
    the next PENDING_SECONDS sets these values again before the widgets are drawn (`apply_pending_widgets`)."""
    s = st.session_state
    for key, value in values.items():
        s[key] = value
    s.pending_widgets = (time.monotonic() + PENDING_SECONDS, values)
    config, problem = config_from_widgets()
    if problem is None:
        apply_config(config)
    s.rerun_page = True


def apply_pending_widgets():
    """At the top of a page run: the values the live view set lately (see `_set_widgets`)."""
    until, values = st.session_state.get("pending_widgets", (0.0, {}))
    if time.monotonic() < until:
        for key, value in values.items():
            st.session_state[key] = value


def _drew():
    """The `draw` trigger: points added or erased on the output map, cleared, or back to the generated set."""
    values = own_data.draw_values(st.session_state, _trigger("draw"))
    if values is not None:
        _set_widgets(values)


def _reset():
    st.session_state.seed = (st.session_state.seed + 1) % 2**31


def _regenerate():
    st.session_state.data_seed = (st.session_state.data_seed + 1) % 2**31


def _problem_changed():
    st.session_state.dataset = PROBLEMS[st.session_state.problem][0]
    st.session_state.source = "generated"
    st.session_state.drawn = ""  # drawn for the other problem


def _dataset_changed():
    st.session_state.source = "generated"


def _all_activations():
    for i in range(MAX_LAYERS):
        st.session_state[f"activation_{i}"] = st.session_state.activation_all


def _all_dropout():
    for i in range(MAX_LAYERS):
        st.session_state[f"dropout_{i}"] = st.session_state.dropout


def _layers_changed():
    """New hidden layers take the last layer's width and the "all layers" activation. Streamlit forgets the widgets
    of layers that were not drawn, so from no hidden layer the last width is the one kept in `last_width`."""
    s = st.session_state
    widths = [s[f"width_{i}"] for i in range(MAX_LAYERS) if f"width_{i}" in s]  # the layers before this change
    s.last_width = widths[-1] if widths else s.get("last_width", 4)
    for i in range(s.hidden_layers):
        if f"width_{i}" not in s:
            s[f"width_{i}"], s[f"activation_{i}"] = s.last_width, s.activation_all
            s[f"dropout_{i}"], s[f"freeze_{i}"] = s.dropout, False


def _resume():
    """Back to the last finite state, with half the learning rate."""
    s = st.session_state
    s.session.resume_after_divergence()
    s.learning_rate = max(FIELDS["learning_rate"].metadata["bounds"][0], s.learning_rate / 2)


# --- widgets ----------------------------------------------------------------------------------------------------------

def _options(choices, current):
    """A slider's fixed choices plus the current value (which a URL may have set to anything in bounds)."""
    return sorted(set(choices) | {current})


def top_bar() -> tuple:
    """The top bar. Reset, the activation and the problem type change more than a knob: the page follows them. The
    learning rate and regularization are only placed here: a fragment around the live one draws them in these places
    (`knobs`), so moving one reruns those two fragments alone, which apply it and send frames trained with it in one
    answer (a page run took about 0.4 s before the first such frame)."""
    cols = st.columns([0.8, 2, 1.4, 1.4, 2, 1.5])
    cols[0].button("Reset", key="reset", on_click=_reset, width="stretch", help="new weights, same data")
    cols[2].selectbox("Activation", ACTIVATION_NAMES, key="activation_all", on_change=_all_activations,
                      help="of every hidden layer (each layer's own below)")
    cols[5].selectbox("Problem type", tuple(PROBLEMS), key="problem", on_change=_problem_changed)
    return cols[1], cols[3], cols[4]


TOP_BAR_KNOBS = ("learning_rate", "regularization", "regularization_rate")  # drawn by `knobs`


def knobs(places: tuple):
    """The top bar's knobs, drawn by the knobs' fragment in the places `top_bar` keeps for them."""
    s = st.session_state
    rate, regularization, regularization_rate = places
    rate.select_slider("Learning rate", _options(LEARNING_RATES, s.learning_rate), key="learning_rate")
    regularization.selectbox("Regularization", REGULARIZATION_NAMES, key="regularization")
    regularization_rate.select_slider("Regularization rate", _options(REGULARIZATION_RATES, s.regularization_rate),
                                      key="regularization_rate")


def _knob_moved():
    """In a fragment run: a top-bar knob was moved. It is applied at once (the run goes on, and the server goes back
    to the frame on screen, see `live_player._catch_up`); `knob_moved` tells the live fragment that the rest of the
    page follows after its frames. Only the knobs are read: other widgets' values in a fragment run may be the ones
    the browser last saw (see `_set_widgets`), and the page run applies those."""
    s = st.session_state
    config = s.session.config
    if all(s[name] == getattr(config, name) for name in TOP_BAR_KNOBS):
        return
    try:
        new = config.replace(**{name: s[name] for name in TOP_BAR_KNOBS})
    except ConfigError:
        return  # the page run says why
    apply_config(new)
    s.knob_moved = True


def data_panel():
    s = st.session_state
    st.markdown("**DATA**")
    st.selectbox("Data set", PROBLEMS[s.problem], key="dataset", on_change=_dataset_changed)
    st.selectbox("Classes", (2, 3, 4, 5), key="classes",
                 disabled=s.dataset not in MULTICLASS_DATASETS and s.source == "generated")
    st.slider("Number of points", 20, 2000, step=10, key="points", disabled=s.source != "generated",
              help="train and test together")
    st.slider("Noise", 0.0, 0.5, step=0.05, key="noise")
    st.slider("Ratio of training to test data", 0.1, 0.9, step=0.1, key="train_ratio")
    st.slider("Share of the second class", 0.05, 0.95, step=0.05, key="second_class_share",
              disabled=s.problem == "regression")
    st.select_slider("Batch size", _options(BATCH_SIZES, s.batch_size), key="batch_size")
    st.button("Regenerate data", key="regenerate", on_click=_regenerate)
    st.checkbox("Show test data", key="show_test")
    st.checkbox("Discretize output", key="discretize")


def features_panel():
    st.markdown("**FEATURES** (or click them on the network)")
    for name in FEATURE_NAMES:
        st.checkbox(name, key=f"feature_{name}")


def network_panel():
    """Layer count and widths are number inputs with +/- steppers: values, not clicks, so a click that reaches the
    server twice while the animation timer runs cannot add two neurons."""
    s = st.session_state
    count, optimizer = st.columns([1, 1])
    count.number_input("Hidden layers", 0, MAX_LAYERS, step=1, key="hidden_layers", on_change=_layers_changed)
    optimizer.selectbox("Optimizer", OPTIMIZER_NAMES, key="optimizer")
    st.markdown("Tick a layer's name to freeze it (its weights stop changing); a dropout rate per layer.")
    for i in range(s.hidden_layers):
        label, width, act, drop = st.columns([1, 1.1, 1.7, 1.1], vertical_alignment="center")
        label.checkbox(f"Layer {i + 1}", key=f"freeze_{i}", help="frozen: its weights and biases stay as they are")
        width.number_input(f"Neurons in layer {i + 1}", 1, MAX_WIDTH, step=1, key=f"width_{i}",
                           label_visibility="collapsed")
        act.selectbox(f"Activation {i + 1}", ACTIVATION_NAMES, key=f"activation_{i}", label_visibility="collapsed")
        rates = _options(DROPOUT_RATES, s.get(f"dropout_{i}", s.dropout))
        drop.selectbox(f"Dropout {i + 1}", rates, key=f"dropout_{i}", label_visibility="collapsed",
                       format_func=lambda r: f"dropout {r:g}")
    st.checkbox("Output layer", key="freeze_out", help="frozen: the output layer's weights stay as they are")
    drop, init, out = st.columns(3)
    drop.select_slider("Dropout (all layers)", _options(DROPOUT_RATES, s.dropout), key="dropout",
                       on_change=_all_dropout)
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

def _live_frame():
    """One run of the live view: train as the browser's `control` asks and send the frames (see the docstring)."""
    s = st.session_state
    _knob_moved()  # run by a knob's own fragment run, or by the next frame request if that run never came
    session, player = s.session, s.player
    with session.lock:  # the frame route (`live_feed`) serves this session's requests from other threads
        wanted = player.current(control())
        static = player.static(session, s.show_test, s.discretize, PROBLEMS[s.problem])
        static = static | {"speed": s.get("link_speed", 1)}  # constant per session: the version need not name it
        player.static_sent = static
        message = per_class.annotate(player.serve(session, wanted, static), session)  # rate, per-class view
    first_paint.mark(message)  # a new page: the browser says when it has painted, and the rest is drawn then
    if len(message) > 1 and session.epoch:
        gc_tuning.after_first_frames()  # once per process: the long-lived objects out of the collector's way
    playing = message[0]["playing"]
    if wanted.get("speed") in SPEEDS:
        s.speed = wanted["speed"]
    # a knob moved: the rest of the page (the link, a lesson's check, the export) follows in a page run, after
    # these frames while playing
    follows = playing != s.playing and (not playing or "want" not in wanted or _page_follows_play())
    rerun = follows or s.pop("rerun_page", False) or player.just_stopped or s.pop("knob_moved", False)
    s.playing = playing
    # Playing in a browser: rerun the page on the next fragment run (the browser asks again within ~0.2 s). A page
    # run started now would replace this run's message before the browser took it.
    later = rerun and playing and "want" in wanted
    if later:
        s.rerun_next = True
    page_run = not later and (rerun or s.pop("rerun_next", False))
    if playing and not page_run and live_feed.ready(s):  # the next requests may skip script runs (`live_feed`)
        message[0]["feed"] = live_feed.offer(s, get_script_run_ctx().session_id)
    components.live_view(data=message, key="live", on_control_change=_noop, on_edit_change=_edited,
                         on_arch_change=_arch_clicked, on_pick_change=_picked, on_draw_change=_drew,
                         on_painted_change=first_paint.painted)
    if page_run:
        s.pop("rerun_next", None)
        st.rerun()  # the whole page: widgets, inside panels and the fallback timer follow Play, Pause and the picks


def _page_follows_play() -> bool:
    """Does anything outside the live view change when Play is pressed? The open inside panels (pictures and timers
    while playing) and a chosen challenge (checked on a timer while playing) do. Without them a page run after Play
    would redraw the same page: ~0.2-0.3 s of a server core per student, and when a class presses Play together
    those runs delayed everyone's frames (bench_class). Pause still reruns the page: the link, the loss chart and a
    lesson's check follow the epoch it stopped at."""
    s = st.session_state
    return bool(s.get("inside_panels")) or bool(s.get("challenge_pick"))


def _noop():
    """Every change of `control` reruns the live fragment, which reads it; nothing to do before that."""


def _knobs_and_live_view(knob_places: tuple):
    """The knobs' fragment: the knobs, then the live fragment inside it. Moving a knob reruns both in one run (the
    answer carries frames trained with it); the browser asking for frames reruns the inner one alone."""
    knobs(knob_places)  # a moved knob is applied by the live fragment (`_knob_moved`), first thing
    s = st.session_state
    fallback = s.playing and "want" not in control()
    st.fragment(_live_frame, run_every=FALLBACK_SECONDS if fallback else None)()


def live_view_fragment(knob_places: tuple):
    """The live view, and the top bar's knobs in `knob_places`. The live view reruns when the browser asks for
    frames or a knob moves; its own timer runs only for a client that plays without asking (no `want` in
    `control`)."""
    st.fragment(_knobs_and_live_view)(knob_places)


def loss_chart():
    """Plotly loss and accuracy curves; drawn by full page runs (pause, step, any control), not every frame."""
    history = st.session_state.session.history
    if not len(history.train_loss):
        return  # no empty axes before the first epoch
    chart = st.expander("Loss and accuracy curves", expanded=False, key="loss_chart_open", on_change="rerun")
    if chart.open:  # built only when open: the figure cost about a fifth of every page run's server time
        with chart:
            st.plotly_chart(figures.loss_curves_figure(history), key="loss_chart")


def url_notes():
    """What the link asked for and did not get. The notes quote the link's values: shown as literal text only (a
    crafted link must not put links, images or words of its choosing inside the app's own warning)."""
    notes = st.session_state.get("url_notes", ())
    if notes:
        st.warning("Some settings of this link were not used:")
        st.text("\n".join(notes))

