"""What the 'see inside' panels cost the server: `python benchmarks/bench_panels.py [seconds per case]`.

Starts `streamlit run app.py`, opens C2 (spiral, six layers of eight) in headless chromium, opens no panel, each panel
alone, then all of them from the multiselect, presses Play and measures, as benchmarks/bench_browser.py does: painted
canvas frames/s (`window.__pgPaints`) and the server process's CPU time (psutil, user + system) per painted frame.
The issue's budget: open panels add no more than 30% to the server CPU per frame.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser_utils import (  # noqa: E402
    chromium_page,
    click_button,
    cpu_seconds,
    open_panel,
    paints,
    shown_epoch,
    streamlit_server,
    wait_for_live_view,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from playground.web.inside_panels import PANELS  # noqa: E402

C2 = "?dataset=spiral&layers=8,8,8,8,8,8"
# "no panel" is measured first and last: on a shared machine the difference between the two shows the noise.
CASES = {"no panel": (), **{name: (name,) for name in PANELS}, "all panels": PANELS, "no panel, again": ()}
WARMUP_S = 8.0
MEASURE_S = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0


def measure(page, server: psutil.Process, url: str, panels) -> dict:
    page.goto(url + "/" + C2)
    wait_for_live_view(page)
    for label in panels:
        open_panel(page, label)
        time.sleep(1.0)
    click_button(page, "Play")
    time.sleep(WARMUP_S)  # the exact trainer and the panels' probes compile here
    frames0, epoch0, cpu0, t0 = paints(page), shown_epoch(page), cpu_seconds(server), time.monotonic()
    time.sleep(MEASURE_S)
    frames1, epoch1, cpu1, t1 = paints(page), shown_epoch(page), cpu_seconds(server), time.monotonic()
    click_button(page, "Pause")
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=30_000)
    frames = max(frames1 - frames0, 1)
    return {"frames/s": frames / (t1 - t0), "epochs/s": (epoch1 - epoch0) / (t1 - t0),
            "server CPU %": 100 * (cpu1 - cpu0) / (t1 - t0), "server CPU ms/frame": 1000 * (cpu1 - cpu0) / frames}


def main():
    rows = {}
    with streamlit_server() as (url, process), chromium_page() as page:
        server = psutil.Process(process.pid)
        measure(page, server, url, ())  # warm-up: compile caches, first imports
        for name, panels in CASES.items():
            rows[name] = measure(page, server, url, panels)
            print(name, {k: round(v, 2) for k, v in rows[name].items()}, flush=True)
    base = (rows["no panel"]["server CPU ms/frame"] + rows["no panel, again"]["server CPU ms/frame"]) / 2
    print()
    print(f"{'case':24s}{'frames/s':>10s}{'epochs/s':>10s}{'server CPU %':>14s}{'ms/frame':>10s}{'vs none':>9s}")
    for name, row in rows.items():
        extra = 100 * (row["server CPU ms/frame"] / base - 1)  # vs the mean of the two no-panel runs
        print(f"{name:24s}{row['frames/s']:10.1f}{row['epochs/s']:10.1f}{row['server CPU %']:14.1f}"
              f"{row['server CPU ms/frame']:10.1f}{extra:+8.0f}%")


if __name__ == "__main__":
    main()
