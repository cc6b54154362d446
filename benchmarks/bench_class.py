"""A class of students on one server: `python benchmarks/bench_class.py --students 30 --seconds 20`.

N students without browsers (tests/class_harness.py: Streamlit's websocket protocol, as the browser speaks it) open
the app with a URL config, press Play and play at once. Prints per student delivered frames/s (minimum, median),
frame delay (median, 95th percentile: from the request a frame answers to its arrival), the longest time without a
new frame, Pause latency, the server's CPU in cores and its memory, and errors; `--json` prints one line of strict JSON
instead. Starts its own `streamlit run app.py` unless `--url` points at a running server or load balancer (then
`--pids` names the server processes to measure; without it the process listening on the URL's port is measured).
`--browser` adds one real Chromium page among the students and reports its delivered and painted frames/s.

The harness runs on the same machine as the server and costs CPU too (`harness_cores`): on 2 shared cores, numbers
are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser_utils import cpu_seconds, streamlit_server  # noqa: E402
from class_harness import C2, ClassResult, play_class  # noqa: E402

HEAVY = "points=2000&train_ratio=0.9&batch_size=1&layers=32,32,32,32,32,32,32,32,32,32&activation=relu"
HEAVY_SPEED = 250


def server_processes(url: str, pids: list[int] | None) -> list[psutil.Process]:
    """The processes to measure: the given pids, else whatever listens on the URL's port (with its children)."""
    if pids:
        return [psutil.Process(pid) for pid in pids]
    port = urllib.parse.urlsplit(url).port or 80
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            parent = psutil.Process(conn.pid)
            return [parent, *parent.children(recursive=True)]
    return []


class ServerMeter:
    """CPU seconds and resident memory of the server processes over the measured window."""

    def __init__(self, processes: list[psutil.Process]):
        self.processes = processes
        self.cpu0 = self.t0 = None
        self.cores = self.rss_mb = None
        self.hooks = (lambda *_: None, lambda: None)  # also called at the window's start and end

    def _cpu(self) -> float:
        return sum(cpu_seconds(p) for p in self.processes)

    def start(self, *_):
        if self.processes:
            self.cpu0, self.t0 = self._cpu(), time.monotonic()
        self.hooks[0]()

    def stop(self):
        if self.processes and self.cpu0 is not None and self.cores is None:
            self.cores = (self._cpu() - self.cpu0) / (time.monotonic() - self.t0)
            self.rss_mb = sum(p.memory_info().rss for p in self.processes) / 2**20
        self.hooks[1]()


def measure(url: str, args, processes: list[psutil.Process], on_window=None, on_window_end=None) -> dict:
    """Plays the class of `args` against `url`; the server processes are measured over the window, and the
    optional hooks are called when it starts and ends (deploy/local_replicas.py measures each process)."""
    meter = ServerMeter(processes)
    meter.hooks = (on_window or (lambda *_: None), on_window_end or (lambda: None))
    query = args.query.lstrip("?")
    browser_row = {}
    if args.browser:
        browser_row, result = _with_browser(url, args, query, meter)
    else:
        result = _harness_only(url, args, query, meter)
    row = result.summary()
    row["server_cores"] = None if meter.cores is None else round(meter.cores, 2)
    row["server_rss_mb"] = None if meter.rss_mb is None else round(meter.rss_mb, 1)
    row["server_processes"] = len(processes)
    row["load_average_1m"] = round(os.getloadavg()[0], 1)  # other work on the machine makes the numbers noisy
    row.update(browser_row)
    row["query"] = query
    heavy = getattr(result, "heavy", None)
    if heavy is not None:  # the heavy link's own student: its frames and how far it trained
        row["heavy_fps"] = round(heavy.fps(result.start, result.end), 2)
        row["heavy_last_epoch"] = max(heavy.epochs, default=0)
        row["heavy_errors"] = len(heavy.errors)
    row["_result"] = result
    return row


def _harness_only(url, args, query, meter) -> ClassResult:
    done = threading.Event()

    def on_window(start, end):
        meter.start()
        threading.Timer(max(0.0, end - time.monotonic()), lambda: (meter.stop(), done.set())).start()

    heavy = (HEAVY, HEAVY_SPEED) if getattr(args, "heavy", False) else None
    result = asyncio.run(play_class(url, args.students, args.seconds, query, warmup=args.warmup,
                                    on_window=on_window, reconnect=args.reconnect, heavy=heavy))
    done.wait(5)
    return result


def _with_browser(url, args, query, meter):
    """One Chromium page plays too: it joins first, then the harness students; both are measured on one window."""
    from browser_utils import chromium_page
    from class_harness import BrowserStudent

    window, holder = {}, {}

    def on_window(start, end):
        meter.start()
        window.update(start=start, end=end)

    def harness():
        holder["result"] = asyncio.run(play_class(url, args.students, args.seconds, query, warmup=args.warmup,
                                                  on_window=on_window, reconnect=args.reconnect))

    with chromium_page() as page:
        browser = BrowserStudent(page)
        browser.open_and_play(url, query)
        thread = threading.Thread(target=harness, daemon=True)
        thread.start()
        paints = {}
        deadline = time.monotonic() + 600
        while thread.is_alive() and time.monotonic() < deadline:
            page.wait_for_timeout(100)  # Playwright delivers the websocket events while it waits
            now = time.monotonic()
            if "start" in window and "start" not in paints and now >= window["start"]:
                paints["start"] = (now, browser.paints())
            if "end" in window and "end" not in paints and now >= window["end"]:
                paints["end"] = (now, browser.paints())
                meter.stop()
        thread.join(120)
    if meter.cores is None:
        meter.stop()
    row = {"browser_fps": round(browser.fps(window["start"], window["end"]), 2)}
    if "start" in paints and "end" in paints:
        (t0, p0), (t1, p1) = paints["start"], paints["end"]
        row["browser_paint_fps"] = round((p1 - p0) / (t1 - t0), 2)
    return row, holder["result"]


def print_table(row: dict):
    result: ClassResult = row["_result"]
    print(f"{row['students']} students, {row['seconds']:.0f} s measured, config ?{row['query']}")
    print(f"{'student':>10s}{'frames/s':>10s}{'delay med':>11s}{'delay p95':>11s}{'longest gap':>13s}{'pause s':>9s}"
          f"{'errors':>8s}")
    for i, s in enumerate(result.students):
        delays = sorted(s.delays(result.start, result.end))
        med = f"{delays[len(delays) // 2]:.3f}" if delays else "-"
        p95 = f"{delays[min(len(delays) - 1, int(0.95 * len(delays)))]:.3f}" if delays else "-"
        pause = f"{s.pause_seconds:.2f}" if s.pause_seconds is not None else "-"
        print(f"{i:>10d}{s.fps(result.start, result.end):>10.1f}{med:>11s}{p95:>11s}"
              f"{s.longest_gap(result.start, result.end):>13.2f}{pause:>9s}{len(s.errors):>8d}")
    print()
    for key, value in row.items():
        if not key.startswith("_"):
            print(f"{key:>18s}  {value}")
    for error in result.errors()[:10]:
        print("error:", error)


def parser_for(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--url", help="a running server or load balancer (loopback), e.g. http://127.0.0.1:8501")
    parser.add_argument("--pids", help="comma-separated server process ids to measure (with --url)")
    parser.add_argument("--query", default=C2, help="the URL config every student opens (default: C2)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of play before the measured window")
    parser.add_argument("--browser", action="store_true", help="add one real Chromium page among the students")
    parser.add_argument("--reconnect", action="store_true",
                        help="after the window, every student drops its connection and reconnects with its session "
                             "id (a network blip): behind a load balancer, session restarts show it is not sticky")
    parser.add_argument("--heavy", action="store_true",
                        help="one more student opens a heavy link at top speed (2,000 points, batch size 1, ten "
                             "layers of 32): does everyone else keep a fair share?")
    parser.add_argument("--json", action="store_true", help="print one line of JSON")
    return parser


def main(argv=None):
    args = parser_for(__doc__.split("\n\n")[0]).parse_args(argv)
    if args.url:
        pids = [int(p) for p in args.pids.split(",")] if args.pids else None
        row = measure(args.url, args, server_processes(args.url, pids))
    else:
        with streamlit_server() as (url, process):
            row = measure(url, args, [psutil.Process(process.pid)])
    return report(row, args.json)


def report(row: dict, as_json: bool) -> dict:
    """Print `row` as one line of strict JSON or as a table; return it."""
    if as_json:
        print(json.dumps({k: v for k, v in row.items() if not k.startswith("_")}, allow_nan=False))
    else:
        print_table(row)
    return row


if __name__ == "__main__":
    main()
