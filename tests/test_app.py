"""The app through streamlit's AppTest: every control by key, the live view's control state (Play, Pause, Step as
the browser sends them), Reset, the URL, divergence.

AppTest cannot run the live view's JavaScript: tests set its `control` state in session state as the browser would
and read the message it is sent (the component's JSON data).
"""

import json
import time

import numpy as np
import pytest
from app_utils import fresh, message, step, tell


def config(at):
    return at.session_state.session.config


def epoch(at) -> int:
    return at.session_state.session.epoch


def test_first_page_shows_epoch_zero_and_writes_the_whole_config_to_the_url():
    at = fresh()
    header, *frames = message(at)
    assert not header["playing"] and header["static"]["sizes"] == [2, 4, 2, 1]
    assert [f["epoch"] for f in frames] == [0] and frames[0]["f32"]
    assert at.query_params["dataset"] == "circle"
    assert at.query_params["layers"] == "4,2"
    assert not at.warning


def test_message_is_a_list_and_static_data_is_sent_once():
    at = fresh()
    first = message(at)
    assert isinstance(first, list) and "static" in first[0]
    again = tell(at, playing=False, shown=0, want=0, have=first[0]["version"])
    assert "static" not in again[0] and again[0]["version"] == first[0]["version"]


def test_step_is_a_target_epoch_so_a_repeated_message_trains_once():
    at = fresh()
    frames = step(at)[1:]
    assert epoch(at) == 1 and [f["epoch"] for f in frames] == [1]
    tell(at, playing=False, shown=0, last=0, want=1)  # the same Step again: already there
    assert epoch(at) == 1
    step(at)
    assert epoch(at) == 2


def test_play_sends_frames_speed_epochs_apart_up_to_the_wanted_epoch():
    at = fresh()
    header, *frames = tell(at, playing=True, speed=5, shown=0, last=0, want=30)
    assert header["playing"] and at.session_state.playing
    assert [f["epoch"] for f in frames] == [5, 10, 15, 20, 25, 30]
    assert all(not f["f32"] and f["train_loss"] > 0 for f in frames)
    assert epoch(at) == 30
    header, *frames = tell(at, playing=True, speed=5, shown=10, last=30, want=40)
    assert [f["epoch"] for f in frames] == [35, 40]


def test_pause_goes_back_to_the_epoch_on_screen():
    at = fresh()
    tell(at, playing=True, speed=1, shown=0, last=0, want=12)
    assert epoch(at) == 12
    train_loss = at.session_state.session.history.train_loss[:7].copy()
    header, *frames = tell(at, playing=False, shown=7, last=12, want=7)
    assert not at.session_state.playing and not header["playing"]
    assert epoch(at) == 7 and [f["epoch"] for f in frames] == [7] and frames[0]["f32"]
    assert (at.session_state.session.history.train_loss == train_loss).all()
    at.run()
    assert epoch(at) == 7


def test_a_new_learning_rate_while_playing_acts_from_about_the_frame_on_screen_not_after_the_frames_held():
    """The page holds frames trained ahead; a new learning rate rewinds to the frame the page will show when the
    answer arrives (here the page says it paints 1 frame/s, so one or two frames past the one on screen) and trains
    the rest again with the new rate; a page run that serves the same control again does not go back twice."""
    at = fresh()
    tell(at, playing=True, speed=1, shown=0, last=0, want=30, fps=1)
    tell(at, playing=True, speed=1, shown=3, last=30, want=30, fps=1)  # the page holds epochs 4 to 30
    before = at.session_state.session.history.train_loss.copy()
    at.select_slider(key="learning_rate").set_value(0.3).run()
    header, *frames = message(at)
    back_to = frames[0]["epoch"] - 1
    assert header["playing"] and 3 < back_to <= 7, back_to
    assert [f["epoch"] for f in frames] == list(range(back_to + 1, 31)) and epoch(at) == 30
    assert all(f["rate"] == 0.3 for f in frames)
    after = at.session_state.session.history.train_loss
    assert (after[:back_to] == before[:back_to]).all()          # what the page showed is kept exactly
    assert not np.allclose(after[back_to + 1:], before[back_to + 1:])  # the rest trained with the new rate
    at.run()  # the same control served again by a page run: nothing more to go back for
    assert epoch(at) == 30 and (at.session_state.session.history.train_loss == after).all()


def test_a_new_speed_trains_at_that_speed_from_about_the_frame_on_screen():
    at = fresh()
    tell(at, playing=True, speed=1, shown=0, last=0, want=30, fps=1)
    header, *frames = tell(at, playing=True, speed=10, shown=2, last=30, want=130, restart=True, fps=1)
    epochs = [f["epoch"] for f in frames]
    assert 2 < epochs[0] - 10 <= 6 and epochs[-1] == 130, epochs
    assert all(b - a == 10 for a, b in zip(epochs, epochs[1:-1])), epochs
    at.run()  # served again by a page run: no second rewind
    assert epoch(at) == 130


def test_frames_lost_on_the_way_are_sent_again():
    at = fresh()
    tell(at, playing=True, shown=0, last=0, want=6)
    _, *frames = tell(at, playing=True, shown=2, last=3, want=8)  # the browser got frames up to 3 only
    assert [f["epoch"] for f in frames] == [4, 5, 6, 7, 8]


def test_a_client_that_only_says_playing_gets_frames_on_the_fragment_timer():
    at = fresh()
    at.session_state["live"] = {"control": {"playing": True, "speed": 2}}
    at.run()
    assert not at.exception and at.session_state.playing
    first = epoch(at)
    assert first > 0 and first % 2 == 0
    at.run()
    assert epoch(at) > first


def test_a_weight_typed_in_while_paused_changes_the_network():
    from playground.core.model import layers_of

    at = fresh()
    run = message(at)[0]["run"]
    at.session_state.player.edit(at.session_state.session, {"layer": 0, "row": 1, "column": 2, "value": 0.75,
                                                            "run": run, "shown": 0}, playing=False)
    at.session_state.player.edit(at.session_state.session, {"layer": 2, "row": None, "column": 0, "value": -0.5,
                                                            "run": run, "shown": 0}, playing=False)
    layers = layers_of(at.session_state.session.params)
    assert layers[0][0][1, 2] == 0.75 and layers[2][1][0] == -0.5
    assert not at.session_state.player.edit(at.session_state.session, {"layer": 0, "row": 0, "column": 0,
                                            "value": 9.0, "run": "stale", "shown": 0}, playing=False)


def test_reset_gives_new_weights_on_the_same_data():
    at = fresh()
    step(at)
    data_before = at.session_state.session.dataset.points_train.copy()
    at.button(key="reset").click().run()
    assert not at.exception
    assert epoch(at) == 0
    assert config(at).seed == 1
    assert (at.session_state.session.dataset.points_train == data_before).all()


def test_regenerate_draws_new_data():
    at = fresh()
    at.button(key="regenerate").click().run()
    assert not at.exception
    assert config(at).data_seed == 1


def test_learning_rate_and_regularization_take_effect_without_reset():
    at = fresh()
    for _ in range(3):
        step(at)
    at.select_slider(key="learning_rate").set_value(0.1).run()
    at.selectbox(key="regularization").set_value("l2").run()
    at.select_slider(key="regularization_rate").set_value(0.01).run()
    assert not at.exception
    assert (config(at).learning_rate, config(at).regularization, config(at).regularization_rate) == (0.1, "l2", 0.01)
    assert epoch(at) == 3
    assert at.query_params["learning_rate"] == "0.1"


# (widget kind, key, value, config field, expected value); each starts from the defaults.
CONTROLS = [
    ("selectbox", "optimizer", "adam", "optimizer", "adam"),
    ("selectbox", "dataset", "xor", "dataset", "xor"),
    ("selectbox", "problem", "regression", "dataset", "plane"),
    ("slider", "noise", 0.2, "noise", 0.2),
    ("slider", "train_ratio", 0.7, "train_ratio", 0.7),
    ("slider", "second_class_share", 0.3, "second_class_share", 0.3),
    ("select_slider", "batch_size", 30, "batch_size", 30),
    ("selectbox", "init", "he", "init", "he"),
    ("selectbox", "output", "tanh_mse", "output", "tanh_mse"),
    ("select_slider", "dropout", 0.1, "dropout", (0.1,)),
    ("selectbox", "activation_all", "relu", "activation", ("relu",)),
    ("selectbox", "activation_0", "relu", "activation", ("relu", "tanh")),
    ("checkbox", "feature_x1sq", True, "features", ("x1", "x2", "x1sq")),
    ("checkbox", "feature_x1", False, "features", ("x2",)),
    ("number_input", "hidden_layers", 3, "layers", (4, 2, 2)),
    ("number_input", "hidden_layers", 1, "layers", (4,)),
    ("number_input", "hidden_layers", 0, "layers", ()),
    ("number_input", "width_0", 5, "layers", (5, 2)),
    ("number_input", "width_1", 1, "layers", (4, 1)),
]


@pytest.mark.parametrize("kind,key,value,field,expected", CONTROLS, ids=[f"{c[1]}={c[2]}" for c in CONTROLS])
def test_every_control_changes_the_config_and_the_url(kind, key, value, field, expected):
    at = fresh()
    widget = getattr(at, kind)(key=key)
    (widget.click() if kind == "button" else widget.set_value(value)).run()
    assert not at.exception
    assert getattr(config(at), field) == expected
    assert at.query_params[field] == ",".join(map(str, expected)) if isinstance(expected, tuple) \
        else at.query_params[field] == str(expected)


def test_classes_picker_on_a_multiclass_data_set():
    at = fresh(dataset="spiral")
    at.selectbox(key="classes").set_value(3).run()
    assert not at.exception
    assert config(at).classes == 3 and at.session_state.session.arch.n_out == 3


def test_display_toggles_reach_the_live_view_and_speed_is_mirrored():
    at = fresh()
    at.checkbox(key="show_test").check().run()
    at.checkbox(key="discretize").check().run()
    assert not at.exception
    static = message(at)[0]["static"]
    assert static["discretize"] and len(static["test"]) > 0
    tell(at, playing=False, speed=100, shown=0, want=0)
    assert at.session_state.speed == 100


def test_shared_url_sets_up_the_page():
    at = fresh(dataset="xor", layers="3,3", activation="relu", learning_rate="0.1")
    assert (config(at).dataset, config(at).layers, config(at).activation) == ("xor", (3, 3), ("relu",))
    assert at.selectbox(key="dataset").value == "xor"
    assert at.selectbox(key="activation_1").value == "relu"
    assert at.select_slider(key="learning_rate").value == 0.1
    assert at.query_params["layers"] == "3,3"
    assert not at.warning


def test_invalid_url_value_warns_and_uses_the_default():
    at = fresh(learning_rate="banana", layers="3,99")
    assert len(at.warning) == 1  # one fixed warning, the notes below it as literal text (own_data tests)
    assert "learning_rate" in at.text[0].value and "layers" in at.text[0].value
    assert config(at).learning_rate == 0.03 and config(at).layers == (4, 2)
    assert at.query_params["learning_rate"] == "0.03"


def test_divergence_pauses_explains_and_goes_back_with_half_the_learning_rate():
    at = fresh(dataset="plane", learning_rate="10", init="large")
    deadline = time.monotonic() + 120
    header, *frames = tell(at, playing=True, speed=50, shown=0, last=0, want=2000)
    while header.get("note") and time.monotonic() < deadline:  # on a busy machine the network may still compile
        time.sleep(0.2)
        header, *frames = tell(at, playing=True, speed=50, shown=0, last=0, want=2000)
    assert header["stop"] and not header["playing"] and frames[0]["f32"]
    assert at.session_state.session.diverged
    assert not at.session_state.playing
    assert any("diverged" in e.value and "learning rate" in e.value for e in at.error)
    at.button(key="resume").click().run()
    assert not at.exception
    assert config(at).learning_rate == 5.0
    assert not at.session_state.session.diverged


def test_loss_chart_is_a_plotly_figure_of_train_and_test_loss():
    at = fresh()
    assert not at.get("plotly_chart")  # no empty axes before the first epoch
    for _ in range(3):
        step(at)
    assert not at.get("plotly_chart")  # built only when its expander is open
    at.session_state["loss_chart_open"] = True  # as a click on the expander does
    at.run()
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    figure = json.loads(charts[0].proto.spec)
    names = [trace["name"] for trace in figure["data"]]
    assert names[:2] == ["train loss", "test loss"]


def test_layers_removed_and_added_again_take_the_all_layers_activation_and_the_last_width():
    """It gave a layer of 4 relu neurons while "all layers" still said sigmoid."""
    at = fresh(layers="6", activation="sigmoid")
    at.number_input(key="hidden_layers").set_value(0).run()
    assert config(at).layers == () and at.selectbox(key="activation_all").value == "sigmoid"
    at.number_input(key="hidden_layers").set_value(1).run()
    assert not at.exception
    assert config(at).layers == (6,) and config(at).activation == ("sigmoid",)
    assert at.selectbox(key="activation_0").value == "sigmoid" and at.number_input(key="width_0").value == 6
    at.number_input(key="hidden_layers").set_value(3).run()
    assert config(at).layers == (6, 6, 6) and config(at).activation == ("sigmoid",)


def test_play_reruns_the_page_only_for_what_follows_it():
    """Play needs a page run only when something outside the live view changes with it: an open inside panel or a
    chosen challenge. Without them, a class pressing Play together would cost the server a page run per student."""
    at = fresh(dataset="xor")
    tell(at, playing=True, shown=0, last=0, want=3)
    assert "rerun_next" not in at.session_state and at.session_state.playing
    tell(at, playing=False, shown=3, last=3, want=3)
    assert not at.session_state.playing
    at.multiselect(key="inside_panels").set_value(["Gradient flow"]).run()
    tell(at, playing=True, shown=3, last=3, want=6)
    assert at.session_state["rerun_next"]  # the next frame request reruns the page: the panel becomes a picture
