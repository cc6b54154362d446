"""Students without browsers: a client that speaks Streamlit's websocket protocol as the browser does.

Shared by tests/test_class_harness.py, benchmarks/bench_class.py and deploy/local_replicas.py.

One `Student` opens the app with a URL config, presses Play on the live view and plays as its page does
(`playground/web/assets/live_view.js`), counting the frames delivered. It does what the browser does (Streamlit 1.67,
`streamlit.proto`), and nothing more:

- it fetches the page first (a load balancer may set its affinity cookie there), then opens `/_stcore/stream` with
  that cookie and a same-origin `Origin`, and asks for a script run (`BackMsg.rerun_script`) with the query string.
  Like the browser it keeps the cookies of every response, the websocket's handshake (101) included, and sends them
  with every request (images, a reconnect);
- every later request carries the current query string (the app rewrites it: `page_info_changed`), the page's script
  hash (`new_session`) and the value of every widget on the page, as the browser sends them. Like the browser, it
  takes a widget's value from the element when the widget first appears (`value` if the server set it, else
  `default`) or when the server sets it again (`set_value`), keeps it otherwise, and forgets widgets that a full
  run no longer draws. A button press is the button's `trigger_value` on top of those;
- Play, Pause and Step live in the browser component (key "live"), which tells the server through its state value
  `control` (the fields: `playground/web/playground_page.py`'s docstring). The browser sends that state as the
  component's widget state, `json_value` = `{"control": {...}}`, in a `rerun_script` of the component's fragment
  (`fragment_id` from the delta that drew it, `is_auto_rerun` false), with every other widget's value, as recorded
  from Chromium. Like `requestMore` in the page, a student consumes its queued frames at a fixed display rate
  (`display_fps`, the page paints up to 60 a second) and asks for ~0.5 s more (`want`) when fewer than ~0.25 s are
  left, or again after a second without an answer; it echoes `run` and `version` (`have`) from the message header
  and pauses with `playing: false, shown, want = shown`;
- while playing, when the last message from the fragment offered it (header `feed`), a plain request for more frames
  and Pause go to the app's frame route instead (`playground/web/live_feed.py`): an HTTP POST of
  `{session, token, control}` on kept-alive connections (one request at a time on each) with the page's cookies, as
  the page's `fetch` does; an answer `{"sync": true}` or a failure sends that request through the fragment and stops
  using the route until a fragment message offers it again. A Pause also goes through the fragment once the route
  has answered (the page's own run). `feed_answers` counts the answers that came from the route;
- `auto_rerun` (interval, fragment id) starts a timer that sends `rerun_script` with `fragment_id` and
  `is_auto_rerun = true` at that interval, whether or not the previous run has answered (the browser's
  `setInterval`); the same interval again does not restart it; `stop_auto_rerun` ends it, and so does the start of
  any full run (a `new_session` whose run has no fragment ids). The app starts one only for a client that plays
  without a `want`; a student always sends one, so this stays idle unless the app changes.

Only loopback addresses are accepted, and every loop is bounded in time and count.
"""

from __future__ import annotations

import asyncio
import email.message
import gzip
import http.cookiejar
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the benchmarks import this from tests/ alone
from playground.web.live_feed import FEED_PATH  # noqa: E402

LIVE_KEY = "live"    # the live canvas: a st.components.v2 component (playground/web/playground_page.py)
AHEAD_S, LOW_S = 0.5, 0.25   # live_view.js: ask for ~0.5 s of frames when fewer than ~0.25 s are left (quiet server)
MAX_FRAMES = 40               # live_view.js: at most this many frames a request (the server's cap too)
RETRY_S, NOTE_RETRY_S = 2.5, 0.3  # as live_view.js: ask again after 2.5 s without an answer, 0.3 s after "preparing"
DISPLAY_FPS = 60.0   # the rate at which a student consumes frames (the page paints at most one per animation frame)
C2 = "dataset=spiral&layers=8,8,8,8,8,8"
MAX_MESSAGE_BYTES = 64 * 2**20
MAX_MESSAGES = 2_000_000  # per student and run: a bound on the receive loop besides its deadline
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def frame_epochs(data) -> list[int]:
    """The epochs of the frames in the live canvas's `data`.

    The contract with the live view: `data` is a JSON list, and every frame in it is a dict with an integer `epoch`
    (today `[header, *frames]`); anything else in the list is not a frame."""
    return [item["epoch"] for item in data
            if isinstance(item, dict) and isinstance(item.get("epoch"), int) and not isinstance(item["epoch"], bool)]


def widget_state(kind: str, element) -> WidgetState | None:
    """The state the browser reports for a widget it has drawn and nobody has touched since the server set it; None
    for widgets whose state it does not report (buttons: only when pressed) or that this client does not know."""
    state = WidgetState(id=element.id)
    if kind == "checkbox":
        state.bool_value = element.value if element.set_value else element.default
    elif kind == "number_input":
        value = element.value if element.set_value else element.default
        if element.data_type == element.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
    elif kind == "selectbox":
        if element.set_value:
            state.string_value = element.raw_value
        elif 0 <= element.default < len(element.options):
            state.string_value = element.options[element.default]
        else:
            return None
    elif kind == "slider":
        values = list(element.value) if element.set_value else list(element.default)
        if element.options:  # select_slider: the chosen options' texts
            texts = list(element.raw_value) if element.set_value and element.raw_value else [
                element.options[int(i)] for i in values]
            state.string_array_value.data.extend(texts)
        else:
            state.double_array_value.data.extend(values)
    elif kind == "multiselect":
        state.string_array_value.data.extend(
            list(element.raw_values) if element.set_value else [element.options[i] for i in element.default])
    else:
        return None
    return state


def check_loopback(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise ValueError(f"the harness only talks to http://127.0.0.1 (loopback), not {url!r}")
    return parts


@dataclass
class Arrival:
    """One live-canvas message: when it arrived, how many frames in it were new, and how long since the oldest
    request it answers was sent (the frame delay a student sees)."""
    time: float
    new_frames: int
    delay: float | None


@dataclass
class StudentReport:
    query: str
    arrivals: list[Arrival] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)   # distinct epochs in the order they arrived
    errors: list[str] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)  # every session id the server announced, in order
    ticks: list[float] = field(default_factory=list)      # when it asked the server for frames (a `control`)
    asked: list[int] = field(default_factory=list)        # frames each of those asked for ((want - last) / speed)
    controls: list[dict] = field(default_factory=list)    # every `control` it sent, in order
    retries: list[float] = field(default_factory=list)  # requests sent again after RETRY_S without an answer
    alerts: list[str] = field(default_factory=list)       # st.warning / st.error texts the page showed
    fragment_runs: list[tuple[float, bool]] = field(default_factory=list)  # (when it ended, its frames dropped)
    reconnects: int = 0
    pause_seconds: float | None = None
    media_ok: int = 0
    media_failed: int = 0
    messages: int = 0
    feed_answers: int = 0   # messages that came from the frame route, not from a fragment run
    feed_refused: int = 0   # requests the route sent back to the fragment (`sync`, or a failure)
    first_frame_at: float | None = None

    @property
    def session_restarts(self) -> int:
        """How often the server gave this student a new session (a reconnect that did not find its old one)."""
        return len(set(self.session_ids)) - 1 if self.session_ids else 0

    def frames_between(self, start: float, end: float) -> int:
        return sum(a.new_frames for a in self.arrivals if start <= a.time < end)

    def fps(self, start: float, end: float) -> float:
        return self.frames_between(start, end) / max(end - start, 1e-9)

    def delays(self, start: float, end: float) -> list[float]:
        """One delay per delivered frame in [start, end)."""
        return [a.delay for a in self.arrivals if start <= a.time < end and a.delay is not None
                for _ in range(a.new_frames)]

    def dropped_runs(self, start: float, end: float) -> tuple[int, int]:
        """(fragment runs that ended in [start, end), of which the frames were dropped unsent)."""
        runs = [dropped for t, dropped in self.fragment_runs if start <= t < end]
        return len(runs), sum(runs)

    def longest_gap(self, start: float, end: float) -> float:
        """Longest time without a new frame inside [start, end) (a stalled student shows here)."""
        times = [start] + [a.time for a in self.arrivals if start <= a.time < end and a.new_frames] + [end]
        return max(b - a for a, b in zip(times, times[1:]))


class _HandshakeResponse:
    """A websocket handshake's response as http.cookiejar reads a response: its headers from `info()`."""

    def __init__(self, set_cookies: list[str]):
        self._headers = email.message.Message()
        for value in set_cookies:
            self._headers["Set-Cookie"] = value

    def info(self) -> email.message.Message:
        return self._headers


class Student:
    """One student on one tab: `await open()`, `await play()`, `await run_until(...)`, `await pause()`,
    `await close()`."""

    def __init__(self, base_url: str, query: str = C2, *, name: str = "student", display_fps: float = DISPLAY_FPS):
        self.parts = check_loopback(base_url)
        self.base_url = base_url.rstrip("/")
        self.query = query.lstrip("?")
        self.name = name
        self.report = StudentReport(self.query)
        self.cookies = http.cookiejar.CookieJar()
        self._http = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                 urllib.request.HTTPCookieProcessor(self.cookies))
        self._ws = None
        self._widgets: dict[str, WidgetState] = {}   # id -> the value the browser holds for that widget
        self._drawn: set[str] = set()                # widget ids the full run in progress has drawn
        self._ids_by_key: dict[str, str] = {}        # user key -> widget id
        self._images: list[str] = []
        self._page_hash = ""
        self._fragment_timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._pending: list[float] = []              # send times of requests not yet answered by a live message
        self._seen_epochs: set[int] = set()
        self._full_run_finished = asyncio.Event()    # set by the script_finished of a full (not fragment) run
        self._run_is_full = False
        self._reader: asyncio.Task | None = None
        self.stop_at = float("inf")                  # time.monotonic() at which the timer stops and run_until returns
        self.playing = False
        self.live_json: list | None = None           # the last live canvas data received
        self.static: dict | None = None              # the last header's `static` part (network shape, data, ...)
        # The live view's own state, as in live_view.js.
        self.display_fps = display_fps
        self.speed = 1
        self.shown: int | None = None                # the epoch on screen
        self.queue: list[int] = []                   # epochs received and not yet shown
        self._clock = 0.0                            # when the frame now on screen was shown
        self.run: str | None = None
        self.seq = 0
        self.batch = -1
        self._requested_at: float | None = None      # when the unanswered request for frames was sent
        self.rtt: float | None = None                # answer time, smoothed (live_view.js `v.rtt`)
        self._live_id = ""
        self._live_fragment = ""
        self._player: asyncio.Task | None = None
        self.feed: dict | None = None                # the frame route the last fragment message offered
        self._idle_conns: list[tuple] = []           # kept-alive connections to it, not in use
        self._answered = asyncio.Event()             # a live message arrived (any)
        self._paused_answer = asyncio.Event()        # a paused message (header `playing` false) after Pause

    # --- connection ---------------------------------------------------------------------------------------------

    async def open(self, timeout: float = 90.0):
        """Fetch the page (cookies), open the websocket, run the script once; returns when the first run finished."""
        await asyncio.to_thread(self._get, f"{self.base_url}/?{self.query}")
        await self._connect()
        self._full_run_finished.clear()
        await self._send(self._client_state())
        await asyncio.wait_for(self._full_run_finished.wait(), timeout)
        await self._check_media()

    async def _connect(self, session_id: str = ""):
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        headers = {"Cookie": cookie} if cookie else {}
        # The browser's subprotocol list: "streamlit", an XSRF token (unused without auth) and, on a reconnect, the
        # session it had.
        protocols = ["streamlit"] + (["x", session_id] if session_id else [])
        self._ws = await websockets.connect(
            f"ws://{self.parts.netloc}/_stcore/stream", subprotocols=protocols, additional_headers=headers,
            origin=f"http://{self.parts.netloc}", max_size=MAX_MESSAGE_BYTES, proxy=None, open_timeout=30,
            compression="deflate")
        self._keep_cookies(self._ws.response.headers.get_all("Set-Cookie"))
        self._reader = asyncio.create_task(self._read())

    def _keep_cookies(self, set_cookies: list[str]):
        """Store the cookies the websocket's handshake set, as the browser does (a load balancer may pin or re-pin the
        browser there: its process was down, or the page was opened without the cookie)."""
        self.cookies.extract_cookies(_HandshakeResponse(set_cookies),
                                     urllib.request.Request(f"{self.base_url}/_stcore/stream"))

    async def close(self):
        if self._player:
            self._player.cancel()
        for _, writer in self._idle_conns:
            writer.close()
        self._idle_conns.clear()
        for _, task in self._fragment_timers.values():
            task.cancel()
        self._fragment_timers.clear()
        if self._reader:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()

    def _get(self, url: str) -> int:
        with self._http.open(url, timeout=30) as response:
            response.read()
            return response.status

    async def _check_media(self):
        """Fetch the images the page shows (served from the process that holds the session): with replicas, a
        request that reaches another process finds nothing, so this is what sticky sessions are for."""
        for url in self._images[:2]:
            try:
                status = await asyncio.to_thread(self._get, urllib.parse.urljoin(self.base_url + "/", url))
                ok = status == 200
            except OSError:
                ok = False
            self.report.media_ok += ok
            self.report.media_failed += not ok

    # --- sending --------------------------------------------------------------------------------------------------

    def _client_state(self, fragment_id: str = "", auto: bool = False, pressed: str | None = None) -> BackMsg:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self._page_hash
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        state.context_info.url = f"{self.base_url}/"
        if self._page_hash:  # the browser has no widget states before the first run
            state.widget_states.widgets.extend(self._widgets.values())
        if pressed is not None:
            state.widget_states.widgets.add(id=self._ids_by_key[pressed], trigger_value=True)
        return msg

    async def _send(self, msg: BackMsg):
        self._pending.append(time.monotonic())
        if msg.rerun_script.is_auto_rerun:
            self.report.ticks.append(self._pending[-1])
        await self._ws.send(msg.SerializeToString())

    async def press(self, key: str | None = None, timeout: float = 60.0) -> float:
        """Click the button with this key (None: a plain rerun, as when a widget's value changes); returns the
        seconds until the full run it started finished."""
        start = time.monotonic()
        self._full_run_finished.clear()
        await self._send(self._client_state(pressed=key))
        await asyncio.wait_for(self._full_run_finished.wait(), timeout)
        return time.monotonic() - start

    # --- the live view: Play, Pause, frames -----------------------------------------------------------------------

    def _last(self) -> int | None:
        return self.queue[-1] if self.queue else self.shown

    async def send_control(self, via_feed: bool = False, **fields) -> dict:
        """`sendControl` of live_view.js: the component's `control` state, sent as its widget state in a rerun of
        its fragment, or (`via_feed`, when offered) to the frame route."""
        self.seq += 1
        control = {"playing": self.playing, "speed": self.speed, "shown": self.shown, "last": self._last(),
                   "want": self.shown, "run": self.run, "have": self.static["version"] if self.static else None,
                   "seq": self.seq, "fps": round(self.display_fps)} | fields
        self.report.controls.append(control)
        if via_feed and self.feed:
            self._later(self._fetch_frames(self.feed, control))
            return control
        self._widgets[self._live_id] = WidgetState(id=self._live_id, json_value=json.dumps({"control": control}))
        await self._send(self._client_state(self._live_fragment))
        return control

    async def _request_more(self, force: bool = False):
        """`requestMore`: ask for ~AHEAD_S of frames when fewer than LOW_S are queued (or when forced)."""
        now, rtt = time.monotonic(), self.rtt or 0.0
        if not force and (len(self.queue) > self.display_fps * max(LOW_S, 1.25 * rtt)
                          or (self._requested_at is not None and now - self._requested_at < self._retry_s())):
            return
        ahead = max(AHEAD_S, 2.5 * rtt)  # a busy server: ask earlier and for more (see live_view.js requestMore)
        count = min(MAX_FRAMES, max(2, -(-int(self.display_fps * ahead * 1000) // 1000)))  # ceil, as Math.ceil
        if not force and self._requested_at is not None:
            self.report.retries.append(now)
        want = (self._last() or 0) + self.speed * count
        self._requested_at = now
        self.report.ticks.append(now)
        self.report.asked.append(count)
        await self.send_control(want=want, via_feed=not force)   # Play itself goes through the fragment

    async def _pause_through_fragment(self, feed: dict, control: dict):
        """After a Pause sent to the frame route has been answered (or refused): the same through the fragment,
        unless another control was sent since."""
        for _ in range(int(RETRY_S * 4 / 0.02) + 1):
            if self._paused_answer.is_set() or self.feed is not feed:
                break
            await asyncio.sleep(0.02)
        if not self.playing and self.seq == control["seq"]:
            await self.send_control(want=control["want"])

    async def _fetch_frames(self, feed: dict, control: dict):
        """`fetchFrames` of live_view.js: POST the control to the frame route; its answer is handled as a message."""
        sent = time.monotonic()
        try:
            answer = await asyncio.wait_for(self._post(str(feed["url"]), {"session": feed["session"],
                                                                        "token": feed["token"], "control": control}),
                                            RETRY_S * 4)
        except (OSError, ValueError, TimeoutError, asyncio.IncompleteReadError):
            answer = None
        if isinstance(answer, list):
            self.report.feed_answers += 1
            self._on_message(answer, from_feed=True, sent=sent)
            return
        self.report.feed_refused += 1
        if self.feed is feed:
            self.feed = None
        asked_frames = control.get("playing") and control.get("want") is not None
        if asked_frames and self.playing and self._requested_at is not None:
            await self.send_control(want=control["want"])

    async def _post(self, path: str, body: dict):
        """One HTTP/1.1 POST on the kept-alive connection (opened again once if the server closed it); returns the
        JSON answer, or None for an error status."""
        if not path.startswith("/"):
            raise ValueError(f"the frame route must be a path on this server, not {path!r}")
        request = urllib.request.Request(f"{self.base_url}{path}", method="POST")
        self.cookies.add_cookie_header(request)
        cookie = request.unredirected_hdrs.get("Cookie")
        payload = json.dumps(body).encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.parts.netloc}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nAccept-Encoding: gzip\r\nOrigin: http://{self.parts.netloc}\r\n"
                + (f"Cookie: {cookie}\r\n" if cookie else "") + "Connection: keep-alive\r\n\r\n").encode()
        for attempt in range(2):
            # one request per connection at a time, as the browser (a Pause may go while frames are on their way)
            reader, writer = self._idle_conns.pop() if self._idle_conns else await asyncio.open_connection(
                self.parts.hostname, self.parts.port or 80)
            try:
                writer.write(head + payload)
                await writer.drain()
                status, headers, data = await _read_response(reader)
                break
            except (OSError, asyncio.IncompleteReadError, ValueError):
                writer.close()
                if attempt:
                    raise
        if headers.get("connection", "").lower() == "close" or len(self._idle_conns) >= 6:
            writer.close()
        else:
            self._idle_conns.append((reader, writer))
        if headers.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        return json.loads(data) if status == 200 else None

    def _retry_s(self) -> float:
        return max(RETRY_S, 3 * (self.rtt or 0.0))

    def _consume(self, now: float):
        """The page paints one queued frame per 1 / display_fps seconds."""
        if not self.queue:
            self._clock = now
            return
        due = int((now - self._clock) * self.display_fps)
        if due <= 0:
            return
        shown, self.queue = self.queue[:due], self.queue[due:]
        self.shown = shown[-1]
        self._clock = now if not self.queue else self._clock + due / self.display_fps

    async def _play_loop(self):
        """The page's animation loop while playing: consume frames, ask for more in time. Bounded in count; ends at
        Pause, at the deadline or when the connection drops."""
        step = 1 / self.display_fps
        for _ in range(int(3600 * self.display_fps)):
            if not self.playing or time.monotonic() > self.stop_at:
                return
            now = time.monotonic()
            self._consume(now)
            try:
                await self._request_more()
            except websockets.ConnectionClosed:  # a dropped connection: the page waits for its reconnect
                await asyncio.sleep(0.1)
                continue
            # Wake when the queue is down to its low mark, when a retry is due, or when a message arrives.
            low = int(self.display_fps * max(LOW_S, 1.25 * (self.rtt or 0.0)))
            low_in = (len(self.queue) - low) / self.display_fps
            wait = low_in if self._requested_at is None else self._requested_at + self._retry_s() - now
            if self._requested_at is not None and len(self.queue) > low:
                wait = min(wait, low_in)
            self._answered.clear()
            try:
                await asyncio.wait_for(self._answered.wait(), max(step, min(wait, 1.0)))
            except TimeoutError:
                pass

    async def play(self, timeout: float = 90.0) -> float:
        """Press Play on the live view; returns the seconds until the first message with frames while playing."""
        if self.playing:
            return 0.0
        if not self._live_id:
            raise RuntimeError(f"{self.name}: the page has no live view (key {LIVE_KEY!r})")
        start = time.monotonic()
        self.playing, self.queue, self._requested_at = True, [], None
        self._clock = start
        first = len(self.report.epochs)
        await self._request_more(force=True)
        self._player = asyncio.create_task(self._play_loop())
        for _ in range(int(timeout / 0.05) + 1):
            if len(self.report.epochs) > first or time.monotonic() - start > timeout or not self.playing:
                break
            await asyncio.sleep(0.05)
        return time.monotonic() - start

    async def pause(self, timeout: float = 60.0) -> float:
        """Press Pause: the picture stops at once and the server is told the epoch shown; returns the seconds until
        the server's paused answer arrived."""
        if not self.playing:
            return 0.0
        self._consume(time.monotonic())
        self.playing, self.queue, self._requested_at = False, [], None
        if self._player:
            self._player.cancel()
        self._paused_answer.clear()
        start = time.monotonic()
        if self.feed:  # as the page: the frame route answers at once, and the fragment is told too (its page run)
            feed = self.feed
            control = await self.send_control(want=self.shown, via_feed=True)
            self._later(self._pause_through_fragment(feed, control))
        else:
            await self.send_control(want=self.shown)
        await asyncio.wait_for(self._paused_answer.wait(), timeout)
        self.report.pause_seconds = time.monotonic() - start
        return self.report.pause_seconds

    def _on_auto_rerun(self, interval: float, fragment_id: str):
        current = self._fragment_timers.get(fragment_id)
        if current and current[0] == interval:
            return  # the browser does not restart a timer for the same interval
        if current:
            current[1].cancel()
        self._fragment_timers[fragment_id] = (interval, asyncio.create_task(self._tick(interval, fragment_id)))

    def _stop_timers(self, fragment_ids=None):
        for fid in list(self._fragment_timers) if fragment_ids is None else fragment_ids:
            entry = self._fragment_timers.pop(fid, None)
            if entry:
                entry[1].cancel()

    async def _tick(self, interval: float, fragment_id: str):
        """The browser's setInterval: one fragment request per interval, until stopped or the deadline."""
        next_at = time.monotonic() + interval
        for _ in range(int(3600 / max(interval, 1e-3))):
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if time.monotonic() > self.stop_at:
                return
            next_at = max(next_at + interval, time.monotonic())  # setInterval does not catch up on missed ticks
            try:
                await self._send(self._client_state(fragment_id, auto=True))
            except websockets.ConnectionClosed:
                return

    # --- receiving ------------------------------------------------------------------------------------------------

    async def _read(self):
        try:
            for _ in range(MAX_MESSAGES):
                data = await self._ws.recv()
                self._handle(data)
        except websockets.ConnectionClosed as err:
            if time.monotonic() < self.stop_at:
                self.report.errors.append(f"{self.name}: connection closed ({err.rcvd.code if err.rcvd else '-'})")
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - a broken message is an error to report, not a crash of the run
            self.report.errors.append(f"{self.name}: {type(err).__name__}: {err}")

    def _handle(self, data: bytes):
        self.report.messages += 1
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.report.session_ids.append(msg.new_session.initialize.session_id)
            if self.report.session_ids[-2:-1] == self.report.session_ids[-1:]:
                self.report.session_ids.pop()
            self._page_hash = msg.new_session.page_script_hash
            self._run_is_full = not msg.metadata.run.fragment_ids
            if self._run_is_full:  # the browser clears every auto-rerun timer when a full run starts
                self._stop_timers()
                self._drawn = set()
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self._on_auto_rerun(msg.auto_rerun.interval, msg.auto_rerun.fragment_id)
        elif kind == "stop_auto_rerun":
            self._stop_timers(list(msg.stop_auto_rerun.fragment_ids))
        elif kind == "script_finished" and not self._run_is_full:
            # FINISHED_EARLY_FOR_RERUN: the next run started before this one's messages were sent, and Streamlit
            # dropped them (its queue keeps only lifecycle messages then): the run's frames never arrive.
            finished_early = msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN
            self.report.fragment_runs.append((time.monotonic(), finished_early))
        elif kind == "script_finished" and self._run_is_full:
            # widgets that this run did not draw are gone from the page
            self._widgets = {i: w for i, w in self._widgets.items() if i in self._drawn}
            self._full_run_finished.set()
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._on_element(msg.delta.new_element, msg.delta.fragment_id)

    def _on_element(self, element, fragment_id: str = ""):
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        if kind == "exception":
            self.report.errors.append(f"{self.name}: app exception {proto.type}: {proto.message[:200]}")
            return
        if kind == "alert":
            self.report.alerts.append(proto.body[:200])
            return
        if kind == "imgs":
            self._images = [img.url for img in proto.imgs if img.url.startswith("/")] or self._images
            return
        element_id = getattr(proto, "id", "")
        if not element_id:
            return
        key = element_id.rsplit("-", 1)[-1]
        self._ids_by_key[key] = element_id
        if self._run_is_full:
            self._drawn.add(element_id)
        if kind == "bidi_component" and key == LIVE_KEY:
            self._live_id, self._live_fragment = element_id, fragment_id
            self._on_live(proto)
        else:
            if element_id not in self._widgets or getattr(proto, "set_value", False):
                state = widget_state(kind, proto)
                if state is not None:
                    self._widgets[element_id] = state

    def _on_live(self, proto):
        """A message drawn by a script run."""
        text = proto.json or (proto.mixed.json if proto.HasField("mixed") else "")
        if text:
            self._on_message(json.loads(text))

    def _on_message(self, data, from_feed: bool = False, sent: float | None = None):
        """`receive` of live_view.js, and the count of delivered frames (distinct epochs). A frame route's answer
        (`from_feed`) was asked for at `sent`."""
        header = data[0] if data and isinstance(data[0], dict) else None
        if from_feed and header is not None and header.get("run") != self.run:
            self._requested_at = None  # from before a reset: ask again
            return
        self.live_json = data
        now = time.monotonic()
        new = [e for e in frame_epochs(data) if e not in self._seen_epochs]
        self._seen_epochs.update(new)
        self.report.epochs.extend(new)
        if from_feed:
            delay = now - sent
        else:
            delay = now - self._pending[0] if self._pending else None
            self._pending.clear()
        self.report.arrivals.append(Arrival(now, len(new), delay))
        if new and self.report.first_frame_at is None and self.playing:
            self.report.first_frame_at = now
        self._answered.set()
        if header is None or header.get("batch") == self.batch:
            return  # the same message drawn again by a page run
        self.batch = header.get("batch")
        if not from_feed:
            self.feed = header.get("feed") if isinstance(header.get("feed"), dict) else None
        if isinstance(header.get("static"), dict):
            self.static = header["static"]
        elif not self.static or header.get("version") != self.static.get("version"):
            self._later(self.send_control(have=None))
            return
        new_run = header.get("run") != self.run
        if new_run:
            self.run, self.queue = header.get("run"), []
        if header.get("stop") and self.playing:
            self.playing = False
            if from_feed:  # the server stopped (divergence): the page runs to say why
                self._later(self.send_control(want=self.shown))
        if header.get("note") and self._requested_at is not None:
            self._requested_at -= self._retry_s() - NOTE_RETRY_S  # compiling: ask again soon
        epochs = frame_epochs(data)
        if not header.get("playing"):
            if self.playing and not header.get("stop"):
                return  # an older answer from before Play
            self._paused_answer.set()
            if epochs:
                self.queue, self.shown = [], epochs[-1]
            return
        if not self.playing or not epochs:
            return  # frames that were on their way when Pause was pressed
        self._consume(now)
        if not new_run and self.shown is not None:  # as live_view.js: never back past the epoch on screen
            epochs = [e for e in epochs if e > self.shown]
        if epochs:
            self.queue = [e for e in self.queue if e < epochs[0]] + epochs
        if self._requested_at is not None:  # the answer time, smoothed
            seconds = now - self._requested_at  # as live_view.js: the first capped, down fast, up slowly
            self.rtt = (min(seconds, 0.5) if self.rtt is None
                        else self.rtt + (0.5 if seconds < self.rtt else 0.2) * (seconds - self.rtt))
        self._requested_at = None

    def _later(self, coroutine):
        """Send from the reader (which must not wait on the socket's send)."""
        task = asyncio.ensure_future(coroutine)
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def run_until(self, deadline: float | None = None):
        """Keep consuming (the reader and the timer run as tasks) until `deadline` or `self.stop_at`, which another
        task may move (time.monotonic()); reconnects as the browser does if the connection drops."""
        if deadline is not None:
            self.stop_at = deadline
        for _ in range(100_000):
            if time.monotonic() >= self.stop_at:
                return
            if self._reader is None or self._reader.done():
                if not await self._reconnect():
                    return
            await asyncio.sleep(min(0.1, max(0.0, self.stop_at - time.monotonic())))

    async def drop_and_reconnect(self) -> bool:
        """A network blip: the connection drops and the page reconnects with its session id, as the browser does.
        Behind a load balancer, only a sticky one brings it back to the process that holds the session."""
        if self._reader:
            self._reader.cancel()
        await self._ws.close()
        return await self._reconnect()

    async def _reconnect(self, attempts: int = 3) -> bool:
        """As the browser does after a dropped connection: reconnect with the session id it had."""
        old = self.report.session_ids[-1] if self.report.session_ids else ""
        for _ in range(attempts):
            self.report.reconnects += 1
            try:
                self._stop_timers()
                await self._connect(old)
                self._full_run_finished.clear()
                await self._send(self._client_state())
                await asyncio.wait_for(self._full_run_finished.wait(), 60)
                return True
            except (TimeoutError, OSError, websockets.WebSocketException) as err:
                self.report.errors.append(f"{self.name}: reconnect failed: {err}")
                await asyncio.sleep(1)
        return False


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict, bytes]:
    """(status, headers with lower-case names, body) of one HTTP/1.1 response: Content-Length or chunked."""
    status_line = await asyncio.wait_for(reader.readline(), 60)
    parts = status_line.split()
    if len(parts) < 2:
        raise ValueError(f"not an HTTP response: {status_line[:80]!r}")
    headers = {}
    for _ in range(200):
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        for _ in range(100_000):
            size = int((await reader.readline()).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(parts[1]), headers, body


# --- many students ----------------------------------------------------------------------------------------------------

@dataclass
class ClassResult:
    students: list[StudentReport]
    start: float            # the measured window, time.monotonic()
    end: float
    harness_cpu_s: float    # this process's CPU time during the window (the harness shares the machine)

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def fps(self) -> list[float]:
        return [s.fps(self.start, self.end) for s in self.students]

    def delays(self) -> list[float]:
        return [d for s in self.students for d in s.delays(self.start, self.end)]

    def errors(self) -> list[str]:
        return [e for s in self.students for e in s.errors]

    def summary(self) -> dict:
        fps, delays = self.fps(), sorted(self.delays())
        return {
            "students": len(self.students),
            "seconds": round(self.seconds, 2),
            "fps_min": round(min(fps), 2) if fps else 0.0,
            "fps_median": round(statistics.median(fps), 2) if fps else 0.0,
            "fps_max": round(max(fps), 2) if fps else 0.0,
            "delay_median_s": round(statistics.median(delays), 3) if delays else None,
            "delay_p95_s": round(percentile(delays, 95), 3) if delays else None,
            "longest_gap_s": round(max(s.longest_gap(self.start, self.end) for s in self.students), 2),
            "pause_s_max": _round_max([s.pause_seconds for s in self.students]),
            "fragment_runs": sum(s.dropped_runs(self.start, self.end)[0] for s in self.students),
            "fragment_runs_dropped": sum(s.dropped_runs(self.start, self.end)[1] for s in self.students),
            "errors": len(self.errors()),
            "alerts": sum(len(s.alerts) for s in self.students),
            # requests for frames in the window, and those sent again after RETRY_S without an answer (each new
            # request reruns the fragment, which drops a run still in progress: fragment_runs_dropped)
            "requests": sum(self.start <= t < self.end for s in self.students for t in s.ticks),
            "requests_retried": sum(self.start <= t < self.end for s in self.students for t in s.retries),
            # answers from the frame route (no script run) and requests it sent back to the fragment, whole run
            "feed_answers": sum(s.feed_answers for s in self.students),
            "feed_refused": sum(s.feed_refused for s in self.students),
            "reconnects": sum(s.reconnects for s in self.students),
            "session_restarts": sum(s.session_restarts for s in self.students),
            "media_failed": sum(s.media_failed for s in self.students),
            "harness_cores": round(self.harness_cpu_s / max(self.seconds, 1e-9), 2),
        }


def _round_max(values):
    values = [v for v in values if v is not None]
    return round(max(values), 2) if values else None


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of an already sorted list."""
    rank = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


async def _play_one(student: Student, ready: list[Student], reconnect: bool):
    stage = "open"
    try:
        await student.open()
        stage = "Play"
        await student.play()
        ready.append(student)
        stage = "play"
        await student.run_until()
        if reconnect:
            stage = "reconnect"
            await student.drop_and_reconnect()
        stage = "Pause"
        await student.pause()
    except Exception as err:  # noqa: BLE001 - one failing student is a reported error, not a failed class
        student.report.errors.append(f"{student.name} at {stage}: {type(err).__name__}: {err}")
    finally:
        await student.close()


async def play_class(base_url: str, students: int, seconds: float, query: str = C2, *, warmup: float = 5.0,
                     join_timeout: float = 120.0, on_window=None, reconnect: bool = False,
                     heavy: tuple[str, int] | None = None) -> ClassResult:
    """`students` harness students open `query` at once, press Play and play. The measured window of `seconds`
    starts `warmup` seconds after every student has received its first live frame (or after `join_timeout`); then
    every student presses Pause. `on_window(start, end)` is called when the window starts (e.g. to read the server's
    CPU time). With `reconnect`, every student drops its connection after the window and reconnects with its session
    id before pausing, as a browser does after a network blip: behind a load balancer that is not sticky, that
    shows as session restarts."""
    class_ = [Student(base_url, query, name=f"student {i}") for i in range(students)]
    if heavy is not None:  # one more student with a link of its own at a speed of its own, reported apart
        class_.append(Student(base_url, heavy[0], name="heavy"))
        class_[-1].speed = heavy[1]
    for student in class_:
        student.stop_at = time.monotonic() + join_timeout + warmup + seconds  # until the window is known
    ready: list[Student] = []
    tasks = [asyncio.create_task(_play_one(student, ready, reconnect)) for student in class_]
    joined_by = time.monotonic() + join_timeout
    while time.monotonic() < joined_by and not all(t.done() for t in tasks):
        if len(ready) == len(class_) and all(s.report.first_frame_at for s in ready):
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(warmup)
    start = time.monotonic()
    cpu0 = time.process_time()
    for student in class_:
        student.stop_at = start + seconds
    if on_window is not None:
        on_window(start, start + seconds)
    await asyncio.sleep(seconds)
    cpu = time.process_time() - cpu0
    await asyncio.wait(tasks, timeout=120)
    result = ClassResult([s.report for s in class_[:students]], start, start + seconds, cpu)
    result.heavy = class_[students].report if heavy is not None else None
    return result


# --- a real browser among them ------------------------------------------------------------------------------------

class BrowserStudent:
    """A Chromium page (Playwright, sync API) counted the same way: distinct epochs in the live canvas messages its
    websocket receives (delivered), and the canvas's own paint counter (painted)."""

    def __init__(self, page):
        self.page = page
        self.arrivals: list[tuple[float, int]] = []   # (time, new frames)
        self.ticks: list[float] = []                  # when the page asked for frames (a `control` while playing)
        self.controls: list[tuple[str, dict]] = []    # (fragment id, control) of every `control` the page sent
        self.asked: list[int] = []                    # frames each request asked for ((want - last) / speed)
        self._seen: set[int] = set()
        page.on("websocket", self._on_websocket)
        page.on("request", self._on_request)     # the frame route (`live_feed`): requests while playing
        page.on("response", self._on_response)

    def _on_websocket(self, ws):
        ws.on("framereceived", self._on_frame)
        ws.on("framesent", self._on_sent)

    def _on_request(self, request):
        if request.method == "POST" and urllib.parse.urlsplit(request.url).path == FEED_PATH:
            try:
                control = json.loads(request.post_data or "{}").get("control")
            except ValueError:
                return
            self._on_control("feed", control)

    def _on_response(self, response):
        if urllib.parse.urlsplit(response.url).path != FEED_PATH or response.status != 200:
            return
        try:
            data = response.json()
        except Exception:  # noqa: BLE001 - a body the page could not read either: no frames
            return
        if isinstance(data, list):
            self._on_data(data)

    def _on_control(self, fragment_id: str, control):
        if not isinstance(control, dict) or (self.controls and self.controls[-1][1] == control):
            return  # a full run resends the state the page already had
        self.controls.append((fragment_id, control))
        if control.get("playing") and isinstance(control.get("want"), int) and control.get("last") is not None:
            self.ticks.append(time.monotonic())
            self.asked.append((control["want"] - control["last"]) // max(1, int(control.get("speed", 1))))

    def _on_data(self, data):
        new = [e for e in frame_epochs(data) if e not in self._seen]
        self._seen.update(new)
        self.arrivals.append((time.monotonic(), len(new)))

    def _on_sent(self, payload):
        if isinstance(payload, str):
            return
        msg = BackMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") != "rerun_script":
            return
        for widget in msg.rerun_script.widget_states.widgets:
            if widget.id.endswith("-" + LIVE_KEY) and widget.WhichOneof("value") == "json_value":
                self._on_control(msg.rerun_script.fragment_id, json.loads(widget.json_value).get("control"))

    def _on_frame(self, payload):
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        if element.WhichOneof("type") != "bidi_component" or not element.bidi_component.id.endswith("-" + LIVE_KEY):
            return
        self._on_data(json.loads(element.bidi_component.json or "[]"))

    def open_and_play(self, base_url: str, query: str = C2, timeout_ms: int = 90_000):
        check_loopback(base_url)
        self.page.goto(f"{base_url.rstrip('/')}/?{query.lstrip('?')}")
        self.page.wait_for_function("() => (window.__pgPaints || 0) > 0", timeout=timeout_ms)
        self.page.get_by_role("button", name="Play", exact=True).click()
        self.page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=timeout_ms)

    def paints(self) -> int:
        return self.page.evaluate("() => window.__pgPaints || 0")

    def fps(self, start: float, end: float) -> float:
        return sum(n for t, n in self.arrivals if start <= t < end) / max(end - start, 1e-9)
