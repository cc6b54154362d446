"""A new page draws its stage first (playground/web/first_paint.py): the first run sends the top bar and the live view
only; the rest of the page comes with the page run the live view's first paint asks for, with the link's settings."""

import streamlit as st
from app_utils import APP, message
from streamlit.testing.v1 import AppTest

from playground.web import first_paint

LINK = {"dataset": "xor", "layers": "3,2", "noise": "0.2", "activation": "relu", "batch_size": "5"}


def first_run(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)  # JAX start-up exceeds AppTest's 3 s default
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def keys(at, kind: str) -> set:
    return {w.key for w in at.get(kind)}


def test_the_first_run_sends_the_stage_only():
    at = first_run(**LINK)
    header = message(at)[0]
    assert header["static"]["sizes"] == [2, 3, 2, 1]  # the live view, with the link's network
    assert header["first"] is True  # asks the browser to say when it has painted
    assert "learning_rate" in keys(at, "select_slider") and "activation_all" in keys(at, "selectbox")
    assert not {"dataset", "optimizer", "activation_0", "lesson_pick", "inside_panels"} & keys(at, "selectbox") | \
        keys(at, "multiselect")
    assert not at.number_input and not at.checkbox and not at.slider and not at.expander
    assert at.session_state["stage_painted"] is False


def test_after_the_first_paint_the_rest_comes_with_the_links_settings():
    at = first_run(**LINK, panels="Gradient flow", speed="10")  # the view's settings too: undrawn widgets' values
    config, link = at.session_state.session.config, {k: at.query_params[k] for k in at.query_params}
    at.session_state["stage_painted"] = True  # as the live view's `painted` trigger does (its callback reruns the page)
    at.run()
    assert not at.exception
    assert at.session_state.session.config == config  # nothing was lost by not drawing the widgets once
    assert "first" not in message(at)[0]
    assert at.selectbox(key="dataset").value == "xor" and at.slider(key="noise").value == 0.2
    assert [at.number_input(key=f"width_{i}").value for i in range(2)] == [3, 2]
    assert at.selectbox(key="activation_1").value == "relu" and at.select_slider(key="batch_size").value == 5
    assert {"lesson_pick", "inside_panels"} <= keys(at, "selectbox") | keys(at, "multiselect")
    assert {k: at.query_params[k] for k in at.query_params} == link  # the link kept the panels and the speed
    assert at.multiselect(key="inside_panels").value == ["Gradient flow"]


def test_the_painted_trigger_reruns_the_page_once(monkeypatch):
    """The callback of the `painted` trigger ends the wait and asks the live fragment for a page run, only the first
    time (a repeated trigger must not rerun the page again)."""
    state = {first_paint.KEY: False}
    monkeypatch.setattr(st, "session_state", state)  # the callback reads and writes the session state only
    first_paint.painted()
    assert state == {first_paint.KEY: True, "rerun_page": True}
    state.pop("rerun_page")
    first_paint.painted()
    assert state == {first_paint.KEY: True}


def test_without_a_paint_the_rest_comes_anyway_after_the_fallback_time():
    """If the live view never says it painted (its code failed to load), the settings must not stay out of reach:
    a fragment on Streamlit's own timer draws the rest after FALLBACK_S."""
    at = first_run(**LINK)
    at.run()  # the timer's fragment reruns before the time is up: still waiting
    assert not at.exception and at.session_state["stage_painted"] is False and not at.expander
    at.session_state["stage_since"] -= first_paint.FALLBACK_S  # as if the time had passed
    at.run()
    assert not at.exception and at.session_state["stage_painted"] is True
    assert at.selectbox(key="dataset").value == "xor"


def test_a_page_opened_on_another_tab_waits_for_nothing():
    """A GAN link opens the GAN tab: the stage is not on screen, so the whole page comes at once and no `painted`
    reruns the page later (a page run while the GAN tab played stopped its play)."""
    at = first_run(mode="gan")
    assert at.session_state["stage_painted"] is True
    assert "first" not in message(at)[0]
    assert at.selectbox(key="dataset").value  # More settings are drawn already (in the hidden Playground tab)
