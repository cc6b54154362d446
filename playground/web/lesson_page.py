"""Lessons on the playground page: the lesson bar, presenter mode, the keyboard and the lesson link.

A lesson link (`?lesson=xor&step=2`, `&present=1` for presenter mode) opens that step for everyone who follows it: the
step's config strings over the defaults, with any config field the link also carries on top (so the full address of
a page in a lesson restores exactly what was on screen). The link parameters of this module (`LINK_KEYS`) are kept in
the address bar beside the config (`link_extra`, which `playground_page` adds to every address it writes).

Moving to a step opens its config as the lab's "open in playground" does (`playground_page.open_in_playground`): a
new run of the step's network, paused. Presenter mode hides the rest of the page with CSS (`assets/presenter.css`),
so every widget keeps its value; space plays or pauses and the arrow keys move between steps
(`assets/lesson_keys.js`).
"""

from __future__ import annotations

import re

import streamlit as st

from ..core import lessons
from . import components, gan_page
from . import playground_page as ui

LINK_KEYS = ("lesson", "step", "present", "challenge")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$])")


def plain(text: str) -> str:
    """`text` for st.markdown with every Markdown and HTML character escaped: shown literally, never rendered."""
    return _MARKDOWN.sub(r"\\\1", text)


# --- the link ---------------------------------------------------------------------------------------------------------

def _step_index(lesson: lessons.Lesson, text: str | None, notes: list) -> int:
    if text is None:
        return 0
    if text.isdigit() and 1 <= int(text) <= len(lesson.steps):
        return int(text) - 1
    notes.append(f"step {text!r} is not a step of this lesson (1 to {len(lesson.steps)}): showing step 1")
    return 0


def _lesson_from_link(params: dict, notes: list) -> tuple[str | None, int]:
    lesson_id = params.get("lesson")
    if lesson_id is None:
        return None, 0
    found = lessons.all_lessons().get(lesson_id)
    if found is None:
        notes.append(f"there is no lesson {lesson_id!r}")
        return None, 0
    return lesson_id, _step_index(found, params.get("step"), notes)


def read_link():
    """Once per browser session, before `playground_page.init_state`: the lesson, step, presenter and challenge
    parameters of the link. The address the config is read from becomes the step's config (link fields on top)."""
    s = st.session_state
    if "lesson_id" in s:
        return
    params, notes = dict(st.query_params), []
    s.lesson_id, s.lesson_step = _lesson_from_link(params, notes)
    s.present = s.lesson_id is not None and params.get("present") in ("1", "true")
    challenge = params.get("challenge")
    if challenge is not None and challenge not in lessons.all_challenges():
        notes.append(f"there is no challenge {challenge!r}")
        challenge = None
    s.challenge_pick = challenge
    s.lesson_notes = notes
    if any(key in params for key in LINK_KEYS):  # else the link stays as it is (a key given twice gets its note)
        config_values = {k: st.query_params.get_all(k) for k in st.query_params if k not in LINK_KEYS}
        lesson = current_lesson()
        if lesson is not None and lesson.mode == "gan":  # the GAN tab's link: `gan.<field>` and `mode=gan`
            step = {gan_page.URL_PREFIX + k: [v] for k, v in lesson.steps[s.lesson_step].values.items()}
            config_values = step | {gan_page.URL_MODE[0]: [gan_page.URL_MODE[1]]} | config_values
        elif lesson is not None and not lesson.waiting_for:
            config_values = {k: [v] for k, v in lesson.steps[s.lesson_step].values.items()} | config_values
        st.query_params.from_dict(config_values)
    s.link_extra = link_extra()


def link_extra() -> dict[str, str]:
    """This module's parameters for the address bar (empty outside a lesson and a challenge)."""
    s, extra = st.session_state, {}
    if s.get("lesson_id"):
        extra |= {"lesson": s.lesson_id, "step": str(s.lesson_step + 1)}
        if s.get("present"):
            extra["present"] = "1"
    if s.get("challenge_pick"):
        extra["challenge"] = s.challenge_pick
    return extra


def current_lesson() -> lessons.Lesson | None:
    return lessons.all_lessons().get(st.session_state.get("lesson_id") or "")


# --- moving between steps (callbacks) ---------------------------------------------------------------------------------

def go_to(lesson_id: str | None, index: int):
    """Open step `index` of a lesson (its config as a new, paused run; its panel if it has one); None leaves."""
    s = st.session_state
    s.lesson_id, s.lesson_step = lesson_id, index
    lesson = current_lesson()
    if lesson is None:
        s.present = False
    elif lesson.mode == "gan":  # the GAN tab, with the step's GAN settings as a new, paused run
        gan_page.open_config(lessons.step_config(lesson.steps[index]))
    elif not lesson.waiting_for:
        step = lesson.steps[index]
        if step.keep_weights:  # transfer: the trained network goes on, on this step's data and settings
            ui.continue_in_playground(lessons.step_config(step))
        else:
            ui.open_in_playground(lessons.step_config(step))
        if step.panel and step.panel not in s.get("inside_panels", []):
            s.inside_panels = [*s.get("inside_panels", []), step.panel]
        _set_up_lab(dict(step.lab))
    s.link_extra = link_extra()
    if "pending_config" not in s:  # nothing new to open (no lesson, or one still waiting): the address changes alone
        ui.write_url(s.session.config)


def _set_up_lab(lab: dict):
    """A step's sweep, waiting in the lab tab (its widgets read these keys when the tab is opened)."""
    s = st.session_state
    if lab:
        s.lab_mode = "Sweep grid"
        s.sweep_depths = list(lab.get("depths", s.get("sweep_depths", [1, 2, 3, 4])))
        s.sweep_widths = list(lab.get("widths", s.get("sweep_widths", [2, 4, 8])))


def _move(delta: int):
    lesson = current_lesson()
    if lesson is not None:
        index = st.session_state.lesson_step + delta
        if 0 <= index < len(lesson.steps):
            go_to(lesson.id, index)


def _picked():
    go_to(st.session_state.lesson_pick, 0)


def _key_pressed():
    state = st.session_state.get("lesson_keys")
    key = state.get("key") if hasattr(state, "get") else getattr(state, "key", None)
    if key in ("next", "prev"):
        _move(1 if key == "next" else -1)


def _presenter_toggled():
    st.session_state.link_extra = link_extra()
    st.query_params.update(st.session_state.link_extra)
    if not st.session_state.present:
        st.query_params.pop("present", None)


# --- drawing ----------------------------------------------------------------------------------------------------------

def _title(lesson_id: str | None) -> str:
    if lesson_id is None:
        return "No lesson (free play)"
    lesson = lessons.all_lessons()[lesson_id]
    return lesson.title + (" (coming soon)" if lesson.waiting_for else "")


def picker():
    """Below the stage, out of the way of free play: the lesson list (a lesson's bar then appears above the stage)."""
    s = st.session_state
    s.lesson_pick = s.get("lesson_id")
    with st.container(key="pg_lesson_picker"):
        with st.expander("Lessons: guided demonstrations for class", expanded=s.lesson_pick is not None):
            st.selectbox("Lesson", [None, *lessons.all_lessons()], key="lesson_pick", format_func=_title,
                         on_change=_picked, help="one concept per lesson, 3 to 6 steps, each checked by the engine")


def _navigation(lesson: lessons.Lesson):
    s, n = st.session_state, len(lesson.steps)
    with st.container(key="pg_nav", horizontal=True, vertical_alignment="center"):
        st.button("◀ Back", key="lesson_prev", on_click=_move, args=(-1,), disabled=s.lesson_step == 0)
        st.markdown(f"**{plain(lesson.title)}** · step {s.lesson_step + 1} of {n}")
        st.button("Next ▶", key="lesson_next", on_click=_move, args=(1,), disabled=s.lesson_step == n - 1,
                  type="primary")
        st.toggle("Presenter mode", key="present", on_change=_presenter_toggled,
                  help="only the stage, the step and Play / Pause / Next, in large type; space plays or pauses, the "
                       "arrow keys move between steps")


def _measured(claim: lessons.Claim, mode: str = "classifier") -> str:
    """The claim's metric on the running network, where the page can read it from the history (a GAN claim: measured
    on the GAN run, as the check measures it)."""
    if mode == "gan":
        run = st.session_state.get("gan_run")
        if run is None or not run.step:
            return ""
        return f" Now, at step {run.step}: {claim.metric.replace('_', ' ')} {lessons.measure_gan(run, claim):.3f}."
    history = st.session_state.session.history
    values = getattr(history, claim.metric, None)
    if values is None or not len(values):
        return ""
    epoch = lessons.last_epoch(history, values)
    return f" Now, at epoch {epoch}: {claim.metric.replace('_', ' ')} {float(values[-1]):.3f}."


def _step(lesson: lessons.Lesson):
    step = lesson.steps[st.session_state.lesson_step]
    with st.container(key="pg_step"):
        st.markdown(plain(step.text))
    with st.container(key="pg_do"):
        st.markdown("**Do:** " + plain(step.do))
    st.caption(plain(f"The engine checks: {step.claim.describe()}.{_measured(step.claim, lesson.mode)}"))


def _waiting(lesson: lessons.Lesson):
    st.info("This lesson waits for a feature this playground does not have yet. It needs:")
    st.text(", ".join(lesson.waiting_for))


def lesson_bar(mode: str = "classifier"):
    """Above the stage while a lesson is open: the step with its text and claim, Back / Next and the presenter
    toggle; the keyboard, and the presenter style when presenting. Notes about a link that was not understood.
    Drawn in the tab of the lesson's `mode` only (the Playground's, or the GAN tab's for a GAN lesson), so that its
    widgets exist once per page run."""
    s = st.session_state
    lesson = current_lesson()
    if (lesson.mode if lesson is not None else "classifier") != mode:
        return
    with st.container(key="pg_lesson"):
        _notes()
        if lesson is None:
            return
        _navigation(lesson)
        if lesson.waiting_for:
            _waiting(lesson)
        else:
            _step(lesson)
        components.lesson_keys(data=lesson.id, key="lesson_keys", on_key_change=_key_pressed)
    if s.get("present"):
        st.html(f"<style>{presenter_style(lesson)}</style>")


def presenter_style(lesson: lessons.Lesson | None) -> str:
    """The presenter CSS; the "Look inside" panels stay (without their picker) only for a step that opens one."""
    step = lesson.steps[st.session_state.lesson_step] if lesson is not None else None
    hide_panels = "" if step is not None and step.panel else ".st-key-pg_inside { display: none !important; }"
    return components.asset("presenter.css") + hide_panels


def _notes():
    notes = st.session_state.get("lesson_notes", ())
    if notes:
        with st.container(key="pg_notes"):
            st.warning("Part of the link was not understood:")
            for note in notes:
                st.text(note)

