"""Nearest distance: hand-computed cases and agreement with a brute-force search."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan.criteria.proximity import nearest_distance
from gisplan.errors import CRSError, InputError

CRS = "EPSG:5514"


def frame(*geoms: shapely.Geometry, crs: str = CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs)


def test_site_exactly_250_m_from_a_substation() -> None:
    site = frame(shapely.box(-100, 0, 0, 100))
    substations = frame(shapely.Point(250, 50), shapely.Point(900, 900))
    out = nearest_distance(site, substations, name="substation")
    assert out.name == "dist_substation_m"
    assert out.iloc[0] == pytest.approx(250.0)


def test_distance_to_a_long_line_is_measured_to_its_interior() -> None:
    # the nearest point of the road is far from its vertices, which lie 5 km away
    road = frame(shapely.LineString([(-5000, 300), (5000, 300)]))
    out = nearest_distance(frame(shapely.box(0, 0, 10, 10)), road, name="road", densify_m=10_000)
    assert out.iloc[0] == pytest.approx(290.0)


def test_touching_crossing_and_inside_are_zero() -> None:
    sites = frame(shapely.box(0, 0, 10, 10), shapely.box(100, 100, 110, 110), shapely.Point(1000, 1000))
    layer = frame(
        shapely.LineString([(-5, 5), (20, 5)]),  # crosses site 0
        shapely.box(90, 90, 200, 200),  # holds site 1
        shapely.box(0, 500, 5000, 5000),  # holds the point
    )
    assert nearest_distance(sites, layer, name="x").tolist() == [0.0, 0.0, 0.0]


def test_search_radius_gives_nan_beyond_it() -> None:
    sites = frame(shapely.box(0, 0, 10, 10), shapely.box(0, 1000, 10, 1010))
    substations = frame(shapely.Point(0, -150))
    out = nearest_distance(sites, substations, name="substation", radius_m=200)
    assert out.iloc[0] == pytest.approx(150.0)
    assert np.isnan(out.iloc[1])


def test_empty_layer_gives_nan() -> None:
    out = nearest_distance(frame(shapely.box(0, 0, 1, 1)), frame(), name="road")
    assert np.isnan(out.iloc[0])


def test_matches_brute_force_on_random_data() -> None:
    rng = np.random.default_rng(11)
    xy = rng.uniform(0, 5000, (400, 2))
    sites = frame(*shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + rng.uniform(1, 40, 400), xy[:, 1] + 12))
    walks = rng.normal(0, 120, (15, 12, 2)).cumsum(axis=1) + rng.uniform(0, 5000, (15, 1, 2))
    roads = frame(*shapely.linestrings(walks), shapely.Point(2500, 2500).buffer(300))
    out = nearest_distance(sites, roads, name="road", densify_m=37.0).to_numpy()
    expected = np.array([min(shapely.distance(s, r) for r in roads.geometry) for s in sites.geometry])
    assert out == pytest.approx(expected, abs=1e-9)


def test_layer_in_another_crs_is_refused() -> None:
    with pytest.raises(CRSError, match="reproject"):
        nearest_distance(frame(shapely.box(0, 0, 1, 1)), frame(shapely.Point(14, 50), crs="EPSG:4326"), name="x")
    with pytest.raises(InputError, match="radius_m"):
        nearest_distance(frame(shapely.box(0, 0, 1, 1)), frame(shapely.Point(1, 1)), name="x", radius_m=-1)


def test_nearest_to_the_box_centre_is_not_always_nearest_to_the_site() -> None:
    # an L-shaped roof: its box centre (50, 50) lies outside it, 2 m from segment A but 40 m from the roof;
    # segment B is 71 m from the centre and 5 m from the roof
    roof = shapely.union(shapely.box(0, 0, 100, 10), shapely.box(0, 0, 10, 100))
    segments = frame(shapely.LineString([(50, 52), (52, 52)]), shapely.LineString([(105, 5), (106, 5)]))
    out = nearest_distance(frame(roof), segments, name="road", radius_m=500)
    assert out.iloc[0] == pytest.approx(5.0)
    assert nearest_distance(frame(roof), segments.iloc[:1], name="road").iloc[0] == pytest.approx(40.0)
