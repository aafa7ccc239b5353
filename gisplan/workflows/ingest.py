"""``gisplan ingest scored.gpkg --profile NAME``: load or update scored sites, idempotently.

The scored GeoPackage (written by ``gisplan score``) has a layer ``sites`` in the
working CRS with ``site_id`` (``source:source_id``), ``kind``, ``name``,
``source``, ``source_id``, ``area_m2``, ``profile``, ``profile_version``,
``score`` [0–100], ``excluded``, ``exclusion_reasons`` / ``handicaps`` /
``breakdown`` (JSON text), the energy columns ``capacity_kwp``,
``yield_kwh_kwp_yr``, ``energy_mwh_yr``, ``co2_t_yr``, ``households``, then
criteria columns and source attributes.

A site without a region code (``region_code`` or ``kod_kraj``) takes the region
code of its municipality's community (``gisplan territories load``), so that
region-scoped roles place it.

Re-ingesting updates source fields, attributes and scores. Annotations, links,
statuses and notes belong to people and are never touched. Sites of the same
sources that are missing from the file get an end date; nothing is deleted. The
whole ingest is one transaction: it lands completely or not at all. On PostgreSQL
the rows go in through ``COPY`` (:mod:`gisplan.store.bulk`), on SQLite
row by row; both give the same store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import shapely
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from gisplan.errors import ConfigError, InputError, MissingCRSError, Problem, SourceNotFoundError, UnreadableSourceError
from gisplan.site_schema import ENERGY_NUMBERS, JSON_LIST_COLUMNS, PROVENANCE_NUMBERS, PROVENANCE_TEXTS
from gisplan.store import permissions as perm
from gisplan.store.models import Site, SiteScore, utcnow
from gisplan.store.submission_writes import SITE_KINDS
from gisplan.workflows._cells import LAYER, _code, _json_lists, _plain, _plain_list, _text

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.store.store import Store
    from gisplan.store.transaction import Tx
    from gisplan.store.tx import ActorRef

REQUIRED = ("site_id", "kind", "name", "source", "source_id", "score", "excluded")
#: The energy numbers of a score row (:mod:`gisplan.site_schema` owns them).
ENERGY_COLUMNS = ENERGY_NUMBERS
#: Columns that may carry the kód obce / region code of a site (first present wins).
MUNICIPALITY_COLUMNS = ("municipality_code", "kod_obce")
REGION_COLUMNS = ("region_code", "kod_kraj")
_CORE = {
    *REQUIRED,
    "area_m2",
    "area_source",
    "profile",
    "profile_version",
    *JSON_LIST_COLUMNS,
    *ENERGY_COLUMNS,
    *PROVENANCE_NUMBERS,
    *PROVENANCE_TEXTS,
}
_CHUNK = 2000
MAX_SCORE = 100.0
MAX_SHOWN = 50
_SITES = cast("Table", Site.__table__)
_SCORES = cast("Table", SiteScore.__table__)


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did: counts of sites inserted, updated, unchanged, end-dated and scores written."""

    profile: str
    inserted: int
    updated: int
    unchanged: int
    ended: int
    scores: int

    def __str__(self) -> str:
        return (
            f"profile {self.profile}: {self.inserted} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.ended} end-dated, {self.scores} scores written"
        )


def read_scored(path: Path, profile: str, srid: int) -> gpd.GeoDataFrame:
    """Read and check the ``sites`` layer of a scored GeoPackage, reprojected to EPSG:``srid``.

    Raises
    ------
    SourceNotFoundError
        If the file is missing.
    UnreadableSourceError
        If it is not a GeoPackage with a ``sites`` layer.
    MissingCRSError
        If the layer declares no CRS.
    InputError
        Listing every missing column and every bad row (duplicate ids, unknown kinds,
        scores outside 0–100, a profile other than ``profile``, JSON that does not parse).
    """
    import pyogrio

    if not path.is_file():
        msg = f"scored GeoPackage {path} does not exist; write it with `gisplan score`"
        raise SourceNotFoundError(msg)
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:
        msg = f"{path} is not a readable GeoPackage ({exc}); pass the file written by `gisplan score`"
        raise UnreadableSourceError(msg) from exc
    if LAYER not in layers:
        msg = f"{path} has no layer {LAYER!r} (layers: {layers}); pass the file written by `gisplan score`"
        raise UnreadableSourceError(msg)
    gdf = pyogrio.read_dataframe(path, layer=LAYER)
    if gdf.crs is None:
        msg = f"{path} layer {LAYER!r} declares no CRS; rewrite it with `gisplan score`"
        raise MissingCRSError(msg)
    if gdf.crs.to_epsg() != srid:
        gdf = gdf.to_crs(epsg=srid)
    _check_frame(gdf, path, profile)
    return gdf


def _check_ids(gdf: gpd.GeoDataFrame, file: str, where: str) -> list[Problem]:
    problems: list[Problem] = []
    ids = gdf["site_id"].astype("string")
    for row in gdf.index[ids.isna() | (ids.str.strip() == "")]:
        problems.append(Problem(file, f"{where}, row {row}, field site_id", "is empty"))
    for dup in sorted(set(ids[ids.duplicated()].dropna())):
        problems.append(Problem(file, f"{where}, field site_id", f"{dup!r} occurs more than once"))
    return problems


def _check_values(gdf: gpd.GeoDataFrame, file: str, where: str) -> list[Problem]:
    import pandas as pd

    problems: list[Problem] = []
    for row, kind in gdf["kind"][~gdf["kind"].isin(SITE_KINDS)].items():
        problems.append(Problem(file, f"{where}, row {row}, field kind", f"{kind!r} not in {SITE_KINDS}"))
    given = gdf["score"].notna()
    scores = pd.to_numeric(gdf["score"], errors="coerce")
    for row, value in gdf["score"][given & scores.isna()].items():
        problems.append(Problem(file, f"{where}, row {row}, field score", f"{value!r} is not a number"))
    for row, value in scores[scores.notna() & ~scores.between(0.0, MAX_SCORE)].items():
        problems.append(Problem(file, f"{where}, row {row}, field score", f"{_plain(value)} is outside 0–100"))
    return problems


def _check_frame(gdf: gpd.GeoDataFrame, path: Path, profile: str) -> None:
    file, where = str(path), f"layer {LAYER}"
    missing = [c for c in REQUIRED if c not in gdf.columns]
    problems = [Problem(file, where, f"missing column {c!r}") for c in missing]
    if not missing:
        problems += _check_ids(gdf, file, where) + _check_values(gdf, file, where)
    if "profile" in gdf.columns:
        others = sorted({str(p) for p in gdf["profile"].dropna()} - {profile})
        if others:
            problems.append(Problem(file, f"{where}, field profile", f"holds {others}, not {profile!r}"))
    for column in JSON_LIST_COLUMNS:
        if column in gdf.columns:
            _json_lists(gdf[column], column, problems, path)
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_SHOWN])
        more = f"\n  ... and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
        msg = f"{path} is not a valid scored GeoPackage for profile {profile!r}:\n{shown}{more}"
        raise InputError(msg)


def _first_code(columns: dict[str, list[Any]], names: tuple[str, ...], row: int) -> str | None:
    for name in names:
        if name in columns:
            code = _code(columns[name][row])
            if code is not None:
                return code
    return None


def _prepare(
    gdf: gpd.GeoDataFrame, path: Path, srid: int, regions: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per-site source fields (with a content hash) and per-site score rows.

    ``regions`` maps municipality codes to region codes: a site without a region code
    takes its municipality's, so that region-scoped roles place it. The values (and so
    the content hash, which decides whether a re-ingest updates a site) are those of
    one ``_plain`` per cell, converted column by column.
    """
    regions = regions or {}
    geoms = shapely.set_srid(gdf.geometry.to_numpy(), srid)
    wkbs = shapely.to_wkb(geoms)
    bounds = shapely.bounds(geoms)
    finite = ~np.isnan(bounds).any(axis=1)
    box_values = np.where(finite[:, None], bounds, np.nan).tolist()
    extra = [c for c in gdf.columns if c not in _CORE and c != gdf.geometry.name]
    problems: list[Problem] = []
    columns = {c: _plain_list(gdf[c]) for c in gdf.columns if c not in {gdf.geometry.name, *JSON_LIST_COLUMNS}}
    n = len(gdf)
    missing: list[Any] = [None] * n
    lists = {
        c: _json_lists(gdf[c], c, problems, path) if c in gdf.columns else [[] for _ in range(n)]
        for c in JSON_LIST_COLUMNS
    }
    criteria_of: dict[int, set[str]] = {}
    sites: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    ids, kinds, names = columns["site_id"], gdf["kind"].tolist(), columns["name"]
    sources, source_ids = columns["source"], columns["source_id"]
    area, area_source = columns.get("area_m2", missing), columns.get("area_source", missing)
    version, score, excluded = columns.get("profile_version", missing), columns["score"], columns["excluded"]
    energy = {c: columns.get(c, missing) for c in (*ENERGY_COLUMNS, *PROVENANCE_NUMBERS)}
    texts = {c: columns.get(c, missing) for c in PROVENANCE_TEXTS}
    extras = [columns[c] for c in extra]
    for i in range(n):
        attributes = {c: values[i] for c, values in zip(extra, extras, strict=True)}
        municipality = _first_code(columns, MUNICIPALITY_COLUMNS, i)
        fields = {
            "kind": kinds[i],
            "name": names[i] or "",
            "source": str(sources[i]),
            "source_id": str(_code(source_ids[i]) or ""),
            "area_m2": area[i],
            "area_source": _text(area_source[i]),
            "municipality_code": municipality,
            "region_code": _first_code(columns, REGION_COLUMNS, i) or regions.get(municipality or ""),
            "attributes": attributes,
        }
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode())
        digest.update(wkbs[i] or b"")
        box = box_values[i]
        sites.append(
            fields
            | {
                "id": str(ids[i]),
                "geom": geoms[i],
                "minx": box[0] if finite[i] else None,
                "miny": box[1] if finite[i] else None,
                "maxx": box[2] if finite[i] else None,
                "maxy": box[3] if finite[i] else None,
                "source_hash": digest.hexdigest(),
            }
        )
        breakdown = lists["breakdown"][i]
        known = criteria_of.get(id(breakdown))
        if known is None:
            known = criteria_of[id(breakdown)] = {
                str(item.get("criterion")) for item in breakdown if isinstance(item, dict)
            }
        scores.append(
            {
                "site_id": str(ids[i]),
                "profile_version": str(version[i] or ""),
                "score": score[i],
                "excluded": bool(excluded[i] or False),
                "exclusion_reasons": lists["exclusion_reasons"][i],
                "handicaps": lists["handicaps"][i],
                "breakdown": breakdown,
                **{c: values[i] for c, values in energy.items()},
                **{c: _text(values[i]) for c, values in texts.items()},
                "criteria": {c: attributes[c] for c in extra if c in known},
            }
        )
    return sites, scores


def _upsert_scores(tx: Tx, profile: str, scores: list[dict[str, Any]], now: dt.datetime) -> None:
    table = _SCORES
    insert = postgresql.insert if tx.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    rows = [s | {"profile": profile, "scored_at": now} for s in scores]
    for start in range(0, len(rows), _CHUNK):
        stmt = insert(table)
        keep = {"site_id", "profile"}
        stmt = stmt.on_conflict_do_update(
            index_elements=["site_id", "profile"],
            set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keep},
        )
        tx.session.execute(stmt, rows[start : start + _CHUNK])


def _known_sites(tx: Tx, sites: list[dict[str, Any]]) -> dict[str, Any]:
    """Stored (id, source_hash, end_date) of every site of the file's sources, and of its ids under other sources."""
    cols = (Site.id, Site.source_hash, Site.end_date)
    sources = sorted({s["source"] for s in sites})
    known = {row.id: row for row in tx.session.execute(select(*cols).where(Site.source.in_(sources)))}
    others = [s["id"] for s in sites if s["id"] not in known]
    for start in range(0, len(others), _CHUNK):
        chunk = others[start : start + _CHUNK]
        known.update({row.id: row for row in tx.session.execute(select(*cols).where(Site.id.in_(chunk)))})
    return known


def _apply(
    tx: Tx,
    profile: str,
    sites: list[dict[str, Any]],
    scores: list[dict[str, Any]],
    today: dt.date,
    *,
    bulk: bool = False,
) -> IngestReport:
    now = utcnow()
    if bulk:
        from gisplan.store.bulk import apply_copy

        inserted, updated, ended = apply_copy(tx, profile, (sites, scores), today=today, now=now)
        return IngestReport(
            profile=profile,
            inserted=inserted,
            updated=updated,
            unchanged=len(sites) - inserted - updated,
            ended=ended,
            scores=len(scores),
        )
    table = _SITES
    known = _known_sites(tx, sites)
    new = [s for s in sites if s["id"] not in known]
    changed = [
        s
        for s in sites
        if s["id"] in known and (known[s["id"]].source_hash != s["source_hash"] or known[s["id"]].end_date is not None)
    ]
    for start in range(0, len(new), _CHUNK):
        rows = [
            s | {"status": perm.Status.NEW.value, "first_seen": now, "last_seen": now, "updated_at": now, "version": 1}
            for s in new[start : start + _CHUNK]
        ]
        tx.session.execute(table.insert(), rows)
    if changed:
        columns = (*_SOURCE_FIELDS, "geom", "minx", "miny", "maxx", "maxy", "source_hash")
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                {name: bindparam(name) for name in columns}
                | {"end_date": None, "last_seen": now, "updated_at": now, "version": table.c.version + 1}
            )
        )
        params = [{k: s[k] for k in columns} | {"b_id": s["id"]} for s in changed]
        for start in range(0, len(params), _CHUNK):
            tx.session.execute(stmt, params[start : start + _CHUNK])
    in_file = {s["id"] for s in sites}
    gone = sorted(sid for sid, row in known.items() if sid not in in_file and row.end_date is None)
    for start in range(0, len(gone), _CHUNK):
        tx.session.execute(
            update(table)
            .where(table.c.id.in_(gone[start : start + _CHUNK]))
            .values(end_date=today, updated_at=now, version=table.c.version + 1)
        )
    _upsert_scores(tx, profile, scores, now)
    return IngestReport(
        profile=profile,
        inserted=len(new),
        updated=len(changed),
        unchanged=len(sites) - len(new) - len(changed),
        ended=len(gone),
        scores=len(scores),
    )


_SOURCE_FIELDS = (
    "kind",
    "name",
    "source",
    "source_id",
    "area_m2",
    "area_source",
    "municipality_code",
    "region_code",
    "attributes",
)


def ingest(
    store: Store,
    path: Path | str,
    profile: str,
    *,
    actor: ActorRef | None = None,
    today: dt.date | None = None,
    bulk: bool | None = None,
) -> IngestReport:
    """Load or update the scored sites of ``path`` for ``profile`` in one transaction.

    Parameters
    ----------
    store
        The open store.
    path
        Scored GeoPackage with layer ``sites`` (any CRS; reprojected to the store's working CRS).
    profile
        Name of the scoring profile the file was scored with.
    actor
        Who ingests; default the command-line operator (:data:`~gisplan.store.SYSTEM`). Only admins may.
    today
        End date for sites gone from the source; default today (UTC).
    bulk
        Load through ``COPY`` and set-based statements (:mod:`gisplan.store.bulk`);
        default on PostgreSQL, where it is about ten times faster than row by row.
        SQLite always goes row by row.

    Raises
    ------
    ConfigError
        If ``bulk`` is asked for on a SQLite store.
    """
    from gisplan.store.tx import SYSTEM

    path = Path(path)
    postgres = store.engine.dialect.name == "postgresql"
    if bulk and not postgres:
        msg = "bulk ingest (COPY) needs a PostgreSQL store; leave bulk unset on SQLite"
        raise ConfigError(msg)
    gdf = read_scored(path, profile, store.srid)
    sites, scores = _prepare(gdf, path, store.srid, municipality_regions(store))
    end_date = today or utcnow().date()

    def work(tx: Tx) -> IngestReport:
        tx.require(perm.Action.INGEST, "ingest", path.name)
        report = _apply(tx, profile, sites, scores, end_date, bulk=postgres if bulk is None else bulk)
        tx.audit("ingest", "profile", profile, after=asdict(report) | {"file": str(path)})
        return report

    report = store.transaction(SYSTEM if actor is None else actor, work)
    if report.inserted or report.updated or report.ended:
        _refresh_statistics(store)
    return report


def municipality_regions(store: Store) -> dict[str, str]:
    """Region code of each municipality community that has one (``gisplan territories load``)."""
    from gisplan.store.models import Community

    rows = store.read(
        lambda s: s.execute(
            select(Community.code, Community.region_code).where(
                Community.kind == "municipality", Community.code.is_not(None), Community.region_code.is_not(None)
            )
        ).all()
    )
    return {str(code): str(region) for code, region in rows}


def _refresh_statistics(store: Store) -> None:
    """Let the query planner see the new table sizes (it picks the view-box index from them)."""
    from sqlalchemy import text

    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("ANALYZE sites"))
            conn.execute(text("ANALYZE site_scores"))
        else:
            conn.execute(text("ANALYZE sites, site_scores"))
        conn.commit()
