"""What the lab's three experiments share: settings, names, and the status line of a background run."""

from __future__ import annotations

import base64
import functools
import io

import numpy as np
import streamlit as st
from PIL import Image

from ..core.config import MAX_LAYERS, MAX_WIDTH, MULTICLASS_DATASETS, Config, ConfigError, parse_value
from ..core.runs import Run

PAINT_SECONDS = 0.3  # sweep and ensemble fragments: repaint the background run's latest snapshot this often
GRID = 40            # the seed ensemble's maps of the mean and the spread: points per side
EPOCHS = (50, 100, 200, 300, 500, 1000, 2000, 3000)
PLAYGROUND_DATA = "the playground's data"


def png_data_uri(rgb: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _playground_config() -> Config:
    return st.session_state.session.config


def playground_upload():
    """The playground's uploaded points when its config trains on them (the lab's networks then do too), else None."""
    session = st.session_state.session
    return session.upload if session.config.source == "file" else None


def builder(kind):
    """`kind` (Sweep or SideBySide) built on the playground's uploaded points, if any: what `Run` calls."""
    return functools.partial(kind, upload=playground_upload())


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
    return config.replace(dataset=dataset, classes=classes, source="generated")  # a named set: generated


def _stop(run):
    """A replaced background run stops after its chunk in progress."""
    if run is not None:
        run.stop()


def _timer_done(run: Run, flag: str):
    """Called first in a background run's fragment: once the run has ended, rerun the whole page once, so that the
    fragment is drawn again without its timer (`flag` remembers that the timer was on)."""
    s = st.session_state
    if s.get(flag) and not run.running:
        s[flag] = False
        st.rerun()


def _status(run, what: str):
    """The status line of a background `Run`."""
    epoch, target, running, seconds = run.epoch, run.target, run.running, run.elapsed
    state = f"finished in {seconds:.1f} s" if not running else f"training… {seconds:.1f} s"
    if run.compile_seconds is not None and run.compile_seconds >= 0.1:
        state += f" ({run.compile_seconds:.1f} s of it compiling)"
    st.markdown(f'<div class="lab-status" style="font-size:22px;font-weight:600">{what}: epoch {epoch:,} of '
                f'{target:,} · {state}</div>', unsafe_allow_html=True)
    if run.error:
        st.error(f"Training stopped: {run.error}")


def live_run(name: str, paint, hint: str) -> Run | None:
    """The experiment's error if its Run button found one, `hint` while it has not run, else its fragment painting
    the background run `lab_<name>` (`paint`), which repaints every PAINT_SECONDS while the run trains."""
    s = st.session_state
    if s.get(f"lab_{name}_error"):
        st.error(s[f"lab_{name}_error"])
    run = s.get(f"lab_{name}")
    if run is None:
        st.info(hint)
        return None
    s[f"lab_{name}_timer"] = run.running
    st.fragment(paint, run_every=PAINT_SECONDS if run.running else None)()
    return run


def painted_run(name: str) -> Run:
    """First thing in an experiment's fragment: its run `lab_<name>`; once that has ended, the page reruns once so
    that the fragment is drawn again without its timer."""
    run = st.session_state[f"lab_{name}"]
    _timer_done(run, f"lab_{name}_timer")
    return run
