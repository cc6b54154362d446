"""The server process's garbage collector: out of the way of a class's frames.

Python's collector stops every thread while it looks for reference cycles among the objects it tracks. Once Streamlit,
JAX and a first compiled network are loaded, a full collection looked at every one of those objects, millions that
live as long as the process: 200-290 ms, every 10-15 s with thirty students (measured with `gc.callbacks`), and each
one delayed some twenty requests for frames at once, the tail of the class's frame delay. After the first frames
this process trains, one collection clears what is garbage and `gc.freeze()` moves everything left out of the
collector's sight for good; later full collections look only at what came after. No streamlit import here.
"""

from __future__ import annotations

import gc
import threading


class _Process:
    """Set once per process: not a user's state."""

    frozen = False
    lock = threading.Lock()


def after_first_frames():
    """Call once frames were trained: the first time in this process, collect, then freeze what is left."""
    if _Process.frozen:
        return
    with _Process.lock:
        if _Process.frozen:
            return
        _Process.frozen = True
        gc.collect()
        gc.freeze()
