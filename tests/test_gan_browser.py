"""The GAN tab in headless chromium: play, step D, step G, the arrows and the heatmap change, drawing.

Every wait is for what the page shows (a painted step, the weights of a frame), never a fixed time. Skipped where
chromium or playwright is missing, except under CI=true."""

import os

import pytest
from browser_utils import browser_available, wait_until

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")


def gan(page, expression: str):
    """Evaluate `expression` about the GAN view's state `v` (assets/gan_view.js)."""
    return page.evaluate(f"() => {{ const root = document.querySelector('.gan-root'), v = root && root._view;"
                         f"return v ? {expression} : null; }}")


def open_gan(page, url: str, query: str = ""):
    page.goto(f"{url}/?mode=gan{query}")
    page.wait_for_function("() => (window.__pgGanPaints || 0) > 0", timeout=120_000)


def settled(page, step: int) -> bool:
    """Paused on `step`, with the server's exact float32 weights painted."""
    return bool(gan(page, f"!v.playing && !v.pending && v.shown === {step} && v.frame && v.frame.f32"))


def snapshot(page) -> dict:
    return gan(page, "({heat: (paintHeat(v), v.heatCanvas.toDataURL()), plane: v.plane.toDataURL(), "
                     "g: Array.from(v.gParams), d: Array.from(v.dParams), arrows: v.arrowCount})")


def test_step_d_moves_the_heatmap_step_g_moves_the_samples_play_trains(page, server_url):
    open_gan(page, server_url)
    assert wait_until(lambda: settled(page, 0), timeout=60)
    start = snapshot(page)
    assert start["arrows"] > 50  # the generator's pull on the samples, drawn as arrows

    page.locator(".gan-step-d").click()
    assert wait_until(lambda: settled(page, 1), timeout=60)
    after_d = snapshot(page)
    assert after_d["d"] != start["d"] and after_d["heat"] != start["heat"]  # D learned: its map changed
    assert after_d["g"] == start["g"]                                      # G did not move

    page.locator(".gan-step-g").click()
    assert wait_until(lambda: settled(page, 2), timeout=60)
    after_g = snapshot(page)
    assert after_g["g"] != after_d["g"] and after_g["plane"] != after_d["plane"]  # the samples moved
    assert after_g["d"] == after_d["d"] and after_g["heat"] == after_d["heat"]

    paints = page.evaluate("() => window.__pgGanPaints")
    page.locator(".gan-play").click()
    assert wait_until(lambda: (gan(page, "v.shown") or 0) >= 300, timeout=120)
    assert page.evaluate("() => window.__pgGanPaints") > paints + 10
    page.locator(".gan-play").click()  # Pause: the step on screen stays, with the server's exact weights
    shown = gan(page, "v.shown")
    assert wait_until(lambda: settled(page, shown), timeout=60)
    played = snapshot(page)
    assert played["heat"] != after_g["heat"] and played["arrows"] > 50
    assert "Step " + f"{shown:,}" in page.locator(".gan-status").inner_text()


def test_drawing_on_the_plane_sends_the_points(page, server_url):
    open_gan(page, server_url, "&gan.real=drawn&gan.drawn=0,0,1,1,-1,1,1,-1")
    assert wait_until(lambda: gan(page, "v.spec.drawing && v.drawn.length") == 8, timeout=60)
    page.locator(".gan-clear").click()
    box = page.locator(".gan-plane").bounding_box()
    for fx, fy in [(0.25, 0.25), (0.75, 0.25), (0.5, 0.8)]:
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    # the server made a new run with the three points: its header carries them back
    assert wait_until(lambda: gan(page, "v.spec.drawn.length") == 6, timeout=60)
    drawn = gan(page, "v.spec.drawn")
    assert drawn[0] == pytest.approx(-1.5, abs=0.05) and drawn[1] == pytest.approx(1.5, abs=0.05)
