"""Choosing a reader: by the ``format`` argument, by sniffing the file, or by a catalogue layer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from gisplan import settings
from gisplan.catalogue import FileSource, Layer, OsmSource, RasterSource
from gisplan.errors import InputError
from gisplan.formats import ReadRequest, format_names, get_format
from gisplan.formats import sniff as sniff_registered
from gisplan.sources import _formats  # noqa: F401  (registers the built-in formats)
from gisplan.sources._common import check_kind, check_path
from gisplan.sources._osm import read_osm_file, read_osm_online
from gisplan.sources._vector import read_vector

if TYPE_CHECKING:
    import geopandas as gpd


class _Formats(tuple[str, ...]):
    """``auto`` and the registered format names, read when asked (:func:`gisplan.formats.format_names`)."""

    def __contains__(self, name: object) -> bool:
        return name in format_names()

    def __iter__(self) -> Iterator[str]:
        return iter(format_names())

    def __len__(self) -> int:
        return len(format_names())

    def __repr__(self) -> str:
        return repr(format_names())


#: The values ``format=`` accepts: ``auto`` and every registered format (:mod:`gisplan.formats`).
FORMATS: tuple[str, ...] = _Formats()


def sniff_format(path: Path) -> str:
    """The format of a checked file: the first registered format that recognises it, else ``vector``.

    Built in: OSM by name (``.osm``, ``.osm.pbf``, ``.osm.bz2``…) or an ``<osm`` root; RÚIAN by a
    ``VymennyFormat`` root in ``.xml``/``.xml.gz``; registers by their CSV header; the EPA
    RE-Powering screening sites by their fields (``Site_Name``, ``Site_ID``, ``Acres``); else vector.
    One sniffer (:func:`gisplan.formats.sniff`) serves this and intake.
    """
    return sniff_registered(path) or "vector"


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
    fmt = get_format(sniff_format(path) if format == "auto" else format)
    if fmt.fixed_crs is not None and crs is not None:
        msg = f"{path}: --crs / crs= is only for vector files and CSV; {fmt.name} data are in {fmt.fixed_crs}"
        raise InputError(msg)
    if not fmt.where and where:
        msg = f"{path}: a where filter is not supported for {fmt.name}; filter the result instead"
        raise InputError(msg)
    request = ReadRequest(
        layer=layer,
        where=where,
        columns=columns,
        kind=kind or (fmt.default_kind if default_kind else None),
        default_kind=default_kind,
        crs=crs,
        working_crs=working_crs,
        source_name=source_name,
    )
    return fmt.read(path, request)


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
        screening sites), ``osm``, ``vector`` or any format registered with :mod:`gisplan.formats`.
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
    if format not in format_names():
        msg = f"unknown format {format!r}; use one of {', '.join(format_names())}"
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
