"""Geometry checks: presence, type, finite coordinates, validity and repair.

Sites are points or polygons. A geometry that is missing altogether (a CSV row
without coordinates) is left out with a warning; one that is present but
empty, of another type or with non-finite coordinates is refused. Invalid
polygons (a bow-tie, a self-touching ring) are repaired with
:func:`shapely.make_valid` (``structure`` method, polygonal parts kept) and
flagged, so the user confirms the repaired shape before it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from gisplan.errors import Problem
from gisplan.intake._types import IntakeLimits, reject

#: Geometry types a site may have.
ALLOWED_TYPES = ("Point", "MultiPoint", "Polygon", "MultiPolygon")
ObjArray = np.ndarray[Any, np.dtype[np.object_]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class Checked:
    """Geometries that passed the presence, type and coordinate checks."""

    geoms: ObjArray
    #: Row/feature numbers (1-based) of the kept geometries.
    rows: IntArray
    #: Row numbers left out because they hold no geometry at all.
    dropped: tuple[int, ...]


def _type_hint(type_name: str) -> str:
    if "LineString" in type_name:
        return "lines are not sites; draw or export the site's outline as a polygon"
    return f"use points or polygons ({type_name} is not accepted)"


def check_presence(geoms: ObjArray, rows: IntArray, *, label: str) -> Checked:
    """Refuse empty geometries, other types and non-finite coordinates; drop missing ones.

    Raises
    ------
    UploadRejectedError
        ``no_geometry``, ``empty_geometry``, ``bad_geometry_type`` or ``bad_coordinates``, listing
        every offending row.
    """
    missing = shapely.is_missing(geoms)
    if missing.all():
        msg = f"{label}: no feature has a geometry; give coordinates (lat/lon, WKT) or draw the site"
        raise reject(msg, "no_geometry")
    kept, kept_rows = geoms[~missing], rows[~missing]
    problems: list[tuple[str, Problem]] = []
    empty = shapely.is_empty(kept)
    types = shapely.get_type_id(kept)
    names = np.array(
        [
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        ]
    )
    for i in np.flatnonzero(empty):
        problems.append(("empty_geometry", Problem(label, f"feature {kept_rows[i]}", "the geometry is empty")))
    for i in np.flatnonzero(~empty):
        type_name = str(names[types[i]]) if 0 <= types[i] < len(names) else "unknown"
        if type_name not in ALLOWED_TYPES:
            problems.append(("bad_geometry_type", Problem(label, f"feature {kept_rows[i]}", _type_hint(type_name))))
    coords, index = shapely.get_coordinates(kept, include_z=False, return_index=True)
    bad = np.unique(index[~np.isfinite(coords).all(axis=1)])
    for i in bad:
        where = f"feature {kept_rows[i]}"
        problems.append(("bad_coordinates", Problem(label, where, "coordinates are infinite or not numbers")))
    if problems:
        msg = f"{label}: some shapes cannot be used as sites; fix them and upload again:"
        raise reject(msg, problems[0][0], problems=[p for _, p in problems])
    return Checked(kept, kept_rows, tuple(int(r) for r in rows[missing]))


def check_counts(geoms: ObjArray, rows: IntArray, *, label: str, limits: IntakeLimits) -> None:
    """Feature and vertex caps, for shapes that did not pass through the parsing child (drawings)."""
    if len(geoms) > limits.max_features:
        msg = f"{label}: {len(geoms):,} shapes, more than {limits.max_features:,}; submit fewer sites at once"
        raise reject(msg, "too_many_features")
    counts = shapely.get_num_coordinates(geoms)
    if len(counts) and int(counts.max()) > limits.max_vertices_per_feature:
        worst = int(np.argmax(counts))
        msg = (
            f"{label}: feature {rows[worst]} has {int(counts[worst]):,} vertices, more than "
            f"{limits.max_vertices_per_feature:,}; simplify the shape"
        )
        raise reject(msg, "too_many_vertices")
    if int(counts.sum()) > limits.max_vertices:
        msg = f"{label}: {int(counts.sum()):,} vertices together, more than {limits.max_vertices:,}; simplify them"
        raise reject(msg, "too_many_vertices")


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of a repaired geometry (lines and points that collapsed out are dropped)."""
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def repair(geoms: ObjArray, rows: IntArray, *, label: str) -> tuple[ObjArray, list[str | None]]:
    """Repair invalid polygons in a metric CRS; return the shapes and a note per repaired shape.

    Raises
    ------
    UploadRejectedError
        ``unrepairable`` when nothing of a shape's area is left after repair.
    """
    valid = shapely.is_valid(geoms)
    out = geoms.copy()
    notes: list[str | None] = [None] * len(geoms)
    problems: list[Problem] = []
    for i in np.flatnonzero(~valid):
        reason = shapely.is_valid_reason(geoms[i])
        fixed = _polygonal(shapely.make_valid(geoms[i], method="structure", keep_collapsed=False))
        if shapely.is_empty(fixed) or fixed.area <= 0:
            problems.append(Problem(label, f"feature {rows[i]}", f"invalid shape ({reason}) with no area left"))
            continue
        n_parts = shapely.get_num_geometries(fixed)
        notes[i] = (
            f"invalid shape ({reason}); repaired into {n_parts} part{'s' if n_parts != 1 else ''} of "
            f"{fixed.area:,.0f} m² in total; check the repaired shape"
        )
        out[i] = fixed
    if problems:
        msg = f"{label}: some shapes are invalid and cannot be repaired; redraw them:"
        raise reject(msg, "unrepairable", problems=problems)
    return out, notes


__all__ = ["ALLOWED_TYPES", "Checked", "check_counts", "check_presence", "repair"]
