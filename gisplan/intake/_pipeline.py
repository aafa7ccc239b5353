"""The intake pipeline: bytes or a drawing in, checked sites in the working CRS out.

Order of the checks (each refusal raises
:class:`~gisplan.errors.UploadRejectedError` and stores nothing):

1. the file name is no GDAL ``/vsi`` path, the size is under the cap;
2. the type is sniffed from the bytes (:mod:`._sniff`); zips are checked and
   unpacked under our own names (:mod:`._zip`), KML goes through defusedxml
   (:mod:`._kml`), GeoPackages through a read-only schema check (:mod:`._gpkg`);
3. the layer is parsed in a limited child process with one GDAL driver
   (:mod:`._sandbox`), which also caps features and vertices;
4. geometries: present, points or polygons, finite (:mod:`._geometry`);
5. CRS: declared, chosen by the user, or refused with a short list; coordinates
   in range and in the region (:mod:`._place`); reprojected to the working CRS;
6. invalid shapes repaired and flagged for confirmation;
7. place: inside the submitting municipality, or flagged when crossing its border.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gisplan import crs as gcrs
from gisplan.errors import CRSError
from gisplan.intake import _place
from gisplan.intake._geometry import check_counts, check_presence, repair
from gisplan.intake._gpkg import check_gpkg
from gisplan.intake._kml import check_kml
from gisplan.intake._sandbox import parse_in_child
from gisplan.intake._sniff import is_vsi_name, sniff, suffix_of
from gisplan.intake._types import MB, IntakeLimits, IntakeResult, IntakeWarning, reject
from gisplan.intake._zip import open_zip

if TYPE_CHECKING:
    import geopandas as gpd

_SUFFIX = {"zip": ".zip", "gpkg": ".gpkg", "geojson": ".geojson", "kml": ".kml", "csv": ".csv"}
#: Columns of :attr:`IntakeResult.sites` that the file's own attributes must not overwrite.
RESULT_COLUMNS = (
    "site_no",
    "name",
    "geometry_type",
    "area_m2",
    "repaired",
    "repair_note",
    "inside_share",
    "crosses_border",
)
_HEAD = 8192


def _label(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:120] or "the upload"


def check_upload(
    data: bytes,
    filename: str,
    *,
    municipality_code: str,
    municipalities: gpd.GeoDataFrame | None,
    crs: str | None = None,
    layer: str | None = None,
    limits: IntakeLimits | None = None,
    code_column: str = "kod_obce",
    region: tuple[float, float, float, float] | None = None,
) -> IntakeResult:
    """Check an uploaded file and return its sites in the working CRS.

    Parameters
    ----------
    data
        The file's bytes (GeoJSON, zipped Shapefile, GeoPackage, KML, or CSV with lat/lon or WKT).
    filename
        The name the user gave it; used in messages only, never opened.
    municipality_code
        Code of the submitting municipality (kód obce, e.g. ``"564729"``).
    municipalities
        Municipal boundaries of the region (any CRS) with a ``code_column``; ``None``, or a frame
        without the code, skips the municipality check with a warning. Data outside the region
        (the bounds of all municipalities, else ``region``) is refused all the same.
    crs
        The CRS the user chose for data that declare none (one of :data:`CRS_CHOICES`, or any
        code pyproj knows).
    layer
        Layer of a multi-layer file (GeoPackage, KML) or stem of the member of a multi-layer zip.
    limits
        Caps; default :class:`IntakeLimits` (upload size from ``GISPLAN_MAX_UPLOAD_MB``).
    code_column
        Column of ``municipalities`` holding the codes.
    region
        Lon/lat bounds of the region [degrees] for when ``municipalities`` is ``None``; default the
        region the layer catalogue covers (:func:`gisplan.intake._boundaries.catalogue_region`).

    Returns
    -------
    IntakeResult
        The sites, the shapes before repair, and warnings (repaired shapes, border crossings,
        rows without coordinates, place not checked).

    Raises
    ------
    UploadRejectedError
        With a ``reason`` code and a message saying what was wrong and what to do.
    """
    limits = limits or IntakeLimits()
    label = _label(filename)
    if is_vsi_name(filename):
        msg = f"{filename!r}: GDAL virtual paths (/vsi…) are not accepted as file names; upload the file itself"
        raise reject(msg, "vsi_path")
    cap = limits.max_upload_bytes()
    if len(data) > cap:
        msg = f"{label}: {len(data) / MB:.1f} MB is more than the {cap / MB:.0f} MB limit; upload a smaller file"
        raise reject(msg, "too_large")
    boundary = _boundary(municipalities, municipality_code, code_column, region)
    kind = sniff(data[:_HEAD], label, filename=filename)
    with tempfile.TemporaryDirectory(prefix="gisplan-intake-") as tmp:
        work = Path(tmp)
        path = work / f"upload{_SUFFIX.get(kind) or suffix_of(kind)}"
        path.write_bytes(data)
        gdal_layer = layer
        if kind == "zip":
            unpacked = work / "zip"
            unpacked.mkdir()
            content = open_zip(path, unpacked, label=label, layer=layer, limits=limits)
            label = f"{label} ({content.member})"
            if layer is not None and Path(content.member).stem == layer:
                gdal_layer = None
            path, kind = content.path, "shapefile"
            if content.kind == "inner":
                kind = sniff(content.path.read_bytes()[:_HEAD], label)
                if kind == "zip":
                    msg = f"{label}: a zip inside a zip is not accepted; upload the inner archive itself"
                    raise reject(msg, "zip_unsafe")
                path = content.path.rename(content.path.with_suffix(_SUFFIX.get(kind) or suffix_of(kind)))
        if kind == "kml":
            check_kml(path, label=label)
        elif kind == "gpkg":
            check_gpkg(path, label=label, limits=limits)
        raw = parse_in_child(
            path, kind, label=label, layer=gdal_layer, crs=crs if kind == "csv" else None, limits=limits
        )
    table = raw.table
    try:
        geoms = shapely.from_wkb(table.column("__wkb").to_numpy(zero_copy_only=False), on_invalid="raise")
    except shapely.errors.GEOSException as exc:
        msg = f"{label}: a geometry could not be decoded ({exc}); export the file again"
        raise reject(msg, "parse_failed") from exc
    rows = np.asarray(table.column("__row").to_numpy(), dtype=np.int64)
    attrs = table.drop_columns(["__wkb", "__row"]).to_pandas()
    return _finish(
        geoms,
        rows,
        attrs,
        raw.crs_wkt,
        user_crs=crs,
        boundary=boundary,
        label=label,
        limits=limits,
        source_format=kind,
        layer=raw.layer,
    )


def _features(geojson: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if isinstance(geojson, Mapping):
        kind = geojson.get("type")
        if kind == "FeatureCollection":
            return list(geojson.get("features") or [])
        if kind == "Feature":
            return [geojson]
        return [{"type": "Feature", "geometry": geojson, "properties": {}}]
    return list(geojson)


def check_drawing(
    geojson: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    municipality_code: str,
    municipalities: gpd.GeoDataFrame | None,
    limits: IntakeLimits | None = None,
    code_column: str = "kod_obce",
    region: tuple[float, float, float, float] | None = None,
) -> IntakeResult:
    """Check shapes drawn on the map (Leaflet.draw GeoJSON in EPSG:4326) like an upload.

    Parameters
    ----------
    geojson
        A Feature, a FeatureCollection, a list of Features (``all_drawings`` of streamlit-folium)
        or a bare geometry, with lon/lat coordinates [degrees].
    municipality_code, municipalities, limits, code_column, region
        As for :func:`check_upload`.

    Raises
    ------
    UploadRejectedError
        As for :func:`check_upload`.
    """
    limits = limits or IntakeLimits()
    label = "the drawing"
    try:
        size = len(json.dumps(geojson, allow_nan=True))
    except (TypeError, ValueError) as exc:
        msg = f"{label}: is not GeoJSON ({exc}); draw the site again"
        raise reject(msg, "parse_failed") from exc
    if size > limits.max_upload_bytes():
        msg = f"{label}: is larger than the upload limit; draw a simpler shape"
        raise reject(msg, "too_large")
    features = _features(geojson)
    if not features:
        msg = f"{label}: holds no shape; draw a polygon or a point"
        raise reject(msg, "no_geometry")
    geoms = np.empty(len(features), dtype=object)
    props = []
    for i, feature in enumerate(features):
        try:
            geometry = feature.get("geometry")
            geoms[i] = shapely.geometry.shape(geometry) if geometry else None
        except (AttributeError, KeyError, TypeError, ValueError, IndexError, shapely.errors.GEOSException) as exc:
            msg = f"{label}: shape {i + 1} is not a valid GeoJSON geometry ({exc}); draw it again"
            raise reject(msg, "parse_failed") from exc
        properties = feature.get("properties") if isinstance(feature, Mapping) else None
        props.append({k: v for k, v in (properties or {}).items() if isinstance(v, str | int | float | bool)})
    rows = np.arange(1, len(features) + 1, dtype=np.int64)
    check_counts(geoms[~shapely.is_missing(geoms)], rows, label=label, limits=limits)
    boundary = _boundary(municipalities, municipality_code, code_column, region)
    return _finish(
        geoms,
        rows,
        pd.DataFrame(props, index=range(len(features))),
        gcrs.WGS84,
        user_crs=None,
        boundary=boundary,
        label=label,
        limits=limits,
        source_format="drawing",
        layer=None,
    )


def _boundary(
    municipalities: gpd.GeoDataFrame | None,
    code: str,
    code_column: str,
    region: tuple[float, float, float, float] | None,
) -> _place.Boundary:
    """The municipality's boundary; without municipalities, the region from ``region`` or the catalogue."""
    if municipalities is None and region is None:
        from gisplan.intake._boundaries import catalogue_region

        region = catalogue_region()
    return _place.find_boundary(municipalities, code, code_column=code_column, region=region)


def _resolve_crs(
    declared: str | None, user: str | None, geoms: np.ndarray[Any, Any], boundary: _place.Boundary, label: str
) -> CRS:
    chosen = None
    if user is not None:
        try:
            chosen = gcrs.parse_crs(user)
        except CRSError as exc:
            raise reject(str(exc), "crs_missing", choices=_place.choices_for(geoms, boundary)) from exc
    if declared is not None:
        found = CRS.from_user_input(declared)
        if chosen is not None and not found.equals(chosen, ignore_axis_order=True):
            msg = f"{label}: the file declares {found.name}, not {chosen.name}; leave the CRS choice empty"
            raise reject(msg, "crs_conflict")
        return found
    if chosen is not None:
        return chosen
    choices = _place.choices_for(geoms, boundary)
    msg = (
        f"{label}: the data declares no coordinate reference system (e.g. a shapefile without .prj); "
        f"choose one of {', '.join(choices)}"
    )
    raise reject(msg, "crs_missing", choices=choices)


def _attributes(attrs: pd.DataFrame) -> pd.DataFrame:
    from gisplan.sources import attribute_names

    renamed = attrs.rename(columns=attribute_names(attrs.columns))
    taken = set(RESULT_COLUMNS)
    return renamed.rename(columns={c: f"{c}_src" for c in renamed.columns if c in taken})


def _finish(
    geoms: np.ndarray[Any, Any],
    rows: np.ndarray[Any, Any],
    attrs: pd.DataFrame,
    declared: str | None,
    *,
    user_crs: str | None,
    boundary: _place.Boundary,
    label: str,
    limits: IntakeLimits,
    source_format: str,
    layer: str | None,
) -> IntakeResult:
    import geopandas as gpd

    from gisplan.sources import guess_names

    checked = check_presence(geoms, rows, label=label)
    keep = np.isin(rows, checked.rows)
    attrs = attrs.iloc[np.flatnonzero(keep)].reset_index(drop=True)
    source = _resolve_crs(declared, user_crs, checked.geoms, boundary, label)
    lonlat = _place.to_lonlat(checked.geoms, source, checked.rows, label=label)
    _place.check_region(lonlat, boundary, label=label)
    target = _place.working_crs(lonlat)
    work = gpd.GeoSeries(checked.geoms, crs=source).to_crs(target).to_numpy()
    fixed, notes = repair(work, checked.rows, label=label)
    warnings: list[IntakeWarning] = []
    if checked.dropped:
        shown = ", ".join(str(r) for r in checked.dropped[:10]) + ("…" if len(checked.dropped) > 10 else "")
        text = f"{len(checked.dropped)} rows without coordinates were left out (rows {shown})"
        warnings.append(IntakeWarning("rows_without_geometry", text))
    if boundary.lonlat is not None:
        outline = gpd.GeoSeries([boundary.lonlat], crs=gcrs.WGS84).to_crs(target).iloc[0]
        shares = _place.inside_shares(fixed, checked.rows, outline, label=label, limits=limits)
    else:
        shares = np.full(len(fixed), np.nan)
        text = f"no boundary is known for municipality {boundary.code}, so it was not checked that the sites lie in it"
        warnings.append(IntakeWarning("place_not_checked", text))
    names = guess_names(attrs)
    sites = pd.DataFrame(
        {
            "site_no": np.arange(1, len(fixed) + 1),
            "name": [None if pd.isna(v) else str(v) for v in names] if names is not None else None,
            "geometry_type": shapely.get_type_id(fixed),
            "area_m2": shapely.area(fixed),
            "repaired": [n is not None for n in notes],
            "repair_note": notes,
            "inside_share": shares,
            "crosses_border": ~np.isnan(shares) & (shares < 1.0 - 1e-9),
        }
    )
    sites["geometry_type"] = [g.geom_type for g in fixed]
    for i, note in enumerate(notes):
        if note is not None:
            warnings.append(IntakeWarning("repaired", note, site_no=i + 1))
        if sites["crosses_border"].iloc[i]:
            text = f"{(1 - shares[i]) * 100:.0f} % of the site lies outside municipality {boundary.code}"
            warnings.append(IntakeWarning("crosses_border", text, site_no=i + 1))
    frame = gpd.GeoDataFrame(pd.concat([sites, _attributes(attrs)], axis=1), geometry=fixed, crs=target)
    original = gpd.GeoSeries(np.where(sites["repaired"].to_numpy(), work, None), crs=target)
    return IntakeResult(
        sites=frame,
        original=original,
        source_format=source_format,
        source_crs=source.to_string(),
        layer=layer,
        municipality_code=boundary.code,
        place_checked=boundary.lonlat is not None,
        warnings=tuple(warnings),
    )


__all__ = ["RESULT_COLUMNS", "check_drawing", "check_upload"]
