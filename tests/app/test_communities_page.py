"""The Communities page in AppTest: reports, permissions, creating energy communities, demand, SECAP export.

The store world is :mod:`tests.funding.pipeline_world` (Brehice 599101 and Dižky
599102 in CZ042, Ostrava 554821 in CZ080, MAS1, the energy community "EK
Brehice" with 120 households) plus one user per role. The page runs through
``AppTest.from_function`` with the user's id in session state, as after a login.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gisplan.app import auth
from gisplan.app.pages.communities_page import demand_basis, secap_bytes
from gisplan.errors import PermissionDeniedError
from gisplan.store import SYSTEM, Scope, Store, open_store
from tests.funding.pipeline_world import PipelineWorld, build_pipeline_world


@dataclass(frozen=True)
class World:
    """The store, its communities and the id of one user per role."""

    store: Store
    ids: PipelineWorld
    users: dict[str, int]
    data_dir: Path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A SQLite store with the pipeline world and the users admin, animator (CZ042), obec (599102), planner."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("GISPLAN_DATABASE_URL", url)
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("GISPLAN_OFFLINE", "1")
    monkeypatch.delenv("GISPLAN_LANG", raising=False)
    store = open_store(url)
    ids = build_pipeline_world(store)
    users = {
        "admin": store.add_user(SYSTEM, "admin", "admin").id,
        "animator": store.add_user(SYSTEM, "animator", "animator", scope=Scope.parse(["region:CZ042"])).id,
        "obec": store.add_user(SYSTEM, "obec", "municipality", scope=Scope.parse(["municipality:599102"])).id,
        "planner": store.add_user(SYSTEM, "planner", "planner").id,
    }
    auth._open.clear()
    yield World(store, ids, users, data)
    auth._open.clear()
    store.close()


def _page(module: str) -> None:
    import importlib

    importlib.import_module(module).render()


def run_page(module: str, user_id: int | None, *, lang: str = "cs", **state: Any) -> AppTest:
    """Run one page as the user ``user_id`` in ``lang``."""
    at = AppTest.from_function(_page, args=(module,), default_timeout=30)
    if user_id is not None:
        at.session_state[auth.USER_KEY] = user_id
        at.session_state[auth.METHOD_KEY] = "local"
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    """Every text the page shows."""
    parts = [*at.title, *at.subheader, *at.markdown, *at.caption, *at.warning, *at.info, *at.error, *at.success]
    return "\n".join(str(p.value) for p in parts)


def frame(at: AppTest, first_column: str) -> pd.DataFrame:
    """The first dataframe whose first column is ``first_column``."""
    for element in at.dataframe:
        value = element.value
        if len(value.columns) and value.columns[0] == first_column:
            return value
    msg = f"no table starting with {first_column!r}; tables: {[list(d.value.columns) for d in at.dataframe]}"
    raise AssertionError(msg)


PAGE = "gisplan.app.pages.communities_page"


def _buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def _downloads(at: AppTest) -> list[str]:
    return [str(d.proto.label) for d in at.get("download_button")]


# ------------------------------------------------------------------------------------------ reading
def test_municipality_report_shows_status_potential_and_funding(world: World) -> None:
    at = run_page(PAGE, world.users["animator"], comm_pick=world.ids.brehice)
    assert not at.exception
    assert at.title[0].value == "Komunity"
    assert at.subheader[0].value == "Brehice"
    shown = texts(at)
    assert "kód 599101" in shown
    assert "2 577 obyvatel" in shown  # markdown-escaped text turns the no-break space into a space
    # s1 realised, s2 shortlisted, s6 new: every status is listed, in pipeline order
    status = frame(at, "Stav")
    assert status["Stav"].tolist()[:3] == ["Nová", "Prověřování", "Vybraná"]
    assert dict(zip(status["Stav"], status["Počet ploch"], strict=True)) == {
        "Nová": 1,
        "Prověřování": 0,
        "Vybraná": 1,
        "Projekt v přípravě": 0,
        "Financovaná": 0,
        "Realizovaná": 1,
        "Zamítnutá": 0,
    }
    potential = frame(at, "Profil hodnocení").set_index("Profil hodnocení")
    rooftop = potential.loc["Fotovoltaika na střechách"]
    assert rooftop["Výroba [MWh/rok]"] == pytest.approx(130.0)  # s1 100 + s6 30
    # demand from 2,577 inhabitants / 2.3 persons per household * 3 MWh: 130 / 3361.3 = 3.9 %
    assert rooftop["Pokrytí spotřeby [%]"] == pytest.approx(4.0)
    funding = frame(at, "Výzva")
    assert funding["Výzva"].tolist() == ["RES3_2024", "OPST40"]
    assert funding["Způsobilá"].tolist() == [1, 0]
    assert len(at.get("vega_lite_chart")) == 2  # statuses, and potential against demand


def test_energy_community_demand_from_households_in_english(world: World) -> None:
    at = run_page(PAGE, world.users["planner"], lang="en", comm_kind="energy_community")
    assert not at.exception
    assert at.subheader[0].value == "EK Brehice"
    shown = texts(at)
    assert "estimated from 120 households" in shown
    assert "120 households" in shown
    metric = {m.label: m.value for m in at.metric}
    assert metric["Yearly demand [MWh/yr]"] == "360"
    members = frame(at, "Name")
    assert members["Name"].tolist() == ["Brehice", "Družstvo Slunce"]


def test_demand_basis_translates_the_library_text() -> None:
    assert demand_basis("entered", "cs") == "zadaná hodnota"
    assert demand_basis("estimated from 2,577 inhabitants", "en") == "estimated from 2,577 inhabitants"
    assert demand_basis("estimated from 2,577 households", "cs") == "odhad z 2\u00a0577 domácností"
    assert demand_basis("estimated from 2,577 inhabitants", "da") == "anslået ud fra 2.577 indbyggere"
    assert demand_basis("something else", "en") == "something else"


def test_nobody_logged_in_sees_only_the_login_notice(world: World) -> None:
    at = run_page(PAGE, None)
    assert not at.exception
    assert at.warning and not at.subheader and not at.dataframe


# ------------------------------------------------------------------------------------------ permissions
def test_a_municipality_user_reads_its_municipality_but_neither_writes_nor_exports(world: World) -> None:
    at = run_page(PAGE, world.users["obec"])
    assert not at.exception
    assert at.subheader[0].value == "Dižky"  # starts at the user's own municipality
    assert "Založit" not in _buttons(at)
    assert not _downloads(at)
    assert "Export mohou stahovat plánovači, animátoři a správci." in texts(at)


def test_a_planner_reads_and_exports_but_has_no_forms(world: World) -> None:
    at = run_page(PAGE, world.users["planner"], comm_pick=world.ids.brehice)
    assert not at.exception
    table_downloads = [d for d in _downloads(at) if d == "Stáhnout tabulku (CSV)"]  # tables.show_table
    assert [d for d in _downloads(at) if d not in table_downloads] == ["Stáhnout CSV", "Stáhnout XLSX"]
    assert table_downloads
    assert not [b for b in at.button if b.label in {"Založit", "Uložit"}]
    assert not at.text_input


def test_secap_export_is_audited_and_refused_to_municipality_users(world: World) -> None:
    csv = secap_bytes(world.store, world.users["planner"], "599101", "csv")
    actions = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype={"municipality_code": str})
    # s6 is linked to Brehice; s1 (realised) and s2 (shortlisted) lie in it and are past screening
    assert actions["action_id"].tolist() == ["t:s1", "t:s2", "t:s6"]
    assert set(actions["municipality_code"]) == {"599101"}
    xlsx = pd.read_excel(io.BytesIO(secap_bytes(world.store, world.users["animator"], "599101", "xlsx")), None)
    assert set(xlsx) == {"actions", "about"}
    assert len(xlsx["actions"]) == 3
    with pytest.raises(PermissionDeniedError):
        secap_bytes(world.store, world.users["obec"], "599102", "csv")
    entries = world.store.audit_log(target_type="export")
    assert [(e.actor_name, e.outcome) for e in entries] == [("obec", "denied"), ("animator", "ok"), ("planner", "ok")]


# ------------------------------------------------------------------------------------------ writing
def _create(at: AppTest, name: str, members: list[str], organisations: str = "", households: int = 0) -> AppTest:
    at.text_input[-1].set_value(name)
    at.multiselect[-1].set_value(members)
    at.text_area[-1].set_value(organisations)
    at.number_input[-1].set_value(households)
    return next(b for b in at.button if b.label == "Založit").click().run()


def test_an_animator_creates_an_energy_community_in_scope(world: World) -> None:
    at = run_page(PAGE, world.users["animator"])
    at = _create(at, "Sluneční <b>Dižky</b>", ["599102"], "Spolek Dižky\n\nŠkola", households=40)
    assert not at.exception
    assert not at.error
    created = [c for c in world.store.communities("energy_community") if c.name == "Sluneční <b>Dižky</b>"]
    assert len(created) == 1
    assert created[0].region_code == "CZ042"
    assert created[0].attributes == {"households": 40}
    members = world.store.community_members(created[0].id)
    assert [(m.name, m.municipality_code, m.member_role) for m in members] == [
        ("Dižky", "599102", "municipality"),
        ("Spolek Dižky", None, "organisation"),
        ("Škola", None, "organisation"),
    ]
    assert at.subheader[0].value == r"Sluneční \<b\>Dižky\<\/b\>"  # shown as typed, markdown-escaped


def test_creating_reports_every_problem_and_refuses_out_of_scope(world: World) -> None:
    at = run_page(PAGE, world.users["animator"])
    at = _create(at, "  ", [])
    assert "Zadejte název společenství." in at.error[0].value
    assert "Vyberte aspoň jednu obec" in at.error[0].value
    at = _create(at, "EK Ostrava", ["554821"])  # Ostrava lies in CZ080, outside the animator's CZ042
    assert "Nemáte oprávnění" in at.error[0].value
    assert [c.name for c in world.store.communities("energy_community")] == ["EK Brehice"]
    denied = world.store.audit_log(target_type="community", outcome="denied")
    assert denied and denied[0].actor_name == "animator"


def test_an_animator_enters_the_demand_of_an_energy_community(world: World) -> None:
    at = run_page(PAGE, world.users["animator"], comm_kind="energy_community")
    assert "Uložit" in _buttons(at)
    at.number_input[0].set_value(500.0)
    at = next(b for b in at.button if b.label == "Uložit").click().run()
    assert not at.exception
    assert "Uloženo." in texts(at)
    community = next(c for c in world.store.communities("energy_community"))
    assert community.attributes == {"households": 120, "demand_mwh_yr": 500.0}
    at = at.run()
    assert "zadaná hodnota" in texts(at)
    assert {m.label: m.value for m in at.metric}["Roční spotřeba [MWh/rok]"] == "500"


def test_only_admins_get_the_demand_form_of_a_municipality(world: World) -> None:
    animator = run_page(PAGE, world.users["animator"], comm_pick=world.ids.brehice)
    assert "Uložit" not in _buttons(animator)
    admin = run_page(PAGE, world.users["admin"], comm_pick=world.ids.brehice)
    assert "Uložit" in _buttons(admin)


def test_measured_demand_is_shown_with_year_and_source(world: World) -> None:
    from gisplan.demand import DemandRecord, load_measured_demand

    load_measured_demand(
        world.store,
        SYSTEM,
        [
            DemandRecord("municipality", "599101", 2023, 4100.0, "ČEZ <b>Distribuce</b>"),
            DemandRecord("site", "t:s1", 2024, 55.0, "meter"),
        ],
    )
    at = run_page(PAGE, world.users["animator"], comm_pick=world.ids.brehice)
    assert not at.exception
    metric = {m.label: m.value for m in at.metric}
    assert metric["Roční spotřeba [MWh/rok]"] == "4\u00a0100"
    shown = texts(at)
    assert "naměřeno v roce 2023 \\(ČEZ" in shown
    assert "<b>" not in shown  # the source is user text: escaped
    sites = frame(at, "ID plochy").set_index("ID plochy")
    assert sites.loc["t:s1", "Naměřená spotřeba [MWh/rok]"] == pytest.approx(55.0)
    assert pd.isna(sites.loc["t:s2", "Naměřená spotřeba [MWh/rok]"])
    dizky = run_page(PAGE, world.users["animator"], lang="en", comm_pick=world.ids.dizky)
    assert "estimated from 989 inhabitants" in texts(dizky)


def test_mas_page_maps_potential_against_demand(world: World) -> None:
    from shapely.geometry import box, mapping

    brehice = next(c for c in world.store.communities() if c.id == world.ids.brehice)
    outline = mapping(box(13.7, 50.5, 13.8, 50.6))
    world.store.update_community(SYSTEM, brehice.id, expected_version=brehice.version, attributes={"boundary": outline})
    at = run_page(PAGE, world.users["planner"], lang="en", comm_kind="mas")
    assert not at.exception
    shown = texts(at)
    assert "Potential against demand per municipality" in shown
    assert "Share of the demand the potential covers" in shown  # the legend under the map
    assert len(at.get("vega_lite_chart")) == 2  # statuses, and potential against demand
    assert at.selectbox(key=f"comm_balance_{world.ids.mas}").value == "ground_pv"  # the most output first


def test_energy_poverty_is_shown_per_member_with_its_unit(world: World) -> None:
    from gisplan.poverty import PovertyRecord, load_poverty

    load_poverty(world.store, SYSTEM, [PovertyRecord("599101", 2023, 16.5, "% domácností", "ČSÚ <i>SILC</i>")])
    at = run_page(PAGE, world.users["planner"], comm_kind="mas")
    assert not at.exception
    table = frame(at, "Obec")
    assert table.to_dict("records") == [
        {
            "Obec": "Brehice (599101)",
            "Ukazatel": 16.5,
            "Jednotka": "% domácností",
            "Rok": 2023,
            "Zdroj": "ČSÚ <i>SILC</i>",  # a table cell is data, not markup
        }
    ]
    assert "Pro 1 obce chybí hodnota" in texts(at)
    ostrava = run_page(PAGE, world.users["planner"], comm_pick=world.ids.ostrava)
    assert "není načten ukazatel energetické chudoby" in texts(ostrava)
