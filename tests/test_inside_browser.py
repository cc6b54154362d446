"""The 'see inside' panels as a person sees them: opened from the multiselect in headless chromium, one after another,
each plot checked for drawn SVG and photographed into /tmp/inside_<panel>.png; then Play must repaint them.

Skipped where chromium or playwright is missing, except under CI=true: there a missing browser is a failure."""

import os
import time

import pytest
from browser_utils import (
    browser_available,
    chromium_page,
    click_button,
    open_panel,
    shown_epoch,
    streamlit_server,
    wait_for_live_view,
    wait_until,
)

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")


# (panel label, what its plot must contain, file name)
PANELS = [
    ("Gradient flow", "g.scatterlayer .trace", "gradient_flow"),
    ("Layer spaces", "g.scatterlayer .trace", "layer_spaces"),
    ("Saliency", "g.heatmaplayer image, g.imagelayer image", "saliency"),
    ("Activation statistics", "g.barlayer .trace", "activation_statistics"),
    ("Loss landscape", "g.contourlayer g path", "loss_landscape"),
    ("Activation functions", "g.scatterlayer .trace", "activation_functions"),
    ("Replay", "g.heatmaplayer image, g.imagelayer image", "replay"),
]


@pytest.fixture(scope="module")
def page():
    with streamlit_server() as (url, _process), chromium_page(height=1400) as p:
        p.goto(url + "/?dataset=spiral&layers=8,8,8")
        wait_for_live_view(p)
        for _ in range(3):
            click_button(p, "Step")
            time.sleep(0.7)
        yield p



def plot_count(page) -> int:
    return page.locator(".js-plotly-plot").count()


def panel_box(page, label: str):
    """The bordered container whose bold heading is `label`."""
    heading = page.locator("[data-testid=stMarkdownContainer] strong", has_text=label).filter(
        has_text=label).last
    return heading.locator("xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")


def test_each_panel_opens_from_the_picker_and_draws(page):
    for label, drawn, name in PANELS:
        before = plot_count(page)
        open_panel(page, label)
        box = panel_box(page, label)
        assert wait_until(lambda box=box, drawn=drawn: box.locator(".js-plotly-plot").count() > 0
                          and box.locator(drawn).count() > 0, timeout=60), label
        assert plot_count(page) > before, label
        svg_children = box.locator(".js-plotly-plot .main-svg").first.evaluate("s => s.childElementCount")
        assert svg_children > 0, label
        time.sleep(0.8)  # let plotly finish its layout before the photograph
        box.scroll_into_view_if_needed()
        box.screenshot(path=f"/tmp/inside_{name}.png")


def test_open_panels_repaint_while_playing(page):
    box = panel_box(page, "Gradient flow")
    title = page.locator(".js-plotly-plot", has_text="Output at epoch").first

    def replay_points() -> int:  # the gradient-flow line gets one marker per panel refresh
        return box.locator("g.scatterlayer .trace").first.locator("path.point").count()

    points_before, epoch_before = replay_points(), shown_epoch(page)
    click_button(page, "Play")
    assert wait_until(lambda: replay_points() >= points_before + 2, timeout=60)
    assert shown_epoch(page) > epoch_before
    click_button(page, "Pause")
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=15_000)
    # paused, the replay is its interactive chart again (a picture while playing): it comes with the page run
    assert wait_until(lambda: title.count() == 1, timeout=60)
    page.screenshot(path="/tmp/inside_all.png", full_page=True)
