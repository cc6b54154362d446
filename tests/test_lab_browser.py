"""The lab tab as a person uses it: the real app in headless chromium.

Skipped where chromium or playwright is missing, except under CI=true: there a missing browser is a failure.
Screenshots go to /tmp/lab_*.png."""

import os
import re

import pytest
from browser_utils import browser_available, click_button, wait_for_live_view, wait_until

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")

LAB = "Depth × width lab"




def lab_status(page) -> str:
    return page.evaluate("() => { const e = document.querySelector('.lab-status'); return e ? e.innerText : ''; }")


def shown_lab_epoch(page) -> int:
    m = re.search(r"epoch ([0-9,]+) of", lab_status(page))
    return int(m.group(1).replace(",", "")) if m else -1


def cell_pictures(page) -> list[str]:
    """Every small multiple's pixels (the lab canvas component draws one canvas per network)."""
    return page.evaluate("() => Array.from(document.querySelectorAll('.lab-root td.lab-cell canvas'))"
                         ".map(c => c.toDataURL())")


def open_lab(page, url):
    page.goto(url)
    wait_for_live_view(page)
    page.get_by_role("tab", name=LAB).click()
    page.get_by_role("button", name="Run sweep", exact=True).wait_for(timeout=30_000)


def pick_option(page, label: str, option: str):
    """Choose `option` in the selectbox labelled `label`, as a person would: open it, type to filter (the list only
    renders the entries in view), click the entry."""
    page.get_by_label(label).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def test_sweep_fills_in_and_a_cell_opens_in_the_playground(page, server_url):
    open_lab(page, server_url + "/?dataset=spiral&noise=0.1")
    assert "spiral" in page.inner_text("body")
    page.screenshot(path="/tmp/lab_0_before.png")

    click_button(page, "Run sweep")  # defaults: depths 1-4 x widths 2, 4, 8 = 12 networks, 500 epochs
    assert wait_until(lambda: len(cell_pictures(page)) == 12, timeout=60)
    first_epoch, first_pictures = shown_lab_epoch(page), cell_pictures(page)
    assert wait_until(lambda: shown_lab_epoch(page) > first_epoch and cell_pictures(page) != first_pictures,
                      timeout=30)  # the grid repaints while it trains
    page.screenshot(path="/tmp/lab_1_running.png", full_page=True)
    assert wait_until(lambda: "finished" in lab_status(page), timeout=120)
    assert shown_lab_epoch(page) == 500
    assert page.locator(".lab-root td.lab-heat").count() == 12  # the depth x width heatmap
    assert re.fullmatch(r"\d+%\s*\d+p", page.locator(".lab-root td.lab-heat").first.inner_text().strip())
    assert page.evaluate("() => document.querySelector('.lab-root canvas.lab-curves').toDataURL().length") > 5000
    page.screenshot(path="/tmp/lab_2_finished.png", full_page=True)

    # a person clicks the picture of the depth 3 x width 8 network
    page.locator('.lab-root td.lab-cell[title^="depth 3 × width 8"]').click()
    hidden = page.get_by_label("Hidden layers", exact=True)
    assert wait_until(lambda: hidden.is_visible() and hidden.input_value() == "3", timeout=30)
    assert [page.get_by_label(f"Neurons in layer {i}", exact=True).input_value() for i in (1, 2, 3)] == ["8", "8", "8"]
    assert page.get_by_role("tab", name="Playground").get_attribute("aria-selected") == "true"
    assert "layers=8%2C8%2C8" in page.url or "layers=8,8,8" in page.url
    assert "dataset=spiral" in page.url
    wait_for_live_view(page)
    page.screenshot(path="/tmp/lab_3_opened.png")


def test_a_heatmap_cell_opens_its_network_and_the_selectbox_still_works(page, server_url):
    open_lab(page, server_url + "/?dataset=xor")  # the default sweep: depths 1-4 x widths 2, 4, 8
    click_button(page, "Run sweep")
    assert wait_until(lambda: "finished" in lab_status(page), timeout=120)
    cell = page.locator('.lab-root td.lab-heat[title^="depth 2 × width 4"]')
    cell.hover()  # its loss curve is picked out
    page.screenshot(path="/tmp/lab_2b_hover.png", full_page=True)
    cell.click()
    hidden = page.get_by_label("Hidden layers", exact=True)
    assert wait_until(lambda: hidden.is_visible() and hidden.input_value() == "2", timeout=30)
    assert "dataset=xor" in page.url
    wait_for_live_view(page)

    page.get_by_role("tab", name=LAB).click()  # back in the lab, the select box and button open a network too
    page.get_by_role("button", name="Run sweep", exact=True).wait_for(timeout=30_000)
    pick_option(page, "Network (its numbers are shown above)", "depth 1 × width 2")
    click_button(page, "Open in playground")
    assert wait_until(lambda: hidden.is_visible() and hidden.input_value() == "1", timeout=30)


def test_side_by_side_and_seed_ensemble_train_and_draw(page, server_url):
    open_lab(page, server_url + "/?dataset=xor&layers=4,4")
    page.get_by_text("Side by side", exact=True).click()
    page.get_by_role("button", name="Train side by side", exact=True).wait_for(timeout=30_000)
    first_layers = page.locator('input[aria-label="Hidden layers (widths)"]').first
    assert wait_until(lambda: first_layers.input_value() == "4,4", timeout=15)  # built from the playground's config
    click_button(page, "Train side by side")
    assert wait_until(lambda: page.locator("img.lab-side").count() == 2, timeout=60)
    assert wait_until(lambda: "finished" in lab_status(page), timeout=120)
    assert shown_lab_epoch(page) == 500
    # the overlaid loss curves (drawn by the page run that follows "finished"; wait for it)
    assert wait_until(lambda: page.locator(".js-plotly-plot").count() >= 1, timeout=30)
    page.screenshot(path="/tmp/lab_4_side_by_side.png", full_page=True)

    page.get_by_text("Seed ensemble", exact=True).click()
    page.get_by_role("button", name="Run seeds", exact=True).wait_for(timeout=30_000)
    click_button(page, "Run seeds")
    assert wait_until(lambda: "finished" in lab_status(page) and "seeds of" in lab_status(page), timeout=120)
    page.get_by_text(re.compile("Success rate")).first.wait_for(timeout=10_000)
    assert page.locator(".js-plotly-plot .heatmaplayer").count() >= 1  # mean and disagreement maps
    page.screenshot(path="/tmp/lab_5_seeds.png", full_page=True)
