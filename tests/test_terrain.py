"""Slope and aspect from a DEM (issue 13, part 3): a hand-computed plane, numpy.gradient on real terrain."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Geod
from rasterio.transform import from_origin

from gisplan.cli import main
from gisplan.errors import InputError
from gisplan.terrain import NODATA, slope_aspect

#: A plane rising 0.10 m per m to the east and 0.05 m per m to the north.
EAST, NORTH = 0.10, 0.05
PLANE_SLOPE_DEG = math.degrees(math.atan(math.hypot(EAST, NORTH)))  # 6.379°
PLANE_ASPECT_DEG = math.degrees(math.atan2(-EAST, -NORTH)) % 360  # faces west-south-west: 243.43°


def _read(path: Path) -> np.ndarray:
    with rasterio.open(path) as src:
        assert src.nodata == NODATA
        return np.where(src.read(1) == NODATA, np.nan, src.read(1).astype(float))


def _write_dem(path: Path, z: np.ndarray, *, transform: object, crs: str, nodata: float | None = None) -> Path:
    profile = {"driver": "GTiff", "width": z.shape[1], "height": z.shape[0], "count": 1, "dtype": "float32"}
    with rasterio.open(path, "w", **profile, crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(z.astype(np.float32), 1)
    return path


@pytest.mark.parametrize("method", ["horn", "zevenbergen_thorne"])
def test_plane_in_utm_with_a_nodata_hole(tmp_path: Path, method: str) -> None:
    cell, rows, cols = 10.0, 9, 7
    x0, y0 = 600_000.0, 5_170_000.0
    xs = x0 + (np.arange(cols) + 0.5) * cell
    ys = y0 - (np.arange(rows) + 0.5) * cell
    z = 500 + EAST * (xs[None, :] - x0) + NORTH * (ys[:, None] - y0)
    z[4, 3] = -32768
    dem = _write_dem(
        tmp_path / "plane.tif", z, transform=from_origin(x0, y0, cell, cell), crs="EPSG:32632", nodata=-32768
    )
    result = slope_aspect(dem, tmp_path, method=method, block_rows=2)  # type: ignore[arg-type]
    slope, aspect = _read(result.slope_path), _read(result.aspect_path)
    hole = np.zeros_like(slope, dtype=bool)
    hole[4, 3] = True
    assert np.isnan(slope[hole]).all() and np.isnan(aspect[hole]).all()
    # every other cell, edges and the hole's neighbours included, has the plane's slope and aspect
    assert np.allclose(slope[~hole], PLANE_SLOPE_DEG, atol=1e-4)
    assert np.allclose(aspect[~hole], PLANE_ASPECT_DEG, atol=1e-3)
    assert result.nodata_cells == 1
    assert result.cell_size_m == (10.0, 10.0)
    with rasterio.open(result.slope_path) as src, rasterio.open(dem) as ref:
        assert src.crs == ref.crs and src.transform == ref.transform and src.shape == ref.shape


def test_flat_ground_has_no_aspect(tmp_path: Path) -> None:
    dem = _write_dem(
        tmp_path / "flat.tif", np.full((5, 5), 230.0), transform=from_origin(0, 0, 50, 50), crs="EPSG:5514"
    )
    result = slope_aspect(dem, tmp_path)
    assert (_read(result.slope_path) == 0).all()
    assert np.isnan(_read(result.aspect_path)).all()
    assert result.flat_cells == 25


@pytest.fixture(scope="module")
def vinschgau(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, Path, Path]:
    path = shared_data / "raster" / "elev_vinschgau.tif"
    with rasterio.open(path) as src:
        z = src.read(1, masked=True).astype(float).filled(np.nan)
    return z, path, tmp_path_factory.mktemp("vinschgau")


def test_real_dem_equals_numpy_gradient(vinschgau: tuple[np.ndarray, Path, Path]) -> None:
    z, path, out = vinschgau
    assert z.shape == (194, 252)  # SOURCES.md: 252 × 194 cells at 250 m, EPSG:32632
    result = slope_aspect(path, out, method="zevenbergen_thorne", block_rows=17)
    slope, aspect = _read(result.slope_path), _read(result.aspect_path)
    drow, dcol = np.gradient(z, 250.0, 250.0)  # rows run south: north gradient = -drow
    expected = np.degrees(np.arctan(np.hypot(dcol, drow)))
    expected_aspect = np.degrees(np.arctan2(-dcol, drow)) % 360
    known = np.isfinite(expected)  # cells whose gradient neighbours all have data
    assert known.sum() > 0.95 * z.size
    assert np.nanmax(np.abs(slope[known] - expected[known])) < 1e-3
    turn = np.abs(aspect[known] - expected_aspect[known])
    assert np.nanmax(np.minimum(turn, 360 - turn)) < 1e-2
    assert np.isnan(slope[np.isnan(z)]).all()
    assert result.nodata_cells == int(np.isnan(z).sum())
    assert 40 < result.slope_max_deg < 60  # alpine valley sides at 250 m resolution


def test_real_dem_horn_close_to_gradient_and_windows_do_not_matter(vinschgau: tuple[np.ndarray, Path, Path]) -> None:
    z, path, out = vinschgau
    whole = _read(slope_aspect(path, out, block_rows=10_000).slope_path)
    windowed = _read(slope_aspect(path, out, block_rows=5).slope_path)
    assert np.array_equal(np.isnan(whole), np.isnan(windowed))
    assert np.nanmax(np.abs(whole - windowed)) == 0
    drow, dcol = np.gradient(z, 250.0, 250.0)
    central = np.degrees(np.arctan(np.hypot(dcol, drow)))
    both = np.isfinite(central) & np.isfinite(whole)
    # Horn's 3×3 weights smooth a little more than central differences: close, not equal
    assert np.median(np.abs(whole[both] - central[both])) < 2.0
    assert abs(whole[both].mean() - central[both].mean()) < 1.0
    assert np.corrcoef(whole[both], central[both])[0, 1] > 0.95
    # and exactly Horn's kernel inside the grid (scipy's correlate as the independent reference)
    from scipy.ndimage import correlate

    kernel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]) / (8 * 250.0)
    east, south = correlate(z, kernel, mode="nearest"), correlate(z, kernel.T, mode="nearest")
    horn = np.degrees(np.arctan(np.hypot(east, south)))
    inner = np.zeros_like(z, dtype=bool)
    inner[1:-1, 1:-1] = True
    inner &= np.isfinite(horn)
    assert inner.sum() > 0.9 * z.size
    assert np.max(np.abs(whole[inner] - horn[inner])) < 1e-3


def test_geographic_dem_uses_metres_per_row_and_keeps_nodata(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "raster" / "lux_elev.tif"
    with rasterio.open(path) as src:
        z = src.read(1, masked=True).astype(float).filled(np.nan)
        t = src.transform
    result = slope_aspect(path, tmp_path, method="zevenbergen_thorne", block_rows=11)
    slope = _read(result.slope_path)
    assert np.array_equal(np.isnan(slope), np.isnan(z))  # nodata −32768 kept, nothing else lost
    assert result.nodata_cells == int(np.isnan(z).sum()) > 0
    # cell sizes on WGS84 at the middle row, against geodesic distances between cell centres
    geod = Geod(ellps="WGS84")
    row = z.shape[0] // 2
    lat = t.f + (row + 0.5) * t.e
    width = geod.inv(6.0, lat, 6.0 + t.a, lat)[2]
    height = geod.inv(6.0, lat - t.e / 2, 6.0, lat + t.e / 2)[2]
    assert result.cell_size_m == pytest.approx((width, height), rel=1e-4)
    # one inner cell by hand: central differences over geodesic cell sizes of its own row
    rows, cols = np.nonzero(np.isfinite(slope))
    i, j = next((r, c) for r, c in zip(rows, cols, strict=True) if np.isfinite(z[r - 1 : r + 2, c - 1 : c + 2]).all())
    lat_i = t.f + (i + 0.5) * t.e
    dx = geod.inv(6.0, lat_i, 6.0 + t.a, lat_i)[2]
    dy = geod.inv(6.0, lat_i - t.e / 2, 6.0, lat_i + t.e / 2)[2]
    east, north = (z[i, j + 1] - z[i, j - 1]) / (2 * dx), (z[i - 1, j] - z[i + 1, j]) / (2 * dy)
    assert slope[i, j] == pytest.approx(math.degrees(math.atan(math.hypot(east, north))), abs=1e-3)
    assert 0 < np.nanmax(slope) < 20  # Luxembourg at ~1 km cells is gentle


def test_cli_writes_rasters_and_a_valid_catalogue(
    shared_data: Path, isolated_settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = isolated_settings / "terrain"
    out.mkdir()
    catalogue = isolated_settings / "terrain.yaml"
    dem = str(shared_data / "raster" / "elev_vinschgau.tif")
    assert main(["terrain", dem, "--out-dir", str(out), "--catalogue", str(catalogue)]) == 0
    printed = capsys.readouterr().out
    assert "48888 cells (250.0 m × 250.0 m)" in printed
    assert (out / "slope_deg.tif").is_file() and (out / "aspect_deg.tif").is_file()
    from gisplan.catalogue import validate_files

    parsed, problems = validate_files([catalogue], data_dir=isolated_settings)
    assert problems == []
    assert parsed.layers["terrain_slope"].source.path == "terrain/slope_deg.tif"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out-dir", "missing-folder"], "the output folder does not exist"),
        (["--out-dir", ".", "--method", "sobel"], "--method 'sobel' is not one of horn, zevenbergen_thorne"),
        (["--out-dir", ".", "--block-rows", "0"], "--block-rows must be at least 1"),
        (["--out-dir", ".", "--layer-prefix", "Bad Name"], "--layer-prefix 'Bad Name'"),
    ],
)
def test_cli_errors_are_one_line(
    shared_data: Path, isolated_settings: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    dem = str(shared_data / "raster" / "lux_elev.tif")
    assert main(["terrain", dem, *[str(isolated_settings / a) if a == "missing-folder" else a for a in args]]) != 0
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_rotated_grid_is_refused(tmp_path: Path) -> None:
    from affine import Affine

    dem = _write_dem(tmp_path / "rot.tif", np.ones((3, 3)), transform=Affine(10, 2, 0, 2, -10, 0), crs="EPSG:32632")
    with pytest.raises(InputError, match="rotated"):
        slope_aspect(dem, tmp_path)
