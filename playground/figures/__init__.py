"""Plotly figures: pure functions from arrays to figures (tests read `fig.data`). The only package that imports
plotly; figures that animate at frame rate are painted by the browser components instead."""
