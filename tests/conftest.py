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


def pytest_terminal_summary(terminalreporter):
    """Say loudly, at the end, when the real-browser tests did not run, and how to make them run."""
    from browser_utils import browser_available

    reason = browser_available()
    skipped = len(terminalreporter.stats.get("skipped", []))
    if reason and skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"{skipped} tests did not run: {reason}. "
                                    "What a person sees in the page is untested.")
        terminalreporter.write_line("Enable them: apt-get install chromium (Debian's, at /usr/bin/chromium); "
                                    "the playwright package comes with requirements-dev.txt.")
