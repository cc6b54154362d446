"""A neural-network playground: `core` (numeric engine), `web` (Streamlit pages and browser components), `figures`
(plotly), `cli` (`python -m playground`)."""
