"""Shared pieces of the readers: path safety, column names and the canonical frame.

Every reader ends in :func:`canonical`, which reprojects to the working CRS,
computes ``area_m2`` there (or takes the area the source declares, for points)
with its ``area_source``, and puts the canonical columns first.
"""

from __future__ import annotations

import gzip
import logging
import math
import re
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gisplan import crs as gcrs
from gisplan.catalogue import CANONICAL_COLUMNS, SITE_KINDS
from gisplan.errors import (
    CRSError,
    InputError,
    InvalidDataError,
    MissingCRSError,
    Problem,
    SourceNotFoundError,
    UnreadableSourceError,
)

if TYPE_CHECKING:
    import geopandas as gpd
    from pyproj import CRS

logger = logging.getLogger("gisplan.sources")

#: Catalogue ``columns`` roles that map a declared area, and the unit of each.
AREA_ROLES = {"area_m2": "m2", "area_ha": "ha", "area_acres": "acres"}
#: At most this many problems are listed in one error message; the rest are counted.
MAX_LISTED_PROBLEMS = 100
_RESERVED = frozenset((*CANONICAL_COLUMNS, "geometry"))
_VRT_MARKERS = (b"<ogrvrtdatasource", b"<vrtdataset")
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[A-Z][A-Za-z0-9_]*:(?![\\/])")


def check_path(source: str | Path) -> Path:
    """Return ``source`` as a local file path that is safe to hand to GDAL.

    Raises
    ------
    UnreadableSourceError
        For GDAL virtual paths (``/vsi…``), ``.vrt`` files (also when a file only
        holds VRT XML), URLs and GDAL connection strings: these can make GDAL
        read other files or the network.
    SourceNotFoundError
        If the file does not exist, or is a folder.
    """
    text = str(source)
    if text.replace("\\", "/").lstrip().startswith("/vsi"):
        msg = f"{text}: GDAL virtual paths (/vsi…) are not accepted; give the path of a plain local file"
        raise UnreadableSourceError(msg)
    if text.lower().endswith((".vrt", ".vrt.gz", ".ovf")):
        msg = f"{text}: GDAL .vrt files are not accepted (they can point at any file); convert it to a GeoPackage"
        raise UnreadableSourceError(msg)
    if _URL_RE.match(text) and not Path(text).exists():
        msg = f"{text}: URLs and GDAL connection strings are not accepted; download the data and give a local file"
        raise UnreadableSourceError(msg)
    path = Path(text).expanduser()
    if not path.exists():
        msg = f"{path}: file not found; check the path (relative paths start at {Path.cwd()})"
        raise SourceNotFoundError(msg)
    if path.is_dir():
        msg = f"{path}: is a folder; give one data file (for a shapefile the .shp, or zip the folder)"
        raise SourceNotFoundError(msg)
    if _holds_vrt(path):
        msg = f"{path}: the file holds GDAL VRT XML, which is not accepted; convert the data to a GeoPackage"
        raise UnreadableSourceError(msg)
    return path


def head_bytes(path: Path, size: int = 4096) -> bytes:
    """The first ``size`` bytes of ``path``, decompressed when it is gzipped."""
    with path.open("rb") as fh:
        head = fh.read(size)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read(size)
        except (OSError, EOFError):
            return head
    return head


def _holds_vrt(path: Path) -> bool:
    lowered = head_bytes(path, 2048).lstrip().lower()
    return any(marker in lowered for marker in _VRT_MARKERS)


def check_kind(kind: str | None) -> str | None:
    """Validate a site kind argument (``None`` means: not a candidate layer)."""
    if kind is None or kind in SITE_KINDS:
        return kind
    msg = f"kind {kind!r} is not a site kind; use one of {', '.join(SITE_KINDS)} (or leave it out)"
    raise InputError(msg)


_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")


def snake_case(name: object) -> str:
    """``VymeraParcely`` -> ``vymera_parcely``, ``roof:shape`` -> ``roof_shape``, ``site-address`` -> ``site_address``.

    Letters with diacritics are kept as they are (``název`` stays ``název``).
    """
    text = str(name)
    text = _CAMEL_2.sub(r"\1_\2", text)
    text = _CAMEL_1.sub(r"\1_\2", text)
    text = re.sub(r"[^\w]+", "_", text, flags=re.UNICODE)
    text = re.sub(r"_+", "_", text).strip("_").lower()
    return text or "column"


def problems_error(msg: str, problems: list[Problem]) -> InvalidDataError:
    """An :class:`InvalidDataError` listing at most :data:`MAX_LISTED_PROBLEMS` problems."""
    if len(problems) > MAX_LISTED_PROBLEMS:
        rest = len(problems) - MAX_LISTED_PROBLEMS
        shown = [*problems[:MAX_LISTED_PROBLEMS], Problem(problems[0].file, "", f"… and {rest} more problems")]
        return InvalidDataError(msg, shown)
    return InvalidDataError(msg, problems)


def find_column(frame: pd.DataFrame, wanted: str, *, label: str, role: str) -> Hashable:
    """The column of ``frame`` called ``wanted`` (exactly, in snake_case, or ignoring case)."""
    if wanted in frame.columns:
        return wanted
    for column in frame.columns:
        if snake_case(column) == snake_case(wanted) or str(column).lower() == wanted.lower():
            return column
    available = ", ".join(str(c) for c in frame.columns if c != "geometry")
    msg = f"{label}: no column {wanted!r} for {role}; the columns are: {available}"
    raise InputError(msg)


def _flatten(value: object) -> object:
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list | tuple | set | np.ndarray):
        return ";".join(str(v) for v in value)
    return value


def flatten_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn list-valued cells (GML lists, OSM relation members) into ``;``-joined text, as OSM does."""
    out = frame
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object:
            continue
        if series.map(lambda v: isinstance(v, list | tuple | np.ndarray | dict | set)).any():
            if out is frame:
                out = frame.copy()
            out[column] = series.map(_flatten)
    return out


def attribute_names(columns: Iterable[Hashable]) -> dict[Hashable, str]:
    """Map source columns to unique snake_case names that do not clash with the canonical ones.

    A source column named like a canonical column (``name``, ``source``…) becomes ``<name>_src``.
    """
    out: dict[Hashable, str] = {}
    used = set(_RESERVED)
    for column in columns:
        base = snake_case(column)
        if base in _RESERVED:
            base = f"{base}_src"
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        out[column] = name
    return out


def target_crs(gdf: gpd.GeoDataFrame, working_crs: object | None, *, label: str) -> CRS:
    """The working CRS for ``gdf``: ``working_crs`` when given (must be metric), else chosen from the data."""
    if working_crs is not None:
        crs = gcrs.parse_crs(working_crs)
        if not gcrs.is_metric(crs):
            msg = f"working CRS {working_crs!r} is not a metric projected CRS; use e.g. EPSG:5514 or a UTM zone"
            raise CRSError(msg)
        return crs
    if gdf.crs is None:
        msg = f"{label}: the data declares no coordinate reference system; add a .prj file or pass --crs / crs="
        raise MissingCRSError(msg)
    valid = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if valid.empty:
        return gcrs.working_crs_for_bounds(*gcrs.CZECH_BBOX)
    # Transform only the bounding box (densified edges), not every vertex, to find lon/lat bounds.
    west, south, east, north = (float(v) for v in valid.total_bounds)
    to_wgs84 = gcrs.transformer(gdf.crs, gcrs.WGS84)
    lon0, lat0, lon1, lat1 = to_wgs84.transform_bounds(west, south, east, north, densify_pts=21)
    return gcrs.working_crs_for_bounds(lon0, lat0, lon1, lat1, source=gdf.crs)


def canonical(
    gdf: gpd.GeoDataFrame,
    *,
    source: str,
    source_ids: pd.Series[Any] | Iterable[object],
    label: str,
    names: pd.Series[Any] | None = None,
    kind: str | None = None,
    area_m2: pd.Series[Any] | None = None,
    area_field: str | pd.Series[Any] | None = None,
    columns: Mapping[str, str] | None = None,
    working_crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Build the canonical site frame from a reader's raw frame.

    Parameters
    ----------
    gdf
        The raw features with a declared CRS; its non-geometry columns become attributes.
    source
        Short name of the source (``ruian``, ``osm``, a file stem or layer id); ``site_id`` is
        ``f"{source}:{source_id}"``.
    source_ids
        One id per row, unique within the source.
    label
        File (and layer) named in error messages.
    names
        Display names, or ``None``.
    kind
        Site kind for every row (``brownfield``, ``rooftop``, ``municipal_land``) or ``None``.
    area_m2
        Area the source declares [m²]. It counts only where the geometry has no area (points,
        missing geometries): a polygon's area is always computed in the working CRS.
    area_field
        Where the declared area comes from, for ``area_source``: ``declared:<area_field>``, e.g.
        ``hectares[ha]`` (:func:`gisplan.measurements.geometry.declared_source`), or one full
        ``area_source`` text per row.
    columns
        Catalogue mapping ``{"name"|"source_id"|"kind": source column}``, which wins over the
        defaults, and at most one declared area ``{"area_m2"|"area_ha"|"area_acres": source column}``.
    working_crs
        Metric CRS to use; ``None`` picks one from the data (:mod:`gisplan.crs`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id, kind, name, source, source_id, area_m2`` [m²], ``area_source`` (``geometry``,
        ``declared:<field>[<unit>]`` or ``not_available``, with ``area_m2`` NaN), the source
        attributes in snake_case, and ``geometry`` in the working CRS.
    """
    import geopandas as gpd

    from gisplan.measurements.geometry import declared_source, resolve_area

    check_kind(kind)
    target = target_crs(gdf, working_crs, label=label)
    if gdf.crs is None:
        msg = f"{label}: the data declares no coordinate reference system; add a .prj file or pass --crs / crs="
        raise MissingCRSError(msg)
    index = gdf.index
    ids = pd.Series(list(source_ids) if not isinstance(source_ids, pd.Series) else source_ids.to_numpy(), index=index)
    name_values = pd.Series([None] * len(index), index=index, dtype=object)
    if names is not None:
        name_values = pd.Series(names.to_numpy(), index=index)
    kinds = pd.Series([kind] * len(index), index=index, dtype=object)
    declared = None if area_m2 is None else pd.to_numeric(pd.Series(area_m2.to_numpy(), index=index), errors="coerce")
    declared_label: Any = declared_source("area_m2", "m2")
    if isinstance(area_field, pd.Series):
        declared_label = area_field.to_numpy(dtype=object)
    elif area_field:
        declared_label = declared_source(*_split_field(area_field))
    for role, wanted in (columns or {}).items():
        column = find_column(gdf, wanted, label=label, role=role)
        if role in AREA_ROLES:
            declared = _declared_column(gdf[column], label=label, column=str(column)) * _unit_m2(AREA_ROLES[role])
            declared_label = declared_source(str(column), AREA_ROLES[role])
        elif role == "source_id":
            ids = gdf[column]
        elif role == "name":
            name_values = gdf[column]
        elif role == "kind":
            kinds = _kind_column(gdf[column], label=label, column=str(column))
    if ids.isna().any():
        missing = [str(i) for i in ids.index[ids.isna()][:10]]
        msg = f"{label}: {int(ids.isna().sum())} features have no source id (rows {', '.join(missing)}…)"
        raise InputError(msg + "; map source_id to a column that is filled for every feature")
    projected = gdf.to_crs(target) if gdf.crs != target else gdf
    geometry = projected.geometry
    area_values, area_source = resolve_area(
        geometry.area.astype(float).to_numpy(), None if declared is None else declared.to_numpy(), declared_label
    )
    id_text = ids.map(_id_text)
    dupes = id_text[id_text.duplicated()]
    if not dupes.empty:
        logger.warning("%s: %d duplicate source ids, e.g. %s", label, len(dupes), ", ".join(dupes.iloc[:5]))
    attrs = flatten_lists(pd.DataFrame(projected.drop(columns=projected.geometry.name)))
    attrs = attrs.rename(columns=attribute_names(attrs.columns))
    head = pd.DataFrame(
        {
            "site_id": source + ":" + id_text,
            "kind": kinds,
            "name": pd.Series([None if _missing(v) else str(v) for v in name_values], index=index, dtype=object),
            "source": source,
            "source_id": id_text,
            "area_m2": area_values,
            "area_source": area_source,
        },
        index=index,
    )
    body = pd.concat([head, attrs], axis=1)
    out = gpd.GeoDataFrame(body, geometry=geometry.to_numpy(), crs=target)
    return out.reset_index(drop=True)


def _split_field(area_field: str) -> tuple[str, str]:
    """``"hectares[ha]"`` -> ``("hectares", "ha")``; a bare field name is in m²."""
    if area_field.endswith("]") and "[" in area_field:
        name, unit = area_field[:-1].rsplit("[", 1)
        return name, unit
    return area_field, "m2"


def _unit_m2(unit: str) -> float:
    from gisplan.measurements.geometry import AREA_UNITS

    return AREA_UNITS[unit]


def _declared_column(values: pd.Series[Any], *, label: str, column: str) -> pd.Series[float]:
    """A declared area column as numbers; text that is not a number is an error naming the rows."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values[numbers.isna() & values.notna() & (values.astype("string").str.strip() != "")]
    if not bad.empty:
        problems = [Problem(label, f"feature {i}, field {column}", f"{v!r} is not a number") for i, v in bad.items()]
        raise problems_error(
            f"{label}: the declared area column {column!r} holds values that are not numbers:", problems
        )
    return numbers.astype(float)


def _missing(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, float) and math.isnan(value)


def _id_text(value: object) -> str:
    """Ids as text; whole floats (``12.0`` from a numeric column with gaps) lose the ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _kind_column(values: pd.Series[Any], *, label: str, column: str) -> pd.Series[Any]:
    bad = values[values.notna() & ~values.isin(SITE_KINDS)]
    if not bad.empty:
        problems = [
            Problem(label, f"row {i}, field {column}", f"{v!r} is not a site kind; use {', '.join(SITE_KINDS)}")
            for i, v in bad.items()
        ]
        msg = f"{label}: the kind column holds values that are not site kinds:"
        raise problems_error(msg, problems)
    return pd.Series([v if isinstance(v, str) else None for v in values], index=values.index, dtype=object)


def empty_sites(crs: object) -> gpd.GeoDataFrame:
    """A canonical frame without rows (e.g. an OSM query that matched nothing)."""
    import geopandas as gpd

    frame = pd.DataFrame({c: pd.Series(dtype="float64" if c == "area_m2" else object) for c in CANONICAL_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def file_label(path: Path, layer: str | None = None) -> str:
    """How error messages name a file and layer."""
    return f"{path} (layer {layer})" if layer else str(path)


__all__ = [
    "AREA_ROLES",
    "attribute_names",
    "canonical",
    "check_kind",
    "check_path",
    "empty_sites",
    "file_label",
    "find_column",
    "flatten_lists",
    "head_bytes",
    "logger",
    "problems_error",
    "snake_case",
]
