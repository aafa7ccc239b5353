"""Zonal statistics: hand-computed tiny cases, and agreement with exactextract."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine

from gisplan.errors import InputError, SourceNotFoundError
from gisplan.measurements._coverage import Grid, cell_coverage
from gisplan.measurements.raster import RasterLayer, zonal_stats

CRS = "EPSG:5514"
#: A 10 m grid whose top-left corner is (0, 100): 10 rows, 10 columns.
TRANSFORM = Affine(10, 0, 0, 0, -10, 100)


def sites(*geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=CRS)


def layer(values: np.ndarray, nodata: float | None = None) -> RasterLayer:
    return RasterLayer(values, TRANSFORM, CRS, nodata)


def test_100m_square_on_constant_raster() -> None:
    raster = RasterLayer(np.full((50, 50), 1100.0), Affine(25, 0, -500, 0, -25, 500), CRS)
    out = zonal_stats(sites(shapely.box(0, 0, 100, 100)), raster, name="ghi", unit="kwh_m2_yr", percentile=90)
    row = out.iloc[0]
    assert row["ghi_mean_kwh_m2_yr"] == pytest.approx(1100.0)
    assert row["ghi_min_kwh_m2_yr"] == row["ghi_max_kwh_m2_yr"] == 1100.0
    assert row["ghi_p90_kwh_m2_yr"] == 1100.0
    assert row["ghi_covered_share"] == pytest.approx(1.0)


def test_half_cells_weigh_half() -> None:
    # values are the column index; the site covers half of column 0 and all of column 1 in one row
    values = np.tile(np.arange(10, dtype=float), (10, 1))
    out = zonal_stats(sites(shapely.box(5, 80, 20, 90)), layer(values), name="v", unit="u")
    assert out.loc[0, "v_mean_u"] == pytest.approx((0.5 * 0 + 1.0 * 1) / 1.5)
    assert out.loc[0, "v_min_u"] == 0.0
    assert out.loc[0, "v_max_u"] == 1.0


def test_half_outside_the_raster_is_half_covered() -> None:
    out = zonal_stats(sites(shapely.box(-50, 0, 50, 100)), layer(np.full((10, 10), 3.0)), name="v", unit="u")
    assert out.loc[0, "v_covered_share"] == pytest.approx(0.5)
    assert out.loc[0, "v_mean_u"] == pytest.approx(3.0)


def test_nodata_cells_are_left_out() -> None:
    values = np.full((10, 10), 2.0)
    values[0, 0] = -9999.0
    out = zonal_stats(sites(shapely.box(0, 90, 20, 100)), layer(values, nodata=-9999.0), name="v", unit="u")
    assert out.loc[0, "v_covered_share"] == pytest.approx(0.5)
    assert out.loc[0, "v_mean_u"] == pytest.approx(2.0)
    assert out.loc[0, "v_min_u"] == 2.0


def test_site_wholly_outside_gets_nan_share_too() -> None:
    out = zonal_stats(sites(shapely.box(500, 500, 510, 510)), layer(np.ones((10, 10))), name="v", unit="u")
    assert np.isnan(out.loc[0, "v_mean_u"])
    assert np.isnan(out.loc[0, "v_covered_share"])  # not known, rather than "0 % covered"


#: Sites with no valid cell under them (issue 11, point 1): every statistic is NaN, none raises.
NO_CELLS = {
    "wholly outside": shapely.box(500, 500, 510, 510),
    "outside, west of the raster": shapely.box(-300, 10, -200, 90),
    "point outside": shapely.Point(1e6, -1e6),
    "on nodata only": shapely.box(51, 91, 59, 99),
    "smaller than a nodata cell": shapely.box(52, 92, 52.5, 92.5),
    "empty polygon": shapely.Polygon(),
    "zero area": shapely.Polygon([(0, 0), (10, 10), (20, 20), (0, 0)]),
    "NaN coordinate": shapely.Polygon([(10, 10), (float("nan"), 20), (20, 20), (10, 10)]),
    "infinite coordinate": shapely.Polygon([(10, 10), (float("inf"), 20), (20, 20), (10, 10)]),
    "missing": None,
}


@pytest.mark.parametrize("percentile", [None, 0, 50, 90, 100])
@pytest.mark.parametrize("where", list(NO_CELLS))
def test_sites_without_cells_get_nan_for_every_statistic(where: str, percentile: float | None) -> None:
    values = np.arange(100, dtype=float).reshape(10, 10)
    values[0, 5] = -9999.0
    frame = sites(NO_CELLS[where], shapely.box(0, 0, 30, 30))
    with np.errstate(invalid="ignore"):
        out = zonal_stats(frame, layer(values, nodata=-9999.0), name="v", unit="u", percentile=percentile)
    assert out.iloc[0].isna().all(), out.iloc[0].to_dict()
    # the other site keeps its real values
    assert out.loc[1, "v_min_u"] == 70.0
    assert out.loc[1, "v_max_u"] == 92.0
    assert out.loc[1, "v_covered_share"] == pytest.approx(1.0)


@pytest.mark.parametrize("percentile", [None, 50])
def test_every_site_outside_gives_nan_not_an_error(percentile: float | None) -> None:
    frame = sites(shapely.Point(1e6, 1e6), shapely.box(500, 500, 600, 600), shapely.box(51, 91, 59, 99))
    out = zonal_stats(frame, layer(np.full((10, 10), 3.0), nodata=3.0), name="v", unit="u", percentile=percentile)
    assert out.isna().all().all()


def test_partly_outside_uses_the_cells_it_covers() -> None:
    values = np.tile(np.arange(10, dtype=float), (10, 1))
    out = zonal_stats(sites(shapely.box(-50, 80, 20, 90)), layer(values), name="v", unit="u", percentile=100)
    assert out.loc[0, "v_min_u"] == 0.0
    assert out.loc[0, "v_p100_u"] == out.loc[0, "v_max_u"] == 1.0
    assert out.loc[0, "v_covered_share"] == pytest.approx(2 / 7)


def test_a_site_far_larger_than_the_raster_is_cut_to_it() -> None:
    # without the cut, a 20,000 km square on a 10 m grid would need 4e12 cells
    huge = shapely.box(-1e7, -1e7, 1e7, 1e7)
    out = zonal_stats(sites(huge), layer(np.full((10, 10), 2.0)), name="v", unit="u", percentile=90)
    assert out.loc[0, "v_mean_u"] == 2.0
    assert out.loc[0, "v_p90_u"] == 2.0
    assert out.loc[0, "v_covered_share"] == pytest.approx(1e4 / 4e14)


def test_point_samples_its_cell() -> None:
    values = np.arange(100, dtype=float).reshape(10, 10)
    out = zonal_stats(sites(shapely.Point(35, 72)), layer(values), name="v", unit="u")
    # x=35 -> column 3, y=72 -> row 2
    assert out.loc[0, "v_mean_u"] == 23.0
    assert out.loc[0, "v_covered_share"] == 1.0


def test_percentile_is_coverage_weighted() -> None:
    values = np.zeros((10, 10))
    values[0, :4] = [1.0, 2.0, 3.0, 4.0]
    square = shapely.box(0, 90, 40, 100)  # four whole cells, 1..4
    out = zonal_stats(sites(square), layer(values), name="v", unit="u", percentile=50)
    assert out.loc[0, "v_p50_u"] == 2.0
    out = zonal_stats(sites(square), layer(values), name="v", unit="u", percentile=51)
    assert out.loc[0, "v_p51_u"] == 3.0


def test_coverage_sums_to_area_for_holes_and_multipolygons() -> None:
    ring = shapely.box(12, 12, 88, 88).difference(shapely.Point(50, 50).buffer(20))
    multi = shapely.MultiPolygon([shapely.box(1, 1, 9, 9), shapely.box(33.3, 41.7, 66.6, 58.2)])
    rotated = shapely.affinity.rotate(shapely.box(20, 20, 70, 45), 33)
    geoms = np.array([ring, multi, rotated], dtype=object)
    cov = cell_coverage(geoms, Grid.from_transform(TRANSFORM, 10, 10))
    covered = np.bincount(cov.owner, weights=cov.weight, minlength=3) * 100.0
    assert covered == pytest.approx(shapely.area(geoms), rel=1e-12)


def test_cell_coverage_matches_shapely_intersections() -> None:
    rng = np.random.default_rng(7)
    grid = Grid.from_transform(TRANSFORM, 10, 10)
    geoms = shapely.buffer(shapely.points(rng.uniform(10, 90, (30, 2))), rng.uniform(1, 25, 30), quad_segs=3)
    cov = cell_coverage(geoms, grid)
    for i, row, col, weight in zip(cov.owner, cov.row, cov.col, cov.weight, strict=True):
        cell = shapely.box(col * 10, 100 - (row + 1) * 10, (col + 1) * 10, 100 - row * 10)
        assert weight == pytest.approx(shapely.intersection(geoms[i], cell).area / 100.0, abs=1e-9)


def test_agrees_with_exactextract() -> None:
    exactextract = pytest.importorskip("exactextract")
    from exactextract.raster import NumPyRasterSource

    rng = np.random.default_rng(3)
    values = rng.uniform(900, 1200, (10, 10))
    frame = sites(*shapely.buffer(shapely.points(rng.uniform(5, 95, (200, 2))), rng.uniform(0.5, 30, 200)))
    ours = zonal_stats(frame, layer(values), name="v", unit="u", stats=("mean", "min", "max"))
    src = NumPyRasterSource(values, 0, 0, 100, 100, srs_wkt=frame.crs.to_wkt())
    theirs = exactextract.exact_extract(src, frame, ["mean", "min", "max"], output="pandas")
    rel = np.abs(ours["v_mean_u"].to_numpy() - theirs["mean"].to_numpy()) / theirs["mean"].to_numpy()
    assert rel.max() < 1e-6  # the target is 0.5 %
    assert np.array_equal(ours["v_min_u"].to_numpy(), theirs["min"].to_numpy())
    assert np.array_equal(ours["v_max_u"].to_numpy(), theirs["max"].to_numpy())


def test_chunks_give_the_same_answer() -> None:
    rng = np.random.default_rng(5)
    values = rng.uniform(0, 30, (10, 10))
    frame = sites(*shapely.box(*rng.uniform(0, 90, (2, 50)), *rng.uniform(91, 100, (2, 50))))
    whole = zonal_stats(frame, layer(values), name="v", unit="u")
    chunked = zonal_stats(frame, layer(values), name="v", unit="u", chunk_size=7)
    assert np.allclose(whole.to_numpy(), chunked.to_numpy(), equal_nan=True)


def test_reads_geotiff_windows_and_reprojects(tmp_path: Path) -> None:
    path = tmp_path / "slope.tif"
    values = np.tile(np.arange(20, dtype="float32"), (20, 1))
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=20,
        height=20,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=Affine(10, 0, -750_000, 0, -10, -999_800),
        nodata=-1,
    ) as dst:
        dst.write(values, 1)
    frame = sites(shapely.box(-749_900, -999_900, -749_890, -999_890))  # column 10
    assert zonal_stats(frame, path, name="slope", unit="deg").loc[0, "slope_mean_deg"] == pytest.approx(10.0)
    in_wgs84 = frame.to_crs("EPSG:4326")
    again = zonal_stats(in_wgs84, path, name="slope", unit="deg").loc[0, "slope_mean_deg"]
    assert again == pytest.approx(10.0, abs=1e-3)


def test_bad_inputs_say_what_to_do(tmp_path: Path) -> None:
    frame = sites(shapely.box(0, 0, 1, 1))
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        zonal_stats(frame, tmp_path / "missing.tif", name="v", unit="u")
    with pytest.raises(InputError, match="unknown zonal statistics"):
        zonal_stats(frame, layer(np.ones((10, 10))), name="v", unit="u", stats=("median",))
    rotated = RasterLayer(np.ones((10, 10)), Affine(10, 1, 0, 0, -10, 100), CRS)
    with pytest.raises(InputError, match="rotated"):
        zonal_stats(frame, rotated, name="v", unit="u")
