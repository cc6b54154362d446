"""One's own data in headless chromium, as a person does it: draw points on the output map and see them trained on;
upload a good CSV file and a bad one. Every wait is for what the page shows, with generous timeouts."""

import os

import pytest
from browser_utils import browser_available, click_button, shown_epoch, wait_for_live_view, wait_until

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")


def view(page, expression: str):
    """Evaluate `expression` about the live view's state `v` (assets/live_view.js)."""
    return page.evaluate(f"() => {{ const root = document.querySelector('.pg-root'), v = root && root._view;"
                         f"return v ? {expression} : null; }}")


def drag(page, start: tuple[float, float], end: tuple[float, float], steps: int = 12):
    """Press on the output map at `start`, move to `end` and let go; positions as fractions of the map's side."""
    box = page.locator("canvas.pg-output").bounding_box()
    at = lambda p: (box["x"] + p[0] * box["width"], box["y"] + p[1] * box["height"])  # noqa: E731
    page.mouse.move(*at(start))
    page.mouse.down()
    for k in range(1, steps + 1):
        t = k / steps
        page.mouse.move(*at((start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))))
    page.mouse.up()


def drawn_points(page) -> list:
    return view(page, "v.spec.source === 'drawn' ? v.spec.train.concat(v.spec.test) : []") or []


def tool(page, name: str):
    page.locator(f".pg-draw button[data-tool='{name}']").click()


def test_draw_points_and_see_them_trained_on(page, server_url):
    page.goto(server_url)
    wait_for_live_view(page)
    tool(page, "class0")
    drag(page, (0.15, 0.15), (0.15, 0.85))           # a column of class 0 on the left
    assert wait_until(lambda: len(drawn_points(page)) >= 8, timeout=60)
    tool(page, "class1")
    drag(page, (0.85, 0.15), (0.85, 0.85))           # and of class 1 on the right
    assert wait_until(lambda: {p[2] for p in drawn_points(page)} == {0, 1}, timeout=60)
    points = drawn_points(page)
    assert all((x < 0) == (k == 0) for x, _, k in points), points
    assert view(page, "v.spec.extent") == 6          # the plane they were drawn on
    assert "source=drawn" in page.url and "drawn=" in page.url

    click_button(page, "Play")
    # a drawn set is a new data shape: its programs compile first (about 15 s on a loaded 2-core machine)
    assert wait_until(lambda: shown_epoch(page) >= 30, timeout=240)
    # trained on: test accuracy on the drawn points (the status line's number) reaches 100 %
    assert wait_until(lambda: "test accuracy 100.0%" in view(page, "v.status.textContent"), timeout=120)
    click_button(page, "Pause")

    # erase the left column: only class 1 is left, and "generated" brings the circle back
    tool(page, "erase")
    drag(page, (0.15, 0.1), (0.15, 0.9), steps=20)
    assert wait_until(lambda: {p[2] for p in drawn_points(page)} == {1}, timeout=60)
    tool(page, "generated")
    assert wait_until(lambda: view(page, "v.spec.source") == "generated" and len(view(page, "v.spec.train")) == 250,
                      timeout=60)


GOOD = "x1,x2,label\n" + "".join(f"{(i % 11) / 10 - 0.5:.2f},{(i % 7) / 10 - 0.3:.2f},{int(i % 11 > 5)}\n"
                                 for i in range(60))
BAD = "x1,x2,label\n1,2,0\n3,4,1\n5,6\n7,8,1\n"


def test_upload_a_good_file_and_a_bad_one(page, server_url, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "ragged.csv"
    good.write_text(GOOD.replace("\n", "\r\n"), encoding="utf-8-sig")   # as a spreadsheet writes it
    bad.write_text(BAD)
    page.goto(server_url)
    wait_for_live_view(page)
    upload = page.locator(".st-key-upload_file input[type='file']")  # not the weights file's
    upload.set_input_files(str(good))
    page.get_by_text("Training on good.csv (60 points)").wait_for(timeout=90_000)
    assert wait_until(lambda: view(page, "v.spec.source") == "file", timeout=60)
    assert view(page, "v.spec.extent") == pytest.approx(0.53)     # the plane follows the data (largest 0.5)
    assert len(view(page, "v.spec.train")) == 30

    upload.set_input_files(str(bad))
    page.get_by_text("That file was not loaded; the previous data stay.").wait_for(timeout=90_000)
    page.get_by_text("ragged.csv: line 4 has 2 columns, expected 3").wait_for(timeout=30_000)
    assert view(page, "v.spec.source") == "file" and view(page, "v.spec.extent") == pytest.approx(0.53)


def test_click_a_layers_header_to_freeze_it(page, server_url):
    page.goto(server_url + "/?layers=4,3")
    wait_for_live_view(page)
    page.locator(".pg-header").first.click()
    assert wait_until(lambda: view(page, "JSON.stringify(v.spec.frozen)") == "[1]", timeout=60)
    assert "freeze=1" in page.url
    header = page.locator(".pg-header").first
    assert header.get_attribute("class").endswith("pg-frozen") and "\u2744" in header.inner_text()
    page.locator(".pg-header").first.click()   # and again: trained again
    assert wait_until(lambda: view(page, "JSON.stringify(v.spec.frozen)") == "[]", timeout=60)
