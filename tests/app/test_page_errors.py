"""An unexpected exception in a page is one line for the user and a logged traceback (issue 11, page actions).

The page's ``render`` is replaced by one that raises (this tests the shell, not
the page); every page runs through :func:`gisplan.app.shell.guarded`.
"""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from gisplan.app import auth, shell
from gisplan.store import Store
from tests.app.appstore import user_id
from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")
SECRET = "/srv/gisplan/secret.sqlite password=hunter2"


def _texts(at: AppTest) -> str:
    parts = [*at.title, *at.markdown, *at.caption, *at.warning, *at.info, *at.error, *at.code, *at.exception]
    return "\n".join(str(p.value) for p in parts)


@pytest.mark.parametrize(
    "error", [IndexError("index 0 is out of bounds"), KeyError(SECRET), RuntimeError(SECRET), ZeroDivisionError()]
)
def test_a_failing_page_shows_one_line_and_logs_the_traceback(
    app_store: Store, error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(app_store, "obec")
    with (
        mock.patch("gisplan.app.pages.map_page.render", side_effect=error),
        caplog.at_level(logging.ERROR, logger="gisplan.app.shell"),
    ):
        at.run()
    assert not at.exception  # no Streamlit error page
    assert len(at.error) == 1
    message = str(at.error[0].value)
    assert message.startswith("Akci se nepodařilo dokončit kvůli neočekávané chybě (záznam ")
    assert "\n" not in message
    assert SECRET not in _texts(at)
    ref = message.split("(záznam ", 1)[1].split(")", 1)[0]
    logged = [r for r in caplog.records if ref in r.getMessage()]
    assert len(logged) == 1
    assert logged[0].exc_info is not None and logged[0].exc_info[1] is error
    # the frame still works: the sidebar (language, logout) is drawn
    assert at.sidebar.radio


def test_the_message_follows_the_language(app_store: Store) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(app_store, "obec")
    at.session_state[shell.LANG_KEY] = "en"
    with mock.patch("gisplan.app.pages.map_page.render", side_effect=ValueError("x")):
        at.run()
    assert not at.exception
    assert str(at.error[0].value).startswith("The action could not be completed because of an unexpected error")


def test_stop_and_rerun_pass_through_guarded() -> None:
    def script() -> None:
        import streamlit as st

        from gisplan.app import shell

        def stop() -> None:
            st.write("before")
            st.stop()

        shell.guarded(stop)
        st.write("after")

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert not at.error
    assert [m.value for m in at.markdown] == ["before"]


def _callback_page() -> None:
    import streamlit as st

    from gisplan.app import shell

    @shell.callback
    def explode() -> None:
        raise RuntimeError("/srv/gisplan/secret.sqlite password=hunter2")

    st.button("Go", key="go", on_click=explode)
    st.write("page drawn")


def test_a_failing_widget_callback_shows_one_line_not_the_error_page(caplog: pytest.LogCaptureFixture) -> None:
    at = AppTest.from_function(_callback_page, default_timeout=30).run()
    with caplog.at_level(logging.ERROR, logger="gisplan.app.shell"):
        at.button(key="go").click().run()
    assert not at.exception
    assert len(at.error) == 1
    assert str(at.error[0].value).startswith("Akci se nepodařilo dokončit kvůli neočekávané chybě (záznam ")
    assert SECRET not in _texts(at)
    assert "page drawn" in _texts(at)  # the page still runs after the callback failed
    assert any(r.exc_info is not None for r in caplog.records)


def test_every_widget_callback_of_the_app_is_guarded() -> None:
    """Every function handed to on_click / on_change / on_select in gisplan/app is decorated with shell.callback."""
    import ast

    names: set[str] = set()
    decorated: set[str] = set()
    for path in (ROOT / "gisplan" / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.keyword)
                and node.arg in {"on_click", "on_change", "on_select"}
                and isinstance(node.value, ast.Name)
            ):
                names.add(node.value.id)
            if isinstance(node, ast.FunctionDef) and any(
                ast.unparse(d) in {"callback", "shell.callback"} for d in node.decorator_list
            ):
                decorated.add(node.name)
    assert names  # the scan found the callbacks
    assert names <= decorated, f"callbacks not guarded: {sorted(names - decorated)}"
