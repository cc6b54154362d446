"""The 'see inside' panels through streamlit's AppTest: each panel opened by its widget key, its plotly JSON read.

AppTest runs a `run_every` fragment exactly once per `run()`, so each run while playing is one canvas frame and one
panel refresh.
"""

import base64
import json

import numpy as np
import pytest
from app_utils import fresh, play, step, tell


def open_panels(at, *panels):
    at.multiselect(key="inside_panels").set_value(list(panels)).run()
    assert not at.exception


def charts(at) -> dict[str, dict]:
    """{chart key: figure JSON} of the plotly charts on the page."""
    found = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        found[chart.proto.id.split("-")[-1] if not chart.key else chart.key] = spec
    return found


def values(array):
    """A plotly JSON array: a list, or {"bdata": base64, "dtype": ..., "shape": ...} for numpy arrays."""
    if isinstance(array, dict):
        flat = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        return flat.reshape([int(n) for n in str(array.get("shape", len(flat))).split(",")])
    return np.asarray(array)


def trace_types(figure) -> list[str]:
    return [trace.get("type", "scatter") for trace in figure["data"]]


def test_no_panel_is_open_by_default():
    at = fresh()
    assert at.multiselect(key="inside_panels").value == []
    assert list(charts(at)) == []  # not even the loss chart: it appears after the first epoch


# (panel, chart key, trace types that must appear)
PANELS = [
    ("Gradient flow", "inside_gradient_flow", {"scatter"}),
    ("Layer spaces", "inside_layer_spaces", {"scatter"}),
    ("Saliency", "inside_saliency", {"heatmap", "scatter"}),
    ("Activation statistics", "inside_statistics", {"histogram"}),
    ("Loss landscape", "inside_landscape", {"contour", "scatter"}),
    ("Activation functions", "inside_activations", {"scatter"}),
    ("Replay", "inside_replay", {"heatmap", "scatter"}),
]


@pytest.mark.parametrize("panel,key,types", PANELS, ids=[p[0] for p in PANELS])
def test_each_panel_opens_and_draws_its_plot(panel, key, types):
    at = fresh()
    step(at, 2)
    open_panels(at, panel)
    figure = charts(at)[key]
    assert types <= set(trace_types(figure))
    assert not at.exception


def test_gradient_flow_has_one_line_per_weight_layer_and_grows_while_playing():
    at = fresh(dataset="spiral", layers="8,8,8")
    open_panels(at, "Gradient flow")
    play(at, 10)
    play(at, 10)
    play(at, 10)
    figure = charts(at)["inside_gradient_flow"]
    assert len(figure["data"]) == 4  # three hidden layers and the output layer
    assert [t["name"] for t in figure["data"]] == ["layer 1", "layer 2", "layer 3", "output"]
    assert list(values(figure["data"][0]["x"]))[:2] == [0, 1]  # from the first epoch, though opened after it
    assert figure["layout"]["yaxis"]["type"] == "log"


def test_deep_sigmoid_starves_its_first_layers_relu_he_does_not():
    def first_to_last(**query):
        at = fresh(layers="8,8,8,8,8,8", **query)
        step(at, 3)
        open_panels(at, "Gradient flow")
        norms = at.session_state.session.gradient_history[-1][1]
        return norms[0] / norms[-1]

    assert first_to_last(activation="sigmoid") < 1e-2
    assert first_to_last(activation="relu", init="he") > 1e-2


def test_saliency_point_inputs_change_the_contributions():
    at = fresh()
    step(at, 5)
    open_panels(at, "Saliency")
    assert trace_types(charts(at)["inside_contributions"]) == ["bar"]
    at.number_input(key="saliency_x").set_value(-2.0).run()
    at.number_input(key="saliency_y").set_value(3.0).run()
    assert not at.exception
    assert "(-2.0, 3.0)" in charts(at)["inside_contributions"]["layout"]["title"]["text"]


def test_replay_slider_changes_the_shown_epoch():
    at = fresh()
    step(at, 4)
    open_panels(at, "Replay")
    slider = at.select_slider(key="replay_epoch")
    assert slider.value == 4 and list(slider.options) == ["0", "1", "2", "3", "4"]
    assert "epoch 4" in charts(at)["inside_replay"]["layout"]["title"]["text"]
    newest = values(charts(at)["inside_replay"]["data"][0]["z"])
    at.select_slider(key="replay_epoch").set_value(0).run()
    assert not at.exception
    assert "epoch 0" in charts(at)["inside_replay"]["layout"]["title"]["text"]
    assert not np.array_equal(values(charts(at)["inside_replay"]["data"][0]["z"]), newest)


def test_dead_relu_neurons_show_the_hint():
    # Seed 0's N(0, 1) weights leave some ReLU neurons of a deep network zero for every point from the start.
    at = fresh(activation="relu", layers="8,8,8,8,8,8", init="large")
    open_panels(at, "Activation statistics")
    assert any("dead" in w.value and "ReLU" in w.value for w in at.warning)


def test_healthy_network_says_so():
    at = fresh()
    open_panels(at, "Activation statistics")
    assert not at.warning
    assert any("No dead ReLU" in i.value for i in at.info)


def test_landscape_directions_stay_fixed_until_reset():
    at = fresh()
    step(at, 2)
    open_panels(at, "Loss landscape")
    probe = at.session_state.inside_cache["probe"]
    step(at, 2)
    assert at.session_state.inside_cache["probe"] is probe
    figure = charts(at)["inside_landscape"]
    assert values(figure["data"][0]["z"]).shape == (41, 41)
    assert len(values(figure["data"][1]["x"])) == len(at.session_state.session.snapshots)  # the trajectory
    at.button(key="reset").click().run()
    assert not at.exception
    assert at.session_state.inside_cache["probe"] is not probe


def test_all_panels_together_while_playing():
    at = fresh(dataset="spiral", layers="8,8,8,8,8,8")
    open_panels(at, *[p[0] for p in PANELS])
    play(at, 10)
    play(at, 10)
    pictures = {"inside_layer_spaces", "inside_saliency", "inside_statistics", "inside_replay"}  # (the test below)
    assert {p[1] for p in PANELS} - pictures <= set(charts(at)) and len(at.get("image")) == 5


def test_the_heavy_panels_are_pictures_while_playing_and_interactive_charts_when_paused():
    """A plotly chart is rebuilt from scratch in the browser on every repaint (its identity is its figure), which
    cost the live view its frames: while training runs these panels are PNG pictures of the same content."""
    at = fresh(dataset="spiral", layers="8,8,8")
    open_panels(at, "Layer spaces", "Saliency", "Activation statistics", "Replay")
    heavy = {"inside_layer_spaces", "inside_saliency", "inside_contributions", "inside_statistics", "inside_replay"}
    assert heavy <= set(charts(at))
    play(at, 10)
    assert at.session_state.playing and len(at.get("image")) == 5  # saliency has two: the map and the bars
    assert not heavy & set(charts(at))
    shown = at.session_state.session.epoch
    tell(at, playing=False, shown=shown, last=shown, want=shown)
    assert not at.session_state.playing and len(at.get("image")) == 0
    assert heavy <= set(charts(at))
