"""One's own data on the page (AppTest): drawing through the live view's `draw` trigger, uploading a good and a bad
CSV, keeping the trained weights, the per-layer widgets, and link values shown as literal text."""

import numpy as np
import pytest
from app_utils import fresh, message, step

from playground.core.userdata import decode_drawn, encode_drawn
from playground.web.own_data import draw_values


def config(at):
    return at.session_state.session.config


def draw(at, payload=None, **fields):
    """A finished stroke on the output map, as assets/live_draw.js sends it: what the page's `draw` callback sets
    (AppTest cannot fire a component's trigger; the browser tests do), then a page run."""
    values = draw_values(at.session_state, fields if payload is None else payload)
    for key, value in (values or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return message(at)


def test_drawn_points_become_the_data_and_travel_in_the_link():
    at = fresh()
    draw(at, add=[[1.0, 1.0], [2.0, 2.5], [1.5, 3.0]], label=1)
    header = draw(at, add=[[-2.0, -2.0], [-3.0, -1.0], [-1.0, -3.5]], label=0)[0]
    c = config(at)
    assert c.source == "drawn" and at.query_params["source"] == "drawn"
    d = decode_drawn(at.query_params["drawn"])
    assert sorted(map(tuple, d.points.tolist())) == sorted([(1, 1), (2, 2.5), (1.5, 3), (-2, -2), (-3, -1), (-1, -3.5)])
    shown = header["static"]["train"] + header["static"]["test"]  # show test data was switched on to see them all
    assert len(shown) == 6 and header["static"]["source"] == "drawn"
    assert {(x, y, k) for x, y, k in shown} >= {(1.0, 1.0, 1), (-2.0, -2.0, 0)}
    frames = step(at, 3)
    assert frames[-1]["epoch"] == 3 and at.session_state.session.dataset.n_train == 3  # trained on the drawn set


def test_erase_clear_and_back_to_the_generated_set():
    at = fresh()
    draw(at, add=[[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]], label=1)
    draw(at, erase=[[2.1, 2.0]], radius=0.5)
    assert decode_drawn(config(at).drawn).points.tolist() == [[1, 1], [4, 4]]
    draw(at, generated=True)
    assert config(at).source == "generated" and config(at).drawn  # kept for later
    assert at.session_state.session.dataset.n_train == 250
    draw(at, clear=True)
    assert config(at).drawn == "" and at.query_params["drawn"] == ""


@pytest.mark.parametrize("payload", [
    {"add": [[1, 1]], "label": 7},                 # a class the problem does not have
    {"add": [[1, "x"]], "label": 0},
    {"add": [[1e9, 0]], "label": 0},
    {"add": "1,1", "label": 0},
    {"erase": [[0, 0]], "radius": "big"},
    ["not", "a", "dict"],
])
def test_nonsense_from_the_browser_changes_nothing(payload):
    at = fresh()
    assert draw_values(at.session_state, payload) is None


def test_a_link_with_drawn_points_opens_them():
    text = encode_drawn([[0, 1], [1, 0], [2, 2], [-1, -1]], [0, 1, 2, 1], "classification")
    at = fresh(source="drawn", drawn=text, classes="3")
    assert not at.warning and config(at).classes == 3 and at.session_state.session.arch.n_out == 3


GOOD = b"\xef\xbb\xbfx1,x2,label\r\n" + b"".join(f"{i % 11 / 10},{i % 7 / 10},{i % 2}\r\n".encode()
                                                 for i in range(40))


def upload(at, name, content):
    at.file_uploader(key="upload_file").set_value((name, content, "text/csv")).run()
    assert not at.exception


def test_a_good_file_is_the_data_and_its_plane_follows_it():
    at = fresh()
    upload(at, "mine.csv", GOOD)
    c, d = config(at), at.session_state.session.dataset
    assert c.source == "file" and len(d.y_train) + len(d.y_test) == 40
    assert d.extent == pytest.approx(1.1)  # the largest coordinate 1.0, with a margin: not the generated +-6
    assert message(at)[0]["static"]["extent"] == pytest.approx(1.1)
    assert any("mine.csv" in t.value and "40 points" in t.value for t in at.text)
    # The link says so; opened elsewhere it cannot bring the file and says that instead.
    assert at.query_params["source"] == "file"
    elsewhere = fresh(**dict(at.query_params))
    assert config(elsewhere).source == "generated" and "cannot carry an uploaded file" in elsewhere.text[0].value


def test_a_bad_file_is_refused_with_its_reason_and_the_data_stay():
    at = fresh(dataset="xor")
    before = at.session_state.session.dataset
    upload(at, "bad.csv", b"x1,x2,label\n1,2,0\n3,4,-1\n5,6,0\n7,8,1\n")
    assert config(at).source == "generated" and at.session_state.session.dataset is before
    assert any("not loaded" in e.value for e in at.error)
    assert any("bad.csv: line 3: the label -1 is negative" in t.value for t in at.text)
    upload(at, "mine.csv", GOOD)  # a good one after it is taken, and the refusal goes
    assert config(at).source == "file" and not at.error


def test_a_crafted_link_value_is_shown_as_literal_text_and_cut_short():
    crafted = "[log in here](https://example.invalid) ![x](https://example.invalid/a.png) **expired**" + "x" * 9000
    at = fresh(dataset=crafted)
    assert len(at.warning) == 1 and "[" not in at.warning[0].value  # the warning's own text is fixed
    notes = at.text[0].value
    assert "characters, over the limit" in notes and len(notes) < 400
    at = fresh(dataset=crafted[:80])
    assert "'[log in here](https://example.invalid) !…'" in at.text[0].value  # quoted, cut, plain text


def test_keep_the_trained_weights_when_the_data_change():
    at = fresh(dataset="gauss", layers="4")
    step(at, 5)
    trained = np.asarray(at.session_state.session.params[0][0])
    at.checkbox(key="keep_weights").check().run()
    at.selectbox(key="dataset").set_value("xor").run()
    assert not at.exception and config(at).dataset == "xor"
    np.testing.assert_array_equal(np.asarray(at.session_state.session.params[0][0]), trained)
    at.checkbox(key="keep_weights").uncheck().run()
    at.selectbox(key="dataset").set_value("circle").run()
    assert not np.array_equal(np.asarray(at.session_state.session.params[0][0]), trained)


def test_per_layer_dropout_and_freeze_keep_their_meaning():
    at = fresh(layers="8,8", dropout="0.1,0.5", freeze="1,3")
    c = config(at)
    assert (c.dropout, c.freeze) == ((0.1, 0.5), (1, 3)) and at.query_params["dropout"] == "0.1,0.5"
    assert at.checkbox(key="freeze_0").value and not at.checkbox(key="freeze_1").value
    assert at.checkbox(key="freeze_out").value
    at.number_input(key="hidden_layers").set_value(3).run()  # the output layer stays frozen, now number 4
    # a new layer takes the "all layers" rate (the largest one given), as it takes the "all layers" activation
    assert config(at).freeze == (1, 4) and config(at).dropout == (0.1, 0.5, 0.5)
    at.selectbox(key="dropout_2").set_value(0.3).run()
    assert config(at).dropout == (0.1, 0.5, 0.3)
    at.select_slider(key="dropout").set_value(0.2).run()
    assert config(at).dropout == (0.2,)


def test_number_of_points_has_a_widget():
    at = fresh()
    at.slider(key="points").set_value(300).run()
    assert config(at).points == 300 and at.query_params["points"] == "300"
    assert len(at.session_state.session.dataset.y_train) == 150


def test_the_link_carries_the_view_of_a_demonstration():
    at = fresh(dataset="spiral", show_test="1", discretize="1", speed="50", panels="Gradient flow",
               sweep_depths="1,2", sweep_widths="4,8", seeds="5")
    assert not at.warning
    assert at.checkbox(key="show_test").value and at.checkbox(key="discretize").value
    assert at.multiselect(key="inside_panels").value == ["Gradient flow"]
    assert message(at)[0]["static"]["speed"] == 50 and message(at)[0]["static"]["test"]
    s = at.session_state
    assert (s.sweep_depths, s.sweep_widths, s.seeds_n) == ([1, 2], [4, 8], 5)
    for name, value in (("show_test", "1"), ("discretize", "1"), ("speed", "50"), ("panels", "Gradient flow"),
                        ("sweep_depths", "1,2"), ("seeds", "5")):
        assert at.query_params[name] == value, name
    at.checkbox(key="show_test").uncheck().run()
    assert "show_test" not in at.query_params  # back to the default: not written


def test_bad_view_values_in_a_link_are_notes():
    at = fresh(speed="7", panels="Gradient flow,<img src=x>", seeds="99", show_test=["1", "0"])
    notes = at.text[0].value
    assert "speed: 7 is not one of" in notes and "seeds: 99 is outside 2 to 32" in notes
    assert "panels:" in notes and "show_test is given 2 times" in notes
    assert message(at)[0]["static"]["speed"] == 1 and not at.checkbox(key="show_test").value
