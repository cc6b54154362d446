"""Wall time of the 24-network sweep (depths 1-6 x widths 2, 4, 6, 8, spiral, 500 epochs): the engine alone, and in
the real app from clicking Run sweep until the page says it finished.

    python benchmarks/bench_lab.py

Needs /usr/bin/chromium and the playwright package (tests/browser_utils.py). Prints a table.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_utils import chromium_page, click_button, streamlit_server, wait_for_live_view  # noqa: E402

DEPTHS, WIDTHS, EPOCHS = range(1, 7), (2, 4, 6, 8), 500


def engine_seconds() -> dict:
    from playground.core.config import Config
    from playground.core.sweep import Sweep, grid_configs
    from playground.core.train import enable_compilation_cache

    enable_compilation_cache()
    began = time.perf_counter()
    sweep = Sweep(grid_configs(Config(dataset="spiral"), list(DEPTHS), list(WIDTHS)))
    built = time.perf_counter()
    sweep.compile()
    compiled = time.perf_counter()
    sweep.advance(EPOCHS)
    trained = time.perf_counter()
    again = Sweep(sweep.configs)
    began_again = time.perf_counter()
    again.advance(EPOCHS)
    return {"build": built - began, "compile": compiled - built, "train": trained - compiled,
            "total": trained - began, "second sweep, train": time.perf_counter() - began_again}


def wait_until_idle(process, seconds: float = 60.0):
    """Until the server uses under 10% of a core for two seconds: the playground tab's own background
    compilations (its bridge network, its exact network) must not be counted as the sweep's time."""
    server, deadline = psutil.Process(process.pid), time.monotonic() + seconds
    while server.cpu_percent(interval=2.0) > 10 and time.monotonic() < deadline:
        pass


def _status(page) -> str:
    return page.evaluate("() => { const e = document.querySelector('.lab-status'); return e ? e.innerText : ''; }")


def _choose(page, label: str, values):
    for value in values:
        page.get_by_label(label).click()
        page.keyboard.type(str(value))
        page.get_by_role("option", name=str(value), exact=True).click()
        page.keyboard.press("Escape")
        time.sleep(0.8)


def browser_run(page) -> dict:
    """Click Run sweep; poll until 'finished': seconds, repaints of the grid seen, epochs shown on the way."""
    paints = lambda: page.evaluate("() => window.__labPaints || 0")  # noqa: E731  (lab_view's paint counter)
    before, seen, epochs = paints(), 0, []
    old_status = _status(page)
    began = time.perf_counter()
    click_button(page, "Run sweep")
    first_grid = None
    while _status(page) == old_status or "finished" not in _status(page):
        now = paints()
        if now != before:
            seen, before = seen + 1, now
            first_grid = first_grid or time.perf_counter() - began
            m = re.search(r"epoch ([0-9,]+) of", _status(page))
            epochs.append(int(m.group(1).replace(",", "")) if m else -1)
        if time.perf_counter() - began > 300:
            raise TimeoutError(_status(page))
        time.sleep(0.02)
    paint_ms = page.evaluate("() => window.__labPaintMs || []")[-seen:] if seen else []
    return {"seconds": time.perf_counter() - began, "first grid": first_grid, "repaints": seen, "epochs": epochs,
            "status": _status(page), "paint ms": paint_ms}


def _open_lab(page, url: str, process):
    page.goto(url + "/?dataset=spiral")
    wait_for_live_view(page)
    wait_until_idle(process)  # the playground tab's own compilations are not the sweep's
    page.get_by_role("tab", name="Depth × width lab").click()
    page.get_by_role("button", name="Run sweep", exact=True).wait_for(timeout=30_000)
    _choose(page, "Depths (hidden layers)", [5, 6])
    _choose(page, "Widths (neurons per layer)", [6])


def _run(page, rows: list, attempt: str):
    result = browser_run(page)
    if "24 networks" not in result["status"]:
        page.screenshot(path="/tmp/lab_bench.png", full_page=True)
        raise AssertionError(result["status"])
    rows.append((attempt, result))


def main():
    engine = engine_seconds()
    rows = []
    # Each server gets an empty compilation cache: its first sweep compiles from scratch, as on a new machine.
    # Server 1: Run is pressed at once after choosing, so the sweep compiles after the click.
    first_cache = os.environ["PLAYGROUND_JAX_CACHE"] = tempfile.mkdtemp(prefix="bench_lab_cache_")
    with streamlit_server() as (url, process), chromium_page() as page:
        _open_lab(page, url, process)
        _run(page, rows, "Run at once (compiles after click)")
    # Server 1 again, as on any later day: the same at once, the compiled programs now on disk.
    os.environ["PLAYGROUND_JAX_CACHE"] = first_cache
    with streamlit_server() as (url, process), chromium_page() as page:
        _open_lab(page, url, process)
        _run(page, rows, "Run at once, new server, disk cache warm")
    # Server 2: the person looks at the settings until the server is idle: the lab compiled them meanwhile.
    os.environ["PLAYGROUND_JAX_CACHE"] = tempfile.mkdtemp(prefix="bench_lab_cache_")
    with streamlit_server() as (url, process), chromium_page() as page:
        _open_lab(page, url, process)
        wait_until_idle(process)
        _run(page, rows, "Run after a pause (compiled ahead)")
        wait_until_idle(process)
        _run(page, rows, "second run (compiled)")
        page.screenshot(path="/tmp/lab_bench.png", full_page=True)

    print(f"\n24-network sweep (depths 1-6 x widths 2,4,6,8, spiral, {EPOCHS} epochs)\n")
    print(f"{'what':48} {'seconds':>8}")
    for name, seconds in engine.items():
        print(f"{'engine: ' + name:48} {seconds:8.2f}")
    for attempt, r in rows:
        print(f"{'browser, click -> finished, ' + attempt:48} {r['seconds']:8.2f}")
        print(f"{'   first grid painted':48} {r['first grid'] or float('nan'):8.2f}")
        print(f"{'   grid repaints seen':48} {r['repaints']:8d}   epochs shown: {r['epochs']}")
        if r["paint ms"]:  # the browser's forward passes and pictures of all 24 networks, per repaint
            ms = sorted(r["paint ms"])
            print(f"{'   browser ms per repaint, median / max':48} {ms[len(ms) // 2]:8.1f} / {ms[-1]:.1f}")
        print(f"{'   the page said':48} {r['status']}")


if __name__ == "__main__":
    main()
