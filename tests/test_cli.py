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
