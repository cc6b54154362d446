"""`python -m playground gan`: strict JSON, the samples file, and bad flags refused in one line."""

from test_cli import run_cli, strict_json


def test_gan_json_line_and_samples_file(tmp_path):
    path = tmp_path / "samples.json"
    out = run_cli("gan", "--real", "ring8", "--steps", "300", "--seed", "2", "--json", "--samples", str(path))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    r = strict_json(lines[0])
    for key in ("d_loss", "g_loss", "steps", "diverged", "train_seconds", "divergence", "modes_covered"):
        assert key in r
    assert r["steps"] == 300 and r["diverged"] is False and r["train_seconds"] > 0
    assert 0 <= r["modes_covered"] <= 8 and 0 <= r["divergence"] <= 0.7
    samples = strict_json(path.read_text())
    assert len(samples) == 2000 and all(len(p) == 2 for p in samples)
    again = run_cli("gan", "--steps", "300", "--seed", "2", "--json", "--samples", str(path), "--sample-count", "50")
    assert strict_json(again.stdout)["g_loss"] == r["g_loss"]  # the same seed, the same run
    first = strict_json(path.read_text())  # the same fixed noise, its first 50 points (a batch of another size
    assert len(first) == 50                 # may round differently in the last digits)
    assert max(abs(a - b) for p, q in zip(first, samples) for a, b in zip(p, q)) < 1e-4


def test_gan_human_summary_for_a_mixture_without_modes():
    out = run_cli("gan", "--real", "moons", "--steps", "100", "--loss", "least_squares", "--g-layers", "8")
    assert out.returncode == 0, out.stderr
    assert "GAN on moons" in out.stdout and "steps per second" in out.stdout and "modes covered" not in out.stdout


def test_gan_bad_flags_name_the_flag():
    for args, words in [(["--real", "ring9"], ["--real", "ring9", "grid25"]), (["--g-layers", "8,99"], ["99"]),
                        (["--real", "drawn"], ["--drawn", "3 points"]), (["--sample-count", "0"], ["sample-count"])]:
        out = run_cli("gan", *args)
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
        for word in words:
            assert word in out.stderr
