"""CRS and place: the short CRS list, the region check and the municipality check.

When a file declares no CRS the user picks one of :data:`CRS_CHOICES`; those
that would put the data inside the municipality are offered first. Coordinates
that land outside the region, or that would land inside it with x and y
swapped, get "looks like swapped axes or a wrong CRS". A site must then lie in
the submitting municipality: one that only crosses the border (within
``border_tolerance_m``) is accepted and flagged for the animator; one beyond it
is refused. Without a known boundary for the code the municipality check is
skipped with a warning, but the region check still runs: on the bounds of all
municipalities given, else on the region the layer catalogue covers
(:func:`gisplan.intake._boundaries.catalogue_region`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS

from gisplan import crs as gcrs
from gisplan.errors import InputError, Problem
from gisplan.intake._types import IntakeLimits, reject

if TYPE_CHECKING:
    import geopandas as gpd

ObjArray = np.ndarray[Any, np.dtype[np.object_]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

#: The short list offered when a file declares no CRS: code and label.
CRS_CHOICES: tuple[tuple[str, str], ...] = (
    ("EPSG:5514", "S-JTSK / Krovak East North (Czech cadastre, RÚIAN)"),
    ("EPSG:4326", "WGS 84 longitude/latitude (GPS, web maps)"),
    ("EPSG:32633", "WGS 84 / UTM zone 33N"),
    ("EPSG:32634", "WGS 84 / UTM zone 34N"),
    ("EPSG:3035", "ETRS89 / LAEA Europe"),
    ("EPSG:27700", "OSGB 1936 / British National Grid"),
)
#: How far outside the region's municipalities data may lie before it counts as "outside the region" [m].
REGION_MARGIN_M = 20_000.0
SWAPPED_HINT = "looks like swapped axes or a wrong CRS"
#: Projected coordinates beyond this are no place on Earth [m].
MAX_PROJECTED_M = 1e8


@dataclass(frozen=True)
class Boundary:
    """The submitting municipality and the region around it, in EPSG:4326 and in the working CRS."""

    code: str
    #: The municipality's outline in lon/lat [degrees], or ``None`` when the code is unknown.
    lonlat: shapely.Geometry | None
    #: Bounds of every municipality given (the region) in lon/lat [degrees], or ``None``.
    region_lonlat: tuple[float, float, float, float] | None


def find_boundary(
    municipalities: gpd.GeoDataFrame | None,
    code: str,
    *,
    code_column: str = "kod_obce",
    region: tuple[float, float, float, float] | None = None,
) -> Boundary:
    """Look the municipality up by code; an unknown code (or no frame) gives no outline.

    ``region`` (lon/lat bounds [degrees]) is the region used when no municipalities are given.
    """
    if municipalities is None or municipalities.empty:
        return Boundary(code, None, region)
    if municipalities.crs is None:
        msg = "the municipality boundaries have no CRS; read them with gisplan.sources.read_layer"
        raise reject(msg, "crs_missing")
    if code_column not in municipalities.columns:
        columns = ", ".join(str(c) for c in municipalities.columns)
        msg = f"the municipality boundaries have no {code_column!r} column (they have {columns}); pass code_column="
        raise InputError(msg)
    west, south, east, north = (float(v) for v in municipalities.total_bounds)
    region = gcrs.transformer(municipalities.crs, gcrs.WGS84).transform_bounds(west, south, east, north)
    hit = municipalities[municipalities[code_column].astype(str) == str(code)].to_crs(gcrs.WGS84)
    shape = shapely.union_all(hit.geometry.to_numpy()) if not hit.empty else None
    return Boundary(code, shape, (region[0], region[1], region[2], region[3]))


def choices_for(geoms: ObjArray, boundary: Boundary) -> tuple[str, ...]:
    """CRS codes of :data:`CRS_CHOICES`, those that put the data inside the municipality first."""
    codes = [code for code, _ in CRS_CHOICES]
    if boundary.lonlat is None:
        return tuple(codes)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    centre = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
    fits = []
    for code in codes:
        with np.errstate(all="ignore"):
            lon, lat = gcrs.transformer(code, gcrs.WGS84).transform(*centre)
        if np.isfinite(lon) and np.isfinite(lat) and shapely.dwithin(boundary.lonlat, shapely.Point(lon, lat), 0.05):
            fits.append(code)
    return tuple(fits + [c for c in codes if c not in fits])


def to_lonlat(geoms: ObjArray, source: CRS, rows: IntArray, *, label: str) -> ObjArray:
    """Geometries in EPSG:4326; refuse coordinates outside the CRS's valid range.

    Raises
    ------
    UploadRejectedError
        ``bad_coordinates`` (e.g. 1e300, or lon/lat out of ±180/±90) or ``outside_region``
        (outside the area the CRS is made for).
    """
    if not source.is_geographic:
        # no projection of the Earth reaches 1e8 m; PROJ may still map such values to some lon/lat
        coords, index = shapely.get_coordinates(geoms, return_index=True)
        beyond = np.unique(index[(np.abs(coords) > MAX_PROJECTED_M).any(axis=1)])
        if len(beyond):
            problems = [Problem(label, f"feature {rows[i]}", "coordinates beyond any place on Earth") for i in beyond]
            msg = f"{label}: coordinates out of range for {source.name}; check the CRS and the coordinate columns"
            raise reject(msg, "bad_coordinates", problems=problems[:100])
    tr = gcrs.transformer(source, gcrs.WGS84)
    with np.errstate(all="ignore"):
        out = shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    coords, index = shapely.get_coordinates(out, return_index=True)
    lon, lat = coords[:, 0], coords[:, 1]
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    bad = np.unique(index[~ok])
    if len(bad):
        problems = [Problem(label, f"feature {rows[i]}", "coordinates out of range") for i in bad[:100]]
        msg = (
            f"{label}: coordinates are not valid in {source.name} ({len(bad)} features); {SWAPPED_HINT}? "
            "Check the CRS and the order of the coordinate columns"
        )
        raise reject(msg, "bad_coordinates", problems=problems)
    area = source.area_of_use
    if area is not None and not source.is_geographic:
        w, s, e, n = area.bounds
        margin = 2.0
        x0, y0, x1, y1 = shapely.total_bounds(out)
        if x0 < w - margin or x1 > e + margin or y0 < s - margin or y1 > n + margin:
            msg = (
                f"{label}: the coordinates lie outside the area {source.name} is made for "
                f"(lon {w:.1f}…{e:.1f}, lat {s:.1f}…{n:.1f}); {SWAPPED_HINT}. Choose the right CRS or swap x and y"
            )
            raise reject(msg, "outside_region")
    return np.asarray(out, dtype=object)


def _swap(geoms: ObjArray) -> ObjArray:
    return np.asarray(shapely.transform(geoms, lambda xy: xy[:, ::-1].copy()), dtype=object)


def check_region(lonlat: ObjArray, boundary: Boundary, *, label: str) -> None:
    """Refuse data far outside the region's municipalities ("looks like swapped axes or a wrong CRS").

    Raises
    ------
    UploadRejectedError
        ``outside_region``.
    """
    if boundary.region_lonlat is None:
        return
    w, s, e, n = boundary.region_lonlat
    margin = REGION_MARGIN_M / 111_000.0
    region = shapely.box(w - margin, s - margin, e + margin, n + margin)
    outside = ~shapely.covered_by(lonlat, region)  # a spike out of the region is as wrong as a far site
    if not outside.any():
        return
    swapped_inside = bool(shapely.intersects(_swap(lonlat[outside]), region).all())
    hint = f"x and y (lon/lat) seem swapped: {SWAPPED_HINT}" if swapped_inside else SWAPPED_HINT
    x0, y0, x1, y1 = shapely.total_bounds(lonlat[outside])
    unknown = (
        f" (no boundary is known for municipality {boundary.code}, so the region's bounds were used)"
        if boundary.lonlat is None
        else ""
    )
    msg = (
        f"{label}: {int(outside.sum())} shapes lie outside the region{unknown} (lon {x0:.3f}…{x1:.3f}, "
        f"lat {y0:.3f}…{y1:.3f}, but the region spans lon {w:.2f}…{e:.2f}, lat {s:.2f}…{n:.2f}); {hint}. "
        "Swapped lat/lon? Check the order of the coordinate columns and the CRS, or submit "
        "the site where it lies"
    )
    raise reject(msg, "outside_region")


def working_crs(lonlat: ObjArray) -> CRS:
    """The working CRS for data with these lon/lat shapes (GISPLAN_WORKING_CRS when set)."""
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(lonlat))
    return gcrs.working_crs_for_bounds(x0, y0, x1, y1)


def inside_shares(
    geoms: ObjArray, rows: IntArray, boundary: shapely.Geometry, *, label: str, limits: IntakeLimits
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Share of each site inside the municipality [0–1] (points: 1 or 0), both in the working CRS.

    Raises
    ------
    UploadRejectedError
        ``outside_municipality``, listing every site that lies wholly outside the boundary by more
        than ``limits.border_tolerance_m``.
    """
    shapely.prepare(boundary)
    areas = shapely.area(geoms)
    polygonal = areas > 0
    shares = np.where(shapely.covers(boundary, geoms), 1.0, 0.0)
    if polygonal.any():
        inter = shapely.area(shapely.intersection(geoms[polygonal], boundary))
        shares[polygonal] = np.clip(inter / areas[polygonal], 0.0, 1.0)
    far = (shares == 0) & ~shapely.dwithin(geoms, boundary, limits.border_tolerance_m)
    if far.any():
        distances = shapely.distance(geoms[far], boundary)
        problems = [
            Problem(label, f"feature {rows[i]}", f"{d:,.0f} m outside the municipality")
            for i, d in zip(np.flatnonzero(far)[:100], distances[:100], strict=False)
        ]
        msg = (
            f"{label}: {int(far.sum())} sites lie outside the municipality you submit for; submit them for the "
            "municipality they lie in, or check the CRS:"
        )
        raise reject(msg, "outside_municipality", problems=problems)
    return np.asarray(shares, dtype=np.float64)


__all__ = [
    "CRS_CHOICES",
    "SWAPPED_HINT",
    "Boundary",
    "check_region",
    "choices_for",
    "find_boundary",
    "inside_shares",
    "to_lonlat",
    "working_crs",
]
