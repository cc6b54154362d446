"""The class harness against a live `streamlit run app.py`: protocol handling, session isolation, and a check that a
harness student and a real Chromium page are delivered frames alike.

Every wait is for a condition, bounded in time; the bounds are generous because the machine may be loaded."""

from __future__ import annotations

import asyncio
import time

import pytest
from browser_utils import browser_available, wait_until
from class_harness import AHEAD_S, BrowserStudent, Student, frame_epochs

CIRCLE = "dataset=circle&layers=3&learning_rate=0.1"
SPIRAL = "dataset=spiral&layers=8,8,8,8,8,8"


def test_frame_epochs_reads_frames_only():
    assert frame_epochs([{"batch": 0, "run": "r"}, {"epoch": 3, "p": ""}, {"epoch": 4}, {"no": 1},
                         {"epoch": True}]) == [3, 4]
    assert frame_epochs([]) == []


def test_the_harness_asks_for_frames_with_the_page_s_own_constants():
    """The harness stands for a page: it must ask as far ahead, as often and for as many frames as live_view.js."""
    import re
    from pathlib import Path

    import class_harness
    from playground.web import live_player

    js = (Path(__file__).resolve().parent.parent / "playground/web/assets/live_view.js").read_text()
    constant = lambda name: float(re.search(rf"\b{name} = ([0-9.]+)", js).group(1))  # noqa: E731
    assert (class_harness.AHEAD_S, class_harness.LOW_S) == (constant("AHEAD_S"), constant("LOW_S"))
    assert class_harness.MAX_FRAMES == constant("MAX_FRAMES") == live_player.MAX_FRAMES
    assert class_harness.RETRY_S * 1000 == constant("RETRY_MS")


def _increasing(epochs: list[int]) -> bool:
    return all(a < b for a, b in zip(epochs, epochs[1:]))


async def _play_until(student: Student, condition, timeout: float = 90.0) -> bool:
    """Let the student's reader and timer run until `condition()` holds or `timeout` passes."""
    deadline = time.monotonic() + timeout
    student.stop_at = deadline
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return False


def test_student_plays_and_pauses(server_url):
    async def scenario():
        student = Student(server_url, SPIRAL)
        try:
            await student.open()
            assert not student.playing and student.shown == 0
            assert not student.report.media_failed
            assert "dataset=spiral" in student.query and "layers=8%2C8%2C8%2C8%2C8%2C8" in student.query
            assert student.static["sizes"] == [2, 8, 8, 8, 8, 8, 8, 1]

            await student.play()
            assert student.report.controls[0]["playing"] and student.report.controls[0]["want"] > 0
            enough = int(3 * AHEAD_S * 60) + 10  # at least three requests' worth of frames (AHEAD_S at 60 a second)
            assert await _play_until(student, lambda: len(student.report.epochs) >= enough)
            epochs = student.report.epochs
            assert epochs[0] == 0 and _increasing(epochs), "frames arrive in order, each epoch once"
            # It kept asking before the queue ran out, echoing the header's run and static version.
            playing = [c for c in student.report.controls if c["playing"]]
            wants = [c["want"] for c in playing]  # a request repeated after RETRY_S (a busy server) asks the same
            assert len(set(wants)) >= 3 and wants == sorted(wants)
            assert {c["run"] for c in playing[1:]} == {student.run}
            assert {c["have"] for c in playing} == {student.static["version"]}

            # After Play's own page run, the page's requests went to the frame route, without a script run.
            # (waited for: under load the page asks further ahead, so its requests are fewer and larger)
            assert await _play_until(student, lambda: student.report.feed_answers >= 2), student.report.feed_answers

            seconds = await student.pause()
            assert not student.playing and seconds < 30
            pause = student.report.controls[-1]
            assert not pause["playing"] and pause["want"] == pause["shown"] == pause["last"]
            paused_at = max(frame_epochs(student.live_json))
            assert paused_at == pause["shown"] and not student.live_json[0]["playing"]
            # No new frame after the paused answer, and a full run while paused (what any widget change sends)
            # shows the same epoch: training stopped where the student's screen did.
            count = len(student.report.epochs)
            await asyncio.sleep(1.5)
            await student.press(None)
            assert len(student.report.epochs) == count
            assert max(frame_epochs(student.live_json)) == paused_at
            # The widget values it sent all along were the page's own: the config survived Play and Pause.
            assert "layers=8%2C8%2C8%2C8%2C8%2C8" in student.query and "features=x1%2Cx2" in student.query
            assert student.static["sizes"] == [2, 8, 8, 8, 8, 8, 8, 1]
            assert not student.report.alerts, student.report.alerts
            assert not student.report.errors and student.report.session_restarts == 0
        finally:
            await student.close()

    asyncio.run(scenario())


def test_two_sessions_do_not_see_each_other(server_url):
    """Two students with different URL configs on one server: each sees its own network, data and epochs."""
    async def scenario():
        spiral, circle = Student(server_url, SPIRAL, name="spiral"), Student(server_url, CIRCLE, name="circle")
        try:
            await asyncio.gather(spiral.open(), circle.open())
            assert spiral.report.session_ids != circle.report.session_ids
            await spiral.play()
            assert await _play_until(spiral, lambda: len(spiral.report.epochs) >= 20)
            # The circle student never pressed Play: its epoch stays 0 while the spiral trains.
            assert circle.report.epochs == [0] and not circle.playing and circle.shown == 0
            await circle.play()
            assert await _play_until(circle, lambda: len(circle.report.epochs) >= 10)

            assert spiral.static["sizes"] == [2, 8, 8, 8, 8, 8, 8, 1]
            assert circle.static["sizes"] == [2, 3, 1]
            assert spiral.run != circle.run and spiral.static["dataset"] == "spiral"
            assert "dataset=spiral" in spiral.query and "dataset=circle" in circle.query
            assert "learning_rate=0.1" in circle.query and "learning_rate=0.1" not in spiral.query
            # Each counts its own epochs from 0; the spiral's head start does not show in the circle.
            assert circle.report.epochs[0] == 0 and _increasing(circle.report.epochs)
            assert circle.report.epochs[-1] < spiral.report.epochs[-1] and _increasing(spiral.report.epochs)
            for student in (spiral, circle):
                assert not student.report.errors and not student.report.alerts
                assert student.report.session_restarts == 0
        finally:
            await asyncio.gather(spiral.close(), circle.close())

    asyncio.run(scenario())


def test_the_frame_route_answers_only_its_own_session(server_url):
    """The frame route (`live_feed`) answers a session's own requests (its id and secret token); another
    session's token, an unknown session or a malformed body gets an error, never frames."""
    async def scenario():
        spiral, circle = Student(server_url, SPIRAL, name="spiral"), Student(server_url, CIRCLE, name="circle")
        try:
            await asyncio.gather(spiral.open(), circle.open())
            await asyncio.gather(spiral.play(), circle.play())
            assert await _play_until(spiral, lambda: spiral.feed is not None and circle.feed is not None)
            feed, other = spiral.feed, circle.feed
            control = spiral.report.controls[-1] | {"seq": spiral.seq + 100}
            assert isinstance(await spiral._post(feed["url"], {**feed, "control": control}), list)  # noqa: SLF001
            for body in ({**feed, "token": other["token"], "control": control},        # another session's token
                         {**feed, "session": other["session"], "control": control},    # a token for another session
                         {**feed, "session": "no-such-session", "control": control},
                         {"session": feed["session"], "control": control},             # no token
                         {**feed, "control": control | {"want": "many"}},             # a malformed control
                         {**feed, "control": "play"}):
                assert await spiral._post(feed["url"], body) is None, body  # noqa: SLF001
            for student in (spiral, circle):
                assert not student.report.errors, student.report.errors
        finally:
            await asyncio.gather(spiral.close(), circle.close())

    asyncio.run(scenario())


def test_reconnect_keeps_the_session(server_url):
    """A dropped connection comes back to its session (the browser sends its session id), training state kept."""
    async def scenario():
        student = Student(server_url, SPIRAL)
        try:
            await student.open()
            await student.play()
            assert await _play_until(student, lambda: len(student.report.epochs) >= 10)
            before = student.report.epochs[-1]
            run = student.run
            assert await student.drop_and_reconnect()
            assert await _play_until(student, lambda: student.report.epochs[-1] > before + 5)
            # The same training run went on (no new network): epochs continue, the run id is the same.
            assert student.run == run and _increasing(student.report.epochs)
            assert student.report.session_restarts == 0 and student.report.reconnects == 1
            assert not student.report.errors
        finally:
            await student.close()

    asyncio.run(scenario())


@pytest.mark.skipif(browser_available() is not None, reason=f"no browser: {browser_available()}")
def test_harness_and_browser_are_delivered_alike(server_url, page):
    """One harness student and one Chromium page on the same server, counted from a common start until the harness
    has 80 new frames and the page has asked five times. Both tell the server the same thing (the live view's
    `control`, same fields, same fragment) and each request for frames brings both about the share it asked for.

    Frames per second are compared by `bench_class.py --browser`, not here: the page asks for what it can paint
    (about a quarter of a second at its measured paint rate), and headless Chromium on a loaded machine paints far
    fewer than the harness's 60 a second, so it asks less often and for fewer frames."""
    import threading

    browser = BrowserStudent(page)
    browser.open_and_play(server_url, SPIRAL)
    student = Student(server_url, SPIRAL)
    counts, stop = {}, threading.Event()

    async def harness():
        await student.open()
        await student.play()
        await _play_until(student, lambda: student.report.first_frame_at is not None)
        counts["start"] = time.monotonic()
        await _play_until(student, stop.is_set, timeout=120)
        await student.close()

    thread = threading.Thread(target=asyncio.run, args=(harness(),), daemon=True)
    thread.start()

    def tally(start):
        return {"harness frames": sum(a.new_frames for a in student.report.arrivals if a.time >= start),
                "browser frames": sum(n for t, n in browser.arrivals if t >= start),
                "harness requests": sum(t >= start for t in student.report.ticks),
                "browser requests": sum(t >= start for t in browser.ticks),
                "harness asked": sum(n for t, n in zip(student.report.ticks, student.report.asked) if t >= start),
                "browser asked": sum(n for t, n in zip(browser.ticks, browser.asked) if t >= start)}

    def enough():
        page.wait_for_timeout(100)  # Playwright delivers the page's websocket events while it waits
        if "start" not in counts:
            return False
        got = tally(counts["start"])
        return got["harness frames"] >= 80 and got["browser requests"] >= 5 and got["browser frames"] >= 10

    try:
        assert wait_until(enough, timeout=180, every=0)
        got = tally(counts["start"])
    finally:
        stop.set()
        thread.join(30)
    page.get_by_role("button", name="Pause", exact=True).click()
    assert not student.report.errors
    # The same message: the live view's `control` with the same fields, in a rerun of the same fragment, and
    # while playing to the frame route (both asked it, both were answered by it).
    fragments = {f for f, _ in browser.controls}
    assert fragments == {student._live_fragment, "feed"}, (fragments, student._live_fragment)
    assert student.report.feed_answers > 0
    assert {tuple(sorted(c)) for _, c in browser.controls} == {tuple(sorted(c)) for c in student.report.controls}
    assert all(c["run"] == browser.controls[-1][1]["run"] for _, c in browser.controls if c["playing"])
    # Both keep asking while they play, and each is delivered about the share of what it asked for.
    assert got["harness requests"] >= 3, got
    share = (got["browser frames"] / max(got["browser asked"], 1)) / (got["harness frames"] / got["harness asked"])
    assert 0.5 <= share <= 2.0, got
