"""Bulk ingest into PostgreSQL + PostGIS: ``COPY`` into temporary tables, then a few set-based statements.

The row-by-row path (:func:`gisplan.workflows.ingest._apply`: executemany of INSERT,
UPDATE and INSERT … ON CONFLICT in chunks of 2,000) sends every row through
SQLAlchemy's parameter handling. Here the prepared rows are streamed with
psycopg 3's ``cursor.copy`` (text format) into two ``ON COMMIT DROP`` temporary
tables shaped like ``sites`` and ``site_scores``, and the database merges them:

1. sites whose content hash changed, or that had an end date, are updated
   (source fields, geometry, box; ``end_date`` cleared, ``version`` + 1);
2. sites not in the store are inserted with status ``new``;
3. current sites of the file's sources that are not in the file get an end date;
4. scores are upserted (``ON CONFLICT (site_id, profile) DO UPDATE``).

The same semantics as the row path: people's fields (status, note, priority,
annotations, links) are never written, unchanged sites are not touched, and all
of it is one transaction with the caller's audit row. Geometries travel as hex
EWKB, JSON as text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import shapely
from sqlalchemy import text

if TYPE_CHECKING:
    from gisplan.store.transaction import Tx

#: Source columns written from the file, in COPY order (``id`` first).
SITE_COLUMNS = (
    "id",
    "kind",
    "name",
    "source",
    "source_id",
    "area_m2",
    "area_source",
    "municipality_code",
    "region_code",
    "attributes",
    "geom",
    "minx",
    "miny",
    "maxx",
    "maxy",
    "source_hash",
)
SCORE_COLUMNS = (
    "site_id",
    "profile",
    "profile_version",
    "score",
    "excluded",
    "exclusion_reasons",
    "handicaps",
    "breakdown",
    "capacity_kwp",
    "yield_kwh_kwp_yr",
    "energy_mwh_yr",
    "co2_t_yr",
    "households",
    "completeness",
    "yield_source",
    "yield_note",
    "criteria",
    "scored_at",
)
_TEMP = "CREATE TEMP TABLE {name} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
_JSON_SITE = frozenset({"attributes"})
_JSON_SCORE = frozenset({"exclusion_reasons", "handicaps", "breakdown", "criteria"})


_SOURCE_FIELDS = [c for c in SITE_COLUMNS if c != "id"]
# The statements are put together from the column constants above, never from input.
_UPDATE_CHANGED = (
    "UPDATE sites AS s SET "  # noqa: S608
    + ", ".join(f"{c} = t.{c}" for c in _SOURCE_FIELDS)
    + ", end_date = NULL, last_seen = :now, updated_at = :now, version = s.version + 1 "
    "FROM _ingest_sites AS t WHERE s.id = t.id "
    "AND (s.source_hash IS DISTINCT FROM t.source_hash OR s.end_date IS NOT NULL)"
)
_INSERT_NEW = (
    "INSERT INTO sites ("  # noqa: S608
    + ", ".join(SITE_COLUMNS)
    + ", status, first_seen, last_seen, updated_at, version) SELECT "
    + ", ".join(f"t.{c}" for c in SITE_COLUMNS)
    + ", 'new', :now, :now, :now, 1 FROM _ingest_sites AS t "
    "WHERE NOT EXISTS (SELECT 1 FROM sites AS s WHERE s.id = t.id)"
)
_END_GONE = (
    "UPDATE sites AS s SET end_date = :today, updated_at = :now, version = s.version + 1 "
    "WHERE s.source = ANY(:sources) AND s.end_date IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM _ingest_sites AS t WHERE t.id = s.id)"
)
_UPSERT_SCORES = (
    "INSERT INTO site_scores ("  # noqa: S608
    + ", ".join(SCORE_COLUMNS)
    + ") SELECT "
    + ", ".join(SCORE_COLUMNS)
    + " FROM _ingest_scores ON CONFLICT (site_id, profile) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in SCORE_COLUMNS if c not in {"site_id", "profile"})
)


def _dump(value: Any, cache: dict[int, str]) -> str:
    """JSON text of ``value``; one text per object (rows share the list of a repeated ``[]``)."""
    key = id(value)
    found = cache.get(key)
    if found is None:
        found = cache[key] = json.dumps(value)
    return found


def _copy(tx: Tx, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    raw = tx.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def _site_rows(sites: list[dict[str, Any]]) -> Iterable[tuple[Any, ...]]:
    ewkb = shapely.to_wkb([s["geom"] for s in sites], hex=True, include_srid=True)
    cache: dict[int, str] = {}
    for site, geom in zip(sites, ewkb, strict=True):
        yield tuple(
            geom if c == "geom" else _dump(site[c], cache) if c in _JSON_SITE else site[c] for c in SITE_COLUMNS
        )


def _score_rows(scores: list[dict[str, Any]], profile: str, now: dt.datetime) -> Iterable[tuple[Any, ...]]:
    cache: dict[int, str] = {}
    extra = {"profile": profile, "scored_at": now}
    for score in scores:
        row = score | extra
        yield tuple(_dump(row[c], cache) if c in _JSON_SCORE else row[c] for c in SCORE_COLUMNS)


def apply_copy(
    tx: Tx,
    profile: str,
    prepared: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    *,
    today: dt.date,
    now: dt.datetime,
) -> tuple[int, int, int]:
    """Merge prepared (sites, scores) of :mod:`gisplan.workflows.ingest`; return (new, updated, ended)."""
    sites, scores = prepared
    session = tx.session.connection()  # a Connection: its results carry the row counts
    session.execute(text(_TEMP.format(name="_ingest_sites", columns=", ".join(SITE_COLUMNS), table="sites")))
    session.execute(text(_TEMP.format(name="_ingest_scores", columns=", ".join(SCORE_COLUMNS), table="site_scores")))
    _copy(tx, "_ingest_sites", SITE_COLUMNS, _site_rows(sites))
    _copy(tx, "_ingest_scores", SCORE_COLUMNS, _score_rows(scores, profile, now))
    session.execute(text("CREATE UNIQUE INDEX ON _ingest_sites (id)"))
    session.execute(text("ANALYZE _ingest_sites"))
    updated = session.execute(text(_UPDATE_CHANGED), {"now": now}).rowcount
    inserted = session.execute(text(_INSERT_NEW), {"now": now}).rowcount
    sources = sorted({s["source"] for s in sites})
    ended = session.execute(text(_END_GONE), {"today": today, "now": now, "sources": sources}).rowcount
    session.execute(text(_UPSERT_SCORES))
    return int(inserted), int(updated), int(ended)


__all__ = ["SCORE_COLUMNS", "SITE_COLUMNS", "apply_copy"]
