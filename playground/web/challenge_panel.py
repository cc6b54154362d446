"""Challenges on the playground page: pick a goal, play, and the page says the moment it is reached.

The status is a fragment that reruns every CHECK_SECONDS while training plays (and on every page run when paused),
so a goal is noticed within about a second. The first time a challenge is solved in this browser session the page
celebrates once and keeps the winning settings as a link (`solved`, by challenge id), which stays shown even if the
student goes on changing things.
"""

from __future__ import annotations

import urllib.parse

import streamlit as st

from ..core import lessons
from ..core.config import Config, to_strings
from .lesson_page import link_extra, plain

CHECK_SECONDS = 1.0


def winning_link(config: Config, challenge_id: str) -> str:
    """The address that reopens these settings (changed fields only) with the challenge picked."""
    query = urllib.parse.urlencode(to_strings(config, only_changed=True) | {"challenge": challenge_id})
    base = (getattr(st.context, "url", None) or "").split("?")[0]
    return f"{base}?{query}"


def _title(challenge_id: str | None) -> str:
    """An option's label. It never changes while the page lives: a label that gained a mark once solved changed
    the widget's options under the selected value (AppTest could no longer find it); the solved ones are listed
    under the picker instead."""
    if challenge_id is None:
        return "Pick a challenge…"
    return lessons.all_challenges()[challenge_id].title


def _picked():
    st.session_state.link_extra = link_extra()
    st.query_params.from_dict({k: v for k, v in st.query_params.items() if k != "challenge"}
                              | st.session_state.link_extra)


def _rules(challenge: lessons.Challenge) -> str:
    words = [lessons.rule_words(k, v) for k, v in challenge.rules]
    return "Rules: " + "; ".join(words) + f". Goal: {challenge.goal.describe().split(': ', 1)[1]}."


def _celebrate(challenge: lessons.Challenge, config: Config):
    """The solved moment: kept once per challenge and session, with the settings that did it."""
    solved = st.session_state.setdefault("solved", {})
    if challenge.id not in solved:
        solved[challenge.id] = winning_link(config, challenge.id)
        st.balloons()
        st.toast("Challenge solved! The winning settings are under Challenges.", icon="🎉")


def _status():
    s = st.session_state
    challenge = lessons.all_challenges().get(s.get("challenge_pick") or "")
    if challenge is None:
        return
    session = s.session
    status = lessons.challenge_status(challenge, session.config, session.arch.n_params, session.history)
    if status.solved:
        _celebrate(challenge, session.config)
    if challenge.id in s.get("solved", {}):
        st.success("Solved! These settings reach the goal; share them with this link:")
        st.code(s.solved[challenge.id], language=None)
    metric = challenge.goal.metric.replace("_", " ")
    now = "no epoch trained yet" if status.value is None else f"{metric} {status.value:.3f}"
    st.markdown(plain(f"Now: {now}, {session.arch.n_params} weights and biases, epoch {session.epoch}."))
    if status.broken:
        st.warning("These settings break a rule of the challenge:")
        st.text("\n".join(status.broken))


def challenges():
    """The challenge picker and the live status of the picked one."""
    s = st.session_state
    with st.container(key="pg_challenges"):
        with st.expander("Challenges", expanded=bool(s.get("challenge_pick"))):
            st.selectbox("Challenge", [None, *lessons.all_challenges()], key="challenge_pick", format_func=_title,
                         on_change=_picked, help="a goal to reach on your own; checked while you train")
            if s.get("solved"):
                st.caption(plain("Solved so far: " + ", ".join(_title(c) for c in s.solved)))
            challenge = lessons.all_challenges().get(s.challenge_pick or "")
            if challenge is None:
                return
            st.markdown(plain(challenge.text))
            st.caption(plain(_rules(challenge)))
            st.fragment(_status, run_every=CHECK_SECONDS if s.playing else None)()
