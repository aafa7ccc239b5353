"""Reading small per-code CSV tables (measured demand, the energy poverty indicator) with every problem listed.

The files are what a municipality or an energy agency has at hand: UTF-8 (with or
without a BOM), comma, semicolon or tab separated, a header row. Each reader
names its columns; the functions here read the rows with their line numbers and
check numbers and years, so every problem is reported with the line and field at
once (:class:`~gisplan.errors.InvalidDataError`), before anything is stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

from gisplan.errors import InputError, Problem

#: Earliest year accepted for a measured value.
FIRST_YEAR = 1990


def read_rows(
    path: str | Path, *, required: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV as ``(line number, {lower-case column: stripped text})``.

    Raises
    ------
    InputError
        If the file does not exist, is not UTF-8, or lacks a ``required`` column.
    """
    source = Path(path)
    if not source.is_file():
        msg = f"{source} does not exist or is not a file; give a CSV with columns {', '.join(required)}"
        raise InputError(msg)
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            try:
                dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            reader = csv.DictReader(handle, dialect=dialect)
            header = [(h or "").strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in required if c not in header]
            if missing:
                known = ", ".join(required) + (f" (optional: {', '.join(optional)})" if optional else "")
                msg = f"{source}: missing column(s) {missing}; the CSV has {header} and needs {known}"
                raise InputError(msg)
            return [
                (line, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None})
                for line, row in enumerate(reader, start=2)
            ]
    except UnicodeDecodeError as exc:
        msg = f"{source} is not UTF-8 text ({exc.reason}); save it as CSV UTF-8"
        raise InputError(msg) from exc


def number(
    text: str, *, file: str, line: int, field: str, problems: list[Problem], minimum: float = 0.0
) -> float | None:
    """``text`` as a finite number >= ``minimum`` (a decimal comma is accepted), else a problem and None."""
    try:
        value = float(text.replace(" ", "").replace(",", "."))
    except ValueError:
        problems.append(Problem(file, f"line {line}, field {field}", f"{text!r} is not a number"))
        return None
    if not math.isfinite(value) or value < minimum:
        problems.append(Problem(file, f"line {line}, field {field}", f"{text!r} must be a number >= {minimum:g}"))
        return None
    return value


def year(text: str, *, file: str, line: int, field: str, problems: list[Problem]) -> int | None:
    """``text`` as a year from :data:`FIRST_YEAR` to next year, else a problem and None."""
    last = dt.date.today().year + 1
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= last:
        problems.append(Problem(file, f"line {line}, field {field}", f"{text!r} is not a year {FIRST_YEAR}–{last}"))
        return None
    return int(text)


__all__ = ["FIRST_YEAR", "number", "read_rows", "year"]
