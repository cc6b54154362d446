"""Shared fixtures of the real-browser tests: one streamlit server and one chromium page per test module."""

import pytest
from browser_utils import chromium_page, streamlit_server


@pytest.fixture(scope="module")
def server_url():
    with streamlit_server() as (url, _process):
        yield url


@pytest.fixture(scope="module")
def page():
    with chromium_page() as p:
        yield p
