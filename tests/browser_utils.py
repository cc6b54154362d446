"""Start `streamlit run app.py` on a free port and drive it with Playwright and Debian's chromium.

Shared by tests/test_browser.py and benchmarks/bench_browser.py.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def browser_available() -> str | None:
    """None if a browser test can run here, else the reason it cannot."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(timeout: float = 60.0):
    """Yields (base_url, process) of a headless `streamlit run app.py`; stops it afterwards."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"streamlit exited: {log.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError("streamlit did not answer its health check")
            time.sleep(0.2)
        yield url, process
    finally:
        stop_process(process)
        log.close()


def stop_process(process: subprocess.Popen, timeout: float = 10.0):
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def chromium_page(width: int = 1600, height: int = 1300):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


# --- reading the page -------------------------------------------------------------------------------------------------

def wait_for_live_view(page, timeout_ms: int = 90_000):
    """Wait until the live canvas has painted at least once (JAX compiles on the first frame)."""
    page.wait_for_function("() => (window.__pgPaints || 0) > 0", timeout=timeout_ms)


def paints(page) -> int:
    return page.evaluate("() => window.__pgPaints || 0")


def shown_epoch(page) -> int:
    """The number after 'Epoch' in the status line."""
    text = page.evaluate("""() => { const m = document.body.innerText.match(/Epoch ([0-9,]+)/);
                                    return m ? m[1] : null; }""")
    return int(text.replace(",", "")) if text is not None else -1


def boundary_pixels(page) -> str:
    """The output canvas as a data URL: changes whenever the decision boundary does."""
    return page.evaluate("() => document.querySelector('canvas.pg-output').toDataURL()")


def click_button(page, label: str):
    page.get_by_role("button", name=label, exact=True).click()


def open_panel(page, label: str):
    """Open an inside panel as a person would: click the multiselect, type the start of the label, pick the option,
    close the list."""
    picker = page.get_by_role("combobox", name="See inside the network")
    picker.click()
    picker.press_sequentially(label[:8], delay=30)
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")


def cpu_seconds(process) -> float:
    """User + system CPU time of a psutil.Process (the benchmarks' server CPU)."""
    t = process.cpu_times()
    return t.user + t.system


def box_of(page, selector: str, timeout: float = 30.0) -> dict:
    """The bounding box of the last element matching `selector`, waiting for one: a page run may re-render the
    element between two reads, and its box is None while it is not laid out."""
    boxes = []
    wait_until(lambda: boxes.append(page.locator(selector).last.bounding_box()) or boxes[-1], timeout=timeout)
    assert boxes and boxes[-1], f"{selector} was not laid out within {timeout} s"
    return boxes[-1]


def wait_until(condition, timeout: float = 30.0, every: float = 0.1) -> bool:
    """Poll `condition` until it is true (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False
