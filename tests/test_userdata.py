"""One's own data: the CSV loader and every refusal, drawn points in the link, the plane following the data,
keeping the trained weights when the data change, and `--data PATH` on the command line."""

import json
import subprocess
import sys

import numpy as np
import pytest

from playground.core.config import Config, ConfigError, from_query, parse_value, to_link, to_strings
from playground.core.data import make_dataset
from playground.core.session import Session
from playground.core.userdata import (MAX_DRAWN, DataError, UserData, config_for_upload, decode_drawn, edit_drawn,
                                      encode_drawn, max_drawn_chars, parse_csv)

GOOD = b"x1,x2,label\n" + b"".join(f"{i % 7 - 3},{i % 5 - 2}.5,{i % 3}\n".encode() for i in range(30))


def test_a_good_file_with_a_header():
    d = parse_csv(GOOD)
    assert d.problem == "classification" and d.classes == 3 and d.points.shape == (30, 2)
    assert d.points.dtype == np.float32 and d.labels.dtype == np.int32
    np.testing.assert_array_equal(d.labels, np.arange(30) % 3)
    assert d.points[1].tolist() == [-2.0, -1.5]


def test_bom_and_windows_line_ends_are_read_as_spreadsheets_write_them():
    d = parse_csv(b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n"))
    np.testing.assert_array_equal(d.points, parse_csv(GOOD).points)


def test_regression_by_header_and_without_header():
    values = b"x1,x2,y\n1,2,0.5\n-1,3,-0.25\n2,2,1\n0,0,0\n"
    d = parse_csv(values)
    assert d.problem == "regression" and d.labels.tolist() == [0.5, -0.25, 1.0, 0.0] and d.classes == 0
    assert parse_csv(values.split(b"\n", 1)[1]).problem == "regression"
    assert parse_csv(b"1,2,0\n3,4,1\n5,6,0\n7,8,1\n").problem == "classification"  # whole numbers 0..4, no header


# Every kind of bad file, and the words its reason must hold.
BAD = {
    "empty": (b"", ["empty"]),
    "only blank lines": (b"\n\r\n  \n", ["empty"]),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["not text"]),
    "not utf-8": (b"x1,x2,label\n1,2,\xff\n", ["not UTF-8 text"]),
    "semicolons": (b"x1;x2;label\n1;2;0\n3;4;1\n", ["semicolons", "commas"]),
    "tabs": (b"1\t2\t0\n3\t4\t1\n", ["tabs", "commas"]),
    "missing column": (b"x1,x2,label\n1,2\n3,4\n5,6\n7,8\n", ["line 2", "2 columns", "missing"]),
    "extra column": (b"x1,x2,label\n1,2,0,9\n3,4,1,9\n5,6,0,9\n7,8,1,9\n", ["line 2", "4 columns", "extra"]),
    "ragged rows": (b"x1,x2,label\n1,2,0\n3,4,1\n5,6\n7,8,1\n", ["line 4", "2 columns"]),
    "unknown header": (b"a,b,c\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", ["line 1", "header", "'a,b,c'"]),
    "non-numeric cell": (b"x1,x2,label\n1,2,0\n3,abc,1\n5,6,0\n7,8,1\n", ["line 3, column 2", "'abc'",
                                                                           "not a number"]),
    "number with underscore": (b"x1,x2,label\n1_0,2,0\n3,4,1\n5,6,0\n7,8,1\n", ["line 2, column 1", "'1_0'"]),
    "NaN": (b"x1,x2,label\n1,2,0\nnan,4,1\n5,6,0\n7,8,1\n", ["line 3, column 1", "not a finite number"]),
    "infinity": (b"x1,x2,y\n1,2,0\n3,-inf,1\n5,6,0\n7,8,1\n", ["line 3, column 2", "not a finite number"]),
    "overflow": (b"x1,x2,y\n1,2,0\n3,1e999,1\n5,6,0\n7,8,1\n", ["line 3, column 2", "not a finite number"]),
    "one class only": (b"x1,x2,label\n1,2,0\n3,4,0\n5,6,0\n7,8,0\n", ["label 0", "at least two classes"]),
    "six classes": (b"x1,x2,label\n" + b"".join(f"{i},{i},{i}\n".encode() for i in range(6)),
                    ["up to 5", "at most 5 classes"]),
    "a class left out": (b"x1,x2,label\n1,2,0\n3,4,2\n5,6,0\n7,8,2\n", ["label 1", "none left out"]),
    "non-integer label": (b"x1,x2,label\n1,2,0\n3,4,1.5\n5,6,0\n7,8,1\n", ["line 3", "1.5", "not a whole number"]),
    "negative label": (b"x1,x2,label\n1,2,0\n3,4,-1\n5,6,0\n7,8,1\n", ["line 3", "-1", "negative"]),
    "header repeated": (b"x1,x2,label\n1,2,0\n3,4,1\nx1,x2,label\n5,6,0\n7,8,1\n", ["line 4", "repeats the header"]),
    "too few rows": (b"x1,x2,label\n1,2,0\n3,4,1\n", ["2 rows", "at least 4"]),
    "too many rows": (b"".join(f"{i % 9},{i % 7},{i % 2}\n".encode() for i in range(10_001)),
                      ["10,001 rows", "limit of 10,000"]),
    "too large": (b"x1,x2,y\n" + b"1.000000000000000000000000000000,2,0.5\n" * 26_000, ["bytes", "1 MB"]),
}


@pytest.mark.parametrize("kind", BAD)
def test_every_bad_file_is_refused_with_its_reason(kind):
    raw, words = BAD[kind]
    with pytest.raises(DataError) as err:
        parse_csv(raw)
    message = str(err.value)
    assert "\n" not in message and len(message) < 200
    for word in words:
        assert word in message, (kind, message)


def test_a_value_quoted_from_a_file_is_cut_short():
    with pytest.raises(DataError) as err:
        parse_csv(b"x1,x2,label\n1,2,0\n3," + b"a" * 5000 + b",1\n5,6,0\n7,8,1\n")
    assert len(str(err.value)) < 120 and "…" in str(err.value)


def test_drawn_points_round_trip_compactly_with_a_cap():
    rng = np.random.default_rng(0)
    points, labels = rng.uniform(-6, 6, (MAX_DRAWN, 2)), rng.integers(0, 3, MAX_DRAWN)
    text = encode_drawn(points, labels, "classification")
    assert len(text) == max_drawn_chars() <= 2402 and text.isascii() and "=" not in text
    back = decode_drawn(text)
    np.testing.assert_allclose(back.points, points, atol=0.005)
    np.testing.assert_array_equal(back.labels, labels)
    values = encode_drawn(points[:5], np.linspace(-1, 1, 5), "regression")
    np.testing.assert_allclose(decode_drawn(values).labels, np.linspace(-1, 1, 5), atol=1e-3)
    with pytest.raises(DataError, match="over the limit of 300"):
        encode_drawn(np.zeros((MAX_DRAWN + 1, 2)), np.zeros(MAX_DRAWN + 1), "classification")
    for bad in ("!!!", "eA", "Yw" + "A" * 5):
        with pytest.raises(DataError, match="not a drawn set"):
            decode_drawn(bad)


def _drawn_config(n=20, classes=2):
    rng = np.random.default_rng(1)
    points = rng.uniform(-5, 5, (n, 2))
    text = encode_drawn(points, (points[:, 0] > 0).astype(int) + (classes > 2) * (points[:, 1] > 0), "classification")
    return Config(source="drawn", drawn=text, classes=classes), points


def test_a_drawn_set_travels_in_the_link_and_is_the_data():
    config, points = _drawn_config(classes=3)
    link = to_link(config)
    assert "epochs" not in link and link["source"] == "drawn"
    again, notes = from_query({k: [v] for k, v in link.items()})
    assert again == config and notes == []
    d = make_dataset(again)
    assert len(d.y_train) + len(d.y_test) == 20 and d.extent == 6.0  # drawn on the +-6 plane: it stays
    np.testing.assert_allclose(np.sort(np.concatenate([d.points_train, d.points_test])[:, 0]),
                               np.sort(points[:, 0]), atol=0.005)


def test_bad_drawn_values_in_a_link_fall_back_with_a_short_note():
    config, _ = _drawn_config()
    for drawn, words in (("x" * 3000, "over the limit"), ("!!", "not a drawn set"),
                         (encode_drawn([[0, 0], [1, 1]], [0, 4], "classification"), "class 4 with 2 classes"),
                         (encode_drawn([[0, 0], [1, 1]], [0.5, 1], "regression"), "for regression")):
        got, notes = from_query({"source": ["drawn"], "drawn": [drawn]})
        assert got.source == "generated" and got.drawn == ""
        assert any(words in n for n in notes) and all(len(n) < 200 for n in notes), notes
    with pytest.raises(ConfigError, match="at least two drawn points"):
        Config(source="drawn", drawn=encode_drawn([[0, 0]], [1], "classification"))


def test_a_files_plane_follows_its_data():
    small = UserData(np.array([[0.1, -0.2], [0.3, 0.05], [-0.25, 0.1], [0.0, 0.31]], np.float32),
                     np.array([0, 1, 0, 1], np.int32), "classification")
    config = config_for_upload(Config(), small)
    assert config.source == "file" and config.classes == 2
    assert make_dataset(config, small).extent == pytest.approx(0.33)
    big = small._replace(points=small.points * 1000)
    assert make_dataset(config, big).extent == pytest.approx(330)
    with pytest.raises(ValueError, match="needs the uploaded data"):
        make_dataset(config)


def test_upload_sets_problem_and_classes():
    d3 = parse_csv(GOOD)
    c = config_for_upload(Config(dataset="plane", output="tanh_mse"), d3)
    assert (c.problem, c.classes, c.output) == ("classification", 3, "default")
    values = parse_csv(b"x1,x2,y\n1,2,0.5\n-1,3,-0.25\n2,2,1\n0,0,0\n")
    assert config_for_upload(Config(dataset="spiral", classes=4), values).problem == "regression"


def test_keep_the_trained_weights_when_the_data_change():
    """Transfer learning: train on one set, switch data keeping the weights, freeze the first layer, fine-tune."""
    session = Session(Config(dataset="gauss", layers=(6, 4), learning_rate=0.1, batch_size=50))
    session.advance(60)
    trained = [np.asarray(w) for w, _ in session.params]
    assert session.apply(session.config.replace(dataset="xor"), keep_weights=True) == "transfer"
    kept = [np.asarray(w) for w, _ in session.params]
    for a, b in zip(trained, kept):
        np.testing.assert_array_equal(a, b)
    assert session.epoch == 0 and session.dataset.y_train.shape == (250,)
    session.apply(session.config.replace(freeze=(1,)))
    session.advance(40)
    after = [np.asarray(w) for w, _ in session.params]
    np.testing.assert_array_equal(after[0], trained[0])  # frozen: still the first data set's features
    assert not np.array_equal(after[1], trained[1])
    # Without the toggle, or with another input shape, new data means fresh weights.
    assert session.apply(session.config.replace(dataset="circle")) == "data"
    assert session.apply(session.config.replace(dataset="xor", features=("x1", "x2", "x1x2")),
                         keep_weights=True) == "data"


def test_an_upload_replaces_the_data_of_a_running_session():
    session = Session(Config())
    upload = parse_csv(GOOD)
    assert session.apply(config_for_upload(session.config, upload), upload=upload) == "data"
    assert session.arch.n_out == 3 and len(session.dataset.y_train) == 15


# --- the link's other bugs -------------------------------------------------------------------------------------------

def test_a_key_given_twice_is_not_silently_half_used():
    config, notes = from_query({"learning_rate": ["100", "0.1"]})
    assert config.learning_rate == 0.03 and "given 2 times" in notes[0]


def test_epochs_in_a_link_is_said_to_do_nothing_and_is_not_written():
    config, notes = from_query({"epochs": ["5"]})
    assert config.epochs == 500 and "command line" in notes[0] and "epochs" not in to_link(config)


def test_features_and_freeze_have_one_order_everywhere():
    assert Config(features=("x2", "x1")) == Config(features=("x1", "x2"))
    assert parse_value("features", "x1x2,x2,x1") == ("x1x2", "x2", "x1")
    assert to_strings(Config(features=("x1x2", "x1"))) ["features"] == "x1,x1x2"
    assert Config(layers=(4, 4), freeze=(3, 1)).freeze == (1, 3)


def test_long_link_values_are_refused_and_never_echoed_in_full():
    config, notes = from_query({"noise": ["9" * 10_000], "<b>" * 1000: ["1"], "dataset": ["a" * 2000]})
    assert config == Config() and len(notes) == 3
    assert all(len(n) < 400 for n in notes), [len(n) for n in notes]


# --- the command line ------------------------------------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True, timeout=180)


def test_cli_trains_and_sweeps_on_a_file(tmp_path):
    path = tmp_path / "three.csv"
    path.write_bytes(GOOD)
    out = run_cli("train", "--data", str(path), "--epochs", "30", "--layers", "5", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["epochs"] == 30 and result["params"] == 2 * 5 + 5 + 5 * 3 + 3  # three outputs: three classes
    out = run_cli("sweep", "--data", str(path), "--epochs", "10", "--depths", "1,2", "--widths", "3", "--json")
    assert out.returncode == 0, out.stderr
    assert [r["depth"] for r in json.loads(out.stdout)] == [1, 2]


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_cli_refuses_a_bad_file_in_one_line(tmp_path, command):
    path = tmp_path / "bad.csv"
    path.write_bytes(BAD["negative label"][0])
    for args, words in (([str(path)], ["--data:", "line 3", "negative"]),
                        ([str(tmp_path / "none.csv")], ["--data:", "cannot read"])):
        out = run_cli(command, "--data", *args, "--json")
        assert out.returncode == 2 and out.stdout == ""
        assert out.stderr.count("\n") == 1 and all(w in out.stderr for w in words), out.stderr


def test_drawing_adds_erases_and_stops_at_the_cap():
    text, refused = edit_drawn("", "classification", add=[[1, 1], [2, 2], [-3, 0]], label=1)
    text, refused = edit_drawn(text, "classification", add=[[0, -4]], label=0)
    d = decode_drawn(text)
    assert refused == 0 and d.labels.tolist() == [1, 1, 1, 0] and d.points[3].tolist() == [0, -4]
    text, _ = edit_drawn(text, "classification", erase=[[1.2, 1.1], [9, 9]], radius=0.5)
    assert decode_drawn(text).points.tolist() == [[2, 2], [-3, 0], [0, -4]]
    values, _ = edit_drawn(text, "regression", add=[[1, 1]], label=-0.4)  # the other problem: a fresh set
    assert decode_drawn(values).labels.tolist() == [pytest.approx(-0.4)]
    full, refused = edit_drawn("", "classification", add=np.zeros((MAX_DRAWN + 7, 2)))
    assert refused == 7 and len(decode_drawn(full).labels) == MAX_DRAWN


def test_a_link_cannot_claim_an_uploaded_file():
    config, notes = from_query({"source": ["file"]})
    assert config.source == "generated" and "cannot carry an uploaded file" in notes[0]


# --- the lab keeps the playground's dropout, freezing and data -----------------------------------------------------

def test_sweeps_keep_dropout_and_freezing_per_layer():
    from playground.core.sweep import grid_configs, with_layers

    base = Config(layers=(8, 8), dropout=(0.1, 0.5), freeze=(1, 3))
    deep, shallow, none = (with_layers(base, layers, ("tanh",)) for layers in ((6, 6, 6), (6,), ()))
    assert (deep.dropout, deep.freeze) == ((0.1, 0.5, 0.5), (1, 4))   # the output layer stays frozen
    assert (shallow.dropout, shallow.freeze) == ((0.1,), (1, 2))
    assert none.freeze == (1,) and none.layers == ()
    assert all(c.dropout != (0.0,) and len(c.layers) + 1 in c.freeze for c in grid_configs(base, [1, 2, 3], [4]))
    same = with_layers(Config(dropout=(0.2,)), (3, 3, 3), ("relu",))
    assert same.dropout == (0.2,) and same.freeze == ()


def test_a_sweep_and_side_by_side_train_on_an_uploaded_file():
    from playground.core.runs import SideBySide
    from playground.core.sweep import Sweep, grid_configs

    upload = parse_csv(GOOD)
    base = config_for_upload(Config(), upload)
    sweep = Sweep(grid_configs(base, [1], [3, 4]), upload=upload)
    try:
        sweep.advance(3)
        assert len(sweep.dataset.y_train) == 15 and sweep.results()[0]["train_loss"] is not None
    finally:
        sweep.close()
    side = SideBySide([base, base.replace(optimizer="adam")], upload=upload)
    side.advance(2)
    assert side.epoch == 2 and all(s.arch.n_out == 3 for s in side.sessions)


def test_cli_source_file_needs_a_file():
    out = run_cli("train", "--source", "file", "--json")
    assert out.returncode == 2 and out.stderr == "error: --source: 'file' needs --data PATH\n"
