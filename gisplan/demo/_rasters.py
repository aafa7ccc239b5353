"""Writing the demo rasters (DEM, slope, GHI) and a PNG preview map.

The GeoTIFFs are float32, deflate-compressed with a floating-point predictor,
tiled, in EPSG:5514, with nodata set to -9999. The preview is a quick
rasterisation of the layers with rasterio, so it needs no plotting library.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import rasterio
import shapely
from numpy.typing import NDArray
from rasterio import features
from rasterio.errors import NotGeoreferencedWarning
from rasterio.transform import from_bounds, from_origin

from gisplan.demo._common import CRS, EXTENT, XMIN, YMAX

NODATA = -9999.0
Rgb = tuple[int, int, int]


def write_geotiff(path: Path, values: NDArray[np.float32], cell_m: float, *, description: str, unit: str) -> None:
    """Write one float32 band over the demo box to ``path``.

    Parameters
    ----------
    values
        North-up grid covering :data:`EXTENT`.
    cell_m
        Cell size. [m]
    description, unit
        Stored as the band description and unit metadata.
    """
    profile = {
        "driver": "GTiff",
        "width": values.shape[1],
        "height": values.shape[0],
        "count": 1,
        "dtype": "float32",
        "crs": CRS,
        "transform": from_origin(XMIN, YMAX, cell_m, cell_m),
        "nodata": NODATA,
        "compress": "deflate",
        "predictor": 3,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values.astype(np.float32), 1)
        dst.set_band_description(1, description)
        dst.set_band_unit(1, unit)
        dst.update_tags(GENERATOR="gisplan demo build", LICENCE="CC0 1.0, synthetic data")


def _hillshade(dem: NDArray[np.float32], cell_m: float) -> NDArray[np.float64]:
    d_row, d_col = np.gradient(dem.astype(float), cell_m)
    # light from the north-west, 45 degrees up
    shade = (-d_col * 0.5 + d_row * 0.5 + 1.0) / np.sqrt(d_row**2 + d_col**2 + 1.0)
    return np.asarray(np.clip(shade, 0.0, 1.2), dtype=float)


class Preview:
    """An RGB canvas over ``bounds`` (EPSG:5514) that layers are painted onto."""

    def __init__(
        self, dem: NDArray[np.float32], dem_cell_m: float, *, bounds: Sequence[float] = EXTENT, size: int = 1000
    ):
        self.bounds = tuple(bounds)
        self.size = size
        self.transform = from_bounds(*self.bounds, size, size)
        px = (self.bounds[2] - self.bounds[0]) / size
        # sample the hillshade at pixel centres
        cols = ((self.bounds[0] + px * (np.arange(size) + 0.5)) - EXTENT[0]) // dem_cell_m
        rows = (EXTENT[3] - (self.bounds[3] - px * (np.arange(size) + 0.5))) // dem_cell_m
        n = dem.shape[0]
        shade = _hillshade(dem, dem_cell_m)[np.clip(rows, 0, n - 1).astype(int)][:, np.clip(cols, 0, n - 1).astype(int)]
        base = np.array([226.0, 232.0, 208.0])
        self.rgb = np.clip(shade[..., None] * base, 0, 255)

    def paint(
        self, geoms: Iterable[shapely.Geometry], colour: Rgb, *, alpha: float = 1.0, outline: bool = False
    ) -> None:
        """Blend ``geoms`` onto the canvas in ``colour``; ``outline`` paints polygon rings only."""
        shapes = [shapely.boundary(g) if outline else g for g in geoms if g is not None and not g.is_empty]
        if not shapes:
            return
        mask = features.rasterize(shapes, out_shape=(self.size, self.size), transform=self.transform, all_touched=True)
        sel = mask.astype(bool)
        self.rgb[sel] = (1.0 - alpha) * self.rgb[sel] + alpha * np.array(colour, dtype=float)

    def save(self, path: Path) -> None:
        """Write the canvas as an RGB PNG."""
        data = np.round(self.rgb).astype(np.uint8).transpose(2, 0, 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(
                path, "w", driver="PNG", width=self.size, height=self.size, count=3, dtype="uint8"
            ) as dst:
                dst.write(data)
