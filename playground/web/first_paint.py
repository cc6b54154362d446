"""A new page shows its stage first: the first run of a browser session draws the top bar and the live view only, and
the rest of the page (More settings, the panels below, the inside panels) once the live view has painted.

Why: on a new page the browser (React) reveals every element at once, when the script of each kind of element has
been loaded and run, and at most every half second (React's Suspense throttle); the More settings alone (about
fifty widgets) cost the browser about 0.6 s of CPU, so the live view painted 2 to 2.5 s after the page was opened.
Sent with the stage only, it paints before the rest is drawn.

How: `waiting()` is true until the live view's code says it has painted, with its trigger `painted`
(assets/live_loader.js), which it sends after a message whose header says `first` (`mark`); `painted` (its callback)
ends the wait and asks for a page run, which draws the rest. Widget values meanwhile live in the session state
(`playground_page.init_state` writes them all), so nothing is lost by not drawing their widgets once.
"""

from __future__ import annotations

import time

import streamlit as st

KEY = "stage_painted"  # False from a session's first run until its live view has painted
FALLBACK_S = 5.0       # the rest is drawn anyway this long after the first run if the live view never said it painted


def waiting() -> bool:
    """True while this browser session's live view has not painted yet (its first run included)."""
    st.session_state.setdefault("stage_since", time.monotonic())
    return not st.session_state.setdefault(KEY, False)


def opened_elsewhere():
    """The page opened on another tab (a GAN link, the lab): the stage is not on screen, so there is nothing to wait
    for, and no `painted` may rerun the page later (a page run while the GAN tab plays stopped its play)."""
    st.session_state[KEY] = True


def _give_up_waiting():
    if waiting() and time.monotonic() - st.session_state.stage_since >= FALLBACK_S:
        st.session_state[KEY] = True
        st.rerun(scope="app")


def fallback():
    """While waiting: a timer (Streamlit's own, in the browser) that draws the rest of the page after FALLBACK_S even
    if the live view never says it painted (its code failed to load, a blocked script): the settings must never be
    out of reach."""
    st.fragment(_give_up_waiting, run_every=FALLBACK_S)()


def mark(message: list) -> list:
    """The live view's message, its header saying `first` while the page waits for the live view's first paint."""
    if waiting():
        message[0]["first"] = True
    return message


def painted():
    """Callback of the live view's `painted` trigger: the rest of the page is drawn by the page run this asks for."""
    s = st.session_state
    if not s.get(KEY):
        s[KEY] = True
        s["rerun_page"] = True  # read by the live fragment (`playground_page._live_frame`), which reruns the page
