"""The app under streamlit's AppTest, shared by the test_*_app.py files."""

import itertools
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "page.py")


def fresh(**query) -> AppTest:
    """The app opened with these URL query parameters, after its first run (which must not raise) and the page run
    that the live view's first paint asks for."""
    at = AppTest.from_file(APP, default_timeout=60)  # JAX start-up exceeds AppTest's 3 s default
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    # a new page draws the stage first, the rest once the live view has painted (playground/web/first_paint.py)
    at.session_state["stage_painted"] = True  # as the live view's `painted` trigger does after its first paint
    at.run()
    assert not at.exception
    return at


_seq = itertools.count(1)


def message(at) -> list:
    """The live view's last message: [header, frame, ...] (playground/web/live_view.py)."""
    for component in at.get("bidi_component"):  # others (a lesson's keyboard) may come first
        data = json.loads(component.proto.json or "null")
        if isinstance(data, list) and data and isinstance(data[0], dict) and "run" in data[0]:
            return data
    raise AssertionError("no live view on the page")


def tell(at, **control) -> list:
    """Set the live view's `control` state as the browser does (see playground_page's docstring), run, and return
    the message the live view was sent."""
    control = {"run": message(at)[0]["run"], "speed": 1, "seq": next(_seq)} | control
    at.session_state["live"] = {"control": control}
    at.run()
    assert not at.exception
    return message(at)


def step(at, times: int = 1) -> list:
    """Step, as the browser asks for it: a target epoch one past the one shown."""
    for _ in range(times):
        shown = at.session_state.session.epoch
        sent = tell(at, playing=False, shown=shown, last=shown, want=shown + 1)
    return sent


def play(at, epochs: int, speed: int = 1) -> list:
    """Play until `epochs` epochs further, as the browser asks for frames: one answer trains at most
    `live_player.BUDGET_S`, so on a busy machine it asks again from the last frame it got (at most 50 times).
    Returns the last answer's header and every frame received."""
    start = at.session_state.session.epoch
    target, frames = start + epochs, []
    for _ in range(50):
        last = frames[-1]["epoch"] if frames else start
        sent = tell(at, playing=True, speed=speed, shown=last, last=last, want=target)
        frames += sent[1:]
        if at.session_state.session.epoch >= target:
            break
    return sent[:1] + frames
