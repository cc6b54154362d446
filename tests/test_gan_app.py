"""The GAN tab through streamlit's AppTest: the link, every kind of control, and the live view's control state
(Play, Pause, Step, Step D, Step G) as the browser sends it. AppTest cannot run the JavaScript: tests set the
`gan_live` component's state as the browser would and read the message it was sent."""

import itertools
import json

import numpy as np
from app_utils import fresh

from playground.core.gan_config import GAN_DEFAULT
from playground.web.gan_page import drawn_points

_seq = itertools.count(1)


def gan_message(at) -> list:
    """The GAN view's last message: [header, frame, ...] (playground/web/gan_view.py)."""
    for component in at.get("bidi_component"):
        message = json.loads(component.proto.json)
        if "g_sizes" in message[0].get("static", {}) or str(message[0].get("run", "")).startswith(
                f"{id(at.session_state.gan_run):x}."):
            return message
    raise AssertionError("no GAN view on the page")


def tell(at, **control) -> list:
    control = {"run": gan_message(at)[0]["run"], "speed": 1, "seq": next(_seq)} | control
    at.session_state["gan_live"] = {"control": control}
    at.run()
    assert not at.exception
    return gan_message(at)


def run(at):
    return at.session_state.gan_run


def test_the_link_opens_the_tab_with_its_settings_and_keeps_the_classifier_apart():
    at = fresh(mode="gan", **{"gan.real": "grid25", "gan.d_steps": "3", "gan.g_layers": "16,16", "layers": "3,3"})
    assert at.session_state.page == "GAN"
    c = run(at).config
    assert (c.real, c.d_steps, c.g_layers) == ("grid25", 3, (16, 16))
    assert at.session_state.session.config.layers == (3, 3)  # the classifier's own parameter
    assert not at.warning
    header, *frames = gan_message(at)
    assert header["static"]["g_sizes"] == [2, 16, 16, 2] and header["static"]["real_name"] == "grid25"
    assert [f["step"] for f in frames] == [0] and frames[0]["f32"]
    assert at.query_params["gan.real"] == "grid25" and at.query_params["mode"] == "gan"
    assert at.query_params["layers"] == "3,3"


def test_a_bad_link_value_falls_back_with_a_literal_note():
    at = fresh(mode="gan", **{"gan.real": "**ring9**", "gan.loss": "minimax"})
    assert run(at).config.real == "ring8" and run(at).config.loss == "minimax"
    assert at.warning and any("**ring9**" in t.value for t in at.text)  # shown as text, not rendered as Markdown


def test_step_d_and_step_g_move_only_their_own_network_and_repeat_safely():
    at = fresh(mode="gan")
    g0, d0 = run(at).parameters()
    tell(at, playing=False, shown=0, last=0, want=1, part="d")
    g1, d1 = run(at).parameters()
    assert run(at).step == 1 and np.array_equal(g0[0][0], g1[0][0]) and not np.array_equal(d0[0][0], d1[0][0])
    tell(at, playing=False, shown=0, last=0, want=1, part="d")  # the same message again: trains nothing
    assert run(at).step == 1
    header, *frames = tell(at, playing=False, shown=1, last=1, want=2, part="g")
    g2, d2 = run(at).parameters()
    assert run(at).step == 2 and np.array_equal(d1[0][0], d2[0][0]) and not np.array_equal(g1[0][0], g2[0][0])
    assert [f["step"] for f in frames] == [2] and frames[0]["f32"] and not header["playing"]
    assert len(header["curve"]["g"]) == 2


def test_play_sends_frames_speed_steps_apart_and_pause_goes_back_to_the_step_shown():
    at = fresh(mode="gan")
    header, *frames = tell(at, playing=True, speed=5, shown=0, last=0, want=30)
    assert header["playing"] and [f["step"] for f in frames] == [5, 10, 15, 20, 25, 30]
    assert all(not f["f32"] and f["dl"] > 0 and 0 <= f["div"] <= 0.7 for f in frames)
    header, *frames = tell(at, playing=False, shown=15, last=30, want=15)
    assert run(at).step == 15 and [f["step"] for f in frames] == [15] and len(run(at).history.g_loss) == 15


def test_controls_change_the_config_and_a_bad_layer_list_keeps_the_last_good_one():
    at = fresh(mode="gan")
    at.selectbox(key="gan_loss").select("least_squares").run()
    at.selectbox(key="gan_real").select("moons").run()
    at.select_slider(key="gan_d_learning_rate").set_value(0.01).run()
    at.text_input(key="gan_d_layers").input("8,8,8").run()
    c = run(at).config
    assert (c.loss, c.real, c.d_learning_rate, c.d_layers) == ("least_squares", "moons", 0.01, (8, 8, 8))
    assert at.query_params["gan.d_layers"] == "8,8,8"
    at.text_input(key="gan_g_layers").input("8,x").run()
    assert not at.exception and run(at).config.g_layers == GAN_DEFAULT.g_layers
    assert at.warning and any("'x'" in t.value for t in at.text)


def test_the_collapse_button_and_defaults():
    at = fresh(mode="gan")
    at.button(key="gan_collapse").click().run()
    c = run(at).config
    assert (c.loss, c.g_layers, c.noise_dim) == ("minimax", (4,), 1)
    at.button(key="gan_defaults").click().run()
    assert run(at).config == GAN_DEFAULT


def test_drawing_picks_the_drawn_distribution_with_a_first_drawing():
    at = fresh(mode="gan")
    at.selectbox(key="gan_real").select("drawn").run()
    assert not at.exception
    assert run(at).config.real == "drawn" and len(run(at).config.drawn) >= 6  # something to learn at once
    assert gan_message(at)[0]["static"]["drawing"]


def test_drawn_points_from_the_browser_are_checked():
    assert drawn_points([0, 0, 1, 1.5, -1, 9.0]) == (0.0, 0.0, 1.0, 1.5, -1.0, 3.0)  # clipped to the plane
    for bad in [[0, 0, 1, 1], [0, 0, 1, 1, 2], [0, 0, 1, 1, "x", 2], [0, 0, 1, 1, float("nan"), 2], {"x": 1},
                [True, 0, 1, 1, 2, 2], [0.0] * 402]:
        assert drawn_points(bad) is None


def test_divergence_stops_play_and_says_so():
    link = {"gan.g_optimizer": "sgd", "gan.d_optimizer": "sgd", "gan.g_learning_rate": "1.0",
            "gan.d_learning_rate": "1.0", "gan.loss": "least_squares", "gan.g_activation": "linear",
            "gan.d_activation": "linear"}
    at = fresh(mode="gan", **link)
    header, *frames = tell(at, playing=True, speed=5, shown=0, last=0, want=50)
    assert header["stop"] and not header["playing"] and run(at).diverged
    assert [f["step"] for f in frames] == [run(at).step] and frames[0]["f32"]
    at.run()
    assert any("diverged" in e.value for e in at.error)


def test_leaving_the_tab_and_coming_back_keeps_the_settings_and_the_run():
    at = fresh(mode="gan")
    at.selectbox(key="gan_loss").select("minimax").run()
    tell(at, playing=False, shown=0, last=0, want=1, part="d")
    assert at.query_params["gan.loss"] == "minimax"
    at.session_state["page"] = "Playground"
    at.run()
    assert not at.exception and "gan.loss" not in at.query_params and "mode" not in at.query_params
    at.session_state["page"] = "GAN"
    at.run()
    assert not at.exception
    assert run(at).config.loss == "minimax" and run(at).step == 1
    assert at.selectbox(key="gan_loss").value == "minimax" and at.query_params["mode"] == "gan"


def test_a_visitor_who_never_opens_the_tab_gets_no_gan_run():
    at = fresh()
    assert "gan_run" not in at.session_state and "mode" not in at.query_params
