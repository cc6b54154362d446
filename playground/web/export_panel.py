"""The playground's "Save and export" panel and the learning-rate schedule's widgets.

Downloads are built only when clicked (a callable as the button's data, run in Streamlit's download thread), so a
page run pays nothing for them: the config as JSON and the link, the trained weights with their config (msgpack),
the output map as PNG, the training as an animated GIF (the replay snapshots) and a standalone Python script. A
weights file opened here replaces the network and its settings; a file that is not ours is refused with its reason,
shown as literal text, and nothing changes.
"""

from __future__ import annotations

import streamlit as st

from ..core.config import ConfigError, to_strings
from ..core.export import ExportError, config_json, link_query, load_weights, weights_bytes
from ..core.model import layers_of
from ..core.script import standalone_script
from ..figures import images
from . import playground_page as ui

SCHEDULE_LENGTHS = (50, 100, 200, 500, 1000, 2000, 5000, 10000)


def schedule_widgets():
    """The schedule and its length: traced knobs, so changing them while training runs recompiles nothing."""
    s = st.session_state
    kind, length = st.columns(2)
    kind.selectbox("Learning-rate schedule", ("constant", "step", "cosine", "warmup_cosine"), key="schedule",
                   help="step: halved every quarter of the length; cosine: down to 0 over the length; "
                        "warmup_cosine: up over its first tenth, then cosine. The rate of the epoch on screen is "
                        "shown beside the losses while playing.")
    length.select_slider("Schedule length (epochs)", ui._options(SCHEDULE_LENGTHS, s.schedule_epochs),
                         key="schedule_epochs", disabled=s.schedule == "constant")


# --- what the downloads contain (called in the download thread: no st.* calls, only the captured session) ---------

def _script_config(session):
    """The session's config with `epochs` = the epochs trained so far, so the script ends where the page is."""
    try:
        return session.config.replace(epochs=session.epoch or session.config.epochs)
    except ConfigError:  # more epochs than one CLI run may ask for: the config's own
        return session.config


def _downloads(session, loaded, show_test: bool, discretize: bool) -> dict:
    """label -> (callable giving the file's content, file name, MIME type, help)."""
    initial = loaded[1] if loaded is not None and loaded[0] == session.generation else None
    return {
        "Config (JSON)": (lambda: config_json(session.config), "playground-config.json", "application/json",
                          "every setting, in the link's string form"),
        "Weights (msgpack)": (lambda: weights_bytes(session.config, layers_of(session.params), session.epoch),
                              "playground-weights.msgpack", "application/octet-stream",
                              "the trained network with its settings (flax.serialization msgpack); open it below"),
        "Picture (PNG)": (lambda: images.png_bytes(session, show_test=show_test, discretize=discretize),
                          "playground-output.png", "image/png", "the output map and the points now"),
        "Training (GIF)": (lambda: images.gif_bytes(session), "playground-training.gif", "image/gif",
                           "the boundary forming, from the replay snapshots"),
        "Python script": (lambda: standalone_script(_script_config(session), session.dataset, initial),
                          "train_network.py", "text/x-python",
                          "rebuilds this data and network and trains it with JAX and optax alone, as many epochs "
                          "as trained here (changes made while training are not replayed)"),
    }


# --- opening a weights file ------------------------------------------------------------------------------------------

def _weights_opened():
    """Callback of the uploader: restore network and settings from the file, or keep everything and say why."""
    s = st.session_state
    upload = s.get("weights_file")
    s.weights_note = None
    if upload is None:
        return
    try:
        config, layers, epoch = load_weights(upload.getvalue())
    except ExportError as err:
        s.weights_note = ("error", str(err))
        return
    ui._state_from_config(config)
    session = s.session
    session.apply(config)
    session.set_weights(layers)
    s.loaded_weights = (session.generation, layers)
    st.query_params.from_dict(to_strings(config))
    s.weights_note = ("ok", f"{epoch:,}")


def _weights_note():
    note = st.session_state.get("weights_note")
    if note is None:
        return
    kind, text = note
    if kind == "error":
        st.error("That file was not loaded, and nothing changed. The reason:")
        st.text(text)  # literal: the reason may quote the file's own contents
    else:
        st.success(f"Loaded the network and its settings (trained {text} epochs). Press Play to go on from them.")


def export_panel():
    """The link, the downloads and opening a weights file, inside an expander whose content exists only when open."""
    s = st.session_state
    session = s.session
    panel = st.expander("Save and export", expanded=False, key="export_open", on_change="rerun")
    if not panel.open:
        # Drawn only when open: its st.code makes the browser load and run Streamlit's 1.5 MB syntax highlighter,
        # its downloads their own scripts, and a new page reveals its elements together once every element's
        # script has run, so the live view waited for them (0.5-0.7 s of browser CPU before its first paint).
        return
    with panel:
        st.markdown("The link that opens this setup (the address bar holds it too):")  # fixed text only
        st.code((st.context.url or "").split("?")[0] + link_query(session.config), language=None, wrap_lines=True)
        downloads = _downloads(session, s.get("loaded_weights"), s.show_test, s.discretize)
        for column, (label, (make, name, mime, help_text)) in zip(st.columns(len(downloads)), downloads.items()):
            column.download_button(label, make, file_name=name, mime=mime, help=help_text, on_click="ignore",
                                   key=f"download_{name}", width="stretch")
        st.file_uploader("Open a weights file (.msgpack saved here): restores the network and its settings",
                         key="weights_file", on_change=_weights_opened)
        _weights_note()
