"""The server's half of the live GAN view: from what the browser asks for (its `control` state) to the next message.

The same protocol as the classifier's (`live_player`, `playground_page`'s docstring), with steps for epochs:
`{"playing", "speed", "shown", "last", "want", "run", "have", "seq", "part"}`. Playing, the server trains up to step
`want` (`speed` steps a frame, at most MAX_FRAMES frames) and keeps a checkpoint of every frame it sent, so that
Pause goes back to the step the browser shows. Paused, `want = shown + 1` is one step, and `part` says which:
"both" (k discriminator updates and a generator update), "d" (one discriminator update) or "g" (one generator
update). A target, never "one more": a message delivered twice trains once. No streamlit import here.
"""

from __future__ import annotations

from . import gan_view

MAX_FRAMES = 40
MAX_STEPS = 10
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 250)  # steps per frame; 250 fits one engine call (CAPACITY 256)
PARTS = ("both", "d", "g")


def run_id(run) -> str:
    return f"{id(run):x}.{run.generation}"


class GanPlayer:
    """Per browser session: checkpoints of the frames sent, the frames themselves, and the message counter."""

    def __init__(self):
        self.checkpoints: dict[int, object] = {}
        self.sent: dict[int, tuple] = {}
        self.batch = 0
        self.run = None
        self.stopped_seq = -1
        self.static = None

    def static_part(self, run) -> dict:
        """Built once per run and config (it holds the real samples), not once per frame."""
        key = (run_id(run), run.config)
        if self.static is None or self.static[0] != key:
            self.static = (key, gan_view.static_part(run))
        return self.static[1]

    def serve(self, run, control: dict) -> list:
        """Train as asked and return the message `[header, frame, ...]` for the browser."""
        rid, static = run_id(run), self.static_part(run)
        if rid != self.run:
            self.run, self.checkpoints, self.sent = rid, {}, {}
        same_run = control.get("run") == rid
        shown = control.get("shown") if same_run else None
        playing = (bool(control.get("playing")) and int(control.get("seq", 0)) > self.stopped_seq
                   and not run.diverged)
        header = {"batch": self.batch, "run": rid, "version": static["version"], "playing": playing}
        self.batch += 1
        if control.get("have") != static["version"]:
            header["static"] = static
        if shown is not None:
            self.checkpoints = {s: c for s, c in self.checkpoints.items() if s >= shown}
            self.sent = {s: p for s, p in self.sent.items() if s >= shown}
        if not playing:
            self._settle(run, control, shown, same_run)
            run.measure_divergence()
            header |= {"curve": gan_view.curves(run.history), "stop": bool(control.get("playing"))}
            return [header, gan_view.frame(run, exact=True)]
        want, last = (control.get("want"), control.get("last", shown)) if same_run else (None, None)
        frames = [] if last is None or want is None else [self.sent[s] for s in sorted(self.sent)
                                                          if last < s <= min(int(want), run.step)]
        speed = int(control.get("speed", 1)) if control.get("speed") in SPEEDS else 1
        frames += self._train(run, speed, want)
        if run.diverged:
            self.stopped_seq = int(control.get("seq", 0))
            header |= {"playing": False, "stop": True, "curve": gan_view.curves(run.history)}
            return [header, gan_view.frame(run, exact=True)]
        if control.get("first"):
            header["curve"] = gan_view.curves(run.history)
        return [header, *frames]

    def _settle(self, run, control: dict, shown, same_run: bool):
        """Paused: back to the step the browser shows, then a Step's target (of the part asked for)."""
        if shown is not None and shown < run.step and shown in self.checkpoints:
            run.rewind(self.checkpoints[shown])
        self.checkpoints.clear()
        self.sent.clear()
        want = control.get("want") if same_run else None
        if want is None or shown is None or not run.step < int(want) <= shown + MAX_STEPS:
            return
        part = control.get("part") if control.get("part") in PARTS else "both"
        for _ in range(int(want) - run.step):
            {"both": lambda: run.advance(1), "d": run.step_discriminator, "g": run.step_generator}[part]()

    def _train(self, run, speed: int, want) -> list:
        count = 0 if want is None else (int(want) - run.step) // speed
        self.checkpoints.setdefault(run.step, run.checkpoint())
        frames = []
        for _ in range(max(0, min(MAX_FRAMES, count))):
            if not run.advance(speed) or run.diverged:
                break
            self.checkpoints[run.step] = run.checkpoint()
            self.sent[run.step] = gan_view.frame(run, exact=False)
            frames.append(self.sent[run.step])
        return frames
