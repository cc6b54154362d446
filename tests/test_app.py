"""The app through streamlit's AppTest: every control by key, Step/Play/Reset, the URL, divergence.

AppTest runs the `run_every` fragment exactly once per `run()`, so one run while playing is one frame.
"""


import pytest
from app_utils import fresh

from playground.web import playground_page as ui


def config(at):
    return at.session_state.session.config


def epoch(at) -> int:
    return at.session_state.session.epoch


def status_text(at) -> str:
    return next(m.value for m in at.markdown if "Epoch" in m.value)


def test_first_page_shows_epoch_zero_and_writes_the_whole_config_to_the_url():
    at = fresh()
    assert "Epoch 0" in status_text(at)
    assert at.button(key="play").label == "Play"
    assert at.query_params["dataset"] == "circle"
    assert at.query_params["layers"] == "4,2"
    assert not at.warning


def test_step_advances_exactly_one_epoch():
    at = fresh()
    at.button(key="step").click().run()
    assert not at.exception
    assert epoch(at) == 1
    assert "Epoch 1" in status_text(at)
    at.button(key="step").click().run()
    assert epoch(at) == 2


def test_play_advances_by_speed_each_frame_and_pause_stops():
    """Each fragment run paints FRAMES_PER_RUN frames, each `speed` epochs further on."""
    at = fresh()
    at.select_slider(key="speed").set_value(5).run()
    at.button(key="play").click().run()
    assert not at.exception
    assert at.session_state.playing and at.button(key="play").label == "Pause"
    first = epoch(at)
    at.run()
    assert epoch(at) == first + 5 * ui.FRAMES_PER_RUN
    at.button(key="play").click().run()
    assert not at.session_state.playing and at.button(key="play").label == "Play"
    stopped = epoch(at)
    at.run()
    assert epoch(at) == stopped
    assert not at.exception


def test_reset_gives_new_weights_on_the_same_data():
    at = fresh()
    at.button(key="step").click().run()
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
        at.button(key="step").click().run()
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
    ("slider", "dropout", 0.1, "dropout", (0.1,)),
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


def test_display_toggles_and_speed_are_kept_in_state():
    at = fresh()
    at.checkbox(key="show_test").check().run()
    at.checkbox(key="discretize").check().run()
    at.select_slider(key="speed").set_value(100).run()
    assert not at.exception
    assert at.session_state.show_test and at.session_state.discretize and at.session_state.speed == 100


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
    assert len(at.warning) == 2
    assert "learning_rate" in at.warning[0].value
    assert config(at).learning_rate == 0.03 and config(at).layers == (4, 2)
    assert at.query_params["learning_rate"] == "0.03"


def test_divergence_pauses_explains_and_goes_back_with_half_the_learning_rate():
    at = fresh(dataset="plane", learning_rate="10", init="large")
    at.button(key="play").click().run()
    assert not at.exception
    assert at.session_state.session.diverged
    assert not at.session_state.playing
    assert any("diverged" in e.value and "learning rate" in e.value for e in at.error)
    at.button(key="resume").click().run()
    assert not at.exception
    assert config(at).learning_rate == 5.0
    assert not at.session_state.session.diverged


def test_loss_chart_is_a_plotly_figure_of_train_and_test_loss():
    import json

    at = fresh()
    for _ in range(3):
        at.button(key="step").click().run()
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
