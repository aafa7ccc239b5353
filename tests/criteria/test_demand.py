"""Buildings and people within a radius."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.affinity

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


def test_matches_brute_force_distances_for_mixed_shapes() -> None:
    # Rotated rectangles, an L-shape, a line, a point and an empty geometry: the anchor bounds
    # must never change who is counted (exact GEOS distance is the reference).
    rng = np.random.default_rng(7)
    sites = [
        shapely.affinity.rotate(shapely.box(x, y, x + w, y + h), a, origin="centroid")
        for x, y, w, h, a in zip(
            rng.uniform(0, 2000, 60),
            rng.uniform(0, 2000, 60),
            rng.uniform(5, 300, 60),
            rng.uniform(5, 40, 60),
            rng.uniform(0, 180, 60),
            strict=True,
        )
    ]
    sites += [
        shapely.Polygon([(0, 0), (400, 0), (400, 50), (50, 50), (50, 400), (0, 400)]),
        shapely.LineString([(100, 1900), (900, 1200)]),
        shapely.Point(1000, 1000),
        shapely.Polygon(),
    ]
    site_frame = gpd.GeoDataFrame(geometry=sites, crs="EPSG:5514")
    pts = shapely.points(rng.uniform(-300, 2300, (3000, 2)))
    buildings = gpd.GeoDataFrame({"population": rng.integers(0, 5, 3000)}, geometry=pts, crs="EPSG:5514")
    out = demand_within(site_frame, buildings, radius_m=150, chunk_size=17)
    dist = shapely.distance(np.asarray(sites, dtype=object)[:, None], pts[None, :])
    within = np.nan_to_num(dist, nan=np.inf) <= 150
    assert out["buildings_within_150m"].tolist() == within.sum(axis=1).tolist()
    expected_people = (within * buildings["population"].to_numpy()[None, :]).sum(axis=1)
    np.testing.assert_allclose(out["population_within_150m"].to_numpy(), expected_people)
    assert out["buildings_within_150m"].iloc[-1] == 0  # the empty site
