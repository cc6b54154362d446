"""The live view's server half without a browser: many frames encoded at once as one by one, and the frame route's
answer (`live_feed.answer`) given only when the page owes no script run."""

import base64

import jax
import numpy as np

from playground.core.config import Config
from playground.core.session import Session
from playground.web import live_feed, live_view
from playground.web.live_player import LivePlayer, run_id

C2 = Config(dataset="spiral", layers=(8, 8, 8, 8, 8, 8))


def test_frames_at_once_are_the_frames_one_by_one():
    session = Session(C2)
    items = [(epoch, params) for epoch, params, _ in session.advance_frames(12, 2, wait=True)]
    assert len(items) == 12
    history = session.history
    assert live_view.frames(items, history) == [live_view.frame(e, p, history, exact=False) for e, p in items]
    # a weight beyond float16's range shows as the largest one, as frame by frame
    epoch, params = items[0]
    big = [(epoch, jax.tree.map(lambda a: np.full_like(a, 1e6), params))]
    assert live_view.frames(big, history) == [live_view.frame(*big[0], history, exact=False)]
    assert live_view.frames([], history) == []
    # against the engine's own values: the weights (kernel rows, then biases, per layer) and the losses of each epoch
    for (epoch, params), item in zip(items, live_view.frames(items, history)):
        sent = np.frombuffer(base64.b64decode(item["p"]), np.float16)
        np.testing.assert_array_equal(sent, live_view.flat_parameters(params, np.float16))
        i = list(history.epochs).index(epoch)
        assert item["train_loss"] == round(float(history.train_loss[i]), 5)
        assert item["accuracy"] == round(float(history.test_accuracy[i]), 5)
    exact = live_view.frame(*items[-1], history, exact=True)
    sent = np.frombuffer(base64.b64decode(exact["p"]), np.float32)
    assert exact["f32"] and np.array_equal(sent, live_view.flat_parameters(items[-1][1], np.float32))


class _State(dict):
    """Streamlit's SessionState as the route sees it: `in` and `[]`, no `get`."""

    get = None


def _playing_state():
    session, player = Session(C2), LivePlayer()
    state = _State(session=session, player=player, playing=True)
    static = player.static(session, False, False, ("spiral",))
    player.static_sent = static
    first = player.serve(session, {"playing": True, "speed": 1, "seq": 1, "want": 5}, static)
    control = {"playing": True, "speed": 1, "seq": 2, "run": run_id(session), "have": static["version"],
               "shown": first[-1]["epoch"], "last": first[-1]["epoch"], "want": first[-1]["epoch"] + 10, "fps": 60}
    return state, session, player, control


def test_the_route_answers_a_playing_page_with_frames():
    state, session, player, control = _playing_state()
    message = live_feed.answer(state, control)
    header, *frames = message
    assert header["playing"] and frames and frames[-1]["epoch"] == control["want"] == session.epoch
    assert all("rate" in f for f in frames)  # annotated as the fragment's answers are
    assert player.fed is control  # a knob's fragment run goes on from this, not from Streamlit's older control


def test_the_route_sends_the_page_back_to_the_fragment_when_it_owes_a_run():
    for change in ({"rerun_next": True}, {"rerun_page": True}, {"knob_moved": True}, {"playing": False}):
        state, session, _, control = _playing_state()
        state.update(change)
        epoch = session.epoch
        assert live_feed.answer(state, control) is None, change
        assert session.epoch == epoch  # nothing trained
    state, session, _, control = _playing_state()
    assert live_feed.answer(state, control | {"restart": True}) is None  # a new speed: through the fragment
    assert live_feed.answer(state, control | {"playing": False}) is None  # a Step (want past shown) too
    session.apply(session.config.replace(layers=(4,)))  # the network changed since the fragment described it
    assert live_feed.answer(state, control) is None


def test_the_route_is_offered_only_where_it_exists():
    state = _State()
    assert live_feed.offer(state, "abc") is None or live_feed._Routes.enabled  # noqa: SLF001
    live_feed._Routes.enabled = True  # noqa: SLF001
    try:
        feed = live_feed.offer(state, "abc")
        assert feed["session"] == "abc" and len(feed["token"]) >= 32 and feed["url"] == live_feed.FEED_PATH
        assert live_feed.offer(state, "abc")["token"] == feed["token"]  # one token per session
        assert live_feed.offer(_State(), "abc")["token"] != feed["token"]
        assert live_feed.offer(state, None) is None
    finally:
        live_feed._Routes.enabled = False  # noqa: SLF001


def test_the_route_answers_pause_with_the_epoch_on_screen():
    state, session, player, control = _playing_state()
    live_feed.answer(state, control)  # trained ahead of the page
    shown = control["want"] - 4
    assert session.epoch > shown
    header, frame = live_feed.answer(state, control | {"playing": False, "shown": shown, "want": shown,
                                                       "seq": 3})
    assert not header["playing"] and not header["stop"] and frame["epoch"] == shown == session.epoch
    assert frame["f32"]  # exactly the server's network
