"""Terrain: river, flood zones, slope and GHI functions."""

from __future__ import annotations

import numpy as np
import shapely

from gisplan.demo import EXTENT, DemoRegion
from gisplan.demo._terrain import DEM_CELL_M, ghi_kwh_m2_yr, slope_deg


def test_slope_of_a_plane() -> None:
    x = np.arange(20) * DEM_CELL_M
    plane = np.tile(x * np.tan(np.radians(30.0)), (20, 1)).astype(np.float32)  # rises 30 degrees eastwards
    slope = slope_deg(plane)
    np.testing.assert_allclose(slope, 30.0, atol=0.01)
    assert slope_deg(np.zeros((5, 5), dtype=np.float32)).max() == 0.0


def test_south_facing_slopes_get_more_sun() -> None:
    n = 400
    rows = np.arange(n)[:, None] * DEM_CELL_M
    # a ridge along the middle row: the northern half faces north, the southern half south
    ridge = (300.0 + 400.0 - 0.15 * np.abs(rows - n * DEM_CELL_M / 2)) * np.ones((1, n))
    flat = np.full((n, n), 300.0, dtype=np.float32)
    ghi_ridge = ghi_kwh_m2_yr(1, ridge.astype(np.float32))
    ghi_flat = ghi_kwh_m2_yr(1, flat)
    north_face, south_face = ghi_ridge[20:90], ghi_ridge[110:180]
    assert south_face.mean() > ghi_flat[110:180].mean() + 10
    assert north_face.mean() < ghi_flat[20:90].mean() - 10
    assert ghi_ridge.min() > 1000 and ghi_ridge.max() < 1200


def test_river_crosses_the_box_and_flood_zone_follows_it(small_region: DemoRegion) -> None:
    terrain = small_region.terrain
    x0, _y0, x1, _y1 = EXTENT
    rx, _ = shapely.get_coordinates(terrain.river).T
    assert rx.min() <= x0 + 1 and rx.max() >= x1 - 1
    flood = shapely.union_all(small_region.flood_zones.geometry.values)
    assert flood.intersection(terrain.river).length > 0.9 * terrain.river.length
    assert 2e6 < flood.area < 2e7  # a floodplain of 100-1000 m across
    assert (small_region.flood_zones["typ"] == "Q100").all()
    # the floodplain is the low ground: DEM inside it lies below the surrounding terrain
    dem = terrain.dem_m
    inside = shapely.contains_xy(flood, *_cell_centres(dem.shape[0]))
    assert np.median(dem.ravel()[inside.ravel()]) < np.median(dem) - 20


def _cell_centres(n: int) -> tuple[np.ndarray, np.ndarray]:
    xs = EXTENT[0] + DEM_CELL_M * (np.arange(n) + 0.5)
    ys = EXTENT[3] - DEM_CELL_M * (np.arange(n) + 0.5)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy
