"""Reading data sources into canonical sites in the working CRS.

Every reader returns a GeoDataFrame in the metric working CRS (:mod:`gisplan.crs`)
with the canonical columns ``site_id`` (``f"{source}:{source_id}"``, stable across
re-reads), ``kind`` (``brownfield``, ``rooftop``, ``municipal_land`` or ``None``),
``name``, ``source``, ``source_id`` and ``area_m2`` [m²], followed by the source's
own attributes in snake_case (``roof:shape`` -> ``roof_shape``; a source column
named like a canonical one gets ``_src``) and ``geometry``.

- :func:`read` reads a file, choosing the reader by ``format`` or by sniffing it:
  vector files (GPKG, GeoJSON, TopoJSON, Shapefile and zipped Shapefile, KML,
  FlatGeobuf, GeoParquet, CSV with lat/lon or WKT), RÚIAN exchange files
  (``.xml.gz``), OSM (``.osm`` via osmnx, ``.osm.pbf`` via GDAL), the UK Brownfield
  Land Register CSV and the Czech brownfield CSV (``docs/cz_brownfields_schema.md``).
- :func:`read_layer` reads a catalogue layer (:mod:`gisplan.catalogue`).
- The formats :func:`read` knows are registered in :mod:`gisplan.formats` (the built-in ones
  from ``_formats``): sniffing, reader, fixed CRS and default kind of each; a new format is one
  module that registers itself (``docs/extending.md``).
- :func:`open_raster` and :func:`read_raster_window` read GeoTIFF bands with nodata as ``NaN``.
- :func:`sites_batch_reader` reads a sites file gisplan wrote batch by batch (for streamed, partitioned scoring).

Helpers the rest of gisplan shares (path and column checks, the registers' category
tables, RÚIAN downloads, owned-parcel lists, column mappings) are exported here too;
the modules that only some commands need (``_download``, ``_mapping``, ``_owned``) load
on first use, so ``import gisplan.sources`` costs what it did.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from gisplan.sources._common import attribute_names, check_kind, check_path, snake_case
from gisplan.sources._csv import read_csv_points
from gisplan.sources._dispatch import FORMATS, read, read_layer, sniff_format
from gisplan.sources._osm import PRESETS as OSM_PRESETS
from gisplan.sources._osm import read_osm_online
from gisplan.sources._raster import RASTER_DRIVERS, RasterData, open_raster, read_raster_window
from gisplan.sources._registers import CZ_CATEGORIES, header_of
from gisplan.sources._ruian_codes import BUILDING_USE_VOCABULARY, code_of
from gisplan.sources._sites import sites_batch_reader
from gisplan.sources._vector import CSV_SUFFIXES, guess_names

if TYPE_CHECKING:
    from gisplan.sources._download import check_code, fetch_vfr, parse_date
    from gisplan.sources._mapping import load_mapping, read_mapped
    from gisplan.sources._owned import (
        BASE_COLUMNS,
        NUMBER_COLUMNS,
        read_municipal_land,
        read_owned_layer,
        read_owned_list,
    )

#: Names loaded on first use -> the module that defines them.
_LAZY = {
    **dict.fromkeys(("check_code", "fetch_vfr", "parse_date"), "gisplan.sources._download"),
    **dict.fromkeys(("load_mapping", "read_mapped"), "gisplan.sources._mapping"),
    **dict.fromkeys(
        ("BASE_COLUMNS", "NUMBER_COLUMNS", "read_municipal_land", "read_owned_layer", "read_owned_list"),
        "gisplan.sources._owned",
    ),
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(import_module(module), name)


__all__ = [
    "BASE_COLUMNS",
    "BUILDING_USE_VOCABULARY",
    "CSV_SUFFIXES",
    "CZ_CATEGORIES",
    "FORMATS",
    "NUMBER_COLUMNS",
    "OSM_PRESETS",
    "RASTER_DRIVERS",
    "RasterData",
    "attribute_names",
    "check_code",
    "check_kind",
    "check_path",
    "code_of",
    "fetch_vfr",
    "guess_names",
    "header_of",
    "load_mapping",
    "open_raster",
    "parse_date",
    "read",
    "read_csv_points",
    "read_layer",
    "read_mapped",
    "read_municipal_land",
    "read_osm_online",
    "read_owned_layer",
    "read_owned_list",
    "read_raster_window",
    "sites_batch_reader",
    "snake_case",
    "sniff_format",
]
