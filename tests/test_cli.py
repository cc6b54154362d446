import json
import subprocess
import sys

import pytest


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True, timeout=120)


def strict_json(text):
    def no_constants(name):
        raise ValueError(f"non-strict JSON constant {name}")
    return json.loads(text, parse_constant=no_constants)


def test_json_line_has_every_metric():
    out = run_cli("train", "--dataset", "spiral", "--layers", "8,8", "--epochs", "50", "--json")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    r = strict_json(lines[0])
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "epochs", "diverged",
                "compile_seconds", "train_seconds", "grad_norms"):
        assert key in r
    assert r["epochs"] == 50 and r["diverged"] is False and len(r["grad_norms"]) == 3
    assert 0 <= r["train_accuracy"] <= 1 and r["compile_seconds"] > 0


def test_zero_epochs_reports_the_initial_network():
    r = strict_json(run_cli("train", "--epochs", "0", "--layers", "", "--json").stdout)
    assert r["epochs"] == 0 and len(r["grad_norms"]) == 1 and r["grad_norms"][0] > 0
    assert r["train_loss"] > 0.3


def test_divergence_is_reported_in_strict_json():
    out = run_cli("train", "--dataset", "plane", "--layers", "", "--learning-rate", "10", "--batch-size", "500",
                  "--init", "large", "--epochs", "100", "--json")
    r = strict_json(out.stdout)
    assert r["diverged"] is True and r["epochs"] < 100 and r["train_accuracy"] is None


def test_human_summary():
    out = run_cli("train", "--dataset", "xor", "--epochs", "100", "--optimizer", "adam", "--regularization", "l2",
                  "--regularization-rate", "0.001", "--features", "x1,x2,x1x2")
    assert out.returncode == 0 and "test accuracy" in out.stdout and "epoch 100/100" in out.stderr


@pytest.mark.parametrize("args, words", [
    (["--activation", "foo"], ["--activation", "'foo'", "relu"]),
    (["--layers", "4,99"], ["--layers", "99"]),
])
def test_bad_flags_name_the_flag(args, words):
    out = run_cli("train", *args)
    assert out.returncode == 2
    for word in words:
        assert word in out.stderr


def test_core_never_imports_streamlit_or_plotly():
    """Every module of the numeric core (and the CLI) imports without Streamlit or plotly."""
    import pkgutil

    import playground.core

    names = [f"playground.core.{m.name}" for m in pkgutil.iter_modules(playground.core.__path__)]
    assert len(names) >= 9
    code = (f"import sys, playground.cli, {', '.join(names)}; "
            "print('streamlit' in sys.modules, 'plotly' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr


def one_line_refusal(out, *words):
    """Exit code 2 and a single line on stderr (no traceback) that contains `words`."""
    assert out.returncode == 2, (out.returncode, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def test_divergence_at_epoch_zero_prints_a_result():
    """It crashed with IndexError: the history is empty when the very first epoch diverges."""
    out = run_cli("train", "--dataset", "plane", "--learning-rate", "1", "--layers", "8,8", "--activation", "relu")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "diverged at epoch 0" in out.stdout
    assert "train loss" in out.stdout  # the initial network's numbers: the last finite ones


def test_divergence_at_epoch_zero_in_json_has_the_initial_numbers():
    r = strict_json(run_cli("train", "--dataset", "plane", "--learning-rate", "1", "--layers", "8,8",
                            "--activation", "relu", "--json").stdout)
    assert r["diverged"] is True and r["epochs"] == 0 and r["train_loss"] is not None


def test_sweep_of_zero_epochs_prints_its_table():
    """It crashed with TypeError: a network that trained no epoch has no losses to format."""
    out = run_cli("sweep", "--epochs", "0", "--depths", "1", "--widths", "2")
    assert out.returncode == 0, out.stderr
    rows = out.stdout.strip().splitlines()
    assert len(rows) == 3 and rows[2].split()[:3] == ["tanh", "1", "2"], out.stdout


def test_sweep_marks_diverged_networks():
    out = run_cli("sweep", "--learning-rate", "10", "--init", "large", "--activations", "relu", "--depths", "1,3",
                  "--widths", "32", "--epochs", "50")
    assert out.returncode == 0, out.stderr
    rows = out.stdout.strip().splitlines()[2:]
    assert len(rows) == 2 and all(row.rstrip().endswith("diverged") for row in rows), out.stdout
    r = strict_json(run_cli("sweep", "--learning-rate", "10", "--init", "large", "--activations", "relu",
                            "--depths", "3", "--widths", "32", "--epochs", "50", "--json").stdout)
    assert r[0]["diverged"] is True


@pytest.mark.parametrize("args, words", [
    (["sweep", "--activations", ""], ["--activations", "at least 1"]),
    (["sweep", "--activations", "relu,foo"], ["--activations", "'foo'"]),
    (["sweep", "--depths", "1_0"], ["--depths", "'1_0'", "whole number"]),
    (["sweep", "--widths", "2,40"], ["--widths", "40 is outside 1 to 32"]),
    (["sweep", "--depths", "", "--widths", "2"], ["--depths", "at least 1"]),
    (["sweep", "--depths", "0,1,2,3,4,5,6,7,8,9,10", "--widths", "1,2,3,4,6,8,12,16,24,32"],
     ["101 networks", "96"]),
    (["sweep", "--depths", "1,2,3,4,5,6,7,8", "--widths", "2,4,8,16", "--activations", "tanh,relu,sigmoid",
      "--epochs", "1000"], ["96 networks", "10,000,000"]),
    (["train", "--epochs", "10000000"], ["--epochs", "10,000,000"]),
    (["train", "--epochs", "40001"], ["--epochs", "10,000,000"]),
    (["train", "--layers", "١٢"], ["--layers", "whole number"]),
])
def test_refusals_are_one_line(args, words):
    one_line_refusal(run_cli(*args), *words)


def test_the_work_limit_is_in_the_help():
    out = run_cli("train", "--help")
    assert "10,000,000" in " ".join(out.stdout.split())
