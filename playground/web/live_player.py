"""The server's half of the live view: from what the browser asks for (its `control` state) to the next message.

The browser plays, pauses and steps by itself and tells the server through one state value (see
`playground_page`'s docstring for its fields). The server trains only up to the epoch the browser asks for (`want`),
so it is at most about half a second ahead of the picture; it keeps a checkpoint of every frame it sent, and on
Pause goes back to the epoch the browser shows, so that what a paused page shows is exactly the session's state.
Step is a target epoch (`want` = shown + 1), never "one more": a message delivered twice trains once.
No streamlit import here.
"""

from __future__ import annotations

import math
import time

from . import live_view

MAX_FRAMES = 40        # most frames one message carries (a stale `want` must not start a long training run)
MAX_STEPS = 10         # Step clicks the browser may send before the first one is answered
FALLBACK_FRAMES = 15   # frames per run for a client that says "playing" but never asks for frames (`want`)
SPEEDS = (1, 2, 3, 5, 10, 20, 50, 100, 250)  # epochs per frame; 250 fits one engine call (CAPACITY 256)
# The most training one request may cost (estimated from the session's measured time per epoch). A heavy network at
# top speed (2,000 points, batch size 1, ten layers of 32) would otherwise hold a core for seconds per request while
# the other students' requests wait; capped, it gets frames fewer epochs apart and everyone takes turns.
BUDGET_S = 0.2
PROBE_EPOCHS = 10  # the most epochs trained before a new network's cost per epoch is known
# A new learning rate (any knob) or speed acts from about what the page will show when the answer reaches it, not
# after the frames it holds: the server goes back to the frame this far past the epoch the page showed when it asked
# (the answer's way back and the page's handling of it), plus the time since it asked, at the page's frame rate.
LEAD_S = 0.12
PREPARING = "preparing this network (compiling it takes about a second)…"  # said instead of a silent wait


def budgeted(epoch_seconds: float | None, speed: int, count: int) -> tuple[int, int]:
    """(epochs between frames, frames) for one request within BUDGET_S: `speed` and `count` when they fit, fewer
    frames when not, and frames closer than `speed` epochs when even one frame would not fit."""
    if count <= 0:
        return speed, count
    if not epoch_seconds:  # a new network: one short frame first, to measure what an epoch costs
        return min(speed, PROBE_EPOCHS), 1
    fits = max(1, int(BUDGET_S / epoch_seconds))  # epochs within the budget
    if speed > fits:
        return fits, 1
    return speed, min(count, max(1, fits // speed))


def run_id(session) -> str:
    """Names one training run: a new session or a reset (new weights, new data) gives a new id."""
    return f"{id(session):x}.{session.generation}"


class LivePlayer:
    """Per browser session: checkpoints of the frames sent, and the message counter."""

    def __init__(self):
        self.checkpoints: dict[int, tuple] = {}  # epoch -> Session.rewind's mark of every frame sent while playing
        self.sent: dict[int, object] = {}        # epoch -> params of those frames, to send again if one was lost
        self.batch = 0
        self.run = None
        self.stopped_seq = -1    # the server stopped play (divergence) for every control up to this `seq`
        self.playing_since = None  # the `seq` of the control that started this play, to send the curve once
        self.just_stopped = False  # the last `serve` stopped play (divergence): the page should say why
        self._static = (None, None, None)  # (key, data set, static part) of the last `static` call
        self.knob_changes = 0    # the session's `knob_changes` when the frames ahead of the page were trained
        self.seen = (None, 0.0)  # (seq, perf_counter) of the control last served: when the page said what it showed
        self.restarted_seq = -1  # the last `restart` served (a page run serves the same control again)
        self.caught_up = (None, 0)  # (seq, epoch) of the last `_catch_up`: what a control of that seq must be sent
        self.fed = None          # the last control answered by the frame route (`live_feed`), newer than Streamlit's
        self.static_sent = None  # the static part of the fragment's last message: the frame route's answers use it

    def current(self, control: dict) -> dict:
        """The browser's newest control: the one Streamlit holds (the last sent through the fragment), or the last
        one the frame route answered if that came later (a knob's fragment run carries Streamlit's, older one)."""
        fed = self.fed
        if fed is not None and int(fed.get("seq") or 0) > int(control.get("seq") or 0):
            return fed
        return control

    def describes(self, session) -> bool:
        """Is the static part last built still the session's (same config, same data)?"""
        key, dataset, _ = self._static
        return key is not None and key[0] == session.config and dataset is session.dataset

    def static(self, session, show_test: bool, discretize: bool, datasets: tuple[str, ...]) -> dict:
        """`live_view.static_part`, made again only when what it shows changed: building it (points rounded,
        serialised and hashed) cost ~4 ms of every fragment run for the 400-point spiral."""
        key, dataset, part = self._static
        new_key = (session.config, show_test, discretize, datasets)
        if key != new_key or dataset is not session.dataset:
            part = live_view.static_part(session, show_test, discretize, datasets)
            self._static = (new_key, session.dataset, part)
        return part

    def playing(self, session, control: dict) -> bool:
        return (bool(control.get("playing")) and int(control.get("seq", 0)) > self.stopped_seq
                and not session.diverged)

    def serve(self, session, control: dict, static: dict) -> list:
        """Train as asked and return the message `[header, frame, ...]` for the browser."""
        self.just_stopped = False
        run = run_id(session)
        if run != self.run:  # a reset or a new session: earlier checkpoints belong to another run
            self.run, self.checkpoints, self.sent = run, {}, {}
        same_run = control.get("run") == run
        speed = int(control.get("speed", 1)) if control.get("speed") in SPEEDS else 1
        shown = control.get("shown") if same_run else None
        playing = self.playing(session, control)
        header = {"batch": self.batch, "run": run, "version": static["version"], "playing": playing}
        self.batch += 1
        if control.get("have") != static["version"]:
            header["static"] = static
        if shown is not None:
            self.checkpoints = {e: c for e, c in self.checkpoints.items() if e >= shown}
            self.sent = {e: p for e, p in self.sent.items() if e >= shown}
        if not playing:
            self.playing_since = None
            self._settle(session, control, shown, same_run)
            header["curve"] = live_view.loss_curve(session.history)
            header["stop"] = bool(control.get("playing"))
            return [header, live_view.frame(session.epoch, session.params, session.history, exact=True)]
        if self.playing_since != control.get("seq"):
            first_run = self.playing_since is None
            self.playing_since = control.get("seq")
            if first_run:
                header["curve"] = live_view.loss_curve(session.history)
        if shown is not None and self._stale_ahead(session, control):
            self._catch_up(session, control, shown)
        self.knob_changes = session.knob_changes
        want = control.get("want") if same_run else None
        last = control.get("last", shown) if same_run else None
        if last is not None and self.caught_up[0] == control.get("seq"):  # a page run may replace the answer that
            last = min(last, self.caught_up[1])                         # carried the new frames: send them again
        frames = [] if last is None or want is None else [(e, self.sent[e]) for e in sorted(self.sent)
                                                          if last < e <= min(int(want), session.epoch)]
        frames += self._train(session, speed, want)
        if session.diverged:
            self.stopped_seq, self.just_stopped = int(control.get("seq", 0)), True
            header |= {"playing": False, "stop": True, "curve": live_view.loss_curve(session.history)}
            return [header, live_view.frame(session.epoch, session.params, session.history, exact=True)]
        if not frames and session.preparing:  # neither its own program nor the padded one is compiled yet
            header["note"] = PREPARING
        return [header, *live_view.frames(frames, session.history)]

    def _stale_ahead(self, session, control: dict) -> bool:
        """Were the frames the page holds ahead trained with other knobs, or did the page change its speed
        (`restart`, once per control)? Notes when this control was first seen."""
        seq = control.get("seq")
        if self.seen[0] != seq:
            self.seen = (seq, time.perf_counter())
        # later than the last restart served: a page run serves the same control again
        restart = bool(control.get("restart")) and int(seq or 0) > self.restarted_seq
        if restart:
            self.restarted_seq = int(seq or 0)
        return restart or session.knob_changes != self.knob_changes

    def _catch_up(self, session, control: dict, shown: int):
        """Back to the frame the page will show when this answer reaches it (it paints one of the frames it holds
        per display frame), so that the frames after it are trained with the knobs (and at the speed) of now; the
        page keeps what it holds up to there and replaces the rest (`live_view.js` receive). Nothing to do if by
        then the page will have shown all it holds."""
        fps = control.get("fps")
        fps = min(60.0, max(1.0, float(fps))) if isinstance(fps, (int, float)) else 60.0
        painted = math.ceil((time.perf_counter() - self.seen[1] + LEAD_S) * fps)
        ahead = sorted(e for e in self.sent if e > shown)
        if len(ahead) <= painted or not session.rewind(*self.checkpoints[ahead[painted - 1]]):
            return
        back_to = ahead[painted - 1]
        self.caught_up = (control.get("seq"), back_to)
        self.checkpoints = {e: c for e, c in self.checkpoints.items() if e <= back_to}
        self.sent = {e: p for e, p in self.sent.items() if e <= back_to}

    def _settle(self, session, control: dict, shown, same_run: bool):
        """Paused: back to the epoch the browser shows (if the server trained ahead of it), then a Step's target."""
        if shown is not None and shown < session.epoch and shown in self.checkpoints:
            session.rewind(*self.checkpoints[shown])
        self.checkpoints.clear()  # settled: nothing sent lies ahead of the session any more
        self.sent.clear()
        want = control.get("want") if same_run else None
        if want is not None and shown is not None and session.epoch < int(want) <= shown + MAX_STEPS:
            session.advance(int(want) - session.epoch)

    def _train(self, session, speed: int, want) -> list:
        """Frames `speed` epochs apart up to epoch `want` (or FALLBACK_FRAMES of them without a `want`; at most
        MAX_FRAMES), trained by as few calls of the compiled program as the budget allows; never waits on a compile.
        A probe frame (a new network) or the budget may put frames off the multiples of `speed`: a last, shorter
        frame then lands exactly on `want`, so a request always trains up to what it asked for."""
        frames_asked = FALLBACK_FRAMES if want is None else MAX_FRAMES
        farthest = session.epoch + speed * frames_asked
        target = farthest if want is None else min(int(want), farthest)
        deadline = time.perf_counter() + BUDGET_S
        # Pause before the first frame is painted comes back here (a mark, as a frame's: `Session.rewind(*mark)`)
        self.checkpoints.setdefault(session.epoch, (session.checkpoint(), 0))
        frames = []
        for _ in range(MAX_FRAMES):
            left, room = target - session.epoch, frames_asked - len(frames)
            if left <= 0 or room <= 0:
                break
            probe = session.epoch_seconds is None
            every, count = budgeted(session.epoch_seconds, speed, max(1, min(room, left // speed)))
            every = min(every, left)
            count = min(count, room, max(1, left // every))
            trained = session.advance_frames(count, every)
            for epoch, params, mark in trained:
                self.checkpoints[epoch], self.sent[epoch] = mark, params
                frames.append((epoch, params))
            if probe:  # the probe (a new program's first call, maybe slow) does not count against the budget
                deadline = time.perf_counter() + BUDGET_S
            if len(trained) < count or time.perf_counter() > deadline:
                break
        return frames

    def edit(self, session, edit: dict, playing: bool) -> bool:
        """A weight or bias typed in while paused (the `edit` trigger); False if stale or sent while playing."""
        if playing or edit.get("run") != run_id(session) or edit.get("shown") != session.epoch:
            return False
        row = edit.get("row")
        session.set_parameter(int(edit["layer"]), None if row is None else int(row), int(edit["column"]),
                              float(edit["value"]))
        self.checkpoints.clear()
        self.sent.clear()
        return True
