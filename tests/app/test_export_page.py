"""The Shortlist & export page in AppTest: shortlists by status, filters and hand; downloads; permissions.

The store is the export tests' world (:mod:`tests.export.conftest`): shortlist
"Ústí 2027" of the planner with four sites, one of them named like a formula.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyogrio
import pypdf
import pytest
from streamlit.testing.v1 import AppTest

from gisplan.app import auth
from gisplan.app.pages.export_page import export_bytes, file_name
from gisplan.store import Store, open_store
from gisplan.workflows import shortlists as sl
from tests.export.conftest import HOSTILE_NAME, ExportWorld, filled_template, sqlite_template  # noqa: F401

PAGE = "gisplan.app.pages.export_page"


@pytest.fixture
def env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    filled_template: tuple[Path, ExportWorld],  # noqa: F811
) -> Iterator[tuple[Store, ExportWorld]]:
    path = tmp_path / "store.sqlite"
    shutil.copyfile(filled_template[0], path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("GISPLAN_DATABASE_URL", url)
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GISPLAN_OFFLINE", "1")
    monkeypatch.delenv("GISPLAN_LANG", raising=False)
    auth._open.clear()
    store = open_store(url)
    yield store, filled_template[1]
    auth._open.clear()
    store.close()


def _page(module: str) -> None:
    import importlib

    importlib.import_module(module).render()


def run_page(user_id: int, *, lang: str = "cs", **state: Any) -> AppTest:
    at = AppTest.from_function(_page, args=(PAGE,), default_timeout=30)
    at.session_state[auth.USER_KEY] = user_id
    at.session_state[auth.METHOD_KEY] = "local"
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _downloads(at: AppTest) -> list[str]:
    return [str(d.proto.label) for d in at.get("download_button")]


def test_planner_sees_the_shortlist_members_and_downloads(env: tuple[Store, ExportWorld]) -> None:
    _, ew = env
    at = run_page(ew.world.planner)
    assert not at.exception
    assert at.title[0].value == "Výběry lokalit a export"
    assert at.selectbox(key="exp_pick").value == "Ústí 2027"
    assert "4 lokalit · profil ground\\_pv · založil\\(a\\) planner" in [c.value for c in at.caption]
    table = at.dataframe[0].value
    ids, names = table.columns[0], table.columns[1]
    assert table[ids].tolist() == ["t:in", "t:out", "t:mas", "uk:1"]  # best score first, unscored last
    assert HOSTILE_NAME in set(table[names])  # shown as typed, never run
    assert "Prověřování" in set(table["Stav"])
    assert _downloads(at) == [
        "GeoPackage pro QGIS",
        "Tabulka XLSX",
        "Karty všech lokalit (PDF)",
        "Tabulka CSV",
        "Karta lokality (PDF)",
        "Karta lokality (HTML k tisku)",
    ]


def test_create_a_shortlist_and_fill_it_by_status_then_by_hand(env: tuple[Store, ExportWorld]) -> None:
    store, ew = env
    at = run_page(ew.world.planner, lang="en")
    at.text_input[0].set_value("Council May")
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    assert at.success[0].value == "Shortlist “Council May” was created."
    assert at.selectbox(key="exp_pick").value == "Council May"
    at.multiselect(key="exp_statuses").set_value(["screening"]).run()
    at.button(key="exp_add_status").click().run()
    assert at.success[0].value == "Added 1 of 1 sites."
    assert sl.members(store, "Council May") == ["t:in"]
    at.multiselect(key="exp_hand").set_value(["uk:1"]).run()
    at.button(key="exp_add_hand").click().run()
    assert sl.members(store, "Council May") == ["t:in", "uk:1"]
    at.multiselect(key="exp_remove").set_value(["t:in"]).run()
    at.button(key="exp_remove_button").click().run()
    assert sl.members(store, "Council May") == ["uk:1"]
    assert sl.get_shortlist(store, "Council May").created_by == "planner"


def test_by_filters_with_a_minimum_score(env: tuple[Store, ExportWorld]) -> None:
    store, ew = env
    sl.create_shortlist(store, ew.world.planner, "best", profile="ground_pv")
    at = run_page(ew.world.planner, exp_pick="best")
    at.slider(key="exp_min_score").set_value(50)
    at.button(key="exp_add_filters").click().run()
    assert not at.exception
    assert sl.members(store, "best") == ["t:in"]  # 72.5; t:out 31 is below, t:mas is excluded


def test_another_users_shortlist_is_refused_in_the_page(env: tuple[Store, ExportWorld]) -> None:
    store, ew = env
    at = run_page(ew.world.animator)
    at.multiselect(key="exp_hand").set_value(["t:in"]).run()
    at.button(key="exp_add_hand").click().run()
    assert at.error[0].value == "Na tuto akci nemáte oprávnění."
    assert "only the creator" in at.code[0].value
    assert len(sl.members(store, "Ústí 2027")) == 4  # nothing changed
    assert len(store.audit_log(target_type="shortlist", outcome="denied")) == 1


def test_municipality_users_may_not_open_the_page(env: tuple[Store, ExportWorld]) -> None:
    _, ew = env
    at = run_page(ew.world.municipality)
    assert at.error
    assert not at.get("download_button")


def test_download_data_is_built_on_click_from_a_fresh_snapshot(env: tuple[Store, ExportWorld], tmp_path: Path) -> None:
    store, ew = env
    gpkg = export_bytes(store, ew.world.planner, "Ústí 2027", "gpkg")
    assert gpkg.startswith(b"SQLite format 3\x00")
    path = Path(tmp_path) / "download.gpkg"
    path.write_bytes(gpkg)
    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    assert "layer_styles" in layers
    assert "sites" in layers
    assert zipfile.is_zipfile(io.BytesIO(export_bytes(store, ew.world.planner, "Ústí 2027", "xlsx")))
    csv_text = export_bytes(store, ew.world.planner, "Ústí 2027", "csv", variant="cz-brownfields").decode("utf-8-sig")
    assert csv_text.startswith("kod,nazev,kod_obce")
    pdf = export_bytes(store, ew.world.planner, "Ústí 2027", "pdf", site_id="t:in", lang="en")
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    html = export_bytes(store, ew.world.planner, "Ústí 2027", "html", site_id="t:out").decode("utf-8")
    assert "&quot;http://evil.example/?&quot;" in html
    assert len(store.audit_log(target_type="export")) == 5


def test_file_names_are_plain_ascii() -> None:
    assert file_name("Ústí 2027", "gpkg") == "usti_2027.gpkg"
    assert file_name("../../etc", "csv", "uk-blr") == "etc_uk_blr.csv"
    assert file_name("<>", "pdf") == "shortlist.pdf"
