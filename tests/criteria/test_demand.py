"""Buildings and people within a radius."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gisplan.criteria.demand import allocate_population, demand_within

CRS = "EPSG:5514"


def test_counts_buildings_and_people_within_radius() -> None:
    site = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)], crs=CRS)
    # representative points at 50 m, 99 m, 150 m from the site's edge, and one inside
    buildings = gpd.GeoDataFrame(
        {"population": [2.0, 3.0, 5.0, 7.0]},
        geometry=[shapely.Point(150, 50), shapely.Point(50, 199), shapely.Point(-150, 50), shapely.Point(50, 50)],
        crs=CRS,
    )
    out = demand_within(site, buildings, radius_m=100)
    assert out["buildings_within_100m"].iloc[0] == 3
    assert out["population_within_100m"].iloc[0] == pytest.approx(12.0)
    assert "population_within_100m" not in demand_within(site, buildings, radius_m=100, population_column=None)


def test_allocate_population_by_floor_area() -> None:
    munis = gpd.GeoDataFrame(
        {"kod_obce": ["1"], "nazev_obce": ["A"], "pocet_obyv": [300]}, geometry=[shapely.box(0, 0, 1000, 1000)], crs=CRS
    )
    buildings = gpd.GeoDataFrame(
        {"floors": [1, 2, 1]},
        geometry=[shapely.box(10, 10, 20, 20), shapely.box(30, 30, 40, 40), shapely.box(5000, 0, 5010, 10)],
        crs=CRS,
    )
    pop = allocate_population(buildings, munis, floors_column="floors")
    assert pop.tolist() == pytest.approx([100.0, 200.0, 0.0])
