"""The written GeoTIFFs and the preview PNG."""

from __future__ import annotations

import numpy as np
import rasterio
from rasterio.crs import CRS

from gisplan.demo import EXTENT
from gisplan.demo._catalogue import FILES
from gisplan.demo._rasters import NODATA
from tests.demo.conftest import Built


def test_rasters_are_georeferenced_float32(full_build: Built) -> None:
    cells = {"dem": 50.0, "slope": 50.0, "ghi": 100.0}
    for key, cell in cells.items():
        with rasterio.open(full_build.summary.out_dir / FILES[key]) as src:
            assert src.crs == CRS.from_epsg(5514), key
            assert src.res == (cell, cell), key
            assert tuple(src.bounds) == EXTENT, key
            assert src.dtypes == ("float32",), key
            assert src.nodata == NODATA, key
            assert src.compression is not None, key


def test_value_ranges(full_build: Built) -> None:
    out = full_build.summary.out_dir
    with rasterio.open(out / FILES["ghi"]) as src:
        ghi = src.read(1, masked=True)
        assert src.units == ("kWh/m2/yr",)
    assert ghi.min() >= 1000.0 and ghi.max() <= 1200.0
    assert ghi.max() - ghi.min() > 50.0  # terrain shows in it
    with rasterio.open(out / FILES["dem"]) as src:
        dem = src.read(1, masked=True)
    assert dem.min() >= 200.0 and dem.max() <= 800.0
    assert dem.max() - dem.min() > 300.0
    with rasterio.open(out / FILES["slope"]) as src:
        slope = src.read(1, masked=True)
        assert src.units == ("degrees",)
    assert slope.min() >= 0.0 and slope.max() < 45.0
    # slope is the DEM's gradient
    d_row, d_col = np.gradient(dem.filled(np.nan).astype(float), 50.0)
    np.testing.assert_allclose(slope[100, 100], np.degrees(np.arctan(np.hypot(d_row, d_col)))[100, 100], atol=0.01)


def test_preview_is_a_colour_png(small_build: Built) -> None:
    import warnings

    from rasterio.errors import NotGeoreferencedWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(small_build.summary.out_dir / FILES["preview"]) as src:
            assert src.driver == "PNG"
            assert (src.count, src.width, src.height) == (3, 1000, 1000)
            rgb = src.read()
    colours = (rgb[0].astype(np.int64) << 16) | (rgb[1].astype(np.int64) << 8) | rgb[2]
    assert len(np.unique(colours)) > 100  # a map, not a blank canvas
