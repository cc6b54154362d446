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


BROWSER_SPEEDS = (1, 10, 50)  # steps per frame
WARMUP_S, MEASURE_S = 4.0, 8.0


def _measure_playing(page, speed: int) -> tuple[float, float, float]:
    """(painted frames/s, visible steps/s, browser ms per paint) while playing at `speed` steps per frame."""
    from browser_utils import wait_until

    shown = "() => document.querySelector('.gan-root')._view.shown"
    page.locator(".gan-speed select").select_option(str(speed))
    before = page.evaluate(shown)
    page.locator(".gan-play").click()
    wait_until(lambda: page.evaluate(shown) > before, timeout=120)  # the first play compiles the program
    time.sleep(WARMUP_S)
    read = "() => [window.__pgGanPaints, document.querySelector('.gan-root')._view.shown, " \
           "window.__pgGanPaintMs.count, window.__pgGanPaintMs.total]"
    p0, s0, c0, t0 = page.evaluate(read)
    time.sleep(MEASURE_S)
    p1, s1, c1, t1 = page.evaluate(read)
    page.locator(".gan-play").click()
    wait_until(lambda: page.evaluate("() => { const v = document.querySelector('.gan-root')._view; "
                                     "return !v.playing && v.frame.f32; }"), timeout=60)  # paused on the server too
    return (p1 - p0) / MEASURE_S, (s1 - s0) / MEASURE_S, (t1 - t0) / max(1, c1 - c0)


def browser_table():
    """Painted frames/s of the live GAN view in headless chromium (1366 x 768), default models on the ring."""
    from browser_utils import chromium_page, streamlit_server

    print(f"{'GAN live view (1366x768), speed':34} {'painted frames/s':>16} {'steps/s shown':>13} {'ms/paint':>8}")
    with streamlit_server() as (url, _process), chromium_page(1366, 768) as page:
        page.goto(f"{url}/?mode=gan")
        page.wait_for_function("() => (window.__pgGanPaints || 0) > 0", timeout=120_000)
        for speed in BROWSER_SPEEDS:
            fps, steps, ms = _measure_playing(page, speed)
            print(f"{f'{speed} steps/frame':34} {fps:16.1f} {steps:13.0f} {ms:8.1f}")


def main(argv):
    parts = argv or ["engine", "browser"]
    if "engine" in parts:
        engine_table()
    if "browser" in parts:
        browser_table()


if __name__ == "__main__":
    main(sys.argv[1:])
