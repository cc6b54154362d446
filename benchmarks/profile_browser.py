"""Where the browser's time goes while the live view plays: `python benchmarks/profile_browser.py [C1] [C2] [seconds]`.

Starts `streamlit run app.py` and headless chromium as benchmarks/bench_browser.py does, presses Play on each case and,
after a warm-up, records through the Chrome DevTools protocol for a few seconds:
- the JavaScript CPU profile (`Profiler`): self time per function, per painted frame (`window.__pgPaints`);
- a timeline trace (`Tracing`, devtools.timeline): self time per trace event kind (script, style, layout, paint,
  raster, compositing) over every thread of the renderer and the GPU/viz process, per painted frame;
- `Performance.getMetrics`: the renderer's script, style and layout durations and counts, per painted frame;
- the chromium processes' CPU time (psutil) per painted frame, for comparison with bench_browser.py.
The profiler and the tracer cost CPU themselves (the frames/s here are lower than bench_browser.py's): the shares
matter, not the absolute milliseconds. Prints one table per case, the biggest costs first.
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_browser import browser_cpu, press, set_speed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser_utils import chromium_page, paints, streamlit_server, wait_for_live_view  # noqa: E402

CASES = {  # name: (query string, epochs per frame)
    "C1": ("", 1),
    "C2": ("?dataset=spiral&layers=8,8,8,8,8,8", 1),
    "C2@250": ("?dataset=spiral&layers=8,8,8,8,8,8", 250),
}
WARMUP_S = 4.0
TOP = 18
TRACE_CATEGORIES = ",".join(["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "cc", "viz",
                             "gpu", "toplevel"])


# Counts the messages the live view gets: every new `data` of the component calls window.__pgLiveMount (live_input.js)
COUNT_MESSAGES = """() => { if (window.__pgMessages !== undefined) return;
  window.__pgMessages = 0;
  const mount = window.__pgLiveMount;
  window.__pgLiveMount = component => { window.__pgMessages++; return mount(component); };
}"""


def js_self_times(profile: dict) -> tuple[dict[str, float], dict[str, float]]:
    """Milliseconds of self time per function ('name file:line') from a Profiler.stop profile, and per source: the
    live view's own files, the rest of the page's scripts (Streamlit, React), or native time outside any script."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {child: n["id"] for n in profile["nodes"] for child in n.get("children", ())}
    spent: dict[str, float] = collections.Counter()
    sources: dict[str, float] = collections.Counter()
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"]):
        frame = nodes[node_id]["callFrame"]
        url = frame.get("url", "").rsplit("/", 1)[-1]
        name = f"{frame['functionName'] or '(anonymous)'} {url}:{frame['lineNumber'] + 1}" if url else \
            frame["functionName"] or "(anonymous)"
        spent[name] += delta / 1000
        sources[_source(nodes, parent, node_id)] += delta / 1000
    return spent, sources


def _source(nodes: dict, parent: dict, node_id: int) -> str:
    """Who a sample is charged to: the live view's files if one of them is on the stack (a native call such as
    drawImage counts for the script that made it), else the page's other scripts, else the native leaf
    ('(program)' is the renderer's own work outside JavaScript: style, layout, paint, canvas flushes)."""
    leaf, urls = nodes[node_id]["callFrame"]["functionName"], []
    while node_id is not None:
        urls.append(nodes[node_id]["callFrame"].get("url", ""))
        node_id = parent.get(node_id)
    if any("/app/static/" in u for u in urls):
        return "live view code (assets/)"
    return "page scripts (Streamlit, React, ...)" if any(urls) else f"native: {leaf}"


def trace_self_times(events: list[dict]) -> dict[str, float]:
    """Milliseconds of self time per event name: complete events ('X') nested on one thread, children subtracted."""
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            by_thread[(e["pid"], e["tid"])].append(e)
    spent: dict[str, float] = collections.Counter()
    for thread_events in by_thread.values():
        thread_events.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack: list[list] = []  # [end, name, child time]
        for e in thread_events:
            while stack and stack[-1][0] <= e["ts"]:
                _close(stack, spent)
            stack.append([e["ts"] + e["dur"], e["name"], 0.0, e["dur"]])
        while stack:
            _close(stack, spent)
    return spent


def _close(stack: list, spent: dict):
    end, name, children, duration = stack.pop()
    spent[name] += (duration - children) / 1000
    if stack:
        stack[-1][2] += duration


class Recorder:
    """One DevTools session on the page: profiler, tracer and performance metrics over one window of time."""

    def __init__(self, page):
        self.page, self.cdp = page, page.context.new_cdp_session(page)
        self.events: list[dict] = []
        self.done = False
        self.cdp.on("Tracing.dataCollected", lambda e: self.events.extend(e["value"]))
        self.cdp.on("Tracing.tracingComplete", lambda e: setattr(self, "done", True))
        for domain in ("Profiler", "Performance"):
            self.cdp.send(f"{domain}.enable")
        self.cdp.send("Profiler.setSamplingInterval", {"interval": 200})

    def metrics(self) -> dict[str, float]:
        return {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}

    def record(self, seconds: float) -> dict:
        self.events, self.done = [], False
        self.cdp.send("Tracing.start", {"categories": TRACE_CATEGORIES, "transferMode": "ReportEvents"})
        self.cdp.send("Profiler.start")
        messages = self.page.evaluate("window.__pgMessages || 0")
        m0, p0, c0, t0 = self.metrics(), paints(self.page), browser_cpu(), time.monotonic()
        self.page.wait_for_timeout(seconds * 1000)
        m1, p1, c1, t1 = self.metrics(), paints(self.page), browser_cpu(), time.monotonic()
        profile = self.cdp.send("Profiler.stop")["profile"]
        self.cdp.send("Tracing.end")
        deadline = time.monotonic() + 60
        while not self.done and time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
        frames = max(1, p1 - p0)
        return {"frames": frames, "seconds": t1 - t0, "cpu ms/frame": 1000 * (c1 - c0) / frames,
                "metrics": {k: (m1[k] - m0.get(k, 0)) / frames for k in m1},
                "js": js_self_times(profile), "trace": trace_self_times(self.events),
                "messages": self.page.evaluate("window.__pgMessages || 0") - messages}


def print_top(title: str, spent: dict[str, float], frames: int):
    total = sum(spent.values())
    print(f"  {title} (ms per painted frame; total {total / frames:.2f})")
    for name, ms in sorted(spent.items(), key=lambda kv: -kv[1])[:TOP]:
        print(f"    {ms / frames:8.3f}  {100 * ms / max(total, 1e-9):5.1f} %  {name[:90]}")


def report(name: str, r: dict):
    frames = r["frames"]
    print(f"\n== {name}: {frames} painted frames in {r['seconds']:.1f} s ({frames / r['seconds']:.1f} frames/s), "
          f"chromium CPU {r['cpu ms/frame']:.1f} ms/frame (profiler and tracer included)")
    m = r["metrics"]
    print("  Performance.getMetrics per painted frame: " + ", ".join(
        f"{k} {1000 * m[k]:.2f} ms" for k in ("ScriptDuration", "RecalcStyleDuration", "LayoutDuration",
                                              "TaskDuration") if k in m) +
          ", " + ", ".join(f"{k} {m[k]:.2f}" for k in ("RecalcStyleCount", "LayoutCount") if k in m))
    print(f"  messages received (component renders) per painted frame: {r['messages'] / frames:.3f}")
    spent, sources = r["js"]
    print_top("JavaScript profile by source", sources, frames)
    print_top("JavaScript self time", spent, frames)
    print_top("trace events, self time, all threads", r["trace"], frames)


def main(argv=sys.argv[1:]):
    seconds = next((float(a) for a in argv if a.replace(".", "", 1).isdigit()), 6.0)
    names = [a for a in argv if a in CASES] or ["C1", "C2"]
    with streamlit_server() as (url, _), chromium_page() as page:
        recorder = Recorder(page)
        for name in names:
            query, speed = CASES[name]
            page.goto(url + "/" + query)
            wait_for_live_view(page)
            page.evaluate(COUNT_MESSAGES)
            set_speed(page, speed)
            press(page, "Play")
            time.sleep(WARMUP_S)  # this network's exact trainer compiles here
            report(name, recorder.record(seconds))
            press(page, "Pause")


if __name__ == "__main__":
    main()
