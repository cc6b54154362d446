"""The app under streamlit's AppTest, shared by the test_*_app.py files."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def fresh(**query) -> AppTest:
    """The app opened with these URL query parameters, after its first run (which must not raise)."""
    at = AppTest.from_file(APP, default_timeout=60)  # JAX start-up exceeds AppTest's 3 s default
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at
