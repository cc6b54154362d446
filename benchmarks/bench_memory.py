"""A server's memory over a lesson's life: `python benchmarks/bench_memory.py [--shapes 100] [--epochs 200000]`.

Three measurements, each printed as a table (resident set size, MB):
- **shapes**: one app-style session (with its bridge) moves through `--shapes` different network shapes, as visitors
  opening links do; each shape trains until its own program has compiled. RSS after 0, 10, 30, 60, ... shapes.
- **long run**: one session trains C2 (spiral, six layers of eight) for `--epochs` epochs; RSS, the history's and
  the snapshots' length every tenth of the way (history and snapshots must stay bounded).
- **closed tabs**: a `streamlit run app.py` server; `--rounds` rounds of `--students` harness students open the app,
  play for a few seconds and close their tab; the server's RSS 10 s after each round and once Streamlit may drop
  the closed tabs' sessions (it keeps them 120 s for reconnects). Sessions that were never freed would make it climb
  round after round.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from playground.core import compiled  # noqa: E402
from playground.core.config import Config  # noqa: E402
from playground.core.session import Session  # noqa: E402

C2 = Config(dataset="spiral", layers=(8,) * 6, activation=("tanh",))


def rss_mb(process: psutil.Process | None = None) -> float:
    return (process or psutil.Process()).memory_info().rss / 2**20


def shape_configs(count: int):
    """`count` distinct architectures a visitor could open: depth 1-6, widths 1-8, three activations."""
    shapes = itertools.product(range(1, 7), range(1, 9), ("tanh", "relu", "sigmoid"))
    for depth, width, activation in itertools.islice(shapes, count):
        yield Config(layers=(width,) * depth, activation=(activation,))


def train_until_exact(session: Session, timeout: float = 60.0):
    """Train as the live view does (never waiting for a compilation) until the session's own program trains."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session.advance(5, wait=False)
        if not session.bridging and not session.preparing:
            return
        time.sleep(0.02)
    raise TimeoutError(f"{session.config.layers} did not compile in {timeout} s")


def measure_shapes(count: int) -> list[tuple[int, float, int]]:
    """(shapes seen, RSS MB, compiled programs kept) after 0, 10, 30, 60, 100, ... shapes."""
    marks = {0, 10, 30, 60, 100, 150, 200, count}
    session = Session(Config(), bridge=True)
    train_until_exact(session)
    rows = [(0, rss_mb(), len(compiled.PROGRAMS))]
    for seen, config in enumerate(shape_configs(count), 1):
        session.apply(config)
        train_until_exact(session)
        if seen in marks:
            rows.append((seen, rss_mb(), len(compiled.PROGRAMS)))
    return rows


def measure_long_run(epochs: int, chunk: int = 500) -> list[tuple[int, float, int, int]]:
    """(epoch, RSS MB, history columns kept, snapshots kept) every tenth of `epochs`."""
    session = Session(C2)
    session.advance(chunk)
    rows, step = [], max(epochs // 10, chunk)
    next_mark = 0
    while session.epoch < epochs and not session.diverged:
        if session.epoch >= next_mark:
            rows.append((session.epoch, rss_mb(), len(session.history.train_loss), len(session.snapshots)))
            next_mark += step
        session.advance(chunk)
    rows.append((session.epoch, rss_mb(), len(session.history.train_loss), len(session.snapshots)))
    return rows


def measure_closed_tabs(rounds: int, students: int, seconds: float, settle: float) -> list[tuple]:
    """(round, server RSS MB 10 s after the round's students closed their tabs, RSS MB once Streamlit may drop
    them). Streamlit keeps a closed tab's session for `server.disconnectedSessionTTL` (120 s) so that a browser can
    reconnect after a network blip, and drops expired ones when a new session arrives: after `settle` seconds one
    more student opens the app for a second."""
    from browser_utils import streamlit_server
    from class_harness import play_class
    rows = []
    with streamlit_server() as (url, process):
        server = psutil.Process(process.pid)
        rows.append((0, rss_mb(server), rss_mb(server)))
        for round_ in range(1, rounds + 1):
            asyncio.run(play_class(url, students, seconds, warmup=1.0))
            time.sleep(10)
            kept = rss_mb(server)
            time.sleep(max(0.0, settle - 10))
            asyncio.run(play_class(url, 1, 1.0, warmup=0.0))
            rows.append((round_, kept, rss_mb(server)))
    return rows


def table(title: str, header: tuple, rows: list[tuple]):
    print(f"\n{title}")
    print(" | ".join(f"{h:>14}" for h in header))
    for row in rows:
        print(" | ".join(f"{v:>14,.0f}" if isinstance(v, float) else f"{v:>14,}" for v in row))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--settle", type=float, default=130.0,
                        help="seconds after a round before the closed tabs' sessions may be dropped (TTL 120 s)")
    parser.add_argument("--only", choices=("shapes", "long", "tabs"))
    args = parser.parse_args(argv)
    if args.only in (None, "shapes"):
        table("New network shapes (one app-style session)", ("shapes", "RSS MB", "programs kept"),
              measure_shapes(args.shapes))
    if args.only in (None, "long"):
        table(f"A long run (C2, {args.epochs:,} epochs)", ("epoch", "RSS MB", "history kept", "snapshots"),
              measure_long_run(args.epochs))
    if args.only in (None, "tabs"):
        table(f"Closed tabs ({args.students} students a round)", ("round", "RSS 10 s after", "after TTL"),
              measure_closed_tabs(args.rounds, args.students, args.seconds, args.settle))


if __name__ == "__main__":
    main()
