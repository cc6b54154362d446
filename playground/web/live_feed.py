"""Frames without a script run: the live view's requests while playing, answered by an HTTP route of the app.

Every request for frames used to be a rerun of the live fragment: Streamlit's own work for a run (its script thread,
the widgets' states, a lock inside its config that every session's runs share) cost more than the training, and with
thirty students those runs queued behind each other (a 95th-percentile frame delay of 1.1–1.5 s). While playing, the
browser now asks this route instead (`POST FEED_PATH`, the `control` as JSON), and the answer is the same message the
fragment would send (`LivePlayer.serve`), computed in a worker thread under the session's lock.

Pause is answered here too (the server goes back to the epoch on screen and says so at once), and the browser then
sends it through the fragment as well, for the page's own run. Everything else still goes through Streamlit: Play,
Step, a new speed, the knobs, and every request after which the page must run (the header's `feed` is left out
then, and the route answers `{"sync": true}` when the session is not as the fragment last described it). So the
route only ever continues what a script run started.

The route finds the session through Streamlit's runtime (`Runtime.get_app_session`), by the session id and a secret
token that the page's own script run put in the session's state and sent in the header: nothing of a user's is kept
here. Without the route (`streamlit run` on the page itself, or streamlit's AppTest) the header carries no `feed` and
the browser asks through the fragment as before.
"""

from __future__ import annotations

import json
import secrets

FEED_PATH = "/_playground/frames"
TOKEN_KEY = "live_feed_token"
MAX_BODY = 4096  # bytes: a `control` is ~200


class _Routes:
    """Whether this process serves the route: set once, by the app's definition (`app.py`), before any session."""

    enabled = False


def routes() -> list:
    """The app's extra routes (`st.App(..., routes=...)`); from then on the live view's header offers the feed."""
    from starlette.routing import Route

    _Routes.enabled = True
    return [Route(FEED_PATH, _frames, methods=["POST"])]


def offer(session_state, session_id: str | None) -> dict | None:
    """The header's `feed` for this session (a script run's), or None when this process has no route."""
    if not _Routes.enabled or not session_id:
        return None
    if TOKEN_KEY not in session_state:
        session_state[TOKEN_KEY] = secrets.token_urlsafe(24)
    return {"url": FEED_PATH, "session": session_id, "token": session_state[TOKEN_KEY]}


def _get(session_state, key: str, default=None):
    """`session_state.get`: Streamlit's own SessionState (the runtime's, read by the route) has no `get`."""
    return session_state[key] if key in session_state else default


def ready(session_state) -> bool:
    """May a request be answered outside a script run? Not while the page owes a run (Play, Pause, a knob, a
    stop...), nor when the session changed since the fragment last described it (its static part)."""
    if any(_get(session_state, key) for key in ("rerun_next", "rerun_page", "knob_moved")):
        return False
    if not _get(session_state, "playing"):
        return False
    player, session = _get(session_state, "player"), _get(session_state, "session")
    return player is not None and session is not None and player.describes(session)


def answer(session_state, control: dict) -> list | None:
    """The message for `control`, or None (sync through the fragment). Called in a worker thread."""
    from . import per_class

    for name in ("seq", "shown", "last", "want"):  # refused before anything is kept or trained (a 400)
        value = control.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError(f"control field {name!r} must be an integer")
    session, player = _get(session_state, "session"), _get(session_state, "player")
    if session is None or player is None:
        return None
    pause = not control.get("playing") and control.get("want") == control.get("shown") is not None
    with session.lock:
        if not ready(session_state) or control.get("restart"):
            return None
        if not (pause or player.playing(session, control)):  # a Step goes through the fragment
            return None
        if player.static_sent is None:
            return None
        player.fed = control
        message = player.serve(session, control, player.static_sent)
        if player.just_stopped:  # diverged: the page runs (through the fragment) to say why
            session_state["rerun_page"] = True
        return per_class.annotate(message, session)


async def _frames(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse, Response
    from streamlit.runtime import Runtime

    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"error": "too large"}, status_code=413)
    try:
        ask = json.loads(body)
        session_id, token, control = str(ask["session"]), str(ask["token"]), ask["control"]
        if not isinstance(control, dict):
            raise TypeError("control")
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "bad request"}, status_code=400)
    app_session = Runtime.instance().get_app_session(session_id) if Runtime.exists() else None
    state = app_session.session_state if app_session is not None else None
    known = state is not None and TOKEN_KEY in state and secrets.compare_digest(str(state[TOKEN_KEY]), token)
    if not known:
        return JSONResponse({"error": "no such session"}, status_code=404)
    try:
        message = await run_in_threadpool(answer, state, control)
    except (ValueError, TypeError, KeyError):  # a control with fields of the wrong kind
        return JSONResponse({"error": "bad control"}, status_code=400)
    if message is None:
        return JSONResponse({"sync": True})
    # not gzipped: Streamlit's middleware compresses at level 9 on the event loop's thread, which then cost more
    # than the answer itself (a C2 answer is ~35 kB of base64 weights, which compresses by only about a quarter)
    return Response(json.dumps(message, separators=(",", ":")), media_type="application/json",
                    headers={"Cache-Control": "no-store", "Content-Encoding": "identity"})
