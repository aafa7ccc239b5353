"""GeoPackages are inspected with :mod:`sqlite3`, read-only, before GDAL opens them.

A GeoPackage is an SQLite database and may carry SQL that runs when someone
writes to it (triggers) or when a table is read (views). Only the triggers
that the GeoPackage standard and GDAL create are accepted: the spec's checks
on ``gpkg_tile_matrix`` and ``gpkg_metadata*``, GDAL's R-tree maintenance
(``rtree_<table>_<column>_…``, writing only to its own R-tree) and its feature
counters (``trigger_*_feature_count_<table>``, writing only to
``gpkg_ogr_contents``). Views and more than ``max_layers`` layers are refused.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from gisplan.errors import Problem
from gisplan.intake._types import IntakeLimits, reject

_SPEC_TRIGGER = re.compile(
    r"^gpkg_(tile_matrix_(zoom_level|matrix_width|matrix_height|pixel_x_size|pixel_y_size)|"
    r"metadata_(md_scope|reference_reference_scope|reference_column_name|reference_row_id_value|"
    r"reference_timestamp)|metadata_reference_(reference_scope|column_name|row_id_value|timestamp))_(insert|update)$"
)
_RTREE_TRIGGER = re.compile(r"^rtree_(?P<target>.+)_(insert|update\d?|delete)$")
_COUNT_TRIGGER = re.compile(r"^trigger_(insert|delete)_feature_count_(?P<table>.+)$")
_WRITES = re.compile(
    r"\b(?:insert(?:\s+or\s+\w+)?\s+into|update(?:\s+or\s+\w+)?|delete\s+from|replace\s+into)\s+([^\s(]+)",
    re.IGNORECASE,
)
_LITERAL = re.compile(r"'(?:[^']|'')*'")
#: SQL functions a standard trigger never calls and a hostile one might.
_DANGEROUS = re.compile(r"\b(load_extension|writefile|readfile|fts3_tokenizer|edit)\s*\(", re.IGNORECASE)


def _trigger_problem(name: str, table: str, sql: str) -> str | None:  # noqa: PLR0911 - one return per trigger family
    body = sql or ""
    if _DANGEROUS.search(body):
        return "calls a function that reads or writes files or loads code"
    # string literals (RAISE messages) may say "update on table …"; only the SQL around them counts
    code = _LITERAL.sub("''", body)
    parts = re.split(r"\bBEGIN\b", code, maxsplit=1, flags=re.IGNORECASE)
    writes = {w.strip("\"'`[]").lower() or "a quoted table" for w in _WRITES.findall(parts[-1])}
    if _SPEC_TRIGGER.match(name):
        return None if not writes else f"writes to {sorted(writes)}, which the GeoPackage standard's trigger never does"
    rtree = _RTREE_TRIGGER.match(name)
    if rtree:
        own = f"rtree_{rtree.group('target')}".lower()
        if not rtree.group("target").lower().startswith(table.lower() + "_"):
            return f"is named as the R-tree trigger of another table than {table!r}"
        return None if writes <= {own} else f"writes to {sorted(writes - {own})}, not only to its R-tree {own}"
    count = _COUNT_TRIGGER.match(name)
    if count:
        if count.group("table").lower() != table.lower():
            return f"is named as the feature counter of another table than {table!r}"
        return None if writes <= {"gpkg_ogr_contents"} else f"writes to {sorted(writes - {'gpkg_ogr_contents'})}"
    return "is not one of the triggers the GeoPackage standard or GDAL create"


def check_gpkg(path: Path, *, label: str, limits: IntakeLimits) -> list[str]:
    """Check a GeoPackage's schema; return the names of its feature layers.

    Raises
    ------
    UploadRejectedError
        ``not_geopackage`` when it is no GeoPackage, ``gpkg_unsafe`` for views, foreign triggers
        or too many layers.
    """
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:  # pragma: no cover - sqlite opens any file lazily
        msg = f"{label}: cannot be opened as a GeoPackage ({exc}); export it again"
        raise reject(msg, "not_geopackage") from exc
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        if not any(r[0] == "table" and r[1] == "gpkg_contents" for r in rows):
            msg = f"{label}: has no gpkg_contents table, so it is not a GeoPackage; export the layer as GeoPackage"
            raise reject(msg, "not_geopackage")
        layers = [str(r[0]) for r in conn.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
    except sqlite3.Error as exc:
        msg = f"{label}: the GeoPackage is damaged ({exc}); export it again"
        raise reject(msg, "not_geopackage") from exc
    finally:
        conn.close()
    problems: list[Problem] = []
    for kind, name, table, sql in rows:
        if kind == "view":
            problems.append(Problem(label, f"view {name}", "views run SQL when read; export the data as tables"))
        elif kind == "trigger":
            problem = _trigger_problem(str(name), str(table), str(sql or ""))
            if problem:
                problems.append(Problem(label, f"trigger {name} on {table}", problem))
    if len(layers) > limits.max_layers:
        problems.append(Problem(label, "gpkg_contents", f"{len(layers)} layers, more than {limits.max_layers}"))
    if problems:
        msg = f"{label}: the GeoPackage holds SQL or tables we do not accept; export only the site layer from a GIS:"
        raise reject(msg, "gpkg_unsafe", problems=problems)
    if not layers:
        msg = f"{label}: the GeoPackage holds no vector layer; export the sites as a vector layer"
        raise reject(msg, "no_geometry")
    return layers


__all__ = ["check_gpkg"]
