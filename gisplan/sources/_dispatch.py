"""Choosing a reader: by the ``format`` argument, by sniffing the file, or by a catalogue layer."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from gisplan import settings
from gisplan.catalogue import FileSource, Layer, OsmSource, RasterSource
from gisplan.errors import InputError
from gisplan.sources._common import canonical, check_kind, check_path, file_label
from gisplan.sources._epa import fields_of, is_us_epa, read_us_epa
from gisplan.sources._osm import is_osm_file, read_osm_file, read_osm_online, resolve_preset
from gisplan.sources._registers import header_of, is_cz_brownfields, is_uk_blr, read_cz_brownfields, read_uk_blr
from gisplan.sources._ruian import is_vfr, read_ruian
from gisplan.sources._sites import is_sites_frame, read_sites_frame
from gisplan.sources._vector import CSV_SUFFIXES, guess_names, read_vector

if TYPE_CHECKING:
    import geopandas as gpd

FORMATS = ("auto", "ruian", "uk-blr", "cz-brownfields", "us-epa", "osm", "vector")
#: Vector files whose field names are checked for the EPA RE-Powering attributes.
_EPA_SUFFIXES = (".geojson", ".json", ".shp", ".zip", ".gpkg", ".fgb")
#: Formats whose files carry their own CRS rules, so ``crs=`` does not apply.
_FIXED_CRS = {"ruian": "EPSG:5514", "osm": "EPSG:4326", "uk-blr": "EPSG:4326", "cz-brownfields": "EPSG:5514/4326"}


def sniff_format(path: Path) -> str:
    """The format of a checked file: ``osm``, ``ruian``, ``uk-blr``, ``cz-brownfields``, ``us-epa`` or ``vector``.

    OSM by name (``.osm``, ``.osm.pbf``, ``.osm.bz2``…) or an ``<osm`` root; RÚIAN by a
    ``VymennyFormat`` root in ``.xml``/``.xml.gz``; registers by their CSV header; the EPA
    RE-Powering screening sites by their fields (``Site_Name``, ``Site_ID``, ``Acres``); else vector.
    """
    name = path.name.lower()
    if is_osm_file(path):
        return "osm"
    if name.endswith((".xml", ".xml.gz", ".gz")) and is_vfr(path):
        return "ruian"
    if name.endswith(CSV_SUFFIXES):
        header = header_of(path)
        if is_uk_blr(header):
            return "uk-blr"
        if is_cz_brownfields(header):
            return "cz-brownfields"
    if name.endswith(_EPA_SUFFIXES) and is_us_epa(fields_of(path)):
        return "us-epa"
    return "vector"


def _default_source(path: Path, layer: str | None) -> str:
    stem = path.name.split(".")[0] or path.stem
    return f"{stem}/{layer}" if layer else stem


def read_path(
    path: Path,
    *,
    format: str,
    layer: str | None,
    where: str | None,
    columns: Mapping[str, str] | None,
    kind: str | None,
    default_kind: bool,
    crs: object | None,
    working_crs: object | None,
    source_name: str | None,
) -> gpd.GeoDataFrame:
    """Read a checked path. ``default_kind`` lets the format's default kind apply when ``kind`` is ``None``."""
    fmt = sniff_format(path) if format == "auto" else format
    if fmt not in {"vector", "us-epa"} and crs is not None:
        msg = f"{path}: --crs / crs= is only for vector files and CSV; {fmt} data are in {_FIXED_CRS[fmt]}"
        raise InputError(msg)
    if fmt in {"osm", "uk-blr", "cz-brownfields"} and where:
        msg = f"{path}: a where filter is not supported for {fmt}; filter the result instead"
        raise InputError(msg)
    if fmt == "ruian":
        return read_ruian(
            path,
            layer=layer,
            where=where,
            kind=kind,
            default_kind=default_kind,
            columns=columns,
            working_crs=working_crs,
        )
    if fmt == "osm":
        preset = resolve_preset(layer)
        return read_osm_file(
            path,
            tags=preset.tags,
            kind=kind or (preset.kind if default_kind else None),
            columns=columns,
            working_crs=working_crs,
        )
    if fmt == "uk-blr":
        return read_uk_blr(
            path, kind=kind or ("brownfield" if default_kind else None), columns=columns, working_crs=working_crs
        )
    if fmt == "cz-brownfields":
        return read_cz_brownfields(
            path, kind=kind or ("brownfield" if default_kind else None), columns=columns, working_crs=working_crs
        )
    return _read_vector_file(
        path,
        fmt=fmt,
        layer=layer,
        where=where,
        columns=columns,
        kind=kind,
        default_kind=default_kind,
        crs=crs,
        working_crs=working_crs,
        source_name=source_name,
    )


def _read_vector_file(
    path: Path,
    *,
    fmt: str,
    layer: str | None,
    where: str | None,
    columns: Mapping[str, str] | None,
    kind: str | None,
    default_kind: bool,
    crs: object | None,
    working_crs: object | None,
    source_name: str | None,
) -> gpd.GeoDataFrame:
    """A vector file: a sites file gisplan wrote, EPA RE-Powering records, or plain features."""
    raw = read_vector(path, layer=layer, where=where, crs=crs)
    if fmt == "vector" and not columns and is_sites_frame(raw):
        # a file gisplan wrote (`gisplan read`, `score`): keep its kinds, ids and attributes
        return read_sites_frame(raw, label=file_label(path, layer), kind=kind, working_crs=working_crs)
    if fmt == "us-epa":
        return read_us_epa(
            raw,
            label=file_label(path, layer),
            kind=kind or ("brownfield" if default_kind else None),
            columns=columns,
            working_crs=working_crs,
        )
    return canonical(
        raw,
        source=source_name or _default_source(path, layer),
        source_ids=raw.index,
        names=guess_names(raw),
        kind=kind,
        label=file_label(path, layer),
        columns=columns,
        working_crs=working_crs,
    )


def read(
    source: str | Path,
    *,
    format: str = "auto",
    layer: str | None = None,
    where: str | None = None,
    columns: Mapping[str, str] | None = None,
    kind: str | None = None,
    crs: object | None = None,
    working_crs: object | None = None,
    source_name: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a data file into canonical sites in the working CRS.

    Parameters
    ----------
    source
        A local file. GDAL virtual paths (``/vsi…``), ``.vrt`` files, URLs and connection
        strings are refused.
    format
        ``auto`` (sniff), ``ruian``, ``uk-blr``, ``cz-brownfields``, ``us-epa`` (EPA RE-Powering
        screening sites), ``osm`` or ``vector``.
    layer
        Vector: the layer of a multi-layer file. RÚIAN: ``obce``, ``parcely`` or
        ``stavebni_objekty`` (default) or a GDAL layer name. OSM: a preset, ``buildings``
        (default), ``brownfields``, ``substations`` or ``power_lines``.
    where
        OGR SQL filter (vector and RÚIAN only).
    columns
        ``{"name"|"source_id"|"kind": source column}``, winning over each format's defaults, and
        at most one declared area for point sites: ``{"area_m2"|"area_ha"|"area_acres": column}``.
    kind
        Site kind of every feature: ``brownfield``, ``rooftop`` or ``municipal_land``. ``None``
        keeps the format's default: RÚIAN buildings and OSM buildings ``rooftop``, registers and
        OSM brownfields ``brownfield``, everything else none (RÚIAN parcels are municipal land
        only when asked).
    crs
        CRS of vector data that declare none (CSV, TopoJSON, shapefile without ``.prj``).
    working_crs
        Metric CRS of the result; by default GISPLAN_WORKING_CRS, else EPSG:5514 for data in
        Czechia, else the UTM zone pyproj estimates.
    source_name
        ``source`` of vector files (default the file stem, plus ``/layer``); other formats use
        ``ruian``, ``osm``, ``uk-blr`` and ``cz-brownfields`` so their ids stay stable.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id``, ``kind``, ``name``, ``source``, ``source_id``, ``area_m2`` [m²],
        ``area_source`` (``geometry``, ``declared:<field>[<unit>]`` or ``not_available``), the
        source attributes in snake_case, and ``geometry`` in the working CRS.
    """
    if format not in FORMATS:
        msg = f"unknown format {format!r}; use one of {', '.join(FORMATS)}"
        raise InputError(msg)
    check_kind(kind)
    return read_path(
        check_path(source),
        format=format,
        layer=layer,
        where=where,
        columns=columns,
        kind=kind,
        default_kind=kind is None,
        crs=crs,
        working_crs=working_crs,
        source_name=source_name,
    )


def read_layer(layer: Layer, *, data_dir: Path | None = None, working_crs: object | None = None) -> gpd.GeoDataFrame:
    """Read a catalogue layer into canonical sites in the working CRS.

    Paths are relative to ``data_dir`` (default GISPLAN_DATA_DIR). The layer's ``site_kind``
    is the kind of every feature (``None`` for non-candidate layers), and vector sources use the
    layer id as ``source``. A layer with ``owned:`` gives the owned RÚIAN parcels only
    (:func:`gisplan.sources._owned.read_owned_layer`).

    Raises
    ------
    InputError
        For raster layers: read those with :func:`gisplan.sources.open_raster` or
        :func:`gisplan.sources.read_raster_window`.
    """
    folder = data_dir or settings.get().data_dir
    src = layer.source
    if isinstance(src, RasterSource):
        msg = (
            f"layer {layer.id} is a raster; read it with gisplan.sources.open_raster or "
            "gisplan.sources.read_raster_window, not read_layer"
        )
        raise InputError(msg)
    if isinstance(src, FileSource) and layer.owned is not None:
        from gisplan.sources._owned import read_owned_layer

        return read_owned_layer(layer, data_dir=folder, working_crs=working_crs).sites
    if isinstance(src, FileSource):
        return read_path(
            check_path(folder / src.path),
            format=src.format,
            layer=src.layer,
            where=src.where,
            columns=src.columns or None,
            kind=layer.site_kind,
            default_kind=False,
            crs=None,
            working_crs=working_crs,
            source_name=layer.id,
        )
    return _read_osm_layer(layer, src, folder, working_crs)


def _read_osm_layer(layer: Layer, src: OsmSource, folder: Path, working_crs: object | None) -> gpd.GeoDataFrame:
    if src.file:
        return read_osm_file(
            check_path(folder / src.file), tags=src.tags, kind=layer.site_kind, working_crs=working_crs
        )
    polygon = None
    if src.polygon:
        area = read_vector(check_path(folder / src.polygon))
        polygon = area.to_crs("EPSG:4326").geometry.union_all()
    return read_osm_online(
        tags=src.tags, place=src.place, polygon=polygon, kind=layer.site_kind, working_crs=working_crs
    )


__all__ = ["FORMATS", "read", "read_layer", "sniff_format"]
