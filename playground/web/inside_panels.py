"""The 'see inside the network' panels: gradient flow, layer spaces, saliency, statistics, landscape, activations,
replay. Nothing here computes a picture itself: `analysis` and `probes` compute, `inside_figures` draws.

A multiselect (key "inside_panels") chooses the open panels; none by default, so the page costs what it did. Each
open panel is a fragment of its own that repaints every 1-4 s while playing (PANEL_SECONDS, by its cost; the canvas
repaints every 0.05 s in its own fragment) and once per full page run when paused. While playing, the four heaviest
(layer spaces, saliency, activation statistics, replay) are pictures (`figures.panel_images`): a plotly chart is
rebuilt from scratch in the browser at every repaint, on the main thread the live view paints on.
"""

from __future__ import annotations

import streamlit as st

from ..core import analysis, probes
from ..core.model import layers_of, params_from_layers
from ..figures import inside as figs
from ..figures import panel_images

REPLAY_GRID = 60     # replayed boundary resolution
PANELS = ("Gradient flow", "Layer spaces", "Saliency", "Activation statistics", "Loss landscape",
          "Activation functions", "Replay")


# --- per-network state: fixed projections and landscape directions, kept until the network is reset ----------------

def _network_cache() -> dict:
    """A dict kept in session state for as long as the same network trains; emptied on reset or new data.

    A network is known by its first snapshot (epoch 0's weights): `Session.reset` starts a new snapshot list and
    thinning keeps the first entry, so `is` on it tells a new network from the running one."""
    s, session = st.session_state, st.session_state.session
    first = session.snapshots[0]
    if s.get("inside_network") is not first:
        s.inside_network, s.inside_cache = first, {}
    return s.inside_cache


def _landscape_probe(session):
    cache = _network_cache()
    if "probe" not in cache:
        cache["probe"] = analysis.LandscapeProbe(session.arch, layers_of(session.params))  # scaled to the weights now
    return cache["probe"]


def _picture(container, png: bytes, note: bool = True, width="stretch"):
    """While training runs, the heavy panels are pictures (`figures.panel_images`: a plotly chart is rebuilt from
    scratch on every repaint, on the main thread the live view paints on); paused, their interactive figures."""
    container.image(png, width=width)
    if note:
        container.caption("A picture while training runs; pause for the interactive chart.")


def _chart(container, figure, key: str, **kw):
    """A plotly chart; while playing a static one (no hover, zoom or click layers), which the browser redraws faster."""
    container.plotly_chart(figure, key=key, config={"staticPlot": bool(st.session_state.playing)}, **kw)


# --- the panels -------------------------------------------------------------------------------------------------------

def _gradient_history(session) -> list:
    """(epoch, per-layer gradient norms) for every kept snapshot and every earlier refresh of this panel, so that the
    curve covers the run from epoch 0 even when the panel opens late. Each snapshot is probed once."""
    cache = _network_cache()
    known = cache.get("gradients", {})  # epoch -> norms
    x, y = session.data.x_train, session.data.y_train
    session.gradient_norms()  # now; also kept in session.gradient_history
    done = dict(session.gradient_history)
    for epoch, layers in session.snapshots:  # only the kept ones: thinned snapshots drop out of the curve too
        done[epoch] = known.get(epoch)
        if done[epoch] is None:
            done[epoch] = probes.gradient_norms(session.arch, params_from_layers(layers), x, y)
    cache["gradients"] = done
    return sorted(done.items(), key=lambda item: item[0])


def gradient_flow(session):
    _chart(st, figs.gradient_flow_figure(_gradient_history(session)), key="inside_gradient_flow")
    st.caption("The gradient norm of each weight layer over the epochs. Lines far below the others mean those "
               "layers barely learn (vanishing gradients: try ReLU with He initialisation).")


def layer_spaces(session):
    cache, d = _network_cache(), session.dataset
    spaces, cache["projections"] = analysis.layer_spaces(session.arch, session.params, session.config.features,
                                                         d.points_train, d.extent, cache.get("projections"))
    if st.session_state.playing:
        _picture(st, panel_images.layer_spaces_png(spaces, d.y_train, session.config.n_classes))
    else:
        _chart(st, figs.layer_spaces_figure(spaces, d.y_train, session.config.n_classes), key="inside_layer_spaces")
    st.caption("Each layer's view of the training points and of the input plane's grid: exact for layers of one or "
               "two neurons, else a projection fixed when the network was created.")


def _pick_point():
    """A click on a training point in the saliency map sets the point whose contributions are shown."""
    points = st.session_state.inside_saliency.selection.points
    if points:
        st.session_state.saliency_x = round(float(points[0]["x"]), 2)
        st.session_state.saliency_y = round(float(points[0]["y"]), 2)


def saliency(session):
    c, d = session.config, session.dataset
    s = st.session_state
    s.setdefault("saliency_x", 1.0)
    s.setdefault("saliency_y", 1.0)
    heat = analysis.saliency_on_grid(session.arch, session.params, c.features, d.extent)
    shown = (d.points_train, d.y_train) if c.n_classes else (None, None)
    playing = st.session_state.playing
    left, right = st.columns([1.3, 1])
    if playing:
        _picture(left, panel_images.saliency_png(heat, d.extent, *shown), width="content")
    else:
        _chart(left, figs.saliency_figure(heat, d.extent, *shown), key="inside_saliency", on_select=_pick_point,
               selection_mode="points")
    x_in, y_in = right.columns(2)
    x = x_in.number_input("Point x1", -d.extent, d.extent, step=0.5, key="saliency_x")
    y = y_in.number_input("Point x2", -d.extent, d.extent, step=0.5, key="saliency_y")
    contributions = analysis.feature_contributions(session.arch, session.params, c.features, (x, y))
    if playing:
        _picture(right, panel_images.contributions_png(contributions, (x, y)), note=False, width="content")
    else:
        _chart(right, figs.contributions_figure(contributions, (x, y)), key="inside_contributions")
    right.caption("Click a training point on the map, or type a point, to see how much each input feature pushed "
                  "the decision there (gradient × input).")


def activation_statistics(session):
    stats = analysis.activation_statistics(session.arch, session.params, session.data.x_train)
    if not stats:
        st.info("This network has no hidden layers.")
        return
    if st.session_state.playing:
        _picture(st, panel_images.activation_statistics_png(stats))
    else:
        _chart(st, figs.activation_statistics_figure(stats), key="inside_statistics")
    hints = [s.hint for s in stats if s.hint]
    for hint in hints:
        st.warning(hint)
    if not hints:
        st.info("No dead ReLU neurons and no saturated layers.")


def loss_landscape(session):
    probe, data = _landscape_probe(session), session.data
    trajectory = [layers for _, layers in session.snapshots]
    surface = probe.slice_2d(session.params, data.x_train, data.y_train, trajectory=trajectory)
    line = probe.slice_1d(session.params, data.x_train, data.y_train)
    _chart(st, figs.landscape_figure(surface, line), key="inside_landscape")
    st.caption("Training loss around the current weights (red ×) along two random filter-normalised directions, "
               "fixed for this network; the white path is the training run's snapshots projected on them.")


def activation_functions(session):
    curves = analysis.activation_curves(session.config.layer_activations)
    _chart(st, figs.activation_curves_figure(curves), key="inside_activations")


def _snap_replay(epochs: list[int]):
    """Keep the replay slider on a kept snapshot (old ones are thinned as the run grows); start at the newest."""
    s = st.session_state
    chosen = s.get("replay_epoch")
    if chosen not in epochs:
        s.replay_epoch = max((e for e in epochs if chosen is not None and e <= chosen), default=epochs[-1])


def replay(session):
    epochs = [e for e, _ in session.snapshots]
    _snap_replay(epochs)
    if len(epochs) > 1:
        st.select_slider("Replay: epoch", epochs, key="replay_epoch")
    else:
        st.caption("Train a few epochs to replay them.")
    epoch = st.session_state.replay_epoch
    layers = session.snapshots[epochs.index(epoch)][1]
    c, d = session.config, session.dataset
    _, output = probes.neuron_activations_on_grid(session.arch, params_from_layers(layers), c.features,
                                                  d.extent, REPLAY_GRID)
    if st.session_state.playing:
        _picture(st, panel_images.replay_png(output, session.arch.head, d.extent, d.points_train, d.y_train, epoch),
                 width="content")
    else:
        _chart(st, figs.replay_figure(output, d.extent, d.points_train, d.y_train, c.n_classes, epoch),
               key="inside_replay")


PANEL_FUNCTIONS = dict(zip(PANELS, (gradient_flow, layer_spaces, saliency, activation_statistics, loss_landscape,
                                    activation_functions, replay)))
# Seconds between repaints while playing, by what a repaint costs the server (mostly building the plotly figure):
# ~20 ms for the cheap ones, 60-120 ms for the many-subplot figures and the 41 x 41 landscape. None: static while
# playing (activation curves change only with the config, which reruns the page anyway).
PANEL_SECONDS = {"Gradient flow": 2.0, "Layer spaces": 4.0, "Saliency": 1.0, "Activation statistics": 3.0,
                 "Loss landscape": 3.0, "Activation functions": None, "Replay": 3.0}


# --- the fragments ----------------------------------------------------------------------------------------------------

def _panel(name: str):
    with st.container(border=True):
        st.markdown(f"**{name}**")
        PANEL_FUNCTIONS[name](st.session_state.session)


def inside_panels():
    """The panel picker and the open panels, each its own fragment repainting every PANEL_SECONDS[name] while
    playing (the canvas keeps its own 0.05 s fragment); paused, they are drawn once per page run."""
    st.multiselect("See inside the network", PANELS, key="inside_panels", placeholder="Open panels…",
                   help="Open panels repaint every one to four seconds while training runs.")
    playing, names = st.session_state.playing, st.session_state.inside_panels
    slower = max(1.0, len(names) / 2)  # many panels open: each repaints less often, so that together they stay cheap
    for name in names:
        seconds = PANEL_SECONDS[name]
        st.fragment(_panel, run_every=seconds * slower if playing and seconds else None)(name)
