"""What every exported column means, and where the data came from (licences and attributions).

:func:`data_dictionary` lists each column of each exported layer with its
meaning, unit and source; the GeoPackage carries it as table ``data_dictionary``
and the XLSX as a sheet. :func:`data_sources` names every source of the sites
and every catalogue layer behind the scores, with its licence text. Data from
OpenStreetMap always carries the ODbL attribution, whatever the catalogue says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan.export._columns import SourceInfo
from gisplan.site_schema import COLUMNS

if TYPE_CHECKING:
    from gisplan.catalogue import Catalogue
    from gisplan.export._snapshot import ExportSnapshot

#: The attribution OpenStreetMap requires (https://www.openstreetmap.org/copyright).
OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)"
#: Title and licence of the sources whose readers give them a fixed name (see gisplan.sources).
KNOWN_SOURCES: dict[str, tuple[str, str]] = {
    "osm": ("OpenStreetMap", OSM_ATTRIBUTION),
    "ruian": ("RÚIAN (ČÚZK)", "© ČÚZK, RÚIAN open data, CC BY 4.0"),
    "uk-blr": (
        "UK Brownfield Land Registers",
        "Contains public sector information licensed under the Open Government Licence v3.0",
    ),
    "cz-brownfields": ("Czech brownfield register (CSV)", "as stated by the register's publisher"),
    "submission": ("Sites submitted by municipalities in gisplan", "provided by the submitting municipality"),
}

STORE = "gisplan store"
SOURCE_DATA = "source data (see table data_sources)"
EXPORT = "gisplan export"


def _score_row(name: str) -> tuple[str, str, str, str]:
    """A score column's dictionary row, from the scored-site schema (:mod:`gisplan.site_schema`)."""
    column = COLUMNS[name]
    return (column.name, column.description, column.unit, STORE)


_STORE_SITE: tuple[tuple[str, str, str, str], ...] = (
    (
        "rank",
        "place of the site in the shortlist by score under the profile, 1 = best; excluded sites after kept "
        "ones; empty when not scored",
        "",
        EXPORT,
    ),
    ("site_id", "stable site id: source:source_id", "", STORE),
    ("name", "name of the site as given by the source", "", SOURCE_DATA),
    ("kind", "site kind: brownfield, rooftop or municipal_land", "", SOURCE_DATA),
    (
        "status",
        "workflow status: new, screening, shortlisted, project_in_preparation, funded, realised, rejected",
        "",
        STORE,
    ),
    ("status_reason", "reason given with the last status change", "", STORE),
    ("priority", "priority set by the animator: low, normal, high", "", STORE),
    ("note", "the animator's note on the site", "", STORE),
    ("municipality_code", "municipality code (kód obce, RÚIAN/ČSÚ) containing the site", "", SOURCE_DATA),
    ("municipality", "municipality name", "", STORE),
    ("region_code", "region code (NUTS 3)", "", SOURCE_DATA),
    ("area_m2", "area of the site", "m²", SOURCE_DATA),
    ("area_ha", "area of the site", "ha", SOURCE_DATA),
    (
        "area_source",
        "where the area comes from: geometry, declared:<field>[unit] (a register's declared area), not_available",
        "",
        SOURCE_DATA,
    ),
    ("source", "source of the site (catalogue layer id or reader name)", "", SOURCE_DATA),
    ("source_id", "id of the site in its source", "", SOURCE_DATA),
    _score_row("profile"),
    _score_row("profile_version"),
    _score_row("score"),
    _score_row("completeness"),
    ("criteria_assumed", "criteria where a default of the profile stood in for a value, ';'-separated", "", STORE),
    (
        "criteria_not_available",
        "criteria no data layer reached (no points given), ';'-separated",
        "",
        STORE,
    ),
    ("score_note", "which profile's score the row carries when not the chosen one, or why none", "", STORE),
    _score_row("excluded"),
    _score_row("exclusion_reasons"),
    _score_row("handicaps"),
    _score_row("capacity_kwp"),
    _score_row("yield_kwh_kwp_yr"),
    _score_row("yield_source"),
    _score_row("yield_note"),
    _score_row("energy_mwh_yr"),
    _score_row("co2_t_yr"),
    _score_row("households"),
    ("communities", "linked communities with the link's role, ';'-separated", "", STORE),
    ("funding_calls", "linked funding calls with the matcher's verdict, ';'-separated", "", STORE),
    ("funding_eligible", "codes of the funding calls the site is eligible for", "", STORE),
    ("annotations", "number of notes on the site (see layer annotations)", "count", STORE),
    ("attributes", "source attributes as ingested (JSON)", "", SOURCE_DATA),
    ("first_seen", "when the site first came from its source (UTC)", "date-time", STORE),
    ("updated_at", "last change of the site in the store (UTC)", "date-time", STORE),
    ("end_date", "date the source dropped the site; empty while current", "date", STORE),
    ("geom", "site polygon in the working CRS", "CRS units (m)", SOURCE_DATA),
)

_OTHER_LAYERS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "annotations": (
        ("annotation_id", "id of the note", "", STORE),
        ("site_id", "site the note is on (sites.site_id)", "", STORE),
        ("author", "user name of the author", "", STORE),
        ("text", "the note", "", STORE),
        ("created_at", "when the note was written (UTC)", "date-time", STORE),
        ("updated_at", "last edit of the note (UTC)", "date-time", STORE),
        ("geom", "a point on the site the note is about", "CRS units (m)", EXPORT),
    ),
    "community_links": (
        ("link_id", "id of the link", "", STORE),
        ("site_id", "linked site (sites.site_id)", "", STORE),
        ("community_id", "linked community (communities.community_id)", "", STORE),
        ("community", "name of the community", "", STORE),
        ("role", "role of the community for the site (owner, user…)", "", STORE),
        ("note", "note on the link", "", STORE),
        ("created_at", "when the link was made (UTC)", "date-time", STORE),
    ),
    "funding_links": (
        ("link_id", "id of the link", "", STORE),
        ("site_id", "linked site (sites.site_id)", "", STORE),
        ("funding_call_id", "linked call (funding_calls.funding_call_id)", "", STORE),
        ("call_code", "code of the funding call", "", STORE),
        ("call_name", "name of the funding call", "", STORE),
        ("verdict", "matcher's verdict: eligible, not_eligible, unknown", "", STORE),
        ("reasons", "the matcher's reasons, ';'-separated", "", STORE),
        ("note", "note on the link", "", STORE),
        ("updated_at", "last change of the link (UTC)", "date-time", STORE),
    ),
    "communities": (
        ("community_id", "id of the community", "", STORE),
        ("kind", "municipality, mas or energy_community", "", STORE),
        ("name", "name", "", STORE),
        ("code", "kód obce for municipalities, register code otherwise", "", STORE),
        ("population", "inhabitants", "persons", STORE),
        ("region_code", "region code (NUTS 3)", "", STORE),
        ("municipality_code", "seat municipality (kód obce)", "", STORE),
    ),
    "funding_calls": (
        ("funding_call_id", "id of the call", "", STORE),
        ("code", "code of the call", "", "funding-call catalogue"),
        ("programme", "programme (OPST, Modernisation Fund…)", "", "funding-call catalogue"),
        ("name", "name of the call", "", "funding-call catalogue"),
        ("provider", "who runs the call", "", "funding-call catalogue"),
        ("intake_start", "first day applications are accepted", "date", "funding-call catalogue"),
        ("intake_end", "last day applications are accepted", "date", "funding-call catalogue"),
    ),
}


def _criterion_unit(snapshot: ExportSnapshot, line: str) -> str:
    for lines in snapshot.breakdown.values():
        for item in lines:
            if str(item.get("criterion")) == line and item.get("unit"):
                return str(item["unit"])
    return ""


def data_dictionary(snapshot: ExportSnapshot) -> pd.DataFrame:
    """Column, meaning, unit and source of every column of every exported layer.

    Returns
    -------
    pandas.DataFrame
        Columns ``layer``, ``column``, ``meaning``, ``unit``, ``source``; the
        ``pts_``/``val_`` columns of the breakdown are described per criterion.
    """
    from gisplan.export._columns import POINTS_PREFIX, VALUE_PREFIX, column_name

    profile = f"scoring profile {snapshot.profile} v{snapshot.profile_versions.get(snapshot.profile or '', '?')}"
    known = {name: (meaning, unit, source) for name, meaning, unit, source in _STORE_SITE}
    rows: list[dict[str, str]] = []
    by_column = {column_name(line): line for line in snapshot.criteria()}
    for column in [*(str(c) for c in snapshot.sites.columns if c != snapshot.sites.geometry.name), "geom"]:
        if column in known:
            meaning, unit, source = known[column]
        elif column.startswith(POINTS_PREFIX):
            line = by_column.get(column[len(POINTS_PREFIX) :], column)
            meaning, unit, source = f"points of breakdown line {line!r} (negative for handicaps)", "points", profile
        elif column.startswith(VALUE_PREFIX):
            line = by_column.get(column[len(VALUE_PREFIX) :], column)
            meaning, unit, source = f"raw value of criterion {line!r}", _criterion_unit(snapshot, line), profile
        else:
            meaning, unit, source = "exported value", "", EXPORT
        rows.append({"layer": "sites", "column": column, "meaning": meaning, "unit": unit, "source": source})
    for layer, entries in _OTHER_LAYERS.items():
        rows += [{"layer": layer, "column": c, "meaning": m, "unit": u, "source": s} for c, m, u, s in entries]
    return pd.DataFrame(rows, columns=["layer", "column", "meaning", "unit", "source"])


def _reader(layer: Any) -> str:
    """The source name the readers give a candidate layer's sites when it is not the layer id."""
    from gisplan.catalogue import OsmSource

    if layer.role != "candidate":
        return ""
    if isinstance(layer.source, OsmSource):
        return "osm"
    fmt = str(getattr(layer.source, "format", "auto"))
    return fmt if fmt in {"ruian", "uk-blr", "cz-brownfields", "osm"} else ""


def _with_osm(licence: str, is_osm: bool) -> str:
    if is_osm and "ODbL" not in licence:
        return f"{licence}; {OSM_ATTRIBUTION}" if licence else OSM_ATTRIBUTION
    return licence


def data_sources(site_counts: Mapping[str, int], catalogue: Catalogue | None = None) -> list[SourceInfo]:
    """Every source of the exported sites, then the other catalogue layers, with licences.

    Parameters
    ----------
    site_counts
        ``source -> number of exported sites`` from that source.
    catalogue
        The layer catalogue; default the configured one (none when it cannot be loaded).
    """
    from gisplan.catalogue import OsmSource
    from gisplan.errors import ConfigError

    if catalogue is None:
        from gisplan.catalogue import load_catalogue

        try:
            catalogue = load_catalogue()
        except (ConfigError, OSError):
            catalogue = None
    layers = catalogue.layers if catalogue is not None else {}
    found: list[SourceInfo] = []
    for source, count in sorted(site_counts.items()):
        layer = layers.get(source)
        if layer is not None:
            is_osm = isinstance(layer.source, OsmSource) or getattr(layer.source, "format", "") == "osm"
            licence = _with_osm(layer.licence, is_osm)
            found.append(SourceInfo(source, layer.title.en, licence, layer.role, count))
            continue
        readers = [item for item in layers.values() if _reader(item) == source]
        if readers:  # registers, RÚIAN and OSM readers name the source by format, not by layer id
            title = ", ".join(item.title.en for item in readers)
            licence = "; ".join(dict.fromkeys(item.licence for item in readers))
        else:
            title, licence = KNOWN_SOURCES.get(source.split("/")[0], (source, "not recorded; ask the data provider"))
        found.append(SourceInfo(source, title, _with_osm(licence, source.startswith("osm")), "candidate", count))
    for layer_id, layer in layers.items():
        if layer_id in site_counts:
            continue
        is_osm = isinstance(layer.source, OsmSource) or getattr(layer.source, "format", "") == "osm"
        found.append(SourceInfo(layer_id, layer.title.en, _with_osm(layer.licence, is_osm), layer.role, 0))
    return found


def sources_frame(sources: list[SourceInfo]) -> pd.DataFrame:
    """The sources as a table: ``source``, ``title``, ``role``, ``sites``, ``licence``."""
    return pd.DataFrame(
        [
            {"source": s.source, "title": s.title, "role": s.role, "sites": s.sites, "licence": s.licence}
            for s in sources
        ],
        columns=["source", "title", "role", "sites", "licence"],
    )


__all__ = ["KNOWN_SOURCES", "OSM_ATTRIBUTION", "data_dictionary", "data_sources", "sources_frame"]
