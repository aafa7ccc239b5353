"""Scoring keeps declared areas (issue 12) and treats a missing land_cover column as unknown."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import shapely

from gisplan import score
from gisplan.catalogue import Catalogue
from gisplan.profiles import Profile

CRS = "EPSG:5514"

PROFILE = Profile.model_validate(
    {
        "name": "ground_test",
        "version": "1",
        "title": {"cs": "Test", "en": "Test"},
        "site_kinds": ["brownfield"],
        "site_columns": ["land_cover"],
        "exclusions": [
            {
                "id": "forest_land",
                "when": {"column": "land_cover", "op": "in", "value": ["forest", "water"]},
                "reason": {"cs": "Les nebo voda", "en": "Forest or water"},
            },
            {
                "id": "too_small",
                "when": {"column": "usable_area_m2", "op": "<", "value": 2000},
                "reason": {"cs": "Malé", "en": "Under 0.2 ha"},
            },
        ],
        "criteria": [{"column": "capacity_kwp", "weight": 1, "ramp": {"bad": 0, "good": 1000}}],
    }
)


def _sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "kind": "brownfield",
            "area_m2": [50_000.0, None, 1.0],
            "area_source": ["declared:hectares[ha]", "not_available", "declared:x[m2]"],
        },
        geometry=[
            shapely.Point(-773_000, -999_500),
            shapely.Point(-772_000, -999_500),
            shapely.box(-771_000, -999_600, -770_700, -999_300),
        ],
        crs=CRS,
    )


def _score(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return score(sites, PROFILE, catalogue=Catalogue(layers={}), language="en")


def test_declared_area_survives_scoring_and_feeds_capacity() -> None:
    out = _score(_sites())
    assert out["area_source"].tolist() == ["declared:hectares[ha]", "not_available", "geometry"]
    assert out["area_m2"].iloc[0] == 50_000.0
    assert math.isnan(out["area_m2"].iloc[1])
    assert out["area_m2"].iloc[2] == 90_000.0  # the polygon's own area, not the 1 m² given
    assert out["capacity_kwp"].iloc[0] > 0
    assert out["score"].iloc[0] > 0
    assert math.isnan(out["usable_area_m2"].iloc[1])
    reasons = [json.loads(r) for r in out["exclusion_reasons"]]
    # no land_cover column: unknown, so nothing is excluded as forest or water
    assert not any("Forest or water" in texts for texts in reasons)
    # an area that is not available is not "under 0.2 ha" either
    assert reasons[1] == []


def test_land_cover_excludes_where_the_sites_have_it() -> None:
    out = _score(_sites().assign(land_cover=["forest", None, "arable"]))
    assert out["excluded"].tolist() == [True, False, False]
    assert json.loads(out["exclusion_reasons"].iloc[0]) == ["Forest or water"]
    assert out["score"].iloc[0] == 0
