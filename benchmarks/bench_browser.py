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
from browser_utils import (  # noqa: E402
    boundary_pixels,
    chromium_page,
    click_button,
    cpu_seconds,
    paints,
    shown_epoch,
    streamlit_server,
    wait_for_live_view,
)

C2 = "?dataset=spiral&layers=8,8,8,8,8,8"
CASES = {  # name: (query string, epochs per frame)
    "C1 default (circle 4,2)": ("", 1),
    "C2 spiral 6x8": (C2, 1),
    "C2 spiral 6x8, speed 10": (C2, 10),
    "C2 spiral 6x8, speed 100": (C2, 100),
}
SPEEDS = (1, 2, 3, 5, 10, 20, 50, 100, 250)  # the speed slider's stops (playground/web/playground_page.py)
WARMUP_S, MEASURE_S = 10.0, 10.0


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


def first_paint_seconds(page, url: str, query: str) -> float:
    """Seconds from opening the page (on a server that has served it before) to the first painted frame."""
    page.goto("about:blank")
    start = time.monotonic()
    page.goto(url + "/" + query)
    wait_for_live_view(page)
    return time.monotonic() - start


def control_change_seconds(page) -> float:
    """While paused: seconds from clicking 'Discretize output' until the boundary canvas shows it."""
    before = boundary_pixels(page)
    start = time.monotonic()
    page.get_by_text("Discretize output", exact=True).click()
    while boundary_pixels(page) == before and time.monotonic() - start < 10:
        time.sleep(0.01)
    return time.monotonic() - start


def architecture_change_seconds(page) -> float:
    """While playing C2: seconds from clicking + on 'Hidden layers' until the new network's epochs count up again."""
    click_button(page, "Play")
    time.sleep(3)
    old = shown_epoch(page)
    start = time.monotonic()
    page.get_by_label("Hidden layers").press("ArrowUp")  # the number input's + (a person may click or press it)
    reset_seen = False
    while time.monotonic() - start < 20:
        epoch = shown_epoch(page)
        reset_seen = reset_seen or 0 <= epoch < old
        if reset_seen and epoch > 0:
            break
        time.sleep(0.01)
    elapsed = time.monotonic() - start
    click_button(page, "Pause")
    return elapsed


def responsiveness(page, url: str) -> dict:
    page.goto(url + "/" + C2)
    wait_for_live_view(page)  # the server's first C2 page compiles; the next opening is what a student sees
    first = first_paint_seconds(page, url, C2)
    time.sleep(3)
    control = control_change_seconds(page)
    changes = []
    for _ in range(3):
        changes.append(architecture_change_seconds(page))
        print(f"architecture change to training again: {changes[-1]:.2f} s", flush=True)
        time.sleep(4)  # let the exact network of that shape compile before the next change
    return {"first paint on a running server (s)": first, "control change shown (s)": control,
            "architecture change to training again (s), median of 3": sorted(changes)[1]}


def main(argv=sys.argv[1:]):
    """`python benchmarks/bench_browser.py [C1|C2 ...] [latency]`: the cases whose names start with these and the
    latency measurements (default: all)."""
    rows = {}
    cases = {n: c for n, c in CASES.items() if not argv or any(n.startswith(a) for a in argv)}
    with streamlit_server() as (url, process), chromium_page() as page:
        server = psutil.Process(process.pid)
        for name, (query, speed) in cases.items():
            rows[name] = measure(page, server, url, query, speed)
            print(name, rows[name], flush=True)
        latencies = responsiveness(page, url) if not argv or "latency" in argv else {}
    if rows:
        columns = list(next(iter(rows.values())))
        print()
        print(f"{'case':30s}" + "".join(f"{c:>22s}" for c in columns))
        for name, row in rows.items():
            cells = "".join(f"{v:>22.2f}" if isinstance(v, float) else f"{str(v):>22s}" for v in row.values())
            print(f"{name:30s}{cells}")
    print()
    for name, seconds in latencies.items():
        print(f"{name:58s}{seconds:8.2f}")


if __name__ == "__main__":
    main()
