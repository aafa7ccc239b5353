"""Monitoring: the pipeline replayed from the status history and chart data (the SECAP export: test_secap.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from gisplan._storeframes import StoreFrames
from gisplan.errors import InputError, NotFoundError
from gisplan.monitoring import (
    month_ends,
    pipeline_over_time,
    potential_by_municipality,
    regional_dashboard,
    score_distribution,
    status_at,
)
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


def counts(pipeline: pd.DataFrame, when: dt.date) -> dict[str, int]:
    rows = pipeline[(pipeline["date"] == when) & (pipeline["sites"] > 0)]
    return dict(zip(rows["status"], rows["sites"].astype(int), strict=True))


# ------------------------------------------------------------------------------------- over time
def test_month_ends() -> None:
    assert month_ends(dt.date(2024, 12, 5), dt.date(2025, 2, 1)) == [
        dt.date(2024, 12, 31),
        dt.date(2025, 1, 31),
        dt.date(2025, 2, 28),
    ]


def test_pipeline_replays_the_status_history(store: Store, world: PipelineWorld) -> None:
    frames = StoreFrames(store)
    sites, changes = frames.sites(), frames.status_changes()
    pipeline = pipeline_over_time(sites, changes, month_ends(dt.date(2024, 12, 1), dt.date(2025, 9, 30)))
    assert counts(pipeline, dt.date(2024, 12, 31)) == {}
    assert counts(pipeline, dt.date(2025, 1, 31)) == {"new": 4}
    assert counts(pipeline, dt.date(2025, 2, 28)) == {"new": 2, "screening": 1, "rejected": 1}
    assert counts(pipeline, dt.date(2025, 4, 30)) == {
        "new": 2,
        "screening": 1,
        "project_in_preparation": 1,
        "rejected": 1,
    }
    assert counts(pipeline, dt.date(2025, 9, 30)) == {
        "new": 2,
        "screening": 1,
        "shortlisted": 1,
        "realised": 1,
        "rejected": 1,
    }
    assert len(pipeline) == 10 * 7  # every status at every date


def test_status_at_a_day_includes_that_days_moves(store: Store, world: PipelineWorld) -> None:
    frames = StoreFrames(store)
    sites, changes = frames.sites(), frames.status_changes()
    day_before = status_at(sites, changes, dt.date(2025, 9, 29))
    that_day = status_at(sites, changes, dt.date(2025, 9, 30))
    assert (day_before["t:s1"], that_day["t:s1"]) == ("funded", "realised")
    assert pd.isna(status_at(sites, changes, dt.date(2025, 6, 14))["t:s6"])  # not seen yet


def test_a_live_status_change_moves_the_current_month(store: Store, world: PipelineWorld) -> None:
    site = store.get_site("t:s6")
    store.change_status(SYSTEM, "t:s6", "screening", expected_version=site.version)
    today = dt.datetime.now(dt.UTC).date()
    board = regional_dashboard(store, profile="rooftop_pv", dates=[today])
    assert counts(board.pipeline, today)["screening"] == 2  # s5 and now s6


def test_ended_sites_leave_the_pipeline(store: Store, world: PipelineWorld) -> None:
    frames = StoreFrames(store)
    sites = frames.sites().assign(end_date=lambda f: f["end_date"].where(f["site_id"] != "t:s5", dt.date(2025, 8, 1)))
    status = status_at(sites, frames.status_changes(), dt.date(2025, 8, 31))
    assert pd.isna(status["t:s5"])
    assert status_at(sites, frames.status_changes(), dt.date(2025, 7, 31))["t:s5"] == "screening"


# ------------------------------------------------------------------------------------- dashboard
def test_region_dashboard(store: Store, world: PipelineWorld) -> None:
    board = regional_dashboard(store, profile="rooftop_pv", region="CZ042", today=dt.date(2025, 9, 30))
    assert board.territory == "region CZ042"
    assert board.sites["site_id"].tolist() == ["t:s1", "t:s2", "t:s3", "t:s4", "t:s6"]
    assert sorted(set(board.pipeline["date"])) == month_ends(dt.date(2025, 1, 1), dt.date(2025, 9, 30))
    assert counts(board.pipeline, dt.date(2025, 9, 30)) == {"new": 2, "shortlisted": 1, "realised": 1, "rejected": 1}
    potential = board.potential.set_index("status")
    assert potential.loc["realised", "capacity_mwp"] == pytest.approx(0.1)
    assert potential.loc["new", "sites"] == 2
    assert potential.loc["new", "energy_mwh_yr"] == pytest.approx(30.0)  # s4's score is excluded
    assert board.by_municipality["municipality_code"].tolist() == ["599101"]
    assert board.by_municipality.iloc[0]["municipality_name"] == "Brehice"
    assert board.by_municipality.iloc[0]["energy_mwh_yr"] == pytest.approx(130.0)
    excluded_row = board.scores[board.scores["bin_start"].isna()]
    assert excluded_row["sites"].tolist() == [1]
    assert board.scores["sites"].sum() == 3


def test_mas_and_whole_dashboards(store: Store, world: PipelineWorld) -> None:
    mas = regional_dashboard(store, profile="ground_pv", mas="MAS1", dates=[dt.date(2025, 9, 30)])
    assert mas.territory == "MAS MAS1"
    assert set(mas.sites["municipality_code"]) == {"599101", "599102"}
    everything = regional_dashboard(store, profile="ground_pv", dates=[dt.date(2025, 9, 30)])
    assert len(everything.sites) == 6
    assert everything.by_municipality["municipality_code"].tolist() == ["599101", "554821"]
    with pytest.raises(NotFoundError, match="no MAS with code 'MAS9'"):
        regional_dashboard(store, profile="ground_pv", mas="MAS9")
    with pytest.raises(InputError):
        regional_dashboard(store, profile="ground_pv", mas="MAS1", region="CZ042")


def test_score_distribution_bins() -> None:
    scores = pd.DataFrame(
        {
            "site_id": list("abcde"),
            "profile": ["p", "p", "p", "p", "q"],
            "score": [0.0, 9.99, 10.0, 100.0, 55.0],
            "excluded": [False, False, False, True, False],
        }
    )
    table = score_distribution(scores, bins=10)
    p = table[table["profile"] == "p"]
    assert p["sites"].tolist()[:2] == [2, 1]
    assert p[p["bin_start"].isna()]["sites"].item() == 1
    assert table[(table["profile"] == "q") & (table["bin_start"] == 50.0)]["sites"].item() == 1
    with pytest.raises(InputError):
        score_distribution(scores, bins=0)


def test_potential_by_municipality_without_names() -> None:
    sites = pd.DataFrame({"site_id": ["a", "b"], "status": ["new", "new"], "municipality_code": ["1", None]})
    scores = pd.DataFrame(
        {
            "site_id": ["a", "b"],
            "excluded": [False, False],
            "capacity_kwp": [10.0, 20.0],
            "energy_mwh_yr": [1.0, 2.0],
            "co2_t_yr": [0.5, 1.0],
        }
    )
    table = potential_by_municipality(sites, scores)
    assert table["municipality_code"].tolist() == ["(unknown)", "1"]
    assert table["municipality_name"].tolist() == ["(unknown)", "1"]
