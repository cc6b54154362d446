"""What a shared demonstration needs in the link besides the config: the speed, test points, discretize, the open
inside panels, the page's tab and the lab's choices. One table (`_table`) drives reading and writing; values are parsed
by the config's one strict parser (`parse_list`), a bad one is dropped with a note like a bad config value, and only
values that differ from the page's defaults are written, so that links stay short.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import streamlit as st

from ..core.config import ConfigError, parse_list


class ViewSetting(NamedTuple):
    key: str            # the session-state key (a widget's, or the live view's speed)
    kind: type          # int or str
    choices: tuple | None
    bounds: tuple | None
    many: bool          # a comma list (a multiselect) or one value
    default: object


@functools.cache
def _table() -> dict[str, ViewSetting]:
    """Query name -> setting. Built on first use: the lab's modules import the playground page, which imports this."""
    from ..core.config import ACTIVATION_NAMES, DATASET_NAMES
    from .inside_panels import PANELS
    from .lab_common import EPOCHS, PLAYGROUND_DATA
    from .gan_page import TAB as GAN_TAB
    from .lab_page import DEPTHS, EXPERIMENTS, METRICS, WIDTHS
    from .live_player import SPEEDS

    flags = ("0", "1")
    return {
        "speed": ViewSetting("speed", int, SPEEDS, None, False, 1),
        "show_test": ViewSetting("show_test", str, flags, None, False, "0"),
        "discretize": ViewSetting("discretize", str, flags, None, False, "0"),
        "panels": ViewSetting("inside_panels", str, tuple(PANELS), None, True, ()),
        "tab": ViewSetting("page", str, ("Playground", "Depth × width lab", GAN_TAB), None, False,
                           "Playground"),
        "lab": ViewSetting("lab_mode", str, EXPERIMENTS, None, False, EXPERIMENTS[0]),
        "sweep_data": ViewSetting("sweep_dataset", str, (PLAYGROUND_DATA, *DATASET_NAMES), None, False,
                                  PLAYGROUND_DATA),
        "sweep_depths": ViewSetting("sweep_depths", int, DEPTHS, None, True, (1, 2, 3, 4)),
        "sweep_widths": ViewSetting("sweep_widths", int, WIDTHS, None, True, (2, 4, 8)),
        "sweep_activations": ViewSetting("sweep_activations", str, ACTIVATION_NAMES, None, True, None),
        "sweep_epochs": ViewSetting("sweep_epochs", int, EPOCHS, None, False, 500),
        "sweep_metric": ViewSetting("sweep_metric", str, METRICS, None, False, "test_accuracy"),
        "seeds": ViewSetting("seeds_n", int, None, (2, 32), False, 8),
        "seeds_epochs": ViewSetting("seeds_epochs", int, EPOCHS, None, False, 500),
    }


def names() -> tuple[str, ...]:
    return tuple(_table())


def _to_state(setting: ViewSetting, value):
    if setting.choices == ("0", "1"):
        return value == "1"
    return list(value) if setting.many else value


def _to_text(setting: ViewSetting, value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return ",".join(map(str, value)) if setting.many else str(value)


def read(query: dict[str, list[str]]) -> list[str]:
    """Set the session state from the link's view settings (before any widget is drawn); returns notes for the
    values it could not use (cut short, shown as literal text by the page)."""
    notes = []
    for name, texts in query.items():
        setting = _table()[name]
        if len(texts) > 1:
            notes.append(f"{name} is given {len(texts)} times in the link (using the default)")
            continue
        try:
            value = parse_list(name, texts[0], setting.kind, setting.choices, setting.bounds,
                               (1, None) if setting.many else (1, 1))
        except ConfigError as err:
            notes.append(f"{err} (using the default)")
            continue
        st.session_state[setting.key] = _to_state(setting, value if setting.many else value[0])
    return notes


def written() -> dict[str, str]:
    """The view settings that differ from the page's defaults, as the link's strings."""
    out = {}
    for name, setting in _table().items():
        if setting.key not in st.session_state:
            continue
        text = _to_text(setting, st.session_state[setting.key])
        default = setting.default
        if default is not None and text != _to_text(setting, default):
            out[name] = text
        elif default is None and setting.key in st.session_state and name in st.query_params:
            out[name] = text  # no fixed default (the playground's activation): kept once the link set it
    return out

