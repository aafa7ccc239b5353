"""Raster bands and windows: nodata, CRS and windows (in-code GeoTIFF and the real Luxembourg DEM)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio
from rasterio.transform import from_origin
from rasterio.windows import Window

from gisplan.errors import InputError, MissingCRSError, UnreadableSourceError
from gisplan.sources import open_raster, read_raster_window


def _write_tif(path: Path, *, crs: str | None = "EPSG:5514", nodata: float | None = -9999) -> np.ndarray:
    data = np.arange(100, dtype="float32").reshape(10, 10)
    data[0, 0] = -9999
    data[5, 5] = -9999
    with rasterio.open(
        path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
        crs=crs, transform=from_origin(-773_500, -999_000, 100, 100), nodata=nodata,
    ) as dst:  # fmt: skip
        dst.write(data, 1)
    return data


def test_open_raster_honours_nodata(tmp_path: Path) -> None:
    path = tmp_path / "dem.tif"
    _write_tif(path)
    band = open_raster(path)
    assert band.values.dtype == np.float64
    assert np.isnan(band.values).sum() == 2
    assert np.isnan(band.values[0, 0]) and np.isnan(band.values[5, 5])
    assert band.masked().count() == 98
    assert band.nodata == -9999
    assert band.crs.to_epsg() == 5514
    assert band.bounds == pytest.approx((-773_500, -1_000_000, -772_500, -999_000))


def test_window_in_other_crs_and_clipping(tmp_path: Path) -> None:
    path = tmp_path / "dem.tif"
    data = _write_tif(path)
    window = read_raster_window(path, (-773_450, -999_450, -773_050, -999_050))
    # rows 0-4, cols 0-4 are touched by the bounds (cells of 100 m)
    assert window.values.shape == (5, 5)
    assert np.nanmax(window.values) == data[4, 4]
    assert np.isnan(window.values[0, 0])
    clipped = read_raster_window(path, (-774_000, -999_250, -773_250, -998_000))
    assert clipped.values.shape == (3, 3)
    assert clipped.bounds == pytest.approx((-773_500, -999_300, -773_200, -999_000))
    with pytest.raises(InputError, match="do not overlap"):
        read_raster_window(path, (0, 0, 10, 10))
    with pytest.raises(InputError, match="west < east"):
        read_raster_window(path, (10, 0, 0, 10))
    with pytest.raises(InputError, match="band 2"):
        open_raster(path, band=2)


def test_raster_without_crs_and_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.tif"
    _write_tif(path, crs=None)
    with pytest.raises(MissingCRSError, match="declares no CRS"):
        open_raster(path)
    broken = tmp_path / "broken.tif"
    broken.write_bytes(b"II*\x00garbage")
    with pytest.raises(UnreadableSourceError, match="GeoTIFF"):
        open_raster(broken)
    vrt = tmp_path / "dem.vrt"
    vrt.write_text("<VRTDataset/>")
    with pytest.raises(UnreadableSourceError, match="vrt"):
        open_raster(vrt)


def test_lux_elevation_zonal_windows(shared_data: Path) -> None:
    tif = shared_data / "raster" / "lux_elev.tif"
    cantons = pyogrio.read_dataframe(shared_data / "raster" / "lux.shp")
    whole = open_raster(tif)
    assert np.isnan(whole.values).sum() == 3942  # cells outside Luxembourg are nodata (-32768)
    assert np.nanmin(whole.values) == 141 and np.nanmax(whole.values) == 547
    with rasterio.open(tif) as src:
        for canton in cantons.itertuples():
            bounds = canton.geometry.bounds
            window = read_raster_window(tif, bounds)
            (row0, col0), (row1, col1) = (src.index(bounds[0], bounds[3]), src.index(bounds[2], bounds[1]))
            raw = src.read(1, window=Window.from_slices((row0, row1 + 1), (col0, col1 + 1)))
            assert window.values.shape == raw.shape
            assert np.isnan(window.values).sum() == (raw == -32768).sum()
            assert not (window.values == -32768).any()
            assert 141 <= np.nanmean(window.values) <= 547
            assert np.nanmean(window.values) == pytest.approx(raw[raw != -32768].mean())
    # the same canton window asked in UTM 31N covers at least the same cells
    canton = cantons.iloc[0]
    utm_bounds = tuple(cantons.iloc[[0]].to_crs(32631).total_bounds)
    in_utm = read_raster_window(tif, utm_bounds, crs="EPSG:32631")
    assert in_utm.values.size >= read_raster_window(tif, canton.geometry.bounds).values.size
