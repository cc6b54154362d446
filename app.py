"""Neural network playground: `streamlit run app.py`.

The app is the page (`page.py`, read top to bottom; the pages live in playground/web/) plus one route of its own: the
live view's frames while playing, answered without a Streamlit script run (playground/web/live_feed.py).
"""

import streamlit as st

from playground.web import live_feed

app = st.App("page.py", routes=live_feed.routes())
