"""A whole lesson walked in presenter mode with the keyboard, in headless chromium.

Every wait is for what the page shows (a step's text, an epoch, the network's shape), with generous timeouts: CI runs
on a busy two-core machine."""

import os

import pytest
from browser_utils import browser_available, shown_epoch, wait_for_live_view, wait_until

from playground.core import lessons

reason = browser_available()
if reason and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {reason}")
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")


def view(page, expression: str):
    """`expression` about the live view's state `v` (assets/live_view.js), or None before it exists."""
    return page.evaluate(f"() => {{ const root = document.querySelector('.pg-root'), v = root && root._view;"
                         f"return v ? {expression} : null; }}")


def visible(page, selector: str) -> bool:
    return page.evaluate(f"""() => {{ const e = document.querySelector({selector!r});
                                     return !!e && e.getClientRects().length > 0; }}""")


def on_step(page, number: int, lesson: lessons.Lesson, sizes: list, features: list):
    """Wait until the page shows step `number`: its text in the lesson bar and its network on the stage, at epoch 0."""
    step = lesson.steps[number - 1]
    page.get_by_text(f"step {number} of {len(lesson.steps)}").wait_for(timeout=90_000)
    page.get_by_text(step.text[:40]).wait_for(timeout=30_000)
    assert wait_until(lambda: view(page, "v.spec && JSON.stringify([v.spec.sizes, v.spec.features])")
                      == f"[{sizes},{features}]".replace(" ", "").replace("'", '"'), timeout=90)
    assert wait_until(lambda: shown_epoch(page) == 0, timeout=60)


def test_walk_the_xor_lesson_in_presenter_mode_with_the_keyboard(server_url):
    from browser_utils import chromium_page

    lesson = lessons.all_lessons()["xor"]
    with chromium_page(1366, 768) as page:
        page.goto(f"{server_url}/?lesson=xor&step=1&present=1")
        wait_for_live_view(page)
        on_step(page, 1, lesson, [2, 1], ["x1", "x2"])
        # presenter mode: the stage, the step and Back / Next; no tabs, top bar, settings or panels
        assert visible(page, ".pg-root .pg-play") and visible(page, ".st-key-pg_step")
        for hidden in ('[data-testid="stTabs"] [role="tablist"]', ".st-key-pg_top", ".st-key-pg_settings",
                       ".st-key-pg_below"):
            assert not visible(page, hidden), hidden
        size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.st-key-pg_step p')).fontSize)")
        assert size >= 22  # large type for a projector
        stage = page.evaluate("() => document.querySelector('canvas.pg-output').getBoundingClientRect().bottom")
        assert stage <= 768  # the whole decision map fits the projector's screen

        page.keyboard.press(" ")  # Play
        assert wait_until(lambda: shown_epoch(page) >= 20, timeout=90)
        page.keyboard.press(" ")  # Pause
        assert wait_until(lambda: view(page, "!v.playing && v.frame && v.frame.f32"), timeout=60)
        paused = shown_epoch(page)
        assert wait_until(lambda: shown_epoch(page) == paused, timeout=10)

        page.keyboard.press("ArrowRight")
        on_step(page, 2, lesson, [3, 1], ["x1", "x2", "x1x2"])
        assert page.evaluate("() => new URL(location.href).searchParams.get('step')") == "2"
        page.keyboard.press("ArrowRight")
        on_step(page, 3, lesson, [2, 4, 1], ["x1", "x2"])
        page.keyboard.press("ArrowLeft")
        on_step(page, 2, lesson, [3, 1], ["x1", "x2", "x1x2"])
        params = page.evaluate("() => Object.fromEntries(new URL(location.href).searchParams)")
        assert params["lesson"] == "xor" and params["present"] == "1" and params["features"] == "x1,x2,x1x2"


def test_presenter_mode_keeps_the_panel_a_step_opens(server_url):
    from browser_utils import chromium_page

    with chromium_page(1366, 768) as page:
        page.goto(f"{server_url}/?lesson=vanishing&step=2&present=1")
        wait_for_live_view(page)
        page.get_by_text("step 2 of 3").wait_for(timeout=90_000)
        assert not visible(page, ".st-key-pg_inside")  # this step opens no panel
        page.keyboard.press("ArrowRight")  # step 3 opens Gradient flow
        page.get_by_text("step 3 of 3").wait_for(timeout=90_000)
        assert wait_until(lambda: visible(page, ".st-key-pg_inside"), timeout=60)
        page.locator(".st-key-pg_inside strong", has_text="Gradient flow").wait_for(timeout=60_000)  # its heading
        assert not visible(page, '.st-key-pg_inside [data-testid="stMultiSelect"]')
