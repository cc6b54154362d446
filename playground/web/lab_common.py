"""What the lab's three experiments share: settings, names, status lines and the chunked advance of a live run."""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import streamlit as st
from PIL import Image

from ..core.config import MAX_LAYERS, MAX_WIDTH, MULTICLASS_DATASETS, Config, ConfigError, parse_value
from ..core.model import Arch
from ..core.sweep import SweepRun

FRAME_SECONDS = 0.1  # the side-by-side fragment's period while it trains
PAINT_SECONDS = 0.3  # sweep and ensemble fragments: repaint the background run's latest snapshot this often
CHUNK = 25           # first chunk of epochs per fragment run: ~0.2 s for 24 spiral networks
CHUNK_SECONDS = 0.4  # later chunks are sized to train about this long: the grid fills in visibly, painting stays cheap
MAX_CHUNK = 200
GRID = 40            # prediction grid per small multiple (40x40, drawn at 2x)
EPOCHS = (50, 100, 200, 300, 500, 1000, 2000, 3000)
PLAYGROUND_DATA = "the playground's data"


def png_data_uri(rgb: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _playground_config() -> Config:
    return st.session_state.session.config


def describe(config: Config) -> str:
    """One line of what the networks share."""
    data = f"{config.dataset}" + (f" ({config.classes} classes)" if config.n_classes > 2 else "")
    return (f"{data}, noise {config.noise:g}, {config.points} points, features {', '.join(config.features)} · "
            f"{config.optimizer}, learning rate {config.learning_rate:g}, batch {config.batch_size}, "
            + (f"{config.regularization} regularization {config.regularization_rate:g}"
               if config.regularization != "none" else "no regularization") + f" · seed {config.seed}")


def short_name(config: Config) -> str:
    layers = ",".join(map(str, config.layers)) or "no hidden layer"
    text = f"[{layers}] {'/'.join(config.activation)} {config.optimizer} lr {config.learning_rate:g}"
    if config.regularization != "none" and config.regularization_rate > 0:
        text += f" {config.regularization} {config.regularization_rate:g}"
    return text


def parse_layers(text: str) -> tuple[int, ...]:
    """"8,8" (or "8 8", "8;8") -> (8, 8); "" or "0" -> (); raises ValueError with a readable message."""
    commas = text.replace(";", ",").replace(" ", ",")
    if commas.strip(",") == "0":
        return ()
    try:
        return parse_value("layers", commas)
    except ConfigError as err:
        raise ValueError(f"layers '{text}': {err.reason} (widths like 8,8: at most {MAX_LAYERS} layers of 1 to "
                         f"{MAX_WIDTH} neurons)") from None


def _with_dataset(config: Config, dataset: str) -> Config:
    if dataset == PLAYGROUND_DATA or dataset == config.dataset:
        return config
    classes = config.classes if dataset in MULTICLASS_DATASETS else 2
    return config.replace(dataset=dataset, classes=classes)


def _head(config: Config) -> str:
    return Arch.from_config(config).head


def _elapsed(run: dict) -> float:
    return run.get("seconds") or time.monotonic() - run["start"]


def _stop(run):
    """A replaced background run stops after its chunk in progress."""
    if isinstance(run, SweepRun):
        run.stop()


def _timer_done(run: SweepRun, flag: str):
    """Called first in a background run's fragment: once the run has ended, rerun the whole page once, so that the
    fragment is drawn again without its timer (`flag` remembers that the timer was on)."""
    s = st.session_state
    if s.get(flag) and not run.running:
        s[flag] = False
        st.rerun()


def _advance(run: dict, step):
    """One fragment run of a live experiment: `step(epochs)` by a chunk; when the target is reached, stop and rerun
    the whole page once (that removes the timer). The chunk adapts so that training takes ~CHUNK_SECONDS per run:
    small sweeps repaint less often, big ones still show progress (the first call also compiles: not counted)."""
    if not run["running"]:
        return
    chunk = min(run.setdefault("chunk", CHUNK), run["target"] - run["epoch"])
    began = time.monotonic()
    step(chunk)
    seconds = time.monotonic() - began
    if run["epoch"] > 0 and chunk == run["chunk"]:
        run["chunk"] = int(np.clip(chunk * CHUNK_SECONDS / max(seconds, 1e-3), CHUNK // 2, MAX_CHUNK))
    run["epoch"] += chunk
    if run["epoch"] >= run["target"]:
        run["running"] = False
        run["seconds"] = time.monotonic() - run["start"]
        st.rerun()


def _status(run, what: str):
    """The status line of a side-by-side dict or a background `SweepRun`."""
    if isinstance(run, SweepRun):
        epoch, target, running, seconds = run.epoch, run.target, run.running, run.elapsed
    else:
        epoch, target, running, seconds = run["epoch"], run["target"], run["running"], _elapsed(run)
    state = f"finished in {seconds:.1f} s" if not running else f"training… {seconds:.1f} s"
    if isinstance(run, SweepRun) and run.compile_seconds is not None and run.compile_seconds >= 0.1:
        state += f" ({run.compile_seconds:.1f} s of it compiling)"
    st.markdown(f'<div class="lab-status" style="font-size:22px;font-weight:600">{what}: epoch {epoch:,} of '
                f'{target:,} · {state}</div>', unsafe_allow_html=True)
    if isinstance(run, SweepRun) and run.error:
        st.error(f"Training stopped: {run.error}")
