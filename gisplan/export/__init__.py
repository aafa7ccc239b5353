"""Export of shortlisted sites: GeoPackage for QGIS, CSV/XLSX, and one-page site dossiers.

Every export starts from one consistent :class:`ExportSnapshot` of a shortlist,
read by :func:`load_snapshot` (which also checks and audits the export
permission):

>>> snap = load_snapshot(store, user_id, "Ústí 2027")          # doctest: +SKIP
>>> write_geopackage(snap, "shortlist.gpkg")                    # doctest: +SKIP
>>> write_csv(snap, "sites.csv", variant="cz-brownfields")      # doctest: +SKIP
>>> write_xlsx(snap, "sites.xlsx")                              # doctest: +SKIP
>>> pdf = dossier_pdf(snap, "ruian:1234", lang="cs")            # doctest: +SKIP

Every other table a spreadsheet may open (SECAP actions, the app's table
downloads) is written by :mod:`gisplan.export.spreadsheet` too
(:func:`write_table_csv`, :func:`write_tables_xlsx`), which neutralises formulas.
"""

from __future__ import annotations

from gisplan.export._dictionary import OSM_ATTRIBUTION, data_dictionary, data_sources, sources_frame
from gisplan.export._dossier import dossier_html, dossier_pdf, dossiers_pdf
from gisplan.export._gpkg import split_sites, write_geopackage
from gisplan.export._snapshot import ExportSnapshot, SourceInfo, load_snapshot
from gisplan.export._tabular import CSV_VARIANTS, sites_table, write_csv, write_xlsx
from gisplan.export.spreadsheet import (
    neutralise,
    table_csv_bytes,
    tables_xlsx_bytes,
    write_table_csv,
    write_tables_xlsx,
)

__all__ = [
    "CSV_VARIANTS",
    "OSM_ATTRIBUTION",
    "ExportSnapshot",
    "SourceInfo",
    "data_dictionary",
    "data_sources",
    "dossier_html",
    "dossier_pdf",
    "dossiers_pdf",
    "load_snapshot",
    "neutralise",
    "sites_table",
    "sources_frame",
    "split_sites",
    "table_csv_bytes",
    "tables_xlsx_bytes",
    "write_csv",
    "write_geopackage",
    "write_table_csv",
    "write_tables_xlsx",
    "write_xlsx",
]
