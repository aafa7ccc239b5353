"""The first sheet of the XLSX export: the sites as a council reads them, in the reader's language.

The data sheets behind it keep codes and full column names for reuse in other
tools; this sheet names each site by its name or address, translates kind,
status and yield source, rounds every number to the precision it is known to,
and carries the unit in each header. A number that was not measured stays an
empty cell, never 0.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan.export._dossier import site_title
from gisplan.export._dossier_labels import labels

if TYPE_CHECKING:
    from gisplan.export._snapshot import ExportSnapshot

#: Sites column -> (label key, decimals) of the rounded numbers the sheet shows.
NUMBERS: dict[str, tuple[str, int]] = {
    "score": ("score_100", 1),
    "capacity_kwp": ("capacity_kwp", 0),
    "energy_mwh_yr": ("energy_mwh_yr", 1),
    "co2_t_yr": ("co2_t_yr", 1),
}


def _labels(lang: str) -> dict[str, str]:
    return labels(lang)


def _word(labels: dict[str, str], group: str, code: Any) -> str:
    text = "" if code is None or (isinstance(code, float) and math.isnan(code)) else str(code)
    return labels.get(f"{group}.{text}", text) if text else ""


def _rounded(value: Any, digits: int) -> float | None:
    number = pd.to_numeric(value, errors="coerce")
    if pd.isna(number):
        return None
    return round(float(number), digits) if digits else float(round(float(number)))


def sheet_title(lang: str) -> str:
    """The overview sheet's name in ``lang`` (Přehled, Overview…)."""
    return _labels(lang)["overview"]


def overview_table(snapshot: ExportSnapshot, lang: str) -> pd.DataFrame:
    """One row per site, best first: rank, name or address, municipality, kind, status, rounded figures.

    Headers are in ``lang`` with units (``Instalovaný výkon [kWp]``); ``completeness``
    is shown as a whole percentage of the profile's criteria weight that was measured.
    """
    labels = _labels(lang)
    sites = snapshot.sites
    rows: list[dict[str, Any]] = []
    for _, site in sites.iterrows():
        attrs = snapshot.attributes.get(str(site["site_id"]), {})
        row: dict[str, Any] = {
            labels["rank"]: site.get("rank"),
            labels["site"]: site_title(site, attrs),
            labels["municipality"]: site.get("municipality") or site.get("municipality_code") or "",
            labels["kind"]: _word(labels, "kind", site.get("kind")),
            labels["status"]: _word(labels, "status", site.get("status")),
        }
        for column, (key, digits) in NUMBERS.items():
            row[labels[key]] = _rounded(site.get(column), digits)
        complete = _rounded(site.get("completeness"), 2)
        row[labels["completeness_pct"]] = None if complete is None else round(complete * 100)
        row[labels["yield_source"]] = _word(labels, "source", site.get("yield_source"))
        rows.append(row)
    columns = [labels[k] for k in ("rank", "site", "municipality", "kind", "status")]
    columns += [labels[key] for key, _ in NUMBERS.values()]
    columns += [labels["completeness_pct"], labels["yield_source"]]
    return pd.DataFrame(rows, columns=columns)


__all__ = ["NUMBERS", "overview_table", "sheet_title"]
