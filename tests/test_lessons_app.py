"""Lessons, presenter mode and challenges in the app (AppTest): links, steps, the address bar, the solved moment."""

import re

import numpy as np
from app_utils import fresh, play, tell

from playground.core.model import layers_of

from playground.core import lessons
from playground.web.lesson_page import plain


def texts(at) -> str:
    """What the page says, Markdown escapes (`plain`) removed."""
    shown = "\n".join([m.value for m in at.markdown] + [t.value for t in at.text] + [c.value for c in at.caption])
    return re.sub(r"\\(.)", r"\1", shown)


def test_a_lesson_link_opens_that_step_for_everyone():
    at = fresh(lesson="xor", step="2")
    config = at.session_state.session.config
    assert config.dataset == "xor" and config.layers == () and config.features == ("x1", "x2", "x1x2")
    assert at.query_params["lesson"] == "xor" and at.query_params["step"] == "2"
    assert at.query_params["features"] == "x1,x2,x1x2"  # the config stays in the address too
    shown = texts(at)
    assert "step 2 of 3" in shown and "Add the product x1x2" in shown and "test accuracy ≥ 0.95" in shown
    assert not at.warning  # nothing of the link was ignored


def test_next_and_back_move_between_steps_and_their_configs():
    at = fresh(lesson="xor", step="1")
    assert at.button(key="lesson_prev").disabled
    at.button(key="lesson_next").click().run()
    assert not at.exception and at.session_state.lesson_step == 1
    assert at.session_state.session.config.features == ("x1", "x2", "x1x2")
    at.button(key="lesson_next").click().run()
    assert at.session_state.session.config.layers == (4,) and at.query_params["step"] == "3"
    assert at.button(key="lesson_next").disabled
    at.button(key="lesson_prev").click().run()
    assert at.session_state.session.config.layers == () and at.query_params["step"] == "2"


def test_config_fields_in_a_lesson_link_win_over_the_step():
    at = fresh(lesson="xor", step="2", learning_rate="0.1")
    config = at.session_state.session.config
    assert config.learning_rate == 0.1 and config.features == ("x1", "x2", "x1x2")


def test_a_step_with_a_panel_opens_it():
    at = fresh(lesson="vanishing", step="1")
    at.button(key="lesson_next").click().run()
    at.button(key="lesson_next").click().run()
    assert not at.exception and "Gradient flow" in at.session_state.inside_panels
    assert at.session_state.session.config.init == "he"


def test_a_bad_lesson_link_is_explained_literally_and_nothing_breaks():
    at = fresh(lesson="*nope*", step="2", challenge="[x](y)")
    assert at.session_state.lesson_id is None and at.session_state.challenge_pick is None
    assert "there is no lesson '*nope*'" in [t.value for t in at.text]
    assert "there is no challenge '[x](y)'" in [t.value for t in at.text]
    at = fresh(lesson="xor", step="9")
    assert at.session_state.lesson_step == 0
    assert any("step '9' is not a step of this lesson" in t.value for t in at.text)


def test_presenter_mode_is_a_link_parameter_and_a_toggle():
    at = fresh(lesson="xor", step="1", present="1")
    assert at.toggle(key="present").value is True and at.query_params["present"] == "1"
    at.toggle(key="present").set_value(False).run()
    assert not at.exception and "present" not in at.query_params
    at.toggle(key="present").set_value(True).run()
    assert at.query_params["present"] == "1" and at.query_params["lesson"] == "xor"
    at.button(key="lesson_next").click().run()  # moving on keeps presenting
    assert at.query_params["present"] == "1" and at.query_params["step"] == "2"


def test_picking_a_lesson_and_leaving_it():
    at = fresh()
    assert "step 1 of" not in texts(at)  # free play: no lesson bar above the stage
    at.selectbox(key="lesson_pick").set_value("activations").run()
    assert not at.exception and at.session_state.session.config.activation == ("linear",)
    assert "step 1 of 4" in texts(at)
    at.selectbox(key="lesson_pick").set_value(None).run()
    assert "lesson" not in at.query_params and "step" not in at.query_params


def test_a_challenge_is_solved_live_with_a_link_to_the_winning_settings():
    at = fresh(challenge="xor-no-hidden", dataset="xor", layers="", features="x1,x2,x1x2")
    assert at.session_state.challenge_pick == "xor-no-hidden" and not at.success
    play(at, 300, speed=50)  # asks again until there, as the browser does
    at.run()
    assert at.session_state.session.epoch >= 300 and not at.exception
    assert at.success and "Solved" in at.success[0].value
    link = at.session_state.solved["xor-no-hidden"]
    assert "challenge=xor-no-hidden" in link and "features=x1%2Cx2%2Cx1x2" in link and "dataset=xor" in link
    assert link in [c.value for c in at.code]


def test_a_challenge_names_the_broken_rules():
    at = fresh(challenge="spiral-60")
    assert at.warning and "data set spiral" in "\n".join(t.value for t in at.text)
    assert not at.success


def test_plain_escapes_markdown_and_html():
    assert plain("*a* [b](c) <i>d</i> #e") == r"\*a\* \[b\]\(c\) \<i\>d\<\/i\> \#e".replace(r"\/", "/")


def test_every_lesson_opens_without_an_error():
    at = fresh()
    for lesson_id, lesson in lessons.all_lessons().items():
        at.selectbox(key="lesson_pick").set_value(lesson_id).run()
        assert not at.exception, lesson_id
        if lesson.mode == "gan":
            assert at.session_state.page == "GAN"
            assert at.session_state.gan_run.config == lessons.step_config(lesson.steps[0])
        elif not lesson.waiting_for:
            assert at.session_state.session.config == lessons.step_config(lesson.steps[0])


def test_a_step_sets_up_its_sweep_in_the_lab():
    at = fresh(lesson="width-depth", step="2")
    at.button(key="lesson_next").click().run()
    assert not at.exception and at.session_state.session.config.layers == (8, 8, 8, 8)
    at.session_state["page"] = "Depth × width lab"
    at.run()
    assert not at.exception
    assert at.multiselect(key="sweep_depths").value == [1, 2, 3, 4]
    assert at.multiselect(key="sweep_widths").value == [2, 4, 8, 24]


def test_the_transfer_lesson_goes_on_with_the_trained_weights_on_new_data():
    at = fresh()
    at.selectbox(key="lesson_pick").set_value("transfer").run()
    assert at.session_state.session.config.dataset == "circle"
    play(at, 30, speed=10)
    shown = at.session_state.session.epoch
    tell(at, playing=False, shown=shown, last=shown)  # Pause, as a teacher does before Next
    session = at.session_state.session
    assert session.epoch >= 30
    trained = [np.array(w) for w, _ in layers_of(session.params)]
    at.button(key="lesson_next").click().run()
    assert not at.exception and at.session_state.keep_weights
    session = at.session_state.session
    assert session.config.dataset == "gauss"  # new data, the same trained network
    assert all(np.array_equal(w, before) for (w, _), before in zip(layers_of(session.params), trained))


def test_picking_the_gan_lesson_opens_the_gan_tab_with_each_steps_config_and_the_lesson_bar():
    at = fresh()
    at.selectbox(key="lesson_pick").set_value("gan").run()
    assert not at.exception and at.session_state.page == "GAN"
    gan = lessons.all_lessons()["gan"]
    assert at.session_state.gan_run.config == lessons.step_config(gan.steps[0])
    shown = texts(at)
    assert f"step 1 of {len(gan.steps)}" in shown and "modes covered ≥ 6" in shown and "after 5000 steps" in shown
    assert at.query_params["mode"] == "gan" and at.query_params["lesson"] == "gan"
    at.button(key="lesson_next").click().run()
    assert not at.exception and at.session_state.page == "GAN" and at.session_state.lesson_step == 1
    assert at.session_state.gan_run.config.real == "line" and at.session_state.gan_real == "line"  # the widgets too
    assert "watch the arrows" in texts(at) or "along the arrows" in texts(at)
    at.button(key="lesson_next").click().run()
    config = at.session_state.gan_run.config
    assert (config.loss, config.g_layers, config.noise_dim) == ("minimax", (4,), 1)
    assert at.query_params["gan.loss"] == "minimax" and at.query_params["step"] == "3"
    at.selectbox(key="lesson_pick").set_value("xor").run()  # a classifier lesson goes back to the Playground tab
    assert not at.exception and at.session_state.page == "Playground"
    assert at.session_state.session.config.dataset == "xor"


def test_a_gan_lesson_link_opens_that_step_in_the_gan_tab():
    at = fresh(lesson="gan", step="3")
    assert at.session_state.page == "GAN" and not at.warning
    config = at.session_state.gan_run.config
    assert (config.loss, config.g_layers, config.noise_dim) == ("minimax", (4,), 1)
    assert "step 3 of" in texts(at) and "Mode collapse" in texts(at)
    assert at.query_params["gan.loss"] == "minimax" and at.query_params["mode"] == "gan"
