"""The built-in input formats, registered like any other (:mod:`gisplan.formats`).

Sniffing order: OSM (by name or an ``<osm`` root), RÚIAN (a ``VymennyFormat``
root in ``.xml``/``.xml.gz``), the two registers (by their CSV header), the EPA
RE-Powering sites (by their fields); ``vector`` is never sniffed, it is what a
file is when no format recognises it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gisplan.formats import InputFormat, ReadRequest, register_format
from gisplan.sources._common import canonical, file_label
from gisplan.sources._epa import fields_of, is_us_epa, read_us_epa
from gisplan.sources._osm import is_osm_file, read_osm_file, resolve_preset
from gisplan.sources._registers import header_of, is_cz_brownfields, is_uk_blr, read_cz_brownfields, read_uk_blr
from gisplan.sources._ruian import is_vfr, read_ruian
from gisplan.sources._sites import is_sites_frame, read_sites_frame
from gisplan.sources._vector import CSV_SUFFIXES, guess_names, read_vector

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd

#: Vector files whose field names are checked for the EPA RE-Powering attributes.
EPA_SUFFIXES = (".geojson", ".json", ".shp", ".zip", ".gpkg", ".fgb")


def _ruian(path: Path, request: ReadRequest) -> gpd.GeoDataFrame:
    return read_ruian(
        path,
        layer=request.layer,
        where=request.where,
        kind=request.kind,
        default_kind=request.default_kind,
        columns=request.columns,
        working_crs=request.working_crs,
    )


def _osm(path: Path, request: ReadRequest) -> gpd.GeoDataFrame:
    preset = resolve_preset(request.layer)
    return read_osm_file(
        path,
        tags=preset.tags,
        kind=request.kind or (preset.kind if request.default_kind else None),
        columns=request.columns,
        working_crs=request.working_crs,
    )


def _uk_blr(path: Path, request: ReadRequest) -> gpd.GeoDataFrame:
    return read_uk_blr(path, kind=request.kind, columns=request.columns, working_crs=request.working_crs)


def _cz_brownfields(path: Path, request: ReadRequest) -> gpd.GeoDataFrame:
    return read_cz_brownfields(path, kind=request.kind, columns=request.columns, working_crs=request.working_crs)


def _default_source(path: Path, layer: str | None) -> str:
    stem = path.name.split(".")[0] or path.stem
    return f"{stem}/{layer}" if layer else stem


def _us_epa(path: Path, request: ReadRequest) -> gpd.GeoDataFrame:
    raw = read_vector(path, layer=request.layer, where=request.where, crs=request.crs)
    return read_us_epa(
        raw,
        label=file_label(path, request.layer),
        kind=request.kind,
        columns=request.columns,
        working_crs=request.working_crs,
    )


def read_vector_sites(path: Path, request: ReadRequest) -> gpd.GeoDataFrame:
    """A vector file: a sites file gisplan wrote, or plain features."""
    raw = read_vector(path, layer=request.layer, where=request.where, crs=request.crs)
    if not request.columns and is_sites_frame(raw):
        # a file gisplan wrote (`gisplan read`, `score`): keep its kinds, ids and attributes
        return read_sites_frame(
            raw, label=file_label(path, request.layer), kind=request.kind, working_crs=request.working_crs
        )
    return canonical(
        raw,
        source=request.source_name or _default_source(path, request.layer),
        source_ids=raw.index,
        names=guess_names(raw),
        kind=request.kind,
        label=file_label(path, request.layer),
        columns=request.columns,
        working_crs=request.working_crs,
    )


def _is_uk_blr(path: Path) -> bool:
    return is_uk_blr(header_of(path))


def _is_cz_brownfields(path: Path) -> bool:
    return is_cz_brownfields(header_of(path))


def _is_us_epa(path: Path) -> bool:
    return is_us_epa(fields_of(path))


register_format(
    InputFormat("osm", _osm, "OpenStreetMap (.osm, .osm.pbf…)", detect=is_osm_file, fixed_crs="EPSG:4326", where=False)
)
register_format(
    InputFormat(
        "ruian",
        _ruian,
        "RÚIAN exchange file (.xml, .xml.gz)",
        suffixes=(".xml", ".xml.gz", ".gz"),
        detect=is_vfr,
        fixed_crs="EPSG:5514",
    )
)
register_format(
    InputFormat(
        "uk-blr",
        _uk_blr,
        "UK Brownfield Land Register CSV",
        suffixes=CSV_SUFFIXES,
        detect=_is_uk_blr,
        fixed_crs="EPSG:4326",
        default_kind="brownfield",
        where=False,
    )
)
register_format(
    InputFormat(
        "cz-brownfields",
        _cz_brownfields,
        "Czech brownfield database CSV",
        suffixes=CSV_SUFFIXES,
        detect=_is_cz_brownfields,
        fixed_crs="EPSG:5514/4326",
        default_kind="brownfield",
        where=False,
    )
)
register_format(
    InputFormat(
        "us-epa",
        _us_epa,
        "EPA RE-Powering screening sites",
        suffixes=EPA_SUFFIXES,
        detect=_is_us_epa,
        default_kind="brownfield",
    )
)
register_format(InputFormat("vector", read_vector_sites, "any vector file GDAL reads, or CSV with lat/lon or WKT"))

__all__ = ["EPA_SUFFIXES", "read_vector_sites"]
