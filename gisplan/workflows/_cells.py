"""Cells of a scored GeoPackage as the store keeps them: plain Python values, parsed JSON lists.

Used by :mod:`gisplan.workflows.ingest`. Converting column by column (:func:`_plain_list`,
:func:`_json_lists`) gives exactly the values of one :func:`_plain` per cell, so the
content hash of a site does not depend on which way it was computed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gisplan.errors import Problem

if TYPE_CHECKING:
    import pandas as pd

#: The layer of a scored GeoPackage.
LAYER = "sites"


def _plain(value: Any) -> Any:
    """A JSON-safe Python value from a pandas/numpy cell (NaN becomes None)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _text(value: Any) -> str | None:
    """A stored text from a cell; None for missing or empty values."""
    value = _plain(value)
    return None if value is None or value == "" else str(value)


def _code(value: Any) -> str | None:
    value = _plain(value)
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _json_list(raw: Any, column: str, row: int, problems: list[Problem], path: Path) -> list[Any]:
    raw = _plain(raw)
    if raw is None or raw == "":
        return []
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        problems.append(Problem(str(path), f"layer {LAYER}, row {row}, field {column}", f"not valid JSON ({exc})"))
        return []
    if not isinstance(value, list):
        problems.append(Problem(str(path), f"layer {LAYER}, row {row}, field {column}", "must be a JSON list"))
        return []
    return value


def _json_lists(column: pd.Series[Any], name: str, problems: list[Problem], path: Path) -> list[list[Any]]:
    """:func:`_json_list` of every cell, each distinct text parsed once (a file repeats ``[]`` a million times).

    Rows with the same text share one list object: callers must not modify them.
    """
    parsed: dict[Any, list[Any]] = {}
    out: list[list[Any]] = []
    for row, raw in enumerate(column.tolist()):
        key = raw if isinstance(raw, str) else None
        if key is not None and key in parsed:
            out.append(parsed[key])
            continue
        value = _json_list(raw, name, row, problems, path)
        if key is not None:
            parsed[key] = value
        out.append(value)
    return out


def _plain_list(column: pd.Series[Any]) -> list[Any]:
    """:func:`_plain` of every cell; numpy numbers, booleans and pandas strings converted in bulk."""
    from pandas.api.types import is_string_dtype

    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return list(column.to_numpy().tolist())
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        numbers = column.to_numpy()
        values = numbers.astype(object)
        values[np.isnan(numbers)] = None
        return list(values.tolist())
    if is_string_dtype(dtype) and not isinstance(dtype, np.dtype):  # pandas' own string types hold only text
        return list(column.astype(object).where(column.notna(), None).tolist())
    return [_plain(v) for v in column.tolist()]
