"""Many-network experiments trained in a background thread: one `Run` for sweeps, seed ensembles and side by side.

A `Run` trains an `Experiment` to a target number of epochs chunk by chunk and publishes a `sweep.Snapshot` after
each chunk; a UI polls `run.snapshot` and never makes training wait for painting. Runs belong to whoever started them
(a browser session keeps its own in its state). The only shared things are the compile-once cache
(`compiled.PROGRAMS`, keyed by shape) and one low-priority thread that compiles ahead (`Preparer`): one user's
choices can never supersede another's.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Protocol

import numpy as np

from .config import Config
from .session import Session
from .sweep import Snapshot, Sweep
from .train import compiled_trainer, data_shapes
from .userdata import UserData


class Experiment(Protocol):
    """Networks trained together: a `sweep.Sweep` (one vmapped program) or `SideBySide` (independent sessions)."""

    configs: list[Config]

    @property
    def epoch(self) -> int: ...

    def compile(self): ...

    def advance(self, epochs: int): ...

    def snapshot(self, grid: int) -> Snapshot: ...

    def close(self): ...


class SideBySide:
    """Configurations that may differ in anything (optimizer, batch size, data...), one `Session` each, advanced in
    lockstep."""

    def __init__(self, configs: list[Config], upload: UserData | None = None):
        """`upload`: the points of a CSV file, when the configs' source is "file"."""
        self.configs = list(configs)
        self.sessions = [Session(c, upload=upload) for c in self.configs]

    @property
    def epoch(self) -> int:
        return min(s.epoch for s in self.sessions)

    def compile(self):
        for s in self.sessions:
            compiled_trainer(s.spec, data_shapes(s.data))

    def advance(self, epochs: int):
        for session in self.sessions:
            session.advance(epochs)

    def results(self) -> list[dict]:
        out = []
        for s in self.sessions:
            h, classification = s.history, s.config.problem == "classification"
            last = lambda a: float(a[-1]) if len(a) and np.isfinite(a[-1]) else None  # noqa: E731
            out.append({"config": s.config, "params": s.arch.n_params, "diverged": s.diverged,
                        "train_loss": last(h.train_loss), "test_loss": last(h.test_loss),
                        "train_accuracy": last(h.train_accuracy) if classification else None,
                        "test_accuracy": last(h.test_accuracy) if classification else None,
                        "train_curve": h.train_loss})
        return out

    def snapshot(self, grid: int) -> Snapshot:
        return Snapshot(self.epoch, self.results(), np.stack([s.grid(grid)[1] for s in self.sessions]),
                        [s.history.test_loss for s in self.sessions])

    def close(self):
        pass


_runs: "weakref.WeakSet[Run]" = weakref.WeakSet()


@atexit.register
def stop_all(timeout: float = 5.0):
    """A training thread still inside XLA when the interpreter exits aborts the process: stop and join them first.
    Each run stops after its chunk in progress (well under a second), so a server stops promptly."""
    for run in list(_runs):
        run.stop()
    deadline = time.monotonic() + timeout
    for run in list(_runs):
        run.wait(max(0.0, deadline - time.monotonic()))


class Run:
    """An experiment trained to `target` epochs in a background thread; `snapshot` is its latest picture.

    The thread builds the experiment if given a builder (so a click returns at once), compiles, then advances by
    CHUNK epochs at a time (the first chunk is small so that the picture appears soon after compiling)."""

    FIRST_CHUNK, CHUNK = 20, 100

    def __init__(self, experiment: "Experiment | list[Config]", target: int, grid: int = 40,
                 build: Callable[[list[Config]], Experiment] = Sweep):
        """`experiment`: a built one, or its configs (then `build(configs)` runs in the thread)."""
        built = not isinstance(experiment, list)
        self.configs = list(experiment.configs if built else experiment)
        self.experiment: Experiment | None = experiment if built else None
        self._build = build
        self.target, self.grid = target, grid
        self.started = time.monotonic()
        self.seconds: float | None = None  # wall time from start to the last chunk, once finished
        self.error: str | None = None
        self.snapshot: Snapshot | None = None
        self.published: list[int] = []  # the epoch of every snapshot, in order
        self.compile_seconds: float | None = None  # compiling (or loading) the programs, before the first chunk
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._train, name="run", daemon=True)
        _runs.add(self)
        self._thread.start()

    @property
    def sweep(self) -> Experiment | None:  # the name the sweep pages use
        return self.experiment

    def _train(self):
        try:
            if self.experiment is None:
                self.experiment = self._build(self.configs)
            grids = threading.Thread(target=self.experiment.snapshot, args=(self.grid,))  # compiles the probe
            grids.start()  # ... alongside the trainer: XLA compiles without holding the interpreter
            self.experiment.compile()
            grids.join()
            self.compile_seconds = time.monotonic() - self.started
            chunk = self.FIRST_CHUNK
            while self.experiment.epoch < self.target and not self._stop.is_set():
                self.experiment.advance(min(chunk, self.target - self.experiment.epoch))
                self.snapshot = self.experiment.snapshot(self.grid)
                self.published.append(self.snapshot.epoch)
                chunk = self.CHUNK
        except Exception as err:  # shown by the UI; the rest of the app keeps working
            self.error = f"{type(err).__name__}: {err}"
        finally:
            self.seconds = time.monotonic() - self.started
            if self.experiment is not None:
                self.experiment.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def epoch(self) -> int:
        return self.snapshot.epoch if self.snapshot else 0

    @property
    def elapsed(self) -> float:
        return self.seconds if self.seconds is not None else time.monotonic() - self.started

    def wait(self, timeout: float | None = None) -> "Run":
        self._thread.join(timeout)
        return self

    def stop(self):
        """Stop after the chunk in progress (a replaced run must not keep the cores busy)."""
        self._stop.set()


# --- compiling ahead: the lab compiles the sweep its widgets describe before Run is pressed --------------------------

_prepare_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sweep-prepare")


class Preparer:
    """One user's compile-ahead: compiles the sweep they are choosing once the choice has been quiet for QUIET
    seconds, into the shared compile cache (by shape), so that Run finds it compiled. Compilation is the one slow step
    of a small sweep (about 2 s on a new machine). A newer choice of the same user drops theirs that has not started;
    other users' choices are untouched. Kept in the user's session state, never in a module global."""

    QUIET = 1.0  # seconds a choice must stay unchanged (people click several options in a row)

    def __init__(self):
        self._wanted: tuple | None = None
        self._since = 0.0

    def want(self, configs: list[Config], grid: int = 40, upload: UserData | None = None
             ) -> concurrent.futures.Future | None:
        """Prepare `configs` (the background task), or None when they are already wanted or compiled."""
        key = tuple(configs)
        if key == self._wanted:
            return None
        self._wanted, self._since = key, time.monotonic()
        return _prepare_pool.submit(self._prepare, key, grid, upload)

    def cancel(self):
        self._wanted = None

    def _prepare(self, key: tuple, grid: int, upload: UserData | None = None) -> bool:
        _lower_priority()
        while self._wanted == key and time.monotonic() - self._since < self.QUIET:
            time.sleep(0.05)
        if self._wanted != key:  # superseded by this user's newer choice, or Run was pressed
            return False
        sweep = Sweep(list(key), upload=upload)
        try:
            if not sweep.compiled:
                sweep.compile()
            if grid:  # else the browser paints the networks from their weights
                sweep.output_grids(grid)
        finally:
            sweep.close()
        return True


def _lower_priority():
    """Compile ahead at the lowest CPU priority, so that work someone waits for gets the cores first."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only (Linux)
    except (AttributeError, OSError):
        pass
