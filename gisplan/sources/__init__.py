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
- :func:`open_raster` and :func:`read_raster_window` read GeoTIFF bands with nodata as ``NaN``.
- :func:`sites_batch_reader` reads a sites file gisplan wrote batch by batch (for streamed, partitioned scoring).
"""

from __future__ import annotations

from gisplan.sources._dispatch import FORMATS, read, read_layer, sniff_format
from gisplan.sources._osm import PRESETS as OSM_PRESETS
from gisplan.sources._osm import read_osm_online
from gisplan.sources._raster import RasterData, open_raster, read_raster_window
from gisplan.sources._sites import sites_batch_reader

__all__ = [
    "FORMATS",
    "OSM_PRESETS",
    "RasterData",
    "open_raster",
    "read",
    "read_layer",
    "read_osm_online",
    "read_raster_window",
    "sites_batch_reader",
    "sniff_format",
]
