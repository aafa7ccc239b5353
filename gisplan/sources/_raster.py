"""Raster bands through rasterio: whole bands or windows, with CRS and nodata honoured.

Values come back as ``float64`` with ``NaN`` where the raster has nodata (or
its mask says so); :meth:`RasterData.masked` gives the same as a masked array.
Only the GeoTIFF driver is allowed, so a user cannot point GDAL at a VRT.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gisplan.errors import InputError, MissingCRSError, UnreadableSourceError
from gisplan.sources._common import check_path

if TYPE_CHECKING:
    from affine import Affine
    from pyproj import CRS

#: The only GDAL raster driver rasterio may use to open user files.
RASTER_DRIVERS = "GTiff"


@dataclass(frozen=True)
class RasterData:
    """One band (or a window of it) with its georeferencing.

    Attributes
    ----------
    values
        Cell values, ``float64``, ``NaN`` where there is no data. [raster unit]
    transform
        Affine transform from (col, row) to x, y in ``crs``.
    crs
        The raster's CRS (never reprojected here).
    nodata
        The raster's declared nodata value, or ``None``.
    path
        The file read.
    band
        The band number (1-based).
    """

    values: np.ndarray[tuple[int, int], np.dtype[np.float64]]
    transform: Affine
    crs: CRS
    nodata: float | None
    path: Path
    band: int

    def masked(self) -> np.ma.MaskedArray[tuple[int, int], np.dtype[np.float64]]:
        """The values as a masked array (masked where there is no data)."""
        return np.ma.masked_invalid(self.values)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in ``crs`` units."""
        rows, cols = self.values.shape
        west, north = self.transform @ (0, 0)
        east, south = self.transform @ (cols, rows)
        return (min(west, east), min(south, north), max(west, east), max(south, north))


def _open(path: str | Path, band: int):  # type: ignore[no-untyped-def]  # rasterio has no type hints
    import rasterio
    from rasterio.errors import RasterioIOError

    checked = check_path(path)
    try:
        dataset = rasterio.open(checked, driver=RASTER_DRIVERS)
    except RasterioIOError as exc:
        msg = f"{checked}: cannot be read as a GeoTIFF ({exc}); convert the raster to GeoTIFF (gdal_translate)"
        raise UnreadableSourceError(msg) from exc
    if not 1 <= band <= dataset.count:
        dataset.close()
        msg = f"{checked}: has {dataset.count} band(s), not band {band}; choose a band from 1 to {dataset.count}"
        raise InputError(msg)
    if dataset.crs is None:
        dataset.close()
        msg = f"{checked}: the raster declares no CRS; set it with gdal_edit.py -a_srs EPSG:…"
        raise MissingCRSError(msg)
    return dataset


def _as_float(band_data: np.ma.MaskedArray) -> np.ndarray:
    values = np.ma.getdata(band_data).astype("float64")
    values[np.ma.getmaskarray(band_data)] = np.nan
    return values


def open_raster(path: str | Path, *, band: int = 1) -> RasterData:
    """Read a whole band.

    Parameters
    ----------
    path
        A local GeoTIFF.
    band
        Band number, 1-based.

    Returns
    -------
    RasterData
        Values [raster unit] with ``NaN`` for nodata, in the raster's own CRS.
    """
    from pyproj import CRS

    with _open(path, band) as dataset:
        data = dataset.read(band, masked=True)
        return RasterData(
            values=_as_float(data),
            transform=dataset.transform,
            crs=CRS.from_user_input(dataset.crs.to_wkt()),
            nodata=dataset.nodata,
            path=Path(path),
            band=band,
        )


def read_raster_window(
    path: str | Path,
    bounds: tuple[float, float, float, float],
    *,
    band: int = 1,
    crs: object | None = None,
) -> RasterData:
    """Read the cells of a band that cover ``bounds``.

    Parameters
    ----------
    path
        A local GeoTIFF.
    bounds
        (west, south, east, north) in ``crs`` units.
    band
        Band number, 1-based.
    crs
        CRS of ``bounds``; ``None`` means the raster's CRS. Bounds in another CRS are
        transformed (with densified edges) to the raster's CRS first.

    Returns
    -------
    RasterData
        The window's values [raster unit] with ``NaN`` for nodata, its transform and the raster's CRS.
        The window is clipped to the raster; a window that misses the raster entirely raises.
    """
    from pyproj import CRS
    from rasterio.warp import transform_bounds
    from rasterio.windows import Window, from_bounds

    from gisplan.crs import parse_crs

    west, south, east, north = bounds
    if not (west < east and south < north):
        msg = f"bounds {bounds} are not (west, south, east, north) with west < east and south < north"
        raise InputError(msg)
    with _open(path, band) as dataset:
        raster_crs = CRS.from_user_input(dataset.crs.to_wkt())
        if crs is not None and parse_crs(crs) != raster_crs:
            west, south, east, north = transform_bounds(
                parse_crs(crs).to_wkt(), dataset.crs, west, south, east, north, densify_pts=21
            )
        left, bottom, right, top = dataset.bounds
        if west >= right or east <= left or south >= top or north <= bottom:
            msg = f"{path}: the bounds {bounds} do not overlap the raster (extent {tuple(dataset.bounds)})"
            raise InputError(msg)
        exact = from_bounds(west, south, east, north, transform=dataset.transform)
        # every cell the bounds touch: floor the start, ceil the end
        col0, row0 = math.floor(exact.col_off), math.floor(exact.row_off)
        col1, row1 = math.ceil(exact.col_off + exact.width), math.ceil(exact.row_off + exact.height)
        window = Window(col0, row0, col1 - col0, row1 - row0).intersection(Window(0, 0, dataset.width, dataset.height))
        data = dataset.read(band, window=window, masked=True)
        return RasterData(
            values=_as_float(data),
            transform=dataset.window_transform(window),
            crs=raster_crs,
            nodata=dataset.nodata,
            path=Path(path),
            band=band,
        )


__all__ = ["RASTER_DRIVERS", "RasterData", "open_raster", "read_raster_window"]
