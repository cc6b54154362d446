"""The page, top to bottom (`streamlit run app.py` serves it, see app.py). The pages live in playground/web/."""

import streamlit as st

from playground.web import challenge_panel, export_panel, first_paint, gan_page, inside_panels, lab_page, lesson_page
from playground.web import own_data
from playground.web import playground_page as ui

st.set_page_config(page_title="Neural network playground", layout="wide")
lesson_page.read_link()  # once per browser session: a lesson link (?lesson=xor&step=2) opens that step's config
gan_page.init_state()    # before the classifier reads the link: the GAN tab's own `gan.*` settings
ui.init_state()          # once per browser session: config from the URL, a Session for it
ui.url_notes()

playground, lab, gan = st.tabs(["Playground", "Depth × width lab", gan_page.TAB], key="page", on_change="rerun")
with playground:
    with st.container(key="pg_top"):  # keyed containers: presenter mode hides them (assets/presenter.css)
        knob_places = ui.top_bar()  # the knobs' fragment draws them there: moving one reruns it, not the page
    lesson_page.lesson_bar()  # an open lesson's step, Back / Next, presenter mode and the keyboard
    live = st.container()    # filled below, once the widgets' values are known
    if not playground.open:
        first_paint.opened_elsewhere()  # another tab is on screen: draw everything, wait for nothing
    rest = not first_paint.waiting()  # a new page's first run draws the stage only; the rest once it has painted
    settings = st.container(key="pg_settings")
    if rest:
        settings.markdown("#### More settings")
        data, features, network = settings.columns([1.1, 0.6, 2.2], gap="large")
        with data:
            ui.data_panel()
            own_data.own_data_panel()   # draw, upload a CSV, keep the trained weights
        with features:
            ui.features_panel()
        with network:
            ui.network_panel()
            export_panel.schedule_widgets()   # learning-rate schedule: a knob, like the rate

    config, problem = ui.config_from_widgets()
    if problem:
        st.warning("That combination is not possible; keeping the previous settings. The reason:")
        st.text(problem)  # it may quote a value from the link: literal text, never Markdown
    ui.apply_config(config)  # learning rate and regularization keep the run; architecture or data start afresh

    with live:
        ui.divergence_notice()
        ui.live_view_fragment(knob_places)  # the browser plays; this trains as it asks
    if rest:
        with st.container(key="pg_below"):
            lesson_page.picker()          # the lessons (an open one shows its step above the stage)
            challenge_panel.challenges()  # goals to chase alone, checked live
            # Export before the loss chart: the chart appears after the first epoch, and an expander after it
            # re-opens.
            export_panel.export_panel()   # config, link, weights, PNG, GIF, script; open weights
            ui.loss_chart()
        with st.container(key="pg_inside"):  # presenter mode shows it only for a step that opens a panel
            inside_panels.inside_panels()   # gradients, layer spaces, saliency, statistics, landscape, replay
    else:
        first_paint.fallback()  # the rest anyway after a few seconds if the live view never says it painted
if lab.open:
    with lab:
        lab_page.lab_page()       # many networks at once: sweep grid, side by side, seed ensembles
if gan.open:
    with gan:
        lesson_page.lesson_bar("gan")  # a GAN lesson's step, Back / Next (the Playground tab's bar is for the others)
        gan_page.gan_page()       # a generator and a discriminator trained against each other on the plane
gan_page.sync_url(bool(gan.open))  # the GAN tab's part of the link (`gan.*`, `mode=gan`), written by sync_link
ui.sync_link()                    # the link carries the view too: speed, test points, panels, the lab's choices
