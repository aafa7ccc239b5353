"""The scored-site schema: the columns :func:`gisplan.score` adds to every site, owned here.

Every writer of scored sites uses these names, in this order: the scoring core
(:mod:`gisplan.scoring`), the ingest into the store (:mod:`gisplan.workflows.ingest`),
the per-site scoring of an accepted submission (:mod:`gisplan.workflows.site_scoring`),
the exports (:mod:`gisplan.export`: GeoPackage, CSV/XLSX, dossier) and the data
dictionary that documents them. A new score column is added here once, with its
type, unit and dictionary text, and the store migration that keeps it.

Each :class:`ScoreColumn` says what the value is (``number``, ``text``, ``flag``,
``json``: a JSON list), its unit (empty when it has none) and a one-line English
description for the data dictionary. Numbers that cannot be measured are missing
(NaN / NULL) with a reason in the matching ``*_source``/``*_note`` column, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ScoreColumn:
    """One column of a scored site: name, value type, unit and dictionary text (English)."""

    name: str
    kind: Literal["number", "text", "flag", "json"]
    unit: str
    description: str


#: The score of a site under one profile, in output order.
RESULT: tuple[ScoreColumn, ...] = (
    ScoreColumn("profile", "text", "", "scoring profile of the score columns"),
    ScoreColumn("profile_version", "text", "", "version of the scoring profile"),
    ScoreColumn(
        "score", "number", "points (0–100)", "score of the site under the profile; the pts_ columns add up to it"
    ),
    ScoreColumn(
        "completeness",
        "number",
        "share (0–1)",
        "share of the profile's criteria weight backed by measured data (the rest assumed or not available)",
    ),
    ScoreColumn("excluded", "flag", "", "true when the profile excludes the site (hard exclusion)"),
    ScoreColumn("exclusion_reasons", "json", "", "why the profile excludes the site"),
    ScoreColumn("handicaps", "json", "", "graded handicaps met (light, medium, heavy)"),
    ScoreColumn("breakdown", "json", "", "each criterion's raw value, points and weight (JSON)"),
)

#: The energy estimate of a site and where its yield comes from, in output order.
ENERGY: tuple[ScoreColumn, ...] = (
    ScoreColumn("capacity_kwp", "number", "kWp", "estimated PV capacity"),
    ScoreColumn("yield_kwh_kwp_yr", "number", "kWh/kWp/yr", "specific yield"),
    ScoreColumn("energy_mwh_yr", "number", "MWh/yr", "estimated annual PV energy"),
    ScoreColumn("co2_t_yr", "number", "t/yr", "avoided CO₂ emissions"),
    ScoreColumn("households", "number", "households", "households whose annual electricity the energy covers"),
    ScoreColumn(
        "yield_source",
        "text",
        "",
        "where the yield comes from: irradiation_raster, region (declared GHI), fallback_clearsky, not_available",
    ),
    ScoreColumn("yield_note", "text", "", "why the yield is not available"),
)

#: Every score column, by name.
COLUMNS: dict[str, ScoreColumn] = {c.name: c for c in (*RESULT, *ENERGY)}
#: Names of :data:`RESULT`, in order.
RESULT_COLUMNS: tuple[str, ...] = tuple(c.name for c in RESULT)
#: Names of :data:`ENERGY`, in order.
ENERGY_COLUMNS: tuple[str, ...] = tuple(c.name for c in ENERGY)
#: The energy numbers (kWp, kWh/kWp/yr, MWh/yr, t/yr, households), in order.
ENERGY_NUMBERS: tuple[str, ...] = tuple(c.name for c in ENERGY if c.kind == "number")
#: Where a score's numbers come from: the measured share of the weight [0–1]…
PROVENANCE_NUMBERS: tuple[str, ...] = ("completeness",)
#: … and the source of the yield, with the reason when it is not available.
PROVENANCE_TEXTS: tuple[str, ...] = tuple(c.name for c in ENERGY if c.kind == "text")
#: Columns holding JSON lists (text in a GeoPackage).
JSON_LIST_COLUMNS: tuple[str, ...] = tuple(c.name for c in RESULT if c.kind == "json")

__all__ = [
    "COLUMNS",
    "ENERGY",
    "ENERGY_COLUMNS",
    "ENERGY_NUMBERS",
    "JSON_LIST_COLUMNS",
    "PROVENANCE_NUMBERS",
    "PROVENANCE_TEXTS",
    "RESULT",
    "RESULT_COLUMNS",
    "ScoreColumn",
]
