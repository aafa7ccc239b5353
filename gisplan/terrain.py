"""Terrain from a DEM: slope and aspect rasters in degrees.

:func:`slope_aspect` reads a DEM GeoTIFF in windows of rows with a one-cell
halo, so a region's DEM never has to fit in memory, and writes ``slope_deg.tif``
and ``aspect_deg.tif`` on the DEM's grid (same CRS, transform and size) for the
catalogue (a ``raster`` source with ``unit: deg``).

- Gradients use Horn's 3×3 weights (Horn 1981, the default of ``gdaldem`` and
  ArcGIS), or the central differences of Zevenbergen & Thorne (1987), which equal
  :func:`numpy.gradient` inside the grid.
- Cell sizes are metric: a projected DEM's cell size in its linear unit converted
  to metres; a geographic DEM's cell width and height in metres per row, on its
  ellipsoid (prime-vertical radius × cos φ × Δλ east, meridional radius × Δφ north).
- A neighbour that is missing (outside the grid or nodata) is extrapolated
  linearly: a side one from the opposite side (``2·z₀ − z_opposite``, else ``z₀``),
  a corner one from the two sides next to it. Edge cells so get one-sided
  differences, as :func:`numpy.gradient` does at the edges, and a plane stays exact.
- A nodata cell of the DEM is nodata in both outputs; aspect is nodata where the
  ground is flat (slope 0), as its direction is undefined.
- Aspect is the compass direction the slope faces (downhill), clockwise from grid
  north: 0 north, 90 east, 180 south, 270 west.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from gisplan.errors import InputError, UnreadableSourceError

if TYPE_CHECKING:
    from affine import Affine
    from pyproj import CRS

Method = Literal["horn", "zevenbergen_thorne"]
METHODS: tuple[str, ...] = ("horn", "zevenbergen_thorne")
#: Value written where an output has no data.
NODATA = -9999.0
SLOPE_FILE = "slope_deg.tif"
ASPECT_FILE = "aspect_deg.tif"
#: Rows computed per window; with the halo, a window holds (rows + 2) × width cells.
DEFAULT_BLOCK_ROWS = 256

FloatGrid = NDArray[np.float64]


@dataclass(frozen=True)
class TerrainResult:
    """What :func:`slope_aspect` wrote.

    Attributes
    ----------
    slope_path, aspect_path
        The GeoTIFFs written. [deg]
    cells
        Cells of the grid.
    nodata_cells
        Cells without a DEM value (nodata in both outputs).
    flat_cells
        Cells with slope 0 (aspect nodata).
    cell_size_m
        Cell width and height [m]; for a geographic DEM, at its middle row.
    slope_max_deg
        Steepest slope. [deg]
    """

    slope_path: Path
    aspect_path: Path
    cells: int
    nodata_cells: int
    flat_cells: int
    cell_size_m: tuple[float, float]
    slope_max_deg: float


def geographic_cell_size_m(
    lat_deg: FloatGrid, dlon_deg: float, dlat_deg: float, crs: CRS
) -> tuple[FloatGrid, FloatGrid]:
    """Cell width and height [m] of a geographic grid at latitudes ``lat_deg``, on the CRS's ellipsoid.

    Width: prime-vertical radius N(φ) × cos φ × Δλ; height: meridional radius M(φ) × Δφ.
    """
    ellipsoid = crs.ellipsoid
    a = float(ellipsoid.semi_major_metre) if ellipsoid is not None else 6_378_137.0
    inv_f = float(ellipsoid.inverse_flattening) if ellipsoid is not None else 298.257223563
    e2 = 0.0 if inv_f == 0 else (2 - 1 / inv_f) / inv_f
    phi = np.radians(lat_deg)
    w = 1 - e2 * np.sin(phi) ** 2
    prime_vertical = a / np.sqrt(w)
    meridional = a * (1 - e2) / w**1.5
    return prime_vertical * np.cos(phi) * math.radians(abs(dlon_deg)), meridional * math.radians(abs(dlat_deg))


def _unit_factor(crs: CRS) -> float:
    """Metres per unit of a projected CRS's x axis."""
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return float(factor or 1.0)


def _shifted(padded: FloatGrid, di: int, dj: int) -> FloatGrid:
    rows, cols = padded.shape[0] - 2, padded.shape[1] - 2
    return padded[1 + di : rows + 1 + di, 1 + dj : cols + 1 + dj]


def _neighbours(padded: FloatGrid) -> dict[tuple[int, int], FloatGrid]:
    """The 8 neighbours of every inner cell of ``padded``, gaps filled so that a plane stays exact.

    A missing side neighbour becomes ``2·z₀ − z_opposite`` (else ``z₀``); a missing corner
    neighbour becomes ``z_row + z_col − z₀`` from the filled side neighbours.
    """
    centre = _shifted(padded, 0, 0)
    out: dict[tuple[int, int], FloatGrid] = {}
    for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        value = _shifted(padded, di, dj)
        filled = np.where(np.isnan(value), 2 * centre - _shifted(padded, -di, -dj), value)
        out[di, dj] = np.where(np.isnan(filled), centre, filled)
    for di in (-1, 1):
        for dj in (-1, 1):
            value = _shifted(padded, di, dj)
            out[di, dj] = np.where(np.isnan(value), out[di, 0] + out[0, dj] - centre, value)
    return out


def gradients(padded: FloatGrid, *, method: Method = "horn") -> tuple[FloatGrid, FloatGrid]:
    """dz/dcol and dz/drow [z unit per cell] of the inner cells of ``padded`` (a one-cell halo of NaN where unknown)."""
    n = _neighbours(padded)
    if method == "zevenbergen_thorne":
        return (n[0, 1] - n[0, -1]) / 2, (n[1, 0] - n[-1, 0]) / 2
    dcol = ((n[-1, 1] + 2 * n[0, 1] + n[1, 1]) - (n[-1, -1] + 2 * n[0, -1] + n[1, -1])) / 8
    drow = ((n[1, -1] + 2 * n[1, 0] + n[1, 1]) - (n[-1, -1] + 2 * n[-1, 0] + n[-1, 1])) / 8
    return dcol, drow


def slope_aspect_grid(
    padded: FloatGrid, dx_m: FloatGrid | float, dy_m: FloatGrid | float, *, method: Method = "horn"
) -> tuple[FloatGrid, FloatGrid]:
    """Slope and aspect [deg] of the inner cells of ``padded`` [m a.s.l.].

    ``dx_m``/``dy_m`` are the signed cell sizes [m] along columns (east positive) and rows
    (north positive: negative for a north-up grid), scalars or one value per inner row
    (shape ``(rows, 1)``). NaN where the centre is NaN; aspect NaN where the slope is 0.
    """
    dcol, drow = gradients(padded, method=method)
    east = dcol / dx_m
    north = drow / dy_m
    slope = np.degrees(np.arctan(np.hypot(east, north)))
    slope = np.where(np.isnan(padded[1:-1, 1:-1]), np.nan, slope)  # the DEM's nodata stays nodata
    aspect = np.degrees(np.arctan2(-east, -north)) % 360.0
    aspect = np.where(slope > 0, aspect, np.nan)  # NaN slope compares False: nodata too
    return slope, aspect


def _check_transform(transform: Affine, path: Path) -> None:
    if transform.b != 0 or transform.d != 0:
        msg = f"{path}: the DEM grid is rotated; warp it to a north-up grid first (gdalwarp)"
        raise InputError(msg)


def _cell_sizes(transform: Affine, crs: CRS, rows: NDArray[np.int64]) -> tuple[FloatGrid | float, FloatGrid | float]:
    """Signed cell sizes [m] for the given rows: east per column, north per row."""
    if crs.is_geographic:
        lat = transform.f + (rows.astype(float) + 0.5) * transform.e
        width, height = geographic_cell_size_m(lat, transform.a, transform.e, crs)
        sign_x, sign_y = math.copysign(1.0, transform.a), math.copysign(1.0, transform.e)
        return (sign_x * width)[:, None], (sign_y * height)[:, None]
    factor = _unit_factor(crs)
    return transform.a * factor, transform.e * factor


def slope_aspect(
    dem: str | Path,
    out_dir: str | Path,
    *,
    method: Method = "horn",
    block_rows: int = DEFAULT_BLOCK_ROWS,
    band: int = 1,
) -> TerrainResult:
    """Write ``slope_deg.tif`` and ``aspect_deg.tif`` [deg] for a DEM GeoTIFF [m].

    Parameters
    ----------
    dem
        A single-band DEM GeoTIFF in metres, north-up, in a projected CRS (any linear unit)
        or a geographic one (EPSG:4326…).
    out_dir
        An existing folder; the two files in it are replaced.
    method
        ``horn`` (default) or ``zevenbergen_thorne``.
    block_rows
        Rows computed per window (memory ≈ 10 × (rows + 2) × width × 8 bytes).
    band
        The DEM band.

    Returns
    -------
    TerrainResult
        The paths written and counts.

    Raises
    ------
    InputError
        For an unknown method, a missing folder, a rotated grid or a DEM without CRS.
    UnreadableSourceError
        If the DEM cannot be opened as a GeoTIFF.
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    from gisplan.sources import RASTER_DRIVERS, check_path

    if method not in METHODS:
        msg = f"unknown method {method!r}; use one of {', '.join(METHODS)}"
        raise InputError(msg)
    if block_rows < 1:
        msg = f"block_rows must be at least 1, not {block_rows}"
        raise InputError(msg)
    path = check_path(dem)
    folder = Path(out_dir)
    if not folder.is_dir():
        msg = f"{folder}: the output folder does not exist; create it first"
        raise InputError(msg)
    try:
        src = rasterio.open(path, driver=RASTER_DRIVERS)
    except RasterioIOError as exc:
        msg = f"{path}: cannot be opened as a GeoTIFF DEM ({exc})"
        raise UnreadableSourceError(msg) from exc
    with src:
        crs = _check_dem(src, path, band)
        slope_path, aspect_path = folder / SLOPE_FILE, folder / ASPECT_FILE
        profile = _output_profile(src.profile, src.width, src.height)
        with (
            rasterio.open(slope_path, "w", **profile) as slope_out,
            rasterio.open(aspect_path, "w", **profile) as aspect_out,
        ):
            stats = _write_windows(src, band, crs, (slope_out, aspect_out), method=method, block_rows=block_rows)
        dx_mid, dy_mid = _cell_sizes(src.transform, crs, np.array([src.height // 2]))
        return TerrainResult(
            slope_path=slope_path,
            aspect_path=aspect_path,
            cells=src.width * src.height,
            nodata_cells=int(stats["nodata"]),
            flat_cells=int(stats["flat"]),
            cell_size_m=(abs(float(np.ravel(dx_mid)[0])), abs(float(np.ravel(dy_mid)[0]))),
            slope_max_deg=stats["slope_max"],
        )


def _check_dem(src: Any, path: Path, band: int) -> CRS:
    """The DEM's CRS, after checking it has one, the band exists and the grid is north-up."""
    from pyproj import CRS

    if src.crs is None:
        msg = f"{path}: the DEM declares no CRS; assign one first (gdal_edit.py -a_srs EPSG:…)"
        raise InputError(msg)
    if not 1 <= band <= src.count:
        msg = f"{path}: no band {band}; the DEM has {src.count}"
        raise InputError(msg)
    _check_transform(src.transform, path)
    return CRS.from_user_input(src.crs.to_wkt())


def _output_profile(source: Any, width: int, height: int) -> dict[str, Any]:
    """GeoTIFF profile of the outputs: the DEM's grid, float32, nodata :data:`NODATA`, deflate."""
    profile = dict(source)
    profile.update(driver="GTiff", dtype="float32", count=1, nodata=NODATA, compress="deflate", tiled=False)
    profile.pop("blockxsize", None)
    profile.pop("blockysize", None)
    if width >= 256 and height >= 256:  # GeoTIFF tiles of 256 × 256 cells
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    return profile


def _write_windows(
    src: Any, band: int, crs: CRS, outputs: tuple[Any, Any], *, method: Method, block_rows: int
) -> dict[str, float]:
    """Compute and write slope and aspect window by window; return nodata and flat counts and the max slope."""
    from rasterio.windows import Window

    stats = {"nodata": 0.0, "flat": 0.0, "slope_max": 0.0}
    for top in range(0, src.height, block_rows):
        rows = min(block_rows, src.height - top)
        first, last = max(top - 1, 0), min(top + rows + 1, src.height)
        data = src.read(band, window=Window(0, first, src.width, last - first), masked=True)
        padded = np.full((rows + 2, src.width + 2), np.nan)
        offset = first - (top - 1)
        padded[offset : offset + last - first, 1 : src.width + 1] = np.ma.filled(data.astype(np.float64), np.nan)
        dx, dy = _cell_sizes(src.transform, crs, np.arange(top, top + rows))
        slope, aspect = slope_aspect_grid(padded, dx, dy, method=method)
        stats["nodata"] += int(np.isnan(slope).sum())
        stats["flat"] += int((slope == 0).sum())
        if np.isfinite(slope).any():
            stats["slope_max"] = max(stats["slope_max"], float(np.nanmax(slope)))
        window = Window(0, top, src.width, rows)
        for out, values in zip(outputs, (slope, aspect), strict=True):
            out.write(np.where(np.isnan(values), NODATA, values).astype(np.float32), 1, window=window)
    return stats


__all__ = [
    "ASPECT_FILE",
    "METHODS",
    "NODATA",
    "SLOPE_FILE",
    "TerrainResult",
    "geographic_cell_size_m",
    "gradients",
    "slope_aspect",
    "slope_aspect_grid",
]
