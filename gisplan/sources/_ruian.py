"""RÚIAN exchange files (VFR, ``.xml.gz``) from ČÚZK, read through GDAL's GML driver.

GDAL's default geometry of a VFR layer is the definition point (``DefinicniBod``).
The real polygons sit in the second geometry field ``OriginalniHranice``, which an
OGR SQL ``SELECT OriginalniHranice, * FROM <layer>`` puts first. The CRS is
EPSG:5514 (S-JTSK / Krovak East North).
"""

from __future__ import annotations

import gzip
import math
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gisplan.errors import InputError, SourceNotFoundError, UnreadableSourceError
from gisplan.sources._common import canonical, check_kind, file_label, head_bytes, logger

if TYPE_CHECKING:
    import geopandas as gpd

#: Our layer names -> GDAL layer names; GDAL names are accepted as well.
LAYERS = {"obce": "Obce", "parcely": "Parcely", "stavebni_objekty": "StavebniObjekty"}
#: Default site kind per GDAL layer; parcels are municipal land only when the caller says so.
DEFAULT_KINDS = {"StavebniObjekty": "rooftop"}
DEFAULT_LAYER = "stavebni_objekty"
#: ``TypStavebnihoObjektuKod``: 1 číslo popisné, 2 číslo evidenční (RÚIAN code list).
_HOUSE_NUMBER_PREFIX = {1: "č. p.", 2: "č. ev."}


def is_vfr(path: Path) -> bool:
    """True if ``path`` (``.xml`` or ``.xml.gz``) is a RÚIAN exchange file (``vf:VymennyFormat``)."""
    return b"VymennyFormat" in head_bytes(path, 4096)


def _gdal_layer(path: Path, layer: str | None) -> str:
    import pyogrio
    from pyogrio.errors import DataSourceError

    try:
        available = [str(row[0]) for row in pyogrio.list_layers(str(path))]
    except DataSourceError as exc:
        msg = f"{path}: cannot be read as a RÚIAN exchange file ({exc}); download the .xml.gz again from ČÚZK"
        raise UnreadableSourceError(msg) from exc
    wanted = layer or DEFAULT_LAYER
    name = LAYERS.get(wanted.lower(), wanted)
    if name not in available:
        ours = ", ".join(k for k, v in LAYERS.items() if v in available)
        msg = f"{path}: no RÚIAN layer {wanted!r}; use {ours} or a GDAL layer name ({', '.join(available)})"
        raise SourceNotFoundError(msg)
    return name


def _check_complete(path: Path) -> None:
    """Refuse a truncated ``.gz`` file: GDAL would silently read only its first part."""
    with path.open("rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 22):
                pass
    except (EOFError, OSError, zlib.error) as exc:
        msg = f"{path}: the gzip file is incomplete or damaged ({exc}); download the .xml.gz again from ČÚZK"
        raise UnreadableSourceError(msg) from exc


def _read_polygons(path: Path, gdal_layer: str, where: str | None) -> gpd.GeoDataFrame:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError, FeatureError, FieldError

    filter_sql = f" WHERE {where}" if where else ""
    try:
        # Arrow reading fails for this SQL on two geometry fields (pyogrio 0.13), so it is off here.
        # gdal_layer is one of the file's own layers; where is a documented OGR SQL filter.
        sql = f"SELECT OriginalniHranice, * FROM {gdal_layer}{filter_sql}"  # noqa: S608
        return pyogrio.read_dataframe(str(path), sql=sql, WRITE_GFS="NO")
    except (DataLayerError, FieldError) as exc:
        if where and "OriginalniHranice" not in str(exc):
            msg = f"{file_label(path, gdal_layer)}: the filter {where!r} failed ({exc}); fix the where clause"
            raise InputError(msg) from exc
        logger.info("%s has no OriginalniHranice; using its default geometry", gdal_layer)
    except (DataSourceError, FeatureError) as exc:
        msg = f"{path}: cannot be read as a RÚIAN exchange file ({exc}); download the .xml.gz again from ČÚZK"
        raise UnreadableSourceError(msg) from exc
    try:
        return pyogrio.read_dataframe(str(path), layer=gdal_layer, where=where, WRITE_GFS="NO")
    except (DataSourceError, FeatureError) as exc:
        msg = f"{path}: cannot be read as a RÚIAN exchange file ({exc}); download the .xml.gz again from ČÚZK"
        raise UnreadableSourceError(msg) from exc


def _names(frame: pd.DataFrame, gdal_layer: str) -> pd.Series[Any] | None:
    if "Nazev" in frame.columns:
        return frame["Nazev"]
    if gdal_layer == "Parcely":
        base = frame["KmenoveCislo"].astype("Int64").astype(str)
        sub = frame["PododdeleniCisla"].astype("Int64").astype(str)
        return base.where(frame["PododdeleniCisla"].isna(), base + "/" + sub)
    if gdal_layer == "StavebniObjekty":
        return pd.Series(
            [_house_name(t, n) for t, n in zip(frame["TypStavebnihoObjektuKod"], frame["CisloDomovni"], strict=True)],
            index=frame.index,
        )
    return None


def _house_name(kind_code: object, numbers: object) -> str | None:
    """``č. p. 10`` from ``TypStavebnihoObjektuKod`` and the ``CisloDomovni`` list."""
    if not isinstance(kind_code, int | float) or math.isnan(kind_code):
        return None
    prefix = _HOUSE_NUMBER_PREFIX.get(int(kind_code))
    values = list(numbers) if isinstance(numbers, list | tuple | np.ndarray) else []
    if prefix is None or not values:
        return None
    return f"{prefix} {', '.join(str(n) for n in values)}"


def read_ruian(
    path: Path,
    *,
    layer: str | None = None,
    where: str | None = None,
    kind: str | None = None,
    columns: Mapping[str, str] | None = None,
    working_crs: object | None = None,
    default_kind: bool = True,
) -> gpd.GeoDataFrame:
    """Read one layer of a RÚIAN VFR file with its real polygons.

    Parameters
    ----------
    path
        A checked ``.xml.gz`` or ``.xml`` VFR file (e.g. ``OB_564729_UKSH.xml.gz``).
    layer
        ``obce``, ``parcely`` or ``stavebni_objekty`` (default), or any GDAL layer name.
    where
        OGR SQL filter on the GDAL field names, e.g. ``"DruhPozemkuKod = 14"``.
    kind
        Site kind; buildings default to ``rooftop``, parcels to ``None`` (pass ``municipal_land``).
    columns
        Catalogue mapping of ``name``/``source_id``/``kind`` to source columns.
    working_crs
        Metric CRS; the default is EPSG:5514.
    default_kind
        When ``kind`` is ``None``, use the layer's default kind (buildings ``rooftop``);
        ``False`` keeps ``None`` (a catalogue context layer).

    Returns
    -------
    geopandas.GeoDataFrame
        Canonical sites with ``source`` ``ruian`` and ``source_id`` the GML id (``PA.1063405506``,
        ``SO.16534174``, ``OB.564729``); ``area_m2`` [m²] is the polygon area. Features without a
        polygon (buildings not yet mapped) are left out and counted in the log.
    """
    check_kind(kind)
    _check_complete(path)
    gdal_layer = _gdal_layer(path, layer)
    frame = _read_polygons(path, gdal_layer, where)
    if frame.crs is None:
        frame = frame.set_crs("EPSG:5514")
    no_geometry = frame.geometry.isna() | frame.geometry.is_empty
    if no_geometry.any():
        logger.info("%s: %d features have no polygon and are left out", file_label(path, gdal_layer), no_geometry.sum())
        frame = frame[~no_geometry]
    return canonical(
        frame,
        source="ruian",
        source_ids=frame["gml_id"],
        names=_names(frame, gdal_layer),
        kind=kind if kind is not None or not default_kind else DEFAULT_KINDS.get(gdal_layer),
        columns=columns,
        working_crs=working_crs,
        label=file_label(path, gdal_layer),
    )


__all__ = ["LAYERS", "is_vfr", "read_ruian"]
