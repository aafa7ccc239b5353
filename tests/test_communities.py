"""Communities: municipalities from a layer, demand, and the community page on a known store world."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from gisplan.communities import (
    PERSONS_PER_HOUSEHOLD,
    Demand,
    add_municipalities,
    community_demand,
    community_report,
    estimate_demand_mwh_yr,
    funding_pipeline,
    municipalities_from_layer,
    sites_by_status,
)
from gisplan.energy import EnergyParams
from gisplan.errors import InputError, InvalidDataError, NotFoundError
from gisplan.store import SYSTEM, Store, open_store
from tests.funding.pipeline_world import PipelineWorld, build_pipeline_world


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield opened
    opened.close()


@pytest.fixture
def world(store: Store) -> PipelineWorld:
    return build_pipeline_world(store)


# ----------------------------------------------------------------------------------- municipalities
def test_municipalities_from_layer_and_every_problem() -> None:
    frame = pd.DataFrame({"kod_obce": ["1", "2"], "nazev_obce": ["A", "B"], "pocet_obyv": [10, None]})
    out = municipalities_from_layer(frame)
    assert out["code"].tolist() == ["1", "2"]
    assert out["population"].tolist()[0] == 10
    assert pd.isna(out["population"].tolist()[1])
    bad = pd.DataFrame({"kod_obce": ["1", "1", None], "nazev_obce": ["A", "B", "C"], "pocet_obyv": [10, "many", -3]})
    with pytest.raises(InvalidDataError) as caught:
        municipalities_from_layer(bad, source="obce.gpkg")
    locations = {p.location for p in caught.value.problems}
    assert locations == {
        "row 2, field pocet_obyv",
        "row 3, field pocet_obyv",
        "row 3, field kod_obce",
        "field kod_obce",
    }
    with pytest.raises(InvalidDataError, match="lacks column"):
        municipalities_from_layer(frame, population_column="obyvatel")


def test_add_municipalities_from_the_demo_boundaries(store: Store, demo_data_dir: Path) -> None:
    path = demo_data_dir / "demo" / "municipalities.gpkg"
    import pyogrio

    layer = pyogrio.read_dataframe(path, read_geometry=False)
    municipalities = municipalities_from_layer(layer, source=str(path))
    assert add_municipalities(store, SYSTEM, municipalities, region_code="CZ042") == len(layer)
    assert add_municipalities(store, SYSTEM, municipalities, region_code="CZ042") == 0  # idempotent
    stored = store.communities("municipality")
    assert len(stored) == len(layer)
    assert sum(c.population or 0 for c in stored) == int(layer["pocet_obyv"].sum())
    assert {c.region_code for c in stored} == {"CZ042"}


# -------------------------------------------------------------------------------------------- demand
def test_estimate_demand() -> None:
    assert estimate_demand_mwh_yr(households=100) == pytest.approx(300.0)
    assert estimate_demand_mwh_yr(population=230) == pytest.approx(230 / PERSONS_PER_HOUSEHOLD * 3.0)
    assert estimate_demand_mwh_yr(households=10, params=EnergyParams(household_mwh_yr=2.0)) == pytest.approx(20.0)
    with pytest.raises(InputError):
        estimate_demand_mwh_yr()
    with pytest.raises(InputError):
        estimate_demand_mwh_yr(population=-5)


def test_community_demand_prefers_entered_then_households_then_population() -> None:
    entered = community_demand({"attributes": {"demand_mwh_yr": 500, "households": 10}, "population": 99})
    assert entered == Demand(500.0, "entered", "entered")
    households = community_demand({"attributes": {"households": 1200}, "population": 99})
    assert households == Demand(pytest.approx(3600.0), "estimated from 1,200 households")  # type: ignore[arg-type]
    population = community_demand({"attributes": {}, "population": 2300})
    assert population is not None
    assert population.basis == "estimated from 2,300 inhabitants"
    members = community_demand({"attributes": {}, "population": None}, member_population=460.0)
    assert members is not None
    assert members.mwh_yr == pytest.approx(600.0)
    assert community_demand({"attributes": {}, "population": None}) is None


# ---------------------------------------------------------------------------------------- aggregates
def test_sites_by_status_lists_every_status_in_pipeline_order() -> None:
    frame = sites_by_status(pd.DataFrame({"status": ["new", "funded", "new", "odd"]}))
    assert frame["status"].tolist() == [
        "new",
        "screening",
        "shortlisted",
        "project_in_preparation",
        "funded",
        "realised",
        "rejected",
        "odd",
    ]
    assert frame["sites"].tolist() == [2, 0, 0, 0, 1, 0, 0, 1]
    assert sites_by_status(pd.DataFrame({"status": []}))["sites"].sum() == 0


def test_funding_pipeline_empty() -> None:
    empty = funding_pipeline(pd.DataFrame(columns=["site_id", "call_code", "call_name", "programme", "verdict"]))
    assert empty.empty
    assert "eligible" in empty.columns


# -------------------------------------------------------------------------------- community page
def test_mas_page(store: Store, world: PipelineWorld) -> None:
    report = community_report(store, world.mas)
    assert report.sites["site_id"].tolist() == ["t:s1", "t:s2", "t:s3", "t:s4", "t:s6"]
    counts = dict(zip(report.by_status["status"], report.by_status["sites"], strict=True))
    assert counts == {
        "new": 2,
        "screening": 0,
        "shortlisted": 1,
        "project_in_preparation": 0,
        "funded": 0,
        "realised": 1,
        "rejected": 1,
    }
    potential = report.potential.set_index("profile")
    # rejected s3 and the excluded score of s4 do not count
    assert potential.loc["ground_pv", "capacity_mwp"] == pytest.approx(2.0)
    assert potential.loc["rooftop_pv", "energy_mwh_yr"] == pytest.approx(130.0)
    assert potential.loc["rooftop_pv", "sites"] == 2
    assert potential.loc["rooftop_pv", "co2_t_yr"] == pytest.approx(58.5)
    assert potential.loc["community_energy", "capacity_mwp"] == pytest.approx(0.09)
    demand = (2577 + 989) / PERSONS_PER_HOUSEHOLD * 3.0  # no MAS population: its members'
    assert report.demand is not None
    assert report.demand.mwh_yr == pytest.approx(demand)
    assert potential.loc["ground_pv", "coverage"] == pytest.approx(2100.0 / demand)
    funding = report.funding.set_index("call_code")
    assert funding.loc["RES3_2024", ["eligible", "unknown", "not_eligible", "sites"]].tolist() == [1, 0, 1, 2]
    assert funding.loc["OPST40", "unknown"] == 1
    assert report.funding["call_code"].tolist()[0] == "RES3_2024"  # more eligible sites first


def test_energy_community_page_uses_linked_sites_and_households(store: Store, world: PipelineWorld) -> None:
    report = community_report(store, world.energy_community, profile="rooftop_pv")
    assert report.sites["site_id"].tolist() == ["t:s1", "t:s6"]
    assert report.members["name"].tolist() == ["Brehice", "Družstvo Slunce"]
    assert report.demand == Demand(pytest.approx(360.0), "estimated from 120 households")  # type: ignore[arg-type]
    row = report.potential.iloc[0]
    assert (row["profile"], row["energy_mwh_yr"]) == ("rooftop_pv", 130.0)
    assert row["coverage"] == pytest.approx(130.0 / 360.0)


def test_municipality_page_holds_its_sites_and_links(store: Store, world: PipelineWorld) -> None:
    report = community_report(store, world.brehice)
    assert report.sites["site_id"].tolist() == ["t:s1", "t:s2", "t:s6"]
    assert report.demand is not None
    assert report.demand.basis == "estimated from 2,577 inhabitants"
    ostrava = community_report(store, world.ostrava)
    assert ostrava.sites["site_id"].tolist() == ["t:s5"]
    assert ostrava.funding.empty
    with pytest.raises(NotFoundError, match="there is no community 999"):
        community_report(store, 999)
