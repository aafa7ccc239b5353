"""Buildings and people within a radius."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.affinity

from gisplan.measurements.demand import allocate_population, assign_municipality, demand_within

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


def _munis(*boxes: tuple[float, float, float, float], pops: list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kod_obce": [str(i) for i in range(len(boxes))], "nazev_obce": "X", "pocet_obyv": pops},
        geometry=[shapely.box(*b) for b in boxes],
        crs=CRS,
    )


def test_allocate_population_by_floor_area() -> None:
    munis = _munis((0, 0, 1000, 1000), pops=[300])
    buildings = gpd.GeoDataFrame(
        {"floors": [1, 2, 1]},
        geometry=[shapely.box(10, 10, 20, 20), shapely.box(900, 900, 910, 910), shapely.box(5000, 0, 5010, 10)],
        crs=CRS,
    )
    pop = allocate_population(buildings, munis, floors_column="floors")
    # outside every municipality: not available (NaN), no longer 0
    assert pop.tolist()[:2] == pytest.approx([100.0, 200.0])
    assert np.isnan(pop.iloc[2])


def test_dwellings_first_and_totals_per_municipality() -> None:
    munis = _munis((0, 0, 1000, 1000), (1000, 0, 2000, 1000), pops=[90, 40])
    buildings = gpd.GeoDataFrame(
        # RÚIAN ZpusobVyuzitiKod: 7 rodinný dům, 3 objekt k bydlení (dwellings), 13 zemědělská stavba
        {"zpusob_vyuziti_kod": [7, 3, 13, 13, 13], "pocet_podlazi": [2, None, 1, 1, 1]},
        geometry=[
            shapely.box(100, 100, 110, 110),
            shapely.box(800, 800, 810, 810),
            shapely.box(500, 500, 560, 560),  # a large barn among dwellings gets nobody
            shapely.box(1100, 100, 1110, 110),  # the second municipality has no dwelling:
            shapely.box(1800, 800, 1820, 810),  # its population goes to all its buildings
        ],
        crs=CRS,
    )
    pop = allocate_population(buildings, munis)
    assert pop.tolist() == pytest.approx([60.0, 30.0, 0.0, 40.0 / 3, 80.0 / 3])
    assert pop.iloc[:3].sum() == pytest.approx(90.0)
    assert pop.iloc[3:].sum() == pytest.approx(40.0)


def test_each_building_in_one_municipality_even_where_boundaries_overlap() -> None:
    # generalised boundaries overlap by 100 m; the building straddling them counts once
    munis = _munis((0, 0, 1050, 1000), (950, 0, 2000, 1000), pops=[100, 100])
    buildings = gpd.GeoDataFrame(
        geometry=[shapely.box(960, 400, 1040, 410), shapely.box(200, 200, 210, 210), shapely.box(1500, 200, 1510, 210)],
        crs=CRS,
    )
    assert assign_municipality(buildings, munis).tolist() == [0, 0, 1]
    pop = allocate_population(buildings, munis)
    assert pop.sum() == pytest.approx(200.0)
    assert pop.iloc[2] == pytest.approx(100.0)


def test_a_neighbour_the_layer_barely_reaches_gets_no_allocation() -> None:
    # Děčany's buildings layer catches one barn inside the generalised Třebívlice boundary:
    # before, that barn got all 839 inhabitants of Třebívlice.
    munis = _munis((0, 0, 2000, 2000), (2000, 0, 6000, 4000), pops=[394, 839])
    rng = np.random.default_rng(3)
    xy = rng.uniform(100, 1900, (40, 2))
    boxes = [shapely.box(x, y, x + 10, y + 10) for x, y in xy] + [shapely.box(2001, 1000, 2021, 1020)]
    buildings = gpd.GeoDataFrame(geometry=boxes, crs=CRS)
    pop = allocate_population(buildings, munis)
    assert pop.iloc[:40].sum() == pytest.approx(394.0)
    assert np.isnan(pop.iloc[40])
    assert np.nansum(pop) <= 394.0 + 1e-9


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
