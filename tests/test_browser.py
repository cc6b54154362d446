"""What a person sees: the real app in headless chromium.

Skipped where chromium or playwright is missing, except under CI=true: there a missing browser is a failure."""

import os
import time

import pytest
from browser_utils import (
    boundary_pixels,
    browser_available,
    click_button,
    paints,
    shown_epoch,
    wait_for_live_view,
    wait_until,
)

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")




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


def test_hover_shows_weights_and_biases_and_a_legend(page, server_url):
    page.goto(server_url + "/?dataset=xor&layers=3,2")
    wait_for_live_view(page)
    canvas = page.locator("canvas.pg-network")
    box = canvas.bounding_box()
    g = page.evaluate("""() => { const c = document.querySelector('canvas.pg-network'), g = c._geometry;
                                 return {pos: g.pos, node: g.node, weights: g.weights,
                                         scale: c.getBoundingClientRect().width / c.width}; }""")
    s, n = g["scale"], g["node"]
    neuron = g["pos"][1][0]
    page.mouse.move(box["x"] + (neuron[0] + n / 2) * s, box["y"] + (neuron[1] + n / 2) * s)
    assert wait_until(lambda: "bias" in page.locator(".pg-tip").inner_text(), timeout=5)
    a, b = g["pos"][0][0], g["pos"][1][1]  # the link from x1 to layer 1's second neuron, a fifth of the way along
    p0, p3 = (a[0] + n, a[1] + n / 2), (b[0], b[1] + n / 2)
    p1, p2 = (p0[0] + 30, p0[1]), (p3[0] - 30, p3[1])
    t = 0.2
    x, y = ((1 - t) ** 3 * p0[i] + 3 * (1 - t) ** 2 * t * p1[i] + 3 * (1 - t) * t * t * p2[i] + t ** 3 * p3[i]
            for i in (0, 1))
    page.mouse.move(box["x"] + x * s, box["y"] + y * s)
    assert wait_until(lambda: "weight" in page.locator(".pg-tip").inner_text(), timeout=5)
    tip = page.locator(".pg-tip").inner_text()
    assert tip.startswith("weight x1") and "layer 1 neuron 2" in tip
    assert float(tip.rsplit(":", 1)[1]) == pytest.approx(g["weights"][0][1][0], abs=1e-3)  # W[layer 0][to 2][from 1]
    assert "class 0" in page.locator(".pg-legend").inner_text()
