"""The intake checks for a geometry that is about to be stored, whoever calls.

Uploads and drawings pass :func:`gisplan.intake.check_upload` /
:func:`~gisplan.intake.check_drawing`; the store's own write paths (``submit_site``,
``update_submission``, ``resubmit``) may be called with any shape, from the app, the
CLI or a script. :func:`check_site_geometry` runs the same checks on such a shape:
present and not empty, a point or polygon, finite coordinates in the range of the
store's CRS, inside the region, valid (an invalid shape is refused: it must be
repaired and the repair confirmed through the intake first) and inside the
municipality or within the border tolerance. The region and the boundaries come
from the layer catalogue (:func:`gisplan.intake._boundaries.place_context`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from gisplan import crs as gcrs
from gisplan.intake import _place
from gisplan.intake._boundaries import PlaceContext, place_context
from gisplan.intake._geometry import check_counts, check_presence, repair
from gisplan.intake._types import IntakeLimits, reject


def _boundary(context: PlaceContext, code: str) -> _place.Boundary:
    found = context.lookups.get(code)
    if found is None:
        found = _place.find_boundary(
            context.municipalities, code, code_column=context.code_column, region=context.region_lonlat
        )
        if len(context.lookups) > 10_000:  # a hostile caller could try many codes
            context.lookups.clear()
        context.lookups[code] = found
    return found


def check_site_geometry(
    geom: Any,
    *,
    srid: int,
    municipality_code: str,
    label: str = "the site's shape",
    limits: IntakeLimits | None = None,
    context: PlaceContext | None = None,
) -> shapely.Geometry:
    """Check a site's shape given in EPSG:``srid`` before it is stored for ``municipality_code``.

    Parameters
    ----------
    geom
        The shape (shapely) in the store's CRS.
    srid
        EPSG code of the store's CRS.
    municipality_code
        The municipality the site is submitted for.
    label
        How messages name the shape.
    limits
        Vertex caps and border tolerance; default :class:`IntakeLimits`.
    context
        Boundaries and region; default those of the layer catalogue.

    Returns
    -------
    shapely.Geometry
        ``geom`` itself, checked.

    Raises
    ------
    UploadRejectedError
        ``no_geometry``, ``empty_geometry``, ``bad_geometry_type``, ``bad_coordinates``,
        ``too_many_vertices``, ``outside_region``, ``invalid_geometry``, ``unrepairable`` or
        ``outside_municipality``, with a message saying what to do.
    """
    limits = limits or IntakeLimits()
    if geom is None or not isinstance(geom, shapely.Geometry):
        msg = f"{label}: a site needs a shape (a point or a polygon); draw or upload it"
        raise reject(msg, "no_geometry")
    rows = np.array([1], dtype=np.int64)
    geoms = np.array([geom], dtype=object)
    checked = check_presence(geoms, rows, label=label)
    check_counts(geoms, rows, label=label, limits=limits)
    lonlat = _place.to_lonlat(checked.geoms, CRS.from_epsg(srid), rows, label=label)
    context = context or place_context()
    boundary = _boundary(context, municipality_code)
    _place.check_region(lonlat, boundary, label=label)
    target = _place.working_crs(lonlat)
    tr = gcrs.transformer(CRS.from_epsg(srid), target)
    with np.errstate(all="ignore"):
        work = np.asarray(
            shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))), dtype=object
        )
    if not shapely.is_valid(geom):
        _, notes = repair(work, rows, label=label)  # refuses with "unrepairable" when no area is left
        msg = (
            f"{label}: {notes[0]}. An invalid shape is not stored as it is; send it through the upload or "
            "drawing check, look at the repaired shape and confirm it"
        )
        raise reject(msg, "invalid_geometry")
    if boundary.lonlat is not None:
        outline = boundary_in(boundary, target)
        _place.inside_shares(work, rows, outline, label=label, limits=limits)
    return geom


def boundary_in(boundary: _place.Boundary, target: CRS) -> shapely.Geometry:
    """The municipality's outline in ``target``."""
    tr = gcrs.transformer(gcrs.WGS84, target)
    with np.errstate(all="ignore"):
        return shapely.transform(boundary.lonlat, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def check_submission_text(name: str, attributes: Any = None, *, label: str = "the submission") -> None:
    """Refuse a name or attributes holding NUL characters (no database text can hold them).

    Raises
    ------
    UploadRejectedError
        ``form_invalid``.
    """
    if _has_nul(name) or _has_nul(attributes):
        msg = f"{label}: the name or an attribute contains a NUL character (\\x00); remove it and submit again"
        raise reject(msg, "form_invalid")


__all__ = ["check_site_geometry", "check_submission_text"]
