"""RÚIAN exchange files (VFR, ``.xml.gz``) from ČÚZK, read through GDAL's GML driver.

GDAL's default geometry of a VFR layer is the definition point (``DefinicniBod``).
The real polygons sit in the second geometry field ``OriginalniHranice``, which an
OGR SQL ``SELECT OriginalniHranice, * FROM <layer>`` puts first. The CRS is
EPSG:5514 (S-JTSK / Krovak East North).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan.errors import InputError, SourceNotFoundError, UnreadableSourceError
from gisplan.sources._common import canonical, check_kind, file_label, head_bytes, logger
from gisplan.sources._landcover import from_ruian
from gisplan.sources._ruian_buildings import building_columns, read_lookups
from gisplan.sources._ruian_codes import LAND_TYPES, code_of, parcel_number

if TYPE_CHECKING:
    import geopandas as gpd

#: Our layer names -> GDAL layer names; GDAL names are accepted as well.
LAYERS = {"obce": "Obce", "parcely": "Parcely", "stavebni_objekty": "StavebniObjekty"}
#: Default site kind per GDAL layer; parcels are municipal land only when the caller says so.
DEFAULT_KINDS = {"StavebniObjekty": "rooftop"}
DEFAULT_LAYER = "stavebni_objekty"


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


def _parcel_columns(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """``name`` ``st. 56, k. ú. Děčany``, ``parcel_number`` and ``cadastral_area`` of ``Parcely`` rows."""
    areas = read_lookups(path, parcels=False).cadastral_areas
    numbers = [
        parcel_number(b, s, n)
        for b, s, n in zip(frame["KmenoveCislo"], frame["PododdeleniCisla"], frame["DruhCislovaniKod"], strict=True)
    ]
    names = [areas.get(code_of(k) or -1) for k in frame["KatastralniUzemiKod"]]
    return pd.DataFrame(
        {
            "name": [f"{n}, k. ú. {a}" if a else n for n, a in zip(numbers, names, strict=True)],
            "parcel_number": numbers,
            "cadastral_area": names,
            "land_type_cs": [LAND_TYPES.get(code_of(v) or -1) for v in frame["DruhPozemkuKod"]],
        },
        index=frame.index,
    )


def _names_and_columns(path: Path, frame: pd.DataFrame, gdal_layer: str) -> tuple[pd.Series[Any] | None, pd.DataFrame]:
    """Display names and the columns the reader adds (addresses, uses, plot numbers) for one layer."""
    added = pd.DataFrame(index=frame.index)
    if gdal_layer == "StavebniObjekty":
        added = building_columns(frame, read_lookups(path))
    elif gdal_layer == "Parcely" and {"KmenoveCislo", "DruhCislovaniKod"} <= set(frame.columns):
        added = _parcel_columns(path, frame)
    if "name" in added.columns:
        return added.pop("name"), added
    return (frame["Nazev"] if "Nazev" in frame.columns else None), added


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
        ``SO.16534174``, ``OB.564729``); ``area_m2`` [m²] is the polygon area. Parcels get
        ``land_cover`` from ``DruhPozemkuKod`` (10 lesní pozemek -> ``forest``, 11 vodní plocha ->
        ``water``…, see :mod:`gisplan.sources._landcover`). Features without a polygon
        (buildings not yet mapped) are left out and counted in the log.

        Buildings are named by their address (``Semeč č. p. 12``, or street and number) and
        carry ``address``, ``building_use`` (residential, civic…), ``building_use_code``,
        ``building_use_cs``, ``public_building``, ``parcel_number`` and ``cadastral_area``
        (:mod:`gisplan.sources._ruian_buildings`); a building without a house number is named
        by its use and plot (``zemědělská stavba, st. 123, k. ú. Děčany``). Parcels are named
        ``st. 56, k. ú. Děčany`` / ``153/36, k. ú. Solany`` (``st.``: stavební parcela) and
        carry ``parcel_number``, ``cadastral_area`` and ``land_type_cs`` (druh pozemku).
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
    if "DruhPozemkuKod" in frame.columns and "land_cover" not in frame.columns:
        frame = frame.assign(land_cover=from_ruian(frame["DruhPozemkuKod"]))
    names, added = _names_and_columns(path, frame, gdal_layer)
    if not added.empty:
        frame = frame.assign(**{c: added[c] for c in added.columns if c not in frame.columns})
    return canonical(
        frame,
        source="ruian",
        source_ids=frame["gml_id"],
        names=names,
        kind=kind if kind is not None or not default_kind else DEFAULT_KINDS.get(gdal_layer),
        columns=columns,
        working_crs=working_crs,
        label=file_label(path, gdal_layer),
    )


__all__ = ["LAYERS", "is_vfr", "read_ruian"]
