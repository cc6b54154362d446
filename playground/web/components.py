"""The browser components, registered once per server process from their files in `assets/`.

Each component's code is the palette's constants (`playground.palette`), then `assets/common.js`, then its own files,
so colours and helpers are written once for all of them."""

from __future__ import annotations

import functools
from importlib import resources

import streamlit as st

from .. import palette


@functools.cache
def asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def script_text(*names: str) -> str:
    """The palette prelude, common.js and the named asset files, as one script (also loaded by tests)."""
    return palette.as_javascript() + asset("common.js") + "".join(asset(n) for n in names)


def loader(name: str) -> str:
    """A component's inline code when its files come from the app's static files: the palette, static_loader.js and
    its own loader `name` (assets/static_loader.js says why)."""
    return palette.as_javascript() + asset("static_loader.js") + asset(name)


# The live view, the lab's grid and the GAN view send only loaders inline: their files (each loader's list) come once
# per page from the app's static files, `static/` (a link to assets/), instead of with every fragment run.
live_view = st.components.v2.component("playground_live_view", html="", css=asset("live_view.css"),
                                       js=loader("live_loader.js"), isolate_styles=False)
lab_grid = st.components.v2.component("playground_lab_grid", html="", css=asset("lab_view.css"),
                                      js=loader("lab_loader.js"), isolate_styles=False)
# Space and the arrow keys in a lesson: no markup of its own, one document listener (assets/lesson_keys.js).
lesson_keys = st.components.v2.component("playground_lesson_keys", html="", js=asset("lesson_keys.js"),
                                         isolate_styles=False)
# The GAN tab's live view, sharing the live view's files (common.js, live_forward.js) once per page.
gan_view = st.components.v2.component("playground_gan_view", html="", css=asset("gan_view.css"),
                                      js=loader("gan_loader.js"), isolate_styles=False)
