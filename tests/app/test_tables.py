"""Tables follow the export permission (issue 11, point 4): no toolbar download, an audited button for exporters.

Streamlit's dataframe toolbar would let anyone download any table as raw CSV.
The app switches that export off (``client.disableDataExport``) and shows every
table through :func:`gisplan.app.tables.show_table`, which offers an audited,
formula-safe download to roles that may export. The browser check of the
toolbar is ``tests/e2e/test_table_downloads.py``.
"""

from __future__ import annotations

import ast
import csv
import io
import tomllib
from typing import Any
from unittest import mock

import pytest
from streamlit import config
from streamlit.proto.NewSession_pb2 import Config
from streamlit.runtime.app_session import _populate_config_msg
from streamlit.testing.v1 import AppTest

from gisplan.app import auth, tables
from gisplan.app.pages import map_page
from gisplan.errors import PermissionDeniedError
from gisplan.store import Store
from tests.app.appstore import XSS_PAYLOADS, user_id
from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")
TABLE_CALLS = frozenset({"dataframe", "data_editor"})
DOWNLOAD_LABEL = "Stáhnout tabulku (CSV)"


def _table_calls() -> list[str]:
    found = []
    for path in [*sorted((ROOT / "gisplan").rglob("*.py")), ROOT / "streamlit_app.py"]:
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in TABLE_CALLS:
                found.append(f"{rel}:{node.lineno}")
    return found


def test_every_table_goes_through_show_table() -> None:
    calls = _table_calls()
    assert calls, "the scan found no table at all"
    assert [c for c in calls if not c.startswith("gisplan/app/tables.py:")] == []
    users = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "gisplan" / "app").rglob("*.py")
        if "show_table(" in p.read_text(encoding="utf-8")
    ]
    assert len(users) >= 10  # the pages really use the helper


def test_the_config_file_switches_the_toolbar_export_off() -> None:
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["disableDataExport"] is True


@pytest.fixture
def folium_mock() -> Any:
    with mock.patch("streamlit_folium.st_folium", return_value=None) as st_folium:
        yield st_folium


def _app(store: Store, username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(store, username)
    at.session_state[map_page._MAP_SENT] = True  # as after the map's first report: the table is shown
    return at


def _downloads(at: AppTest) -> list[str]:
    return [str(d.proto.label) for d in at.get("download_button")]


def test_a_municipality_user_gets_no_table_download(app_store: Store, folium_mock: Any) -> None:
    config.set_option(tables.EXPORT_OPTION, False)  # as if the server ran without our config file
    at = _app(app_store, "obec").run()
    assert not at.exception
    assert at.dataframe, "the map's results table is shown"
    assert DOWNLOAD_LABEL not in _downloads(at)
    assert _downloads(at) == []
    # the page switched Streamlit's own export off: the browser is told to hide the toolbar download
    message = Config()
    _populate_config_msg(message)
    assert message.disable_data_export is True


def test_a_planner_downloads_the_map_table_neutralised_and_audited(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store, "planner").run()
    assert not at.exception
    assert _downloads(at) == [DOWNLOAD_LABEL]
    shown = at.dataframe[-1].value
    data = tables.table_bytes(app_store, user_id(app_store, "planner"), "map_results", shown)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [str(c) for c in shown.columns]
    assert len(rows) == len(shown) + 1
    assert any(XSS_PAYLOADS[0] in cell for row in rows for cell in row)
    entries = app_store.audit_log(target_type="export")
    assert [(e.target_id, e.outcome) for e in entries][:1] == [("table:map_results", "ok")]


def test_the_table_download_is_refused_and_audited_for_a_municipality_user(app_store: Store) -> None:
    import pandas as pd

    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")']})
    with pytest.raises(PermissionDeniedError):
        tables.table_bytes(app_store, user_id(app_store, "obec"), "map_results", frame)
    denied = app_store.audit_log(target_type="export", outcome="denied")
    assert [e.target_id for e in denied] == ["table:map_results"]
    planner = tables.table_bytes(app_store, user_id(app_store, "planner"), "map_results", frame)
    assert planner.decode("utf-8-sig").splitlines()[1] == '"\'=HYPERLINK(""http://x"",""y"")"'
