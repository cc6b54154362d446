"""One compile-once cache for every ahead-of-time compiled program: training, sweeps, compile-ahead.

`jax.jit(...).lower(...).compile()` is not cached by jit, and compiling takes about a second, so compiled programs are
kept here per key (the program's static description and its argument shapes). The first caller of a key compiles, the
others wait for it; other keys compile meanwhile. The cache is shared by every session of the process: it holds only
what no user can change or supersede (a compiled program for a shape). It is bounded: the least recently used
programs are dropped beyond `MAX_PROGRAMS`, so a visitor who opens many shapes cannot exhaust the server's memory
(each program holds a few MB to tens of MB).
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Hashable

MAX_PROGRAMS = 48
MAX_SHAPES_PER_PROBE = 32  # per-shape programs a jitted probe may keep before its cache is emptied
_probes: list = []  # jitted functions whose own per-shape caches `trim_probes` keeps bounded


class CompiledCache:
    def __init__(self, max_programs: int = MAX_PROGRAMS):
        self.max_programs = max_programs
        self._lock = threading.Lock()
        self._entries: collections.OrderedDict = collections.OrderedDict()  # key -> [lock, (program, seconds)]

    def get(self, key: Hashable, compile_program: Callable[[], object]) -> tuple[object, float]:
        """(compiled program, seconds its compilation took) for `key`; `compile_program()` runs at most once at a time
        per key, in the caller's thread."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = [threading.Lock(), None]
            self._entries.move_to_end(key)
        with entry[0]:
            if entry[1] is None:
                start = time.perf_counter()
                program = compile_program()
                entry[1] = (program, time.perf_counter() - start)
                self._evict()
                trim_probes()
            return entry[1]

    def ready(self, key: Hashable) -> bool:
        entry = self._entries.get(key)
        return entry is not None and entry[1] is not None

    def __len__(self) -> int:
        return len(self._entries)

    def _evict(self):
        with self._lock:
            done = [k for k, e in self._entries.items() if e[1] is not None]
            for key in done[: max(0, len(done) - self.max_programs)]:  # oldest first; programs being compiled stay
                del self._entries[key]


PROGRAMS = CompiledCache()


def bounded(jitted):
    """Register a `jax.jit` function (a probe, called per architecture) so that its per-shape cache stays bounded."""
    _probes.append(jitted)
    return jitted


def trim_probes():
    """Empty the cache of any registered probe that holds more than MAX_SHAPES_PER_PROBE shapes. Crude but bounded:
    the shapes still in use compile again on their next call (about 0.3 s from the persistent cache)."""
    for jitted in _probes:
        if getattr(jitted, "_cache_size", lambda: 0)() > MAX_SHAPES_PER_PROBE:
            jitted.clear_cache()
