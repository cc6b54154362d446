"""A new page paints its live view first, then draws the rest (playground/web/first_paint.py), in headless chromium:
the stage arrives alone, the live view says it painted, and More settings, the panels below and the inside panels
follow without any action, with the link's settings. Every wait is for what the page shows, with generous timeouts
(CI runs on a busy two-core machine); nothing here is timed."""

import os

import pytest
from browser_utils import browser_available, click_button, shown_epoch, wait_for_live_view, wait_until

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")

QUERY = "?dataset=spiral&layers=8,8,8,8,8,8&noise=0.2"
# Notes, in the page, whether the live view had painted when the first widget of More settings appeared.
ORDER = """() => { window.__pgOrder = null;
  new MutationObserver((_, observer) => {
    if (document.querySelector('.st-key-width_0')) {
      window.__pgOrder = (window.__pgPaints || 0) > 0 ? 'painted first' : 'settings first';
      observer.disconnect();
    }
  }).observe(document, {childList: true, subtree: true}); }"""


def open_page(page, url: str):
    page.goto("about:blank")
    page.goto(url + "/" + QUERY)
    page.evaluate(ORDER)  # before any element: the page has just been created, Streamlit has not drawn yet


@pytest.mark.parametrize("visit", ["new server", "running server"])
def test_the_live_view_paints_before_the_rest_which_follows_with_the_links_settings(page, server_url, visit):
    open_page(page, server_url)
    wait_for_live_view(page)
    page.locator(".st-key-width_5").wait_for(timeout=90_000)  # six layers: the sixth layer's row
    page.locator(".st-key-inside_panels").wait_for(timeout=60_000)
    page.get_by_text("Save and export", exact=True).wait_for(timeout=60_000)
    assert page.evaluate("window.__pgOrder") == "painted first"
    assert page.locator(".st-key-noise").inner_text().find("0.20") >= 0  # the link's noise, on its slider
    assert shown_epoch(page) == 0


def test_the_rest_works_once_drawn(page, server_url):
    """A control of More settings acts on the live view after the page was drawn in two steps."""
    open_page(page, server_url)
    wait_for_live_view(page)
    box = page.locator(".st-key-discretize input")
    box.wait_for(state="attached", timeout=90_000)
    page.evaluate("document.querySelector('.st-key-discretize input').click()")
    assert wait_until(lambda: page.evaluate("document.querySelector('.pg-root')._view.spec.discretize") is True,
                      timeout=60)
    click_button(page, "Step")
    assert wait_until(lambda: shown_epoch(page) == 1, timeout=60)
