"""Zonal statistics of rasters under sites, weighted by exact cell coverage.

The mean, minimum, maximum, a percentile and the covered share of any raster
band (irradiation, slope, elevation…) under each polygon. Each cell counts with
the fraction of it that the polygon covers, computed exactly by the numpy
kernel in :mod:`gisplan.measurements._coverage` (the same quantity exactextract
computes). A point samples the cell it falls in.

Sites are processed in spatially sorted chunks, and only the raster window a
chunk touches is read, so a country-sized raster never has to fit in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from gisplan.crs import parse_crs, transformer
from gisplan.errors import InputError, SourceNotFoundError, UnreadableSourceError
from gisplan.measurements import as_geometry_array
from gisplan.measurements._coverage import Coverage, FloatArray, Grid, IntArray, cell_coverage, weighted_bincount

if TYPE_CHECKING:
    import geopandas as gpd

STATS = ("mean", "min", "max")
#: Sites per chunk; bounds the memory of one pass (about 1 KB per site).
CHUNK_SIZE = 200_000
#: Side of the tiles sites are sorted by before chunking. [cells]
SORT_TILE_CELLS = 256


@dataclass(frozen=True)
class RasterLayer:
    """One raster band held in memory.

    Attributes
    ----------
    values
        The band, rows from north to south. [the raster's unit]
    transform
        The affine transform of the band (north-up, not rotated).
    crs
        Its coordinate reference system.
    nodata
        The value that marks missing cells, if any. NaN is always missing.
    """

    values: NDArray[np.floating] | NDArray[np.integer]
    transform: object
    crs: object
    nodata: float | None = None


class _Band:
    """Windowed, boundless reads of one band as float64 with NaN for missing cells."""

    def __init__(self, raster: str | Path | RasterLayer, band: int) -> None:
        self._layer: RasterLayer | None = None
        self._dataset: Any = None
        if isinstance(raster, RasterLayer):
            if raster.values.ndim != 2:
                msg = f"RasterLayer.values must be 2-D (rows, cols), not shape {raster.values.shape}"
                raise InputError(msg)
            self._layer = raster
            height, width = raster.values.shape
            self.grid = Grid.from_transform(raster.transform, height, width)
            self.crs = parse_crs(raster.crs)
            self.nodata = raster.nodata
            return
        import rasterio
        from rasterio.errors import RasterioIOError

        path = Path(raster)
        if not path.exists():
            msg = f"raster {path} does not exist; check the layer's path"
            raise SourceNotFoundError(msg)
        try:
            dataset = rasterio.open(path)
        except RasterioIOError as exc:
            msg = f"cannot read raster {path}: {exc}"
            raise UnreadableSourceError(msg) from exc
        if band < 1 or band > dataset.count:
            dataset.close()
            msg = f"raster {path} has {dataset.count} band(s); band {band} does not exist"
            raise InputError(msg)
        if dataset.crs is None:
            dataset.close()
            msg = f"raster {path} declares no CRS; add one (gdal_edit.py -a_srs EPSG:5514)"
            raise UnreadableSourceError(msg)
        self._dataset = dataset
        self._band = band
        self.grid = Grid.from_transform(dataset.transform, dataset.height, dataset.width)
        self.crs = parse_crs(dataset.crs.to_wkt())
        self.nodata = dataset.nodatavals[band - 1]

    def values_at(self, rows: IntArray, cols: IntArray) -> FloatArray:
        """Values of cells ``(rows, cols)`` as float64; NaN outside the raster and for nodata.

        Only the window holding the cells inside the raster is read, in the
        band's own type; just the cells asked for are converted.
        """
        out = np.full(len(rows), np.nan)
        inside = (rows >= 0) & (rows < self.grid.height) & (cols >= 0) & (cols < self.grid.width)
        if not inside.any():
            return out
        r, c = rows[inside], cols[inside]
        r0, r1, c0, c1 = int(r.min()), int(r.max()) + 1, int(c.min()), int(c.max()) + 1
        if self._layer is not None:
            block = self._layer.values[r0:r1, c0:c1]
        else:
            from rasterio.windows import Window

            block = self._dataset.read(self._band, window=Window(c0, r0, c1 - c0, r1 - r0))
        values = block[r - r0, c - c0].astype(np.float64)
        if self.nodata is not None and not np.isnan(self.nodata):
            values[values == self.nodata] = np.nan
        out[inside] = values
        return out

    def close(self) -> None:
        if self._dataset is not None:
            self._dataset.close()


def _weighted_stats(
    cov: Coverage, values: FloatArray, n: int, stats: Sequence[str], percentile: float | None
) -> dict[str, FloatArray]:
    """Per-owner coverage-weighted statistics of ``values`` (one per coverage entry)."""
    valid = np.isfinite(values) & np.isfinite(cov.weight) & (cov.weight > 0)
    own, w, val = cov.owner[valid], cov.weight[valid], values[valid]
    wsum = weighted_bincount(own, w, n)
    out: dict[str, FloatArray] = {"covered": wsum}
    if len(own) == 0:
        # no valid cell under any site (all outside the raster or on nodata): nothing to index
        for key in ("mean", "min", "max", "pct"):
            out[key] = np.full(n, np.nan)
        return out
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean"] = np.where(wsum > 0, weighted_bincount(own, w * val, n) / wsum, np.nan)
    if percentile is None:
        if {"min", "max"} & set(stats) and len(own):
            # owners are sorted: each site's values are one run
            starts = np.flatnonzero(np.concatenate([[True], own[1:] != own[:-1]]))
            for name, ufunc in (("min", np.minimum), ("max", np.maximum)):
                res = np.full(n, np.nan)
                res[own[starts]] = ufunc.reduceat(val, starts)
                out[name] = res
        return out
    order = np.lexsort((val, own))
    own, w, val = own[order], w[order], val[order]
    present = wsum > 0
    count = np.bincount(own, minlength=n)
    first = np.cumsum(count) - count
    last = first + count - 1
    for name, idx in (("min", first), ("max", last)):
        res = np.full(n, np.nan)
        res[present] = val[idx[present]]
        out[name] = res
    if percentile is not None:
        # smallest value whose cumulative covered share reaches the percentile
        cum = np.cumsum(w)
        base = np.where(first > 0, cum[np.clip(first - 1, 0, len(cum) - 1)], 0.0)
        share = (cum - base[own]) / np.where(wsum[own] > 0, wsum[own], 1.0)
        reached = share >= percentile / 100.0 - 1e-12
        pos = np.arange(len(own))
        cand = np.where(reached, pos, np.iinfo(np.int64).max)
        pick = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(pick, own, cand)
        res = np.full(n, np.nan)
        ok = present & (pick < len(own))
        res[ok] = val[pick[ok]]
        out["pct"] = res
    return out


def _chunks(geoms: NDArray[np.object_], grid: Grid, chunk_size: int) -> list[IntArray]:
    """Positions of the sites in spatially compact chunks."""
    n = len(geoms)
    if n <= chunk_size:
        return [np.arange(n, dtype=np.int64)]
    bounds = shapely.bounds(geoms)
    tile = SORT_TILE_CELLS
    cx = np.nan_to_num(((bounds[:, 0] + bounds[:, 2]) / 2 - grid.x0) / (grid.dx * tile))
    cy = np.nan_to_num((grid.y0 - (bounds[:, 1] + bounds[:, 3]) / 2) / (grid.dy * tile))
    order = np.lexsort((np.floor(cx), np.floor(cy))).astype(np.int64)
    return [order[i : i + chunk_size] for i in range(0, n, chunk_size)]


def zonal_stats(
    sites: gpd.GeoDataFrame | gpd.GeoSeries,
    raster: str | Path | RasterLayer,
    *,
    name: str,
    unit: str,
    stats: Sequence[str] = STATS,
    percentile: float | None = None,
    band: int = 1,
    chunk_size: int = CHUNK_SIZE,
) -> pd.DataFrame:
    """Coverage-weighted statistics of a raster band under each site.

    Parameters
    ----------
    sites
        Sites in any declared CRS (normally the working CRS); they are
        reprojected to the raster's CRS when it differs.
    raster
        A GeoTIFF path or a :class:`RasterLayer`.
    name
        Prefix of the output columns, e.g. ``ghi``.
    unit
        Unit suffix of the output columns, e.g. ``kwh_m2_yr``.
    stats
        Any of ``mean``, ``min`` and ``max``.
    percentile
        Also give this percentile [0–100] of the coverage-weighted distribution:
        the smallest cell value whose cumulative covered share reaches it.
    band
        Band number, from 1.
    chunk_size
        Sites per pass.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``sites``, with ``{name}_{stat}_{unit}`` for each stat
        [raster unit], ``{name}_p{percentile}_{unit}`` and
        ``{name}_covered_share``: the share of the site's area covered by
        valid (not nodata) cells [0–1]. A site without any valid cell (wholly outside the
        raster, on nodata only, or without a usable shape) gets NaN in every column, the
        covered share included; a site partly outside gets the statistics of the cells it
        covers and its covered share.
    """
    bad = sorted(set(stats) - set(STATS))
    if bad:
        msg = f"unknown zonal statistics {bad}; choose from {list(STATS)}"
        raise InputError(msg)
    if percentile is not None and not 0.0 <= percentile <= 100.0:
        msg = f"percentile must be between 0 and 100, not {percentile}"
        raise InputError(msg)
    reader = _Band(raster, band)
    try:
        geoms = _in_raster_crs(sites, reader.crs)
        n = len(geoms)
        cols: dict[str, FloatArray] = {k: np.full(n, np.nan) for k in (*stats, "pct", "covered")}
        with np.errstate(invalid="ignore", over="ignore"):
            area = np.where(shapely.get_dimensions(geoms) == 2, shapely.area(geoms) / reader.grid.cell_area, 1.0)
        geoms = _on_grid(geoms, reader.grid)
        for chunk in _chunks(geoms, reader.grid, chunk_size):
            cov = cell_coverage(geoms[chunk], reader.grid)
            if len(cov.owner) == 0:
                continue
            values = reader.values_at(cov.row, cov.col)
            res = _weighted_stats(cov, values, len(chunk), stats, percentile)
            for key, arr in res.items():
                if key in cols:
                    cols[key][chunk] = arr
    finally:
        reader.close()
    with np.errstate(invalid="ignore", divide="ignore"):
        covered = np.where(area > 0, np.clip(cols["covered"] / area, 0.0, 1.0), np.nan)
    index = sites.index
    out = pd.DataFrame({f"{name}_{stat}_{unit}": cols[stat] for stat in stats}, index=index)
    if percentile is not None:
        out[f"{name}_p{percentile:g}_{unit}"] = cols["pct"]
    # no valid cell at all (outside the raster, on nodata, or no usable shape): not known, never 0
    out[f"{name}_covered_share"] = np.where(np.isfinite(covered) & (covered > 0), covered, np.nan)
    return out


def _on_grid(geoms: NDArray[np.object_], grid: Grid) -> NDArray[np.object_]:
    """The shapes cut to the raster's extent (plus a cell); missing, empty or non-finite ones become ``None``.

    Cells outside the raster hold no value, so cutting changes no statistic; it keeps a site
    far larger than the raster (or far from it) from costing a cell for every cell of its bounds.
    """
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore", over="ignore"):
        usable = np.isfinite(bounds).all(axis=1) & np.isfinite(shapely.length(geoms))
    out = np.array(geoms, dtype=object)
    out[~usable] = None
    x0, x1 = grid.x0 - grid.dx, grid.x0 + (grid.width + 1) * grid.dx
    y0, y1 = grid.y0 - (grid.height + 1) * grid.dy, grid.y0 + grid.dy
    beyond = usable & ((bounds[:, 0] < x0) | (bounds[:, 1] < y0) | (bounds[:, 2] > x1) | (bounds[:, 3] > y1))
    if beyond.any():
        try:
            cut = shapely.clip_by_rect(out[beyond], x0, y0, x1, y1)
        except shapely.errors.GEOSException:  # an invalid shape GEOS cannot clip: one by one, repaired
            cut = np.array([_clip_one(g, (x0, y0, x1, y1)) for g in out[beyond]], dtype=object)
        out[beyond] = np.where(shapely.is_empty(cut) | shapely.is_missing(cut), None, cut)
    return np.asarray(out, dtype=object)


def _clip_one(geom: shapely.Geometry, box: tuple[float, float, float, float]) -> shapely.Geometry | None:
    """One shape cut to ``box``; repaired first if GEOS refuses it, ``None`` if nothing helps."""
    try:
        return shapely.clip_by_rect(geom, *box)
    except shapely.errors.GEOSException:
        try:
            return shapely.intersection(shapely.make_valid(geom), shapely.box(*box))
        except shapely.errors.GEOSException:
            return None


def _in_raster_crs(sites: gpd.GeoDataFrame | gpd.GeoSeries, raster_crs: object) -> NDArray[np.object_]:
    geoms = as_geometry_array(sites.geometry)
    if sites.crs is None:
        msg = "the sites have no CRS; declare one before computing raster statistics"
        raise InputError(msg)
    src = parse_crs(sites.crs)
    if src == raster_crs:
        return geoms
    tr = transformer(src, raster_crs)
    return np.asarray(
        shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))), dtype=object
    )


def sample_points(
    x: FloatArray,
    y: FloatArray,
    raster: str | Path | RasterLayer,
    *,
    band: int = 1,
) -> FloatArray:
    """Values of the cells holding points ``(x, y)`` given in the raster's CRS; NaN outside or nodata."""
    reader = _Band(raster, band)
    try:
        grid = reader.grid
        cols = np.floor((np.asarray(x) - grid.x0) / grid.dx).astype(np.int64)
        rows = np.floor((grid.y0 - np.asarray(y)) / grid.dy).astype(np.int64)
        return reader.values_at(rows, cols)
    finally:
        reader.close()


__all__ = ["RasterLayer", "sample_points", "zonal_stats"]
