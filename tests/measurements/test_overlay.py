"""Exclusion shares: hand-computed cases, tiles, and points."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan.measurements.overlay import overlay_share

CRS = "EPSG:5514"


def frame(*geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=CRS)


def test_site_half_inside_a_protected_area() -> None:
    out = overlay_share(frame(shapely.box(0, 0, 100, 100)), frame(shapely.box(50, -500, 900, 500)), name="protected")
    assert out.name == "protected_share"
    assert out.iloc[0] == pytest.approx(0.5)


def test_overlapping_polygons_count_once() -> None:
    layer = frame(shapely.box(0, 0, 60, 100), shapely.box(40, 0, 80, 100))
    assert overlay_share(frame(shapely.box(0, 0, 100, 100)), layer, name="flood").iloc[0] == pytest.approx(0.8)


def test_sites_across_tile_edges_are_exact() -> None:
    zone = frame(shapely.Point(0, 0).buffer(1000, quad_segs=32))
    sites = frame(*[shapely.box(x, -40, x + 90, 50) for x in range(-1100, 1100, 70)])
    out = overlay_share(sites, zone, name="zone", tile_m=100.0).to_numpy()
    expected = shapely.area(shapely.intersection(sites.geometry.values, zone.geometry.iloc[0])) / 8100.0
    assert out == pytest.approx(expected, abs=1e-12)


def test_points_are_inside_or_not_and_empty_layer_is_zero() -> None:
    sites = frame(shapely.Point(5, 5), shapely.Point(50, 50), shapely.Point(10, 3))
    assert overlay_share(sites, frame(shapely.box(0, 0, 10, 10)), name="x").tolist() == [1.0, 0.0, 1.0]
    assert overlay_share(sites, frame(), name="x").tolist() == [0.0, 0.0, 0.0]


def test_random_sites_match_shapely() -> None:
    rng = np.random.default_rng(2)
    xy = rng.uniform(0, 3000, (300, 2))
    sites = frame(*shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + 60, xy[:, 1] + 35))
    blobs = shapely.buffer(shapely.points(rng.uniform(0, 3000, (6, 2))), rng.uniform(100, 700, 6))
    out = overlay_share(sites, frame(*blobs), name="p", tile_m=250.0).to_numpy()
    union = shapely.union_all(blobs)
    expected = shapely.area(shapely.intersection(sites.geometry.values, union)) / shapely.area(sites.geometry.values)
    assert out == pytest.approx(expected, abs=1e-12)
