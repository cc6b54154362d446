"""Engine speed, in the form the app calls it: `python benchmarks/bench_engine.py` prints a table.

C2: spiral, 500 points, 50% train, batch 10, x1,x2, six hidden layers of 8 tanh, SGD 0.03. C1: circle, [4, 2].
Times are wall-clock on whatever this machine is doing: compare rows of one run, not runs of different days.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jax  # noqa: E402

from playground.core.config import Config  # noqa: E402
from playground.core.session import Session  # noqa: E402
from playground.core.train import compiled_trainer, data_shapes  # noqa: E402

C2 = Config(dataset="spiral", layers=(8,) * 6)
C1 = Config()
TARGETS = {"C2": 5600, "C1": 12000}


def epochs_per_second(config: Config, seconds: float = 3.0) -> tuple[float, float, float]:
    """(epochs/s training in chunks of 256 epochs, compile seconds, CPU ms per epoch: this process's user + system
    time over every thread, comparable with bench_browser.py's server CPU per frame at top speed)."""
    s = Session(config)
    _, compile_seconds = compiled_trainer(s.spec, data_shapes(s.data))
    s.advance(256)
    start, cpu, done = time.perf_counter(), time.process_time(), 0
    while time.perf_counter() - start < seconds:
        done += s.advance(256)
    jax.block_until_ready(s.state.params)
    cpu = time.process_time() - cpu
    return done / (time.perf_counter() - start), compile_seconds, 1000 * cpu / done


def grid_probe_ms(config: Config, n: int = 100, repeats: int = 50) -> float:
    s = Session(config)
    s.grid(n)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        s.grid(n)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def architecture_change_seconds(config: Config) -> tuple[list[float], float]:
    """Seconds from an architecture change to the first trained chunk (10 epochs) and its picture, app-style."""
    s = Session(config, bridge=True)
    s.advance(10)
    s.grid()
    time.sleep(6)  # the user looks at the first frame while the bridge network compiles in the background
    times, bridged = [], 0
    for layers in [(8,) * 5, (8, 8, 8, 8, 7), (6, 6), (3,), (8, 4, 8, 4), (5, 5, 5, 5, 5, 5, 5)]:
        start = time.perf_counter()
        s.apply(s.config.replace(layers=layers))
        s.advance(10)
        s.grid()
        times.append(time.perf_counter() - start)
        bridged += s.bridging
        time.sleep(2.5)  # let the exact network compile before the next change
    return times, bridged / len(times)


def padded_epochs_per_second(config: Config) -> float:
    import jax.numpy as jnp

    from playground.core.bridge import PaddedSpec, to_padded
    s = Session(config)
    spec = PaddedSpec.from_spec(s.spec)
    run, _ = compiled_trainer(spec, data_shapes(s.data))
    state, knobs = to_padded(spec, s.arch, s.state), spec.knobs(s.arch, s.knobs)
    state, *_ = run(state, s.data, knobs, jnp.int32(10), jnp.int32(1))
    start = time.perf_counter()
    state, h, _ = run(state, s.data, knobs, jnp.int32(200), jnp.int32(1))
    jax.block_until_ready(h)
    return 200 / (time.perf_counter() - start)


def sweep_seconds() -> tuple[float, float]:
    """(wall seconds, of which compiling) of the 24-network sweep: depths 1-6, widths 2-8, spiral, 500 epochs."""
    from playground.core.sweep import Sweep, grid_configs
    start = time.perf_counter()
    sweep = Sweep(grid_configs(Config(dataset="spiral"), range(1, 7), (2, 4, 6, 8)))
    compile_start = time.perf_counter()
    sweep.compile()
    compile_seconds = time.perf_counter() - compile_start
    sweep.advance(500)
    return time.perf_counter() - start, compile_seconds


def landscape_seconds(config: Config) -> tuple[float, float]:
    """(first call with its compilation, median later call) of the 41x41 loss slice over the training set."""
    from playground.core.analysis import LandscapeProbe
    from playground.core.model import layers_of
    s = Session(config)
    s.advance(100)
    probe = LandscapeProbe(s.arch, layers_of(s.params))
    x, y = s.data.x_train, s.data.y_train
    start = time.perf_counter()
    probe.slice_2d(s.params, x, y)
    first = time.perf_counter() - start
    times = []
    for _ in range(5):
        start = time.perf_counter()
        probe.slice_2d(s.params, x, y)
        times.append(time.perf_counter() - start)
    return first, statistics.median(times)


def main():
    rows = []
    for label in ("first", "second (compiled)"):
        wall, compiling = sweep_seconds()
        rows.append((f"24-network sweep, 500 epochs, {label}, wall (s)", f"{wall:.2f}", "<= 5"))
        rows.append(("  of which compiling (s)", f"{compiling:.2f}", ""))
    for name, config in (("C2", C2), ("C1", C1)):
        eps, compile_s, cpu_ms = epochs_per_second(config)
        rows.append((f"{name} epochs/s (256 per call)", f"{eps:,.0f}", f">= {TARGETS[name]:,}"))
        rows.append((f"{name} CPU per epoch, all threads (ms)", f"{cpu_ms:.3f}", ""))
        rows.append((f"{name} compile, new shape (s)", f"{compile_s:.2f}", ""))
    rows.append(("C2 grid probe, all layers 100x100 (ms)", f"{grid_probe_ms(C2):.2f}", "<= 3"))
    first, again = landscape_seconds(C2)
    rows.append(("C2 loss landscape 41x41, first call (s)", f"{first:.2f}", "<= 1"))
    rows.append(("C2 loss landscape 41x41, later calls (s)", f"{again:.3f}", "<= 1"))
    rows.append(("C2 padded bridge epochs/s", f"{padded_epochs_per_second(C2):,.0f}", ""))
    times, share = architecture_change_seconds(C2)
    rows.append(("arch change -> first chunk + grid, median (s)", f"{statistics.median(times):.3f}", "<= 0.3"))
    rows.append(("arch change -> first chunk + grid, max (s)", f"{max(times):.3f}", ""))
    rows.append(("arch changes served by the bridge", f"{share:.0%}", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':{width}}  {'value':>10}  target")
    for label, value, target in rows:
        print(f"{label:{width}}  {value:>10}  {target}")
    print("TensorFlow Playground's engine here (docs/DESIGN.md): C2 ~185-205 epochs/s, C1 ~1,560-1,630.")


if __name__ == "__main__":
    main()
