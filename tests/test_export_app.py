"""The app's schedule widgets, the rate and the per-class view the live view is sent, and the export panel."""

import pytest
from app_utils import fresh, play

from playground.core.config import Config
from playground.core.schedule import rate_at


def test_the_schedule_comes_from_the_link_and_each_frame_carries_its_rate():
    at = fresh(schedule="step", schedule_epochs="50", learning_rate="0.1")
    assert at.selectbox(key="schedule").value == "step" and at.select_slider(key="schedule_epochs").value == 50
    frames = play(at, 30)[1:] + play(at, 30)[1:]
    config = at.session_state.session.config
    assert frames and all(f["rate"] == pytest.approx(rate_at(config, f["epoch"]), rel=1e-3) for f in frames)
    rates = {f["rate"] for f in frames}
    assert max(rates) == pytest.approx(0.1) and min(rates) == pytest.approx(0.1 / 16)  # halved at 12, 24, 36, 48
    assert len(rates) == 5


def test_the_schedule_widget_changes_the_run_without_a_reset():
    at = fresh()
    play(at, 20)
    epoch = at.session_state.session.epoch
    at.selectbox(key="schedule").set_value("cosine").run()
    assert not at.exception
    assert at.session_state.session.config.schedule == "cosine" and at.session_state.session.epoch == epoch
    assert at.query_params["schedule"] in ("cosine", ["cosine"])


def test_a_failing_minority_class_is_flagged_beside_a_good_overall_accuracy():
    """Nine points in ten of class 0 and no hidden layer (a circle is not linearly separable): the network answers
    'class 0' everywhere, over 90 % right overall and 0 % on class 1. The last frame of each message carries the
    test confusion matrix and flags that class."""
    at = fresh(dataset="circle", second_class_share="0.1", points="500", layers="")
    view = play(at, 40)[-1]["per_class"]
    matrix = view["matrix"]
    assert len(matrix) == 2 and sum(map(sum, matrix)) == 250  # every test point counted once
    assert view["overall"] > 0.85 and view["accuracy"][1] < 0.2 and view["accuracy"][0] > 0.95
    assert view["lagging"] == [1]
    assert view["overall"] == pytest.approx((matrix[0][0] + matrix[1][1]) / 250, abs=1e-4)


def test_regression_has_no_per_class_view():
    at = fresh(dataset="plane")
    assert all("per_class" not in f for f in play(at, 10)[1:])


def test_the_export_panel_offers_every_download_and_the_link():
    at = fresh(dataset="xor", layers="3")
    # closed, its content is not sent: st.code would make a new page load a 1.5 MB highlighter before its first paint
    assert not at.get("download_button") and not at.code
    at.session_state["export_open"] = True  # as a click on the expander does
    at.run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Config (JSON)", "Weights (msgpack)", "Picture (PNG)", "Training (GIF)", "Python script"]
    assert any("dataset=xor" in c.value and "layers=3" in c.value for c in at.code)
    assert Config().schedule == "constant"
