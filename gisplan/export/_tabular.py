"""CSV and XLSX exports of the shortlisted sites, safe to open in a spreadsheet.

The cells are written by :mod:`gisplan.export.spreadsheet`, which neutralises
text a spreadsheet would run as a formula (CSV injection) and types XLSX text
cells as strings.

Three CSV variants:

- ``gisplan``: every column of :func:`sites_table`;
- ``uk-blr``: the UK Brownfield Land Register columns (digital-land harmonised
  form, as ``gisplan read --format uk-blr`` reads them);
- ``cz-brownfields``: the Czech brownfield fields of
  ``docs/cz_brownfields_schema.md`` (``--format cz-brownfields``), plus gisplan's
  score and status.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan.errors import InputError
from gisplan.export._dictionary import data_dictionary, sources_frame
from gisplan.export._gpkg import check_out, metadata
from gisplan.export.spreadsheet import FORMULA_TRIGGERS, neutralise, write_table_csv, write_tables_xlsx

if TYPE_CHECKING:
    from gisplan.export._snapshot import ExportSnapshot

CSV_VARIANTS = ("gisplan", "uk-blr", "cz-brownfields")
#: Columns of the UK Brownfield Land Register CSV (digital-land harmonised), in the registers' order.
UK_BLR_COLUMNS = (
    "resource-date",
    "entry-date",
    "organisation",
    "site",
    "site-address",
    "site-plan-url",
    "deliverable",
    "ownership",
    "planning-permission-status",
    "planning-permission-type",
    "hazardous-substances",
    "latitude",
    "longitude",
    "hectares",
    "minimum-net-dwellings",
    "maximum-net-dwellings",
    "start-date",
    "end-date",
    "notes",
    "resource",
    "name",
)
#: Fields of the Czech brownfield CSV (docs/cz_brownfields_schema.md), then gisplan's own.
CZ_COLUMNS = (
    "kod",
    "nazev",
    "kod_obce",
    "obec",
    "vymera_m2",
    "puvodni_vyuziti",
    "vlastnictvi",
    "kontaminace",
    "elektrina",
    "voda",
    "kanalizace",
    "plyn",
    "prijezd",
    "stav",
    "wkt",
    "gisplan_skore",
    "gisplan_profil",
    "gisplan_stav",
    "gisplan_energie_mwh_rok",
)
#: English ownership values (Czech register reader) -> UK register wording.
_UK_OWNERSHIP = {
    "municipal": "owned by a public authority",
    "other_public": "owned by a public authority",
    "private": "not owned by a public authority",
    "mixed": "mixed ownership",
}


def _points(snapshot: ExportSnapshot) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Representative points of the sites: working CRS [m] and WGS84 [degrees]."""
    geoms = snapshot.sites.geometry
    valid = geoms.notna() & ~geoms.is_empty
    spots = geoms.where(valid).representative_point() if len(geoms) else geoms
    xy = pd.DataFrame({"x": spots.x.round(2), "y": spots.y.round(2)}, index=snapshot.sites.index)
    lonlat = spots.to_crs("EPSG:4326") if len(geoms) else spots
    ll = pd.DataFrame({"longitude": lonlat.x.round(6), "latitude": lonlat.y.round(6)}, index=snapshot.sites.index)
    return xy.where(valid), ll.where(valid)


def sites_table(snapshot: ExportSnapshot) -> pd.DataFrame:
    """The sites without geometry, plus ``x``/``y`` [m, working CRS] and ``longitude``/``latitude`` [°, WGS84].

    The coordinates are of a point inside each site (its representative point).
    """
    frame = pd.DataFrame(snapshot.sites.drop(columns=snapshot.sites.geometry.name))
    xy, lonlat = _points(snapshot)
    return pd.concat([frame, xy, lonlat], axis=1)


def _attr(snapshot: ExportSnapshot, site_id: str, *names: str) -> str:
    attrs = snapshot.attributes.get(site_id, {})
    for name in names:
        value = attrs.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _number(value: Any, digits: int) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def _date(value: Any) -> str:
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    return str(value or "")


def uk_blr_table(snapshot: ExportSnapshot) -> pd.DataFrame:
    """The sites in the UK Brownfield Land Register columns (:data:`UK_BLR_COLUMNS`)."""
    _, lonlat = _points(snapshot)
    today = snapshot.exported_at.date().isoformat()
    rows = []
    for (_, site), (_, ll) in zip(snapshot.sites.iterrows(), lonlat.iterrows(), strict=True):
        sid = str(site["site_id"])
        ownership = _attr(snapshot, sid, "ownership")
        if site["kind"] == "municipal_land" and not ownership:
            ownership = "municipal"
        score = "" if pd.isna(site["score"]) else f"score {site['score']:.1f} ({site['profile']}); "
        notes = f"gisplan {site['kind']}; status {site['status']}; {score}{site['note']}".strip().rstrip(";")
        code = str(site["municipality_code"])
        rows.append(
            {
                "resource-date": today,
                "entry-date": today,
                "organisation": f"municipality-cz:{code}" if code else "gisplan",
                "site": sid,
                "site-address": ", ".join(p for p in (str(site["name"]), str(site["municipality"])) if p),
                "site-plan-url": "",
                "deliverable": "",
                "ownership": _UK_OWNERSHIP.get(ownership, ownership or "unknown ownership"),
                "planning-permission-status": _attr(snapshot, sid, "planning_permission_status") or "not permissioned",
                "planning-permission-type": _attr(snapshot, sid, "planning_permission_type"),
                "hazardous-substances": _attr(snapshot, sid, "hazardous_substances"),
                "latitude": ll["latitude"],
                "longitude": ll["longitude"],
                "hectares": _number(site["area_ha"], 4),
                "minimum-net-dwellings": "",
                "maximum-net-dwellings": "",
                "start-date": _date(site["first_seen"]),
                "end-date": site["end_date"],
                "notes": notes,
                "resource": "",
                "name": str(site["municipality"]),
            }
        )
    return pd.DataFrame(rows, columns=list(UK_BLR_COLUMNS))


def _czech(english: str, column: str) -> str:
    from gisplan.sources import CZ_CATEGORIES

    values = CZ_CATEGORIES[column][1]
    back = {v: k for k, v in values.items()}
    return back.get(english, english if english in values else "")


def cz_brownfields_table(snapshot: ExportSnapshot) -> pd.DataFrame:
    """The sites in the Czech brownfield fields (:data:`CZ_COLUMNS`); ``wkt`` in EPSG:5514."""
    from gisplan.sources import CZ_CATEGORIES

    geoms = snapshot.sites.geometry
    krovak = geoms.to_crs("EPSG:5514") if len(geoms) and snapshot.crs != "EPSG:5514" else geoms
    rows = []
    for (_, site), geom in zip(snapshot.sites.iterrows(), krovak, strict=True):
        sid = str(site["site_id"])
        row: dict[str, Any] = {
            "kod": sid,
            "nazev": site["name"],
            "kod_obce": site["municipality_code"],
            "obec": site["municipality"],
            "vymera_m2": _number(site["area_m2"], 1),
        }
        for czech, (english, _) in CZ_CATEGORIES.items():
            row[czech] = _czech(_attr(snapshot, sid, czech, english), czech)
        row |= {
            "stav": _attr(snapshot, sid, "stav"),
            "wkt": "" if geom is None or geom.is_empty else geom.wkt,
            "gisplan_skore": _number(site["score"], 1),
            "gisplan_profil": site["profile"],
            "gisplan_stav": site["status"],
            "gisplan_energie_mwh_rok": _number(site["energy_mwh_yr"], 1),
        }
        rows.append(row)
    return pd.DataFrame(rows, columns=list(CZ_COLUMNS))


_VARIANTS: dict[str, Callable[[ExportSnapshot], pd.DataFrame]] = {
    "gisplan": sites_table,
    "uk-blr": uk_blr_table,
    "cz-brownfields": cz_brownfields_table,
}


def _replace(target: Path, write: Callable[[Path], None]) -> Path:
    temp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}{target.suffix}")
    try:
        write(temp)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def write_csv(snapshot: ExportSnapshot, path: Path | str, *, variant: str = "gisplan") -> Path:
    """Write the sites as CSV (UTF-8 with BOM, so spreadsheets read Czech letters); return the path.

    Parameters
    ----------
    variant
        ``gisplan`` (every column), ``uk-blr`` or ``cz-brownfields``.
    """
    if variant not in _VARIANTS:
        msg = f"CSV variant {variant!r} is unknown; use one of {', '.join(CSV_VARIANTS)}"
        raise InputError(msg)
    target = check_out(Path(path), (".csv",))
    table = _VARIANTS[variant](snapshot)

    def write(temp: Path) -> None:
        write_table_csv(table, temp)

    return _replace(target, write)


#: Decimals of the numbers in the XLSX sites sheet (the unit is in each column's name and the data dictionary).
XLSX_DECIMALS: dict[str, int] = {
    "area_m2": 0,
    "area_ha": 2,
    "score": 1,
    "completeness": 2,
    "capacity_kwp": 0,
    "yield_kwh_kwp_yr": 1,
    "energy_mwh_yr": 1,
    "co2_t_yr": 1,
    "households": 0,
    "x": 2,
    "y": 2,
    "longitude": 6,
    "latitude": 6,
}
_PREFIX_DECIMALS = {"pts_": 1, "val_": 2}


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """The sites table with every number rounded to a precision fit to print (:data:`XLSX_DECIMALS`)."""
    out = table.copy()
    for column in out.columns:
        name = str(column)
        digits = XLSX_DECIMALS.get(name)
        if digits is None:
            digits = next((d for prefix, d in _PREFIX_DECIMALS.items() if name.startswith(prefix)), None)
        if digits is None:
            continue
        values = pd.to_numeric(out[column], errors="coerce")
        if values.notna().sum() == out[column].notna().sum():  # only numbers: round them, leave text alone
            out[column] = values.round(digits)
    return out


def write_xlsx(snapshot: ExportSnapshot, path: Path | str, *, lang: str | None = None) -> Path:
    """Write the sites and their related tables as an XLSX workbook, best first; return the path.

    The first sheet is the overview in ``lang`` (default the ``GISPLAN_LANG``
    setting): names or addresses, translated kinds and statuses, rounded figures
    with units (:func:`gisplan.export._overview.overview_table`). The data sheets
    keep codes for reuse; numbers in the sites sheet are rounded (:func:`rounded`);
    the CSV keeps them whole.

    Sheets: the overview (``Přehled``, ``Overview``…), ``sites``, ``annotations``,
    ``community_links``, ``funding_links``, ``communities``, ``funding_calls``,
    ``data_dictionary``, ``data_sources`` and ``metadata``.
    """
    from gisplan import settings
    from gisplan.export._overview import overview_table, sheet_title

    target = check_out(Path(path), (".xlsx",))
    lang = lang or settings.get().language
    meta: Mapping[str, str] = metadata(snapshot)
    sheets = {
        sheet_title(lang): overview_table(snapshot, lang),
        "sites": rounded(sites_table(snapshot)),
        "annotations": snapshot.annotations,
        "community_links": snapshot.community_links,
        "funding_links": snapshot.funding_links,
        "communities": snapshot.communities,
        "funding_calls": snapshot.funding_calls,
        "data_dictionary": data_dictionary(snapshot),
        "data_sources": sources_frame(snapshot.sources),
        "metadata": pd.DataFrame({"key": list(meta), "value": list(meta.values())}),
    }

    def write(temp: Path) -> None:
        write_tables_xlsx(sheets, temp)

    return _replace(target, write)


__all__ = [
    "CSV_VARIANTS",
    "CZ_COLUMNS",
    "FORMULA_TRIGGERS",
    "UK_BLR_COLUMNS",
    "cz_brownfields_table",
    "neutralise",
    "sites_table",
    "uk_blr_table",
    "write_csv",
    "write_xlsx",
]
