"""Live-view speed in a real browser: `python benchmarks/bench_browser.py`.

Starts `streamlit run app.py`, opens it in headless chromium, presses Play for each case and measures:
painted frames/s (the canvas component counts its paints in `window.__pgPaints`), visible epochs/s (the 'Epoch N'
counter), server CPU per painted frame (psutil: user+system time of the server process), and pause latency (click on
Pause until the counter stops moving).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser_utils import (boundary_pixels, chromium_page, click_button, paints, shown_epoch,  # noqa: E402
                           streamlit_server, wait_for_live_view)

C2 = "?dataset=spiral&layers=8,8,8,8,8,8"
CASES = {  # name: (query string, epochs per frame)
    "C1 default (circle 4,2)": ("", 1),
    "C2 spiral 6x8": (C2, 1),
    "C2 spiral 6x8, speed 10": (C2, 10),
    "C2 spiral 6x8, speed 100": (C2, 100),
}
SPEEDS = (1, 2, 3, 5, 10, 20, 50, 100, 250)  # the speed slider's stops (playground/ui.py)
WARMUP_S, MEASURE_S = 10.0, 10.0


def cpu_seconds(process: psutil.Process) -> float:
    t = process.cpu_times()
    return t.user + t.system


def pause_latency(page) -> float:
    """Seconds from the Pause click until the epoch counter has stopped (no change for 0.5 s).

    The click is dispatched from JavaScript: Playwright's own click waits ~0.2 s for actionability, during which the
    counter could not be watched."""
    start = time.monotonic()
    page.evaluate("() => [...document.querySelectorAll('button')]"
                  ".find(b => b.innerText.trim() === 'Pause').click()")
    last, last_change = shown_epoch(page), time.monotonic()
    while time.monotonic() - last_change < 0.5 and time.monotonic() - start < 30:
        time.sleep(0.02)
        now = shown_epoch(page)
        if now != last:
            last, last_change = now, time.monotonic()
    return last_change - start


def measure(page, server: psutil.Process, url: str, query: str, speed: int) -> dict:
    page.goto(url + "/" + query)
    wait_for_live_view(page)
    if speed != 1:  # move the speed slider with the keyboard
        page.get_by_role("slider", name="Speed (epochs per frame)").focus()
        for _ in range(SPEEDS.index(speed)):
            page.keyboard.press("ArrowRight")
        time.sleep(1.5)
    click_button(page, "Play")
    time.sleep(WARMUP_S)  # compilation of this network's exact trainer happens here
    frames0, epoch0, cpu0, t0 = paints(page), shown_epoch(page), cpu_seconds(server), time.monotonic()
    before = boundary_pixels(page)
    time.sleep(MEASURE_S)
    frames1, epoch1, cpu1, t1 = paints(page), shown_epoch(page), cpu_seconds(server), time.monotonic()
    changed = boundary_pixels(page) != before
    latency = pause_latency(page)
    frames = max(frames1 - frames0, 1)
    return {"frames/s": (frames1 - frames0) / (t1 - t0), "epochs/s": (epoch1 - epoch0) / (t1 - t0),
            "server CPU ms/frame": 1000 * (cpu1 - cpu0) / frames, "pause latency s": latency,
            "boundary changed": changed}


def main():
    rows = {}
    with streamlit_server() as (url, process), chromium_page() as page:
        server = psutil.Process(process.pid)
        for name, (query, speed) in CASES.items():
            rows[name] = measure(page, server, url, query, speed)
            print(name, rows[name], flush=True)
    columns = list(next(iter(rows.values())))
    print()
    print(f"{'case':30s}" + "".join(f"{c:>22s}" for c in columns))
    for name, row in rows.items():
        cells = "".join(f"{v:>22.2f}" if isinstance(v, float) else f"{str(v):>22s}" for v in row.values())
        print(f"{name:30s}{cells}")


if __name__ == "__main__":
    main()
