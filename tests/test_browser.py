"""What a person sees: the real app in headless chromium.

Skipped where chromium or playwright is missing, except under CI=true: there a missing browser is a failure."""

import os
import time

import pytest

from browser_utils import (boundary_pixels, browser_available, chromium_page, click_button, paints, shown_epoch,
                           streamlit_server, wait_for_live_view)

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")


@pytest.fixture(scope="module")
def server_url():
    with streamlit_server() as (url, _process):
        yield url


@pytest.fixture(scope="module")
def page():
    with chromium_page() as p:
        yield p


def wait_until(condition, timeout=30.0, every=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def test_play_animates_pause_stops_step_adds_one(page, server_url):
    page.goto(server_url)
    wait_for_live_view(page)
    assert shown_epoch(page) == 0
    boundary_before, paints_before = boundary_pixels(page), paints(page)

    click_button(page, "Play")
    assert wait_until(lambda: shown_epoch(page) >= 20, timeout=60)
    assert paints(page) > paints_before + 5
    assert boundary_pixels(page) != boundary_before

    click_button(page, "Pause")
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=10_000)
    time.sleep(0.5)
    stopped = shown_epoch(page)
    time.sleep(1.0)
    assert shown_epoch(page) == stopped

    click_button(page, "Step")
    assert wait_until(lambda: shown_epoch(page) == stopped + 1, timeout=10)
    time.sleep(1.0)
    assert shown_epoch(page) == stopped + 1


def test_shared_url_shows_its_settings(page, server_url):
    page.goto(server_url + "/?dataset=xor&layers=3,3&activation=relu")
    wait_for_live_view(page)
    body = page.inner_text("body")
    assert "Layer 2" in body and "Layer 3" not in body
    chosen = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-testid=stSelectbox] input')]
                                 .map(i => [i.getAttribute('aria-label'), i.value]))""")
    widths = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stNumberInput] input')]
                                 .map(i => [i.getAttribute('aria-label'), i.value])""")
    assert ["Hidden layers", "2"] in widths
    assert ["Neurons in layer 1", "3"] in widths and ["Neurons in layer 2", "3"] in widths
    assert chosen["Data set"] == "xor"
    assert chosen["Activation 1"] == chosen["Activation 2"] == "relu"
    assert "layers=3%2C3" in page.url or "layers=3,3" in page.url


def test_screenshot_is_not_blank(page, server_url, tmp_path_factory):
    from PIL import Image

    page.goto(server_url + "/?dataset=spiral&layers=8,8,8,8,8,8")
    wait_for_live_view(page)
    time.sleep(1.0)
    path = "/tmp/playground_browser_test.png"
    page.screenshot(path=path)
    image = Image.open(path).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 200  # a blank or single-colour page has a handful
    network = page.query_selector("canvas.pg-network")
    assert network.bounding_box()["width"] > 400
