"""What a user takes away: config JSON and link, weights with their config (msgpack) and back, the standalone
script (run in a subprocess: the engine's final loss within 1e-4), and the CLI's --save/--load-weights and
--export-code."""

import json
import subprocess
import sys
import urllib.parse

import numpy as np
import pytest
from flax import serialization

from playground.core.config import Config, from_strings, to_strings
from playground.core.export import (MAX_WEIGHTS_BYTES, VERSION, ExportError, config_from_json, config_json,
                                    link_query, load_weights, weights_bytes)
from playground.core.model import layers_of
from playground.core.script import standalone_script
from playground.core.session import Session

SMALL = Config(dataset="xor", points=120, layers=(3, 2), epochs=30)


def _trained(config=SMALL, epochs=30):
    s = Session(config)
    s.advance(epochs)
    return s


def test_config_json_and_link_give_back_the_config():
    c = Config(dataset="spiral", classes=3, layers=(8, 8), activation=("relu", "tanh"), schedule="cosine")
    assert config_from_json(config_json(c)) == c
    query = dict(urllib.parse.parse_qsl(link_query(c)[1:], keep_blank_values=True))
    assert from_strings(query) == c


@pytest.mark.parametrize("text, reason", [("", "not a JSON file"), ("[1, 2]", "format tag"),
                                          ('{"format": "nn-playground-config", "config": {"layers": "1_0"}}',
                                           "not valid here: layers"),
                                          ('{"format": "nn-playground-config", "config": [1]}', "table")])
def test_a_bad_config_file_is_refused_with_its_reason(text, reason):
    with pytest.raises(ExportError, match=reason):
        config_from_json(text)


def test_weights_round_trip_with_config_and_epoch():
    s = _trained()
    config, layers, epoch = load_weights(weights_bytes(s.config, layers_of(s.params), s.epoch))
    assert config == s.config and epoch == 30
    for (w, b), (w0, b0) in zip(layers, layers_of(s.params)):
        np.testing.assert_array_equal(w, w0)
        np.testing.assert_array_equal(b, b0)
    restored = Session(config)
    restored.set_weights(layers)
    assert restored.epoch == 0 and len(restored.history.train_loss) == 0
    restored.advance(1)
    again = Session(s.config)
    again.set_weights(layers_of(s.params))
    again.advance(1)
    assert restored.history.train_loss[-1] == again.history.train_loss[-1]


def _ours(**changes):
    s = _trained()
    tree = serialization.msgpack_restore(weights_bytes(s.config, layers_of(s.params), s.epoch))
    tree.update(changes)
    return serialization.msgpack_serialize(tree)


def _with_layer(i, **arrays):
    s = _trained()
    tree = serialization.msgpack_restore(weights_bytes(s.config, layers_of(s.params), s.epoch))
    tree["layers"][str(i)].update(arrays)
    return serialization.msgpack_serialize(tree)


@pytest.mark.parametrize("make, reason", [
    (lambda: b"", "empty"),
    (lambda: b"\x00" * (MAX_WEIGHTS_BYTES + 1), "at most"),
    (lambda: b"x1,x2,label\n1,2,0\n", "not msgpack"),
    (lambda: serialization.msgpack_serialize({"a": np.zeros(3)}), "format tag"),
    (lambda: serialization.msgpack_serialize([1, 2, 3]), "format tag"),
    (lambda: _ours(version=VERSION + 1), "version 2"),
    (lambda: _ours(config={"dataset": "mnist"}), "not valid here: dataset"),
    (lambda: _ours(config={**to_strings(SMALL), "layers": "3,5"}), "weight layer 2 should be 3 x 5"),
    (lambda: _ours(layers={"0": {"w": np.zeros((2, 3))}}), "3 weight layers but the file holds 1"),
    (lambda: _with_layer(1, b=np.array([np.nan, 0.0], np.float32)), "layer 2 holds values that are not finite"),
    (lambda: _with_layer(0, w="text"), "layer 1 should be"),
])
def test_a_file_that_is_not_our_weights_is_refused_with_its_reason(make, reason):
    with pytest.raises(ExportError, match=reason):
        load_weights(make())


def _run_script(tmp_path, config, initial=None, dataset=None):
    path = tmp_path / "train_network.py"
    path.write_text(standalone_script(config, dataset, initial=initial))
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@pytest.mark.parametrize("config", [
    Config(epochs=100),
    Config(dataset="spiral", classes=3, points=300, layers=(8, 6), activation=("relu", "tanh"), dropout=(0.1, 0.0),
           optimizer="adam", learning_rate=0.01, regularization="l2", regularization_rate=0.001, freeze=(1,),
           schedule="warmup_cosine", schedule_epochs=60, epochs=80, init="he", features=("x1", "x2", "sinx1")),
    Config(dataset="plane", points=200, layers=(5,), optimizer="momentum", schedule="step", schedule_epochs=40,
           epochs=60, batch_size=7, regularization="l1", regularization_rate=0.01),
], ids=["default", "spiral-adam-dropout-freeze-warmup", "regression-momentum-step-l1"])
def test_the_exported_script_reaches_the_engines_final_loss(tmp_path, config):
    """The script imports no playground module (it runs from an empty folder) and uses JAX and optax alone."""
    s = _trained(config, config.epochs)
    r = _run_script(tmp_path, config, dataset=s.dataset)
    assert r["epochs"] == config.epochs
    assert abs(r["train_loss"] - float(s.history.train_loss[-1])) < 1e-4
    assert abs(r["test_loss"] - float(s.history.test_loss[-1])) < 1e-4
    text = (tmp_path / "train_network.py").read_text()
    assert "playground." not in text.replace("neural-network playground", "")


def test_the_script_of_loaded_weights_starts_from_them(tmp_path):
    start = _trained(SMALL, 40)
    loaded = layers_of(start.params)
    s = Session(SMALL)
    s.set_weights(loaded)
    s.advance(25)
    r = _run_script(tmp_path, SMALL.replace(epochs=25), initial=loaded, dataset=s.dataset)
    assert abs(r["train_loss"] - float(s.history.train_loss[-1])) < 1e-4


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True, timeout=300)


def test_cli_saves_loads_and_exports(tmp_path):
    weights, code = tmp_path / "w.msgpack", tmp_path / "s.py"
    out = run_cli("train", "--dataset", "xor", "--layers", "4", "--epochs", "40", "--schedule", "cosine",
                  "--save-weights", str(weights), "--export-code", str(code), "--json")
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout)
    assert first["saved_weights"] == str(weights) and first["exported_code"] == str(code)
    config, layers, epoch = load_weights(weights.read_bytes())
    assert (config.dataset, config.layers, config.schedule, epoch) == ("xor", (4,), "cosine", 40)
    again = json.loads(run_cli("train", "--load-weights", str(weights), "--epochs", "0", "--json").stdout)
    assert abs(again["train_loss"] - first["train_loss"]) < 1e-6
    assert "optax" in code.read_text()


@pytest.mark.parametrize("args, message", [
    (("--load-weights", "missing.msgpack"), "error: --load-weights: cannot read 'missing.msgpack'"),
    (("--load-weights", "bad.msgpack"), "error: --load-weights: 'bad.msgpack': not a weights file of this "
                                        "playground (it is not msgpack)"),
    (("--load-weights", "w.msgpack", "--layers", "3"), "error: --load-weights: the flags change the network's shape"),
    (("--save-weights", "no/such/dir/w"), "error: --save-weights: cannot write"),
])
def test_cli_refuses_bad_files_in_one_line_with_exit_code_2(tmp_path, args, message):
    (tmp_path / "bad.msgpack").write_text("x1,x2,label\n")
    (tmp_path / "w.msgpack").write_bytes(weights_bytes(SMALL, layers_of(_trained().params), 30))
    out = subprocess.run([sys.executable, "-m", "playground", "train", "--epochs", "1", *args, "--json"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={**__import__("os").environ, "PYTHONPATH": str(__import__("pathlib").Path.cwd())})
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip().startswith(message) and len(out.stderr.strip().splitlines()) == 1
