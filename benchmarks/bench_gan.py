"""GAN mode speed: `python benchmarks/bench_gan.py [engine] [browser]` prints a table (both parts by default).

engine: GAN steps/s (one step = k discriminator updates + one generator update, batch 128) in chunks of 256, as the
page and the CLI call it, and the compile time, for the default models (two hidden layers of 32 ReLU each, Adam)
and a few variants. browser: painted frames/s of the live GAN view in headless Chromium while playing, counted by an
in-page requestAnimationFrame loop that fingerprints the canvas, with the steps/s the page shows.
Wall-clock on whatever the machine is doing: compare rows of one run, not runs of different days.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

ENGINE_CASES = {
    "defaults (ring8, G 32,32 / D 32,32 relu, adam, k=1)": {},
    "k = 5 discriminator steps": {"d_steps": 5},
    "small models (G 8 / D 8, tanh)": {"g_layers": (8,), "d_layers": (8,), "g_activation": "tanh",
                                       "d_activation": "tanh"},
}


def steps_per_second(changes: dict, seconds: float = 3.0) -> tuple[float, float]:
    """(steps/s, compile seconds) for the default config with `changes`."""
    import jax

    from playground.core.gan import compiled_gan_trainer
    from playground.core.gan_config import GAN_DEFAULT
    from playground.core.gan_session import GanRun

    run = GanRun(GAN_DEFAULT.replace(**changes))
    _, compile_seconds = compiled_gan_trainer(run.spec)
    run.advance(256)
    start, done = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        done += run.advance(256)
    jax.block_until_ready(run.state.g)
    return done / (time.perf_counter() - start), compile_seconds


def engine_table():
    print(f"{'GAN engine case':58} {'steps/s':>8} {'compile s':>9}")
    for name, changes in ENGINE_CASES.items():
        rate, compile_seconds = steps_per_second(changes)
        print(f"{name:58} {rate:8.0f} {compile_seconds:9.2f}")


def browser_table():
    print("browser: not measured yet")


def main(argv):
    parts = argv or ["engine", "browser"]
    if "engine" in parts:
        engine_table()
    if "browser" in parts:
        browser_table()


if __name__ == "__main__":
    main(sys.argv[1:])
