"""The Dashboard page in AppTest and its Altair charts (read from their Vega-Lite specs)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest

from gisplan._storeframes import StoreFrames
from gisplan.app.charts_monitoring import (
    chart_locale,
    chart_values,
    excluded_counts,
    municipality_chart,
    pipeline_chart,
    score_chart,
    status_chart,
    status_label,
)
from gisplan.communities import sites_by_status
from gisplan.monitoring import month_ends, pipeline_over_time, regional_dashboard, score_distribution
from tests.app import test_communities_page
from tests.app.test_communities_page import World, run_page, texts

world = test_communities_page.world  # the store world fixture
PAGE = "gisplan.app.pages.dashboard_page"


def _specs(at: Any) -> list[dict[str, Any]]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def _title(spec: dict[str, Any]) -> str:
    title = spec.get("title")
    return str(title.get("text") if isinstance(title, dict) else title)


# ------------------------------------------------------------------------------------------ charts
def test_chart_formats_follow_each_languages_cldr_data() -> None:
    czech, danish = chart_locale("cs"), chart_locale("da")
    assert czech is not None and danish is not None
    assert czech["time"]["date"] == "%-d. %-m. %Y"
    assert czech["time"]["months"][0] == "leden"
    assert danish["number"]["thousands"] == "."
    assert danish["time"]["shortMonths"][0] == "jan."
    assert chart_locale("en") is None


def test_pipeline_chart_stacks_statuses_in_pipeline_order_with_czech_labels(world: World) -> None:
    frames = StoreFrames(world.store)
    pipeline = pipeline_over_time(
        frames.sites(), frames.status_changes(), month_ends(dt.date(2025, 1, 1), dt.date(2025, 9, 30))
    )
    chart = pipeline_chart(pipeline, "cs")
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["y"]["title"] == "Počet ploch"
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == [
        status_label(s, "cs")
        for s in ("new", "screening", "shortlisted", "project_in_preparation", "funded", "realised", "rejected")
    ]
    assert scale["range"][-1] == "#d6604d"  # rejected in red
    assert spec["config"]["locale"]["number"]["decimal"] == ","  # Czech numbers: 1 234,5
    assert spec["config"]["locale"]["time"]["shortMonths"][0] == "led"
    assert "locale" not in pipeline_chart(pipeline, "en").to_dict().get("config", {})
    rows = chart_values(chart)
    september = {r["status_label"]: r["sites"] for r in rows if str(r["date"]).startswith("2025-09-30")}
    assert september["Realizovaná"] == 1 and september["Nová"] == 2 and september["Zamítnutá"] == 1


def test_status_municipality_and_score_charts() -> None:
    by_status = sites_by_status(pd.DataFrame({"status": ["new", "new", "funded", "odd"]}))
    spec = status_chart(by_status, "en").to_dict()
    assert spec["encoding"]["x"]["title"] == "Status"
    rows = chart_values(status_chart(by_status, "en"))
    assert [(r["status_label"], r["sites"]) for r in rows][:1] == [("New", 2)]
    assert rows[-1]["status_label"] == "odd"  # unknown statuses keep their name, at the end
    by_muni = pd.DataFrame(
        {
            "municipality_code": [str(i) for i in range(20)],
            "municipality_name": [f"<b>Obec {i}</b>" for i in range(20)],
            "sites": 1,
            "capacity_mwp": 1.0,
            "energy_mwh_yr": [float(100 - i) for i in range(20)],
            "co2_t_yr": 1.0,
        }
    )
    chart = municipality_chart(by_muni, "cs", top=5)
    assert [r["municipality_name"] for r in chart_values(chart)] == [f"<b>Obec {i}</b>" for i in range(5)]
    assert chart.to_dict()["title"] == "Potenciál podle obcí (největších 5)"
    scores = pd.DataFrame(
        {
            "profile": ["rooftop_pv"] * 4,
            "score": [5.0, 15.0, 95.0, 0.0],
            "excluded": [False, False, False, True],
        }
    )
    distribution = score_distribution(scores)
    chart = score_chart(distribution, "en", {"rooftop_pv": "Rooftop PV"})
    values = chart_values(chart)
    assert len(values) == 10 and sum(r["sites"] for r in values) == 3
    assert {r["profile_title"] for r in values} == {"Rooftop PV"}
    assert excluded_counts(distribution) == {"rooftop_pv": 1}


# ------------------------------------------------------------------------------------------ page
def test_planner_sees_metrics_and_every_chart(world: World) -> None:
    at = run_page(PAGE, world.users["planner"])
    assert not at.exception
    assert at.title[0].value == "Přehled regionu"
    specs = _specs(at)
    titles = [_title(s) for s in specs]
    assert titles == [
        "Plochy podle stavu na konci měsíce",
        "Výroba podle stavu [MWh/rok]",
        "Plochy podle stavu",
        "Potenciál podle obcí (největších 15)",
        "Rozdělení skóre",
    ]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Plochy (bez zamítnutých)"] == "5"
    # profile community_energy comes first alphabetically: only s1 has a score there (90 MWh/yr)
    assert metrics["Výroba [MWh/rok]"] == "90"


def test_profile_and_territory_filters(world: World) -> None:
    at = run_page(PAGE, world.users["animator"], lang="en")
    at.selectbox(key="dash_profile").set_value("ground_pv").run()
    metrics = {m.label: m.value for m in at.metric}
    # s2 2,100 + s5 840 MWh/yr; s3 is rejected and does not count
    assert metrics["Output [MWh/yr]"] == "2,940"  # English groups with a comma
    at.radio(key="dash_scope").set_value("region").run()
    at.selectbox(key="dash_region").set_value("CZ080").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Output [MWh/yr]"] == "840"  # only Ostrava's s5
    assert metrics["Sites (not rejected)"] == "1"
    at.radio(key="dash_scope").set_value("mas").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Output [MWh/yr]"] == "2,100"  # MAS1: Brehice and Dižky; s3 rejected
    assert "5 sites, with potential in 1 municipalities." in texts(at)  # s3 is rejected


def test_the_dashboard_matches_the_library(world: World) -> None:
    dashboard = regional_dashboard(world.store, profile="rooftop_pv", mas="MAS1")
    at = run_page(PAGE, world.users["admin"], lang="en")
    at.selectbox(key="dash_profile").set_value("rooftop_pv").run()
    at.radio(key="dash_scope").set_value("mas").run()
    live = dashboard.potential[dashboard.potential["status"] != "rejected"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Output [MWh/yr]"] == f"{live['energy_mwh_yr'].sum():,.0f}"


@pytest.mark.parametrize("user", ["obec", None])
def test_municipality_users_and_strangers_are_refused(world: World, user: str | None) -> None:
    at = run_page(PAGE, world.users[user] if user else None)
    assert not at.get("vega_lite_chart")
    assert not at.metric
    assert at.error or at.warning
