"""The lab's "Seed ensemble": the playground's configuration over N seeds, trained together in a background
`runs.Run`: how often it succeeds, the spread, the mean boundary and where the seeds disagree."""

from __future__ import annotations

import streamlit as st

from ..core.config import ConfigError
from ..core.runs import Run
from ..core.sweep import Sweep, ensemble_summary, seed_configs
from ..figures import inside as inside_figures
from .lab_common import EPOCHS, GRID, builder, _playground_config, _status, _stop, live_run, painted_run, short_name

SUCCESS_DEFAULT = 0.9


def _start_seeds():
    s = st.session_state
    s.lab_seeds_error = None
    config = _playground_config()
    try:
        configs = seed_configs(config, int(s.seeds_n))
    except (ValueError, ConfigError) as err:
        s.lab_seeds_error = f"This ensemble cannot run: {err}"
        return
    _stop(s.get("lab_seeds"))
    s.lab_seeds = Run(configs, int(s.seeds_epochs), GRID, build=builder(Sweep))  # built and compiled in its thread


def seed_section():
    s = st.session_state
    s.setdefault("seeds_n", 8)
    s.setdefault("seeds_epochs", 500)
    s.setdefault("seeds_threshold", SUCCESS_DEFAULT)
    c = st.columns([1, 1.5, 1.5, 1.2], vertical_alignment="bottom")
    c[0].number_input("Seeds", 2, 32, step=1, key="seeds_n")
    c[1].select_slider("Epochs", EPOCHS, key="seeds_epochs")
    c[2].slider("Success: test accuracy at least", 0.5, 1.0, step=0.01, key="seeds_threshold")
    c[3].button("Run seeds", key="seeds_run", on_click=_start_seeds, type="primary", width="stretch")
    live_run("seeds", _seeds_live, "The playground's network, trained from N different initial weights (seeds 0, 1, …, "
             "N−1 added to its seed) on the same data: how often does it succeed, and where do the seeds disagree?")


def _seeds_live():
    s = st.session_state
    run = painted_run("seeds")
    snapshot = run.snapshot  # first: once there is a snapshot, the sweep is built
    sweep = run.sweep
    config = run.configs[0]
    _status(run, f"{len(run.configs)} seeds of {short_name(config)}")
    if snapshot is None:
        return
    results = snapshot.results
    summary = ensemble_summary(results, s.seeds_threshold)
    m = st.columns(4)
    if "success_rate" in summary:
        m[0].metric(f"Success rate (test accuracy ≥ {100 * s.seeds_threshold:.0f}%)",
                    f"{100 * summary['success_rate']:.0f}%")
        m[1].metric("Test accuracy, mean ± std", f"{100 * summary['accuracy_mean']:.1f}% ± "
                                                  f"{100 * summary['accuracy_std']:.1f}")
        m[2].metric("Worst / best seed", f"{100 * summary['accuracy_min']:.1f}% / {100 * summary['accuracy_max']:.1f}%")
    m[3].metric("Test loss, mean ± std", f"{summary['loss_mean']:.3f} ± {summary['loss_std']:.3f}")
    grids = snapshot.grids  # (seeds, n, n, n_out)
    if grids.shape[-1] == 1:
        mean, spread = grids[..., 0].mean(0), grids[..., 0].std(0)
    else:  # k classes: the winning class of the mean, and the mean std over the class probabilities
        mean, spread = grids.mean(0).argmax(-1).astype(float), grids.std(0).mean(-1)
    d = sweep.dataset
    st.plotly_chart(inside_figures.ensemble_figure(mean, spread, d.extent, d.points_train, d.y_train,
                                                   config.n_classes), key="seeds_maps")
    left, right = st.columns(2)
    with left:
        if "success_rate" in summary:
            values = [r["test_accuracy"] for r in results]
            figure = inside_figures.accuracy_spread_figure(values, s.seeds_threshold, "Final test accuracy per seed")
        else:
            figure = inside_figures.accuracy_spread_figure([r["test_loss"] for r in results], None,
                                                           "Final test loss per seed")
        st.plotly_chart(figure, key="seeds_spread")
    with right:
        curves = {f"seed {c.seed}": loss for c, loss in zip(sweep.configs, snapshot.test_loss)}
        st.plotly_chart(inside_figures.overlaid_loss_figure(curves, "Test loss per seed"), key="seeds_losses")
