"""``gisplan ingest scored.gpkg --profile NAME``: load or update scored sites, idempotently.

The scored GeoPackage (written by ``gisplan score``) has a layer ``sites`` in the
working CRS with ``site_id`` (``source:source_id``), ``kind``, ``name``,
``source``, ``source_id``, ``area_m2``, ``profile``, ``profile_version``,
``score`` [0–100], ``excluded``, ``exclusion_reasons`` / ``handicaps`` /
``breakdown`` (JSON text), the energy columns ``capacity_kwp``,
``yield_kwh_kwp_yr``, ``energy_mwh_yr``, ``co2_t_yr``, ``households``, then
criteria columns and source attributes.

Re-ingesting updates source fields, attributes and scores. Annotations, links,
statuses and notes belong to people and are never touched. Sites of the same
sources that are missing from the file get an end date; nothing is deleted. The
whole ingest is one transaction: it lands completely or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import shapely
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from gisplan.errors import InputError, MissingCRSError, Problem, SourceNotFoundError, UnreadableSourceError
from gisplan.store import permissions as perm
from gisplan.store.models import Site, SiteScore, utcnow
from gisplan.store.people_ops import SITE_KINDS

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.store.store import Store
    from gisplan.store.tx import ActorRef
    from gisplan.store.writes import Tx

LAYER = "sites"
REQUIRED = ("site_id", "kind", "name", "source", "source_id", "score", "excluded")
JSON_LIST_COLUMNS = ("exclusion_reasons", "handicaps", "breakdown")
ENERGY_COLUMNS = ("capacity_kwp", "yield_kwh_kwp_yr", "energy_mwh_yr", "co2_t_yr", "households")
#: Columns that may carry the kód obce / region code of a site (first present wins).
MUNICIPALITY_COLUMNS = ("municipality_code", "kod_obce")
REGION_COLUMNS = ("region_code", "kod_kraj")
_CORE = {*REQUIRED, "area_m2", "profile", "profile_version", *JSON_LIST_COLUMNS, *ENERGY_COLUMNS}
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
    problems: list[Problem] = []
    for row, kind in gdf["kind"].items():
        if kind not in SITE_KINDS:
            problems.append(Problem(file, f"{where}, row {row}, field kind", f"{kind!r} not in {SITE_KINDS}"))
    for row, score in gdf["score"].items():
        value = _plain(score)
        if value is not None and not 0 <= float(value) <= MAX_SCORE:
            problems.append(Problem(file, f"{where}, row {row}, field score", f"{value} is outside 0–100"))
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
            for row, raw in gdf[column].items():
                _json_list(raw, column, int(row), problems, path)
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_SHOWN])
        more = f"\n  ... and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
        msg = f"{path} is not a valid scored GeoPackage for profile {profile!r}:\n{shown}{more}"
        raise InputError(msg)


def _first(row: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in row:
            code = _code(row[name])
            if code is not None:
                return code
    return None


def _prepare(gdf: gpd.GeoDataFrame, path: Path, srid: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per-site source fields (with a content hash) and per-site score rows."""
    geoms = shapely.set_srid(gdf.geometry.to_numpy(), srid)
    wkbs = shapely.to_wkb(geoms)
    bounds = shapely.bounds(geoms)
    extra = [c for c in gdf.columns if c not in _CORE and c != gdf.geometry.name]
    problems: list[Problem] = []
    sites: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    records = gdf.drop(columns=gdf.geometry.name).to_dict(orient="records")
    for i, row in enumerate(records):
        attributes = {c: _plain(row[c]) for c in extra}
        breakdown = _json_list(row.get("breakdown"), "breakdown", i, problems, path)
        fields = {
            "kind": row["kind"],
            "name": _plain(row["name"]) or "",
            "source": str(row["source"]),
            "source_id": str(_code(row["source_id"]) or ""),
            "area_m2": _plain(row.get("area_m2")),
            "municipality_code": _first(row, MUNICIPALITY_COLUMNS),
            "region_code": _first(row, REGION_COLUMNS),
            "attributes": attributes,
        }
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode())
        digest.update(wkbs[i] or b"")
        box = bounds[i]
        finite = not any(math.isnan(v) for v in box)
        sites.append(
            fields
            | {
                "id": str(row["site_id"]),
                "geom": geoms[i],
                "minx": float(box[0]) if finite else None,
                "miny": float(box[1]) if finite else None,
                "maxx": float(box[2]) if finite else None,
                "maxy": float(box[3]) if finite else None,
                "source_hash": digest.hexdigest(),
            }
        )
        criteria_names = {str(item.get("criterion")) for item in breakdown if isinstance(item, dict)}
        scores.append(
            {
                "site_id": str(row["site_id"]),
                "profile_version": str(_plain(row.get("profile_version")) or ""),
                "score": _plain(row.get("score")),
                "excluded": bool(_plain(row.get("excluded")) or False),
                "exclusion_reasons": _json_list(row.get("exclusion_reasons"), "exclusion_reasons", i, problems, path),
                "handicaps": _json_list(row.get("handicaps"), "handicaps", i, problems, path),
                "breakdown": breakdown,
                **{c: _plain(row.get(c)) for c in ENERGY_COLUMNS},
                "criteria": {c: attributes[c] for c in extra if c in criteria_names},
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
    tx: Tx, profile: str, sites: list[dict[str, Any]], scores: list[dict[str, Any]], today: dt.date
) -> IngestReport:
    now = utcnow()
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


_SOURCE_FIELDS = ("kind", "name", "source", "source_id", "area_m2", "municipality_code", "region_code", "attributes")


def ingest(
    store: Store,
    path: Path | str,
    profile: str,
    *,
    actor: ActorRef | None = None,
    today: dt.date | None = None,
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
    """
    from gisplan.store.tx import SYSTEM

    path = Path(path)
    gdf = read_scored(path, profile, store.srid)
    sites, scores = _prepare(gdf, path, store.srid)
    end_date = today or utcnow().date()

    def work(tx: Tx) -> IngestReport:
        tx.require(perm.Action.INGEST, "ingest", path.name)
        report = _apply(tx, profile, sites, scores, end_date)
        tx.audit("ingest", "profile", profile, after=asdict(report) | {"file": str(path)})
        return report

    report = store.transaction(SYSTEM if actor is None else actor, work)
    if report.inserted or report.updated or report.ended:
        _refresh_statistics(store)
    return report


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
