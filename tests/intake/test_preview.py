"""Preview: area, score and energy per applicable profile, and a note when a profile lacks its layers."""

from __future__ import annotations

import geopandas as gpd
import pytest

from gisplan.intake import check_drawing, preview
from gisplan.profiles import Profile
from tests.intake.conftest import A_CENTRE, feature_collection, polygon, square_lonlat


def _profile(name: str, kinds: list[str], measures: list[dict[str, object]] | None = None) -> Profile:
    return Profile.model_validate(
        {
            "name": name,
            "version": "1",
            "title": {"cs": f"{name} cs", "en": f"{name} en"},
            "site_kinds": kinds,
            "measures": measures or [],
            "criteria": [{"column": "capacity_kwp", "weight": 1, "ramp": {"bad": 0, "good": 10_000}}],
        }
    )


def test_preview_scores_each_applicable_profile(municipalities: gpd.GeoDataFrame) -> None:
    result = check_drawing(
        feature_collection(polygon(square_lonlat(*A_CENTRE, half=100.0))),
        municipality_code="500001",
        municipalities=municipalities,
    )
    ground = _profile("ground", ["brownfield"])
    roofs = _profile("roofs", ["rooftop"])
    needs_layers = _profile(
        "grid", ["brownfield"], [{"type": "proximity", "layer": "substations_nowhere", "name": "substation"}]
    )
    table = preview(result, kind="brownfield", profiles=[ground, roofs, needs_layers], catalogue=None, language="en")
    assert table["profile"].tolist() == ["ground", "grid"]  # rooftop profile does not apply
    row = table.iloc[0]
    assert row["profile_title"] == "ground en"
    assert row["area_m2"] == pytest.approx(40_000, rel=0.001)
    assert row["capacity_kwp"] > 0
    assert row["energy_mwh_yr"] == pytest.approx(row["capacity_kwp"] * 1.0, rel=0.35)  # ~950–1,150 kWh/kWp/yr
    # the only criterion is capacity on a 0–10,000 kWp ramp
    assert row["score"] == pytest.approx(100 * min(row["capacity_kwp"] / 10_000, 1.0), abs=0.01)
    assert row["note"] == ""
    grid = table.iloc[1]
    assert grid["note"].startswith("not scored:")
    assert "substations_nowhere" in grid["note"]
    assert pytest.approx(grid["area_m2"]) == row["area_m2"]


def test_preview_without_applicable_profile_is_empty(municipalities: gpd.GeoDataFrame) -> None:
    result = check_drawing(
        feature_collection(polygon(square_lonlat(*A_CENTRE))), municipality_code="500001", municipalities=municipalities
    )
    table = preview(result, kind="municipal_land", profiles=[_profile("roofs", ["rooftop"])])
    assert table.empty
    assert "score" in table.columns
