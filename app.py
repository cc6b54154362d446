"""Neural network playground: `streamlit run app.py`. Reads top to bottom; the pages live in playground/web/."""

import streamlit as st

from playground.web import gan_page, inside_panels, lab_page
from playground.web import playground_page as ui

st.set_page_config(page_title="Neural network playground", layout="wide")
gan_page.init_state()    # before the classifier rewrites the link: the GAN tab's own `gan.*` settings
ui.init_state()          # once per browser session: config from the URL, a Session for it
ui.url_notes()

playground, lab, gan = st.tabs(["Playground", "Depth × width lab", gan_page.TAB], key="page", on_change="rerun")
with playground:
    ui.top_bar()
    live = st.container()    # filled below, once the widgets' values are known
    st.markdown("#### More settings")
    data, features, network = st.columns([1.1, 0.6, 2.2], gap="large")
    with data:
        ui.data_panel()
    with features:
        ui.features_panel()
    with network:
        ui.network_panel()

    config, problem = ui.config_from_widgets()
    if problem:
        st.warning(f"That combination is not possible: {problem}. Keeping the previous settings.")
    ui.apply_config(config)  # learning rate and regularization keep the run; architecture or data start afresh

    with live:
        ui.divergence_notice()
        ui.live_view_fragment()  # the browser plays; this trains as it asks
    ui.loss_chart()
    inside_panels.inside_panels()   # gradients, layer spaces, saliency, statistics, landscape, replay
if lab.open:
    with lab:
        lab_page.lab_page()       # many networks at once: sweep grid, side by side, seed ensembles
if gan.open:
    with gan:
        gan_page.gan_page()       # a generator and a discriminator trained against each other on the plane
gan_page.sync_url(bool(gan.open))
