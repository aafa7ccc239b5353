"""One consistent snapshot of a shortlist: its sites with scores, links, notes and sources.

Every export (GeoPackage, CSV/XLSX, dossier) is written from an
:class:`ExportSnapshot`, read by :func:`load_snapshot` in ONE read transaction:
on PostgreSQL at ``REPEATABLE READ`` (one snapshot for every query), on SQLite in
WAL mode from a deferred ``BEGIN`` (the snapshot starts at the first read and
holds until the end). Edits that others commit while the export runs are either
all in it or all out of it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from gisplan import settings
from gisplan.errors import InputError
from gisplan.export._columns import POINTS_PREFIX, VALUE_PREFIX, SourceInfo, column_name
from gisplan.funding import reason_text
from gisplan.site_schema import ENERGY_NUMBERS, PROVENANCE_TEXTS
from gisplan.store.models import (
    Annotation,
    Community,
    FundingCall,
    Site,
    SiteCommunityLink,
    SiteFundingLink,
    SiteScore,
    User,
    utcnow,
)
from gisplan.workflows.shortlists import Shortlist, ShortlistMember, get_shortlist

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.catalogue import Catalogue
    from gisplan.store import ActorRef, Store

logger = logging.getLogger(__name__)

#: Reports each step of the read (``"sites"``, ``"scores"``…); the app shows progress with it.
Progress = Callable[[str], None]
_CHUNK = 500


@dataclass(frozen=True)
class ExportSnapshot:
    """Everything one export writes, read at one moment.

    Attributes
    ----------
    shortlist
        Name of the shortlist.
    description
        The shortlist's description.
    profile
        The main scoring profile (None when no member is scored). A site that
        has no score under it is exported with the score of a profile that does
        score it (its ``profile`` column says which), so a shortlist mixing
        rooftops and brownfields shows every site's score.
    exported_at
        Time of the snapshot (UTC).
    exported_by
        User name of whoever exported.
    crs
        The working CRS of the store and of every geometry, e.g. ``EPSG:5514``.
    sites
        One row per site, best first (see :func:`rank_rows`: ``rank`` 1 is the
        highest score), geometries (polygons) in :attr:`crs`; see
        :func:`gisplan.export.data_dictionary` for the columns.
    annotations, community_links, funding_links, communities, funding_calls
        The related records, one row each.
    breakdown
        ``site id -> breakdown lines`` under :attr:`profile` (JSON objects of the store).
    attributes
        ``site id -> source attributes`` as ingested.
    profile_versions
        ``profile -> version`` of every profile the members were scored with.
    sources
        Data sources of the sites and of the catalogue, with licences.
    warnings
        What the reader must know about the export, e.g. sites without a score
        under any profile (their ``score_note`` says why).
    """

    shortlist: str
    description: str
    profile: str | None
    exported_at: dt.datetime
    exported_by: str
    crs: str
    sites: gpd.GeoDataFrame
    annotations: pd.DataFrame
    community_links: pd.DataFrame
    funding_links: pd.DataFrame
    communities: pd.DataFrame
    funding_calls: pd.DataFrame
    breakdown: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile_versions: dict[str, str] = field(default_factory=dict)
    sources: list[SourceInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def criteria(self) -> list[str]:
        """Breakdown line names in the order of the points columns."""
        return [c[len(POINTS_PREFIX) :] for c in self.sites.columns if str(c).startswith(POINTS_PREFIX)]


# ------------------------------------------------------------------------------------ reading
def _in_chunks(ids: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _rows(session: Session, model: Any, column: Any, ids: list[Any]) -> list[Any]:
    found: list[Any] = []
    for chunk in _in_chunks(ids):
        found += list(session.scalars(select(model).where(column.in_(chunk))))
    return found


@dataclass
class _Raw:
    shortlist: Shortlist
    sites: list[Site]
    scores: list[SiteScore]
    annotations: list[tuple[Annotation, str]]
    community_links: list[SiteCommunityLink]
    funding_links: list[SiteFundingLink]
    communities: list[Community]
    calls: list[FundingCall]


def _read(session: Session, shortlist_id: int, progress: Progress) -> _Raw:
    shortlist = session.get(Shortlist, shortlist_id)
    if shortlist is None:
        msg = "the shortlist was deleted while the export started; choose it again"
        raise InputError(msg)
    ids = sorted(session.scalars(select(ShortlistMember.site_id).where(ShortlistMember.shortlist_id == shortlist_id)))
    sites = sorted(_rows(session, Site, Site.id, ids), key=lambda s: s.id)
    progress("sites")
    scores = _rows(session, SiteScore, SiteScore.site_id, ids)
    progress("scores")
    annotations: list[tuple[Annotation, str]] = []
    for chunk in _in_chunks(ids):
        stmt = (
            select(Annotation, User.username)
            .join(User, User.id == Annotation.author_id)
            .where(Annotation.site_id.in_(chunk))
        )
        annotations += [(a, name) for a, name in session.execute(stmt).all()]
    annotations.sort(key=lambda pair: pair[0].id)
    progress("annotations")
    community_links = sorted(_rows(session, SiteCommunityLink, SiteCommunityLink.site_id, ids), key=lambda r: r.id)
    funding_links = sorted(_rows(session, SiteFundingLink, SiteFundingLink.site_id, ids), key=lambda r: r.id)
    progress("links")
    community_ids = sorted({link.community_id for link in community_links})
    codes = sorted({s.municipality_code for s in sites if s.municipality_code})
    communities = {c.id: c for c in _rows(session, Community, Community.id, community_ids)}
    for chunk in _in_chunks(codes):
        muni_stmt = select(Community).where(Community.kind == "municipality", Community.code.in_(chunk))
        communities.update({c.id: c for c in session.scalars(muni_stmt)})
    call_ids = sorted({link.funding_call_id for link in funding_links})
    calls = sorted(_rows(session, FundingCall, FundingCall.id, call_ids), key=lambda c: c.code)
    progress("communities")
    return _Raw(
        shortlist=shortlist,
        sites=sites,
        scores=scores,
        annotations=annotations,
        community_links=community_links,
        funding_links=funding_links,
        communities=sorted(communities.values(), key=lambda c: c.id),
        calls=calls,
    )


def _snapshot_read(store: Store, work: Callable[[Session], _Raw]) -> _Raw:
    """Run ``work`` in one read-only transaction that sees one snapshot of the database."""
    engine = store.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    with Session(bind=engine, expire_on_commit=False) as session, session.begin():
        return work(session)


# ------------------------------------------------------------------------------------ shaping
def choose_profile(scores: Iterable[SiteScore], wanted: str | None) -> str | None:
    """``wanted``, else the profile most members are scored with (ties: alphabetical)."""
    if wanted:
        return wanted
    counts = Counter(s.profile for s in scores)
    if not counts:
        return None
    best = max(counts.values())
    return sorted(p for p, n in counts.items() if n == best)[0]


def _text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if value not in (None, [], {}) else ""


def _join(items: Iterable[str]) -> str:
    return "; ".join(i for i in items if i)


def site_scores(scores: Iterable[SiteScore], profile: str | None) -> dict[str, SiteScore]:
    """The score exported for each site: under ``profile`` when it has one, else under the profile
    that scores most members among those that score this site (ties: alphabetical).

    A profile scores only the site kinds it names, so a shortlist of rooftops and
    brownfields has no single profile for all of them.
    """
    counts = Counter(s.profile for s in scores)
    by_site: dict[str, dict[str, SiteScore]] = {}
    for score in scores:
        by_site.setdefault(score.site_id, {})[score.profile] = score
    chosen: dict[str, SiteScore] = {}
    for site_id, found in by_site.items():
        if profile in found:
            chosen[site_id] = found[str(profile)]
            continue
        best = sorted(found, key=lambda p: (-counts[p], p))[0]
        chosen[site_id] = found[best]
    return chosen


def _score_note(site: Site, score: SiteScore | None, profile: str | None) -> str:
    if score is None:
        return f"no score: no scoring profile has scored this {site.kind or 'site'}"
    if profile is not None and score.profile != profile:
        return f"scored with {score.profile}: {profile} does not score this {site.kind or 'site'}"
    return ""


#: Source attributes that name a site's municipality when the store has no community for its code.
_MUNICIPALITY_NAMES = ("nazev_obce", "municipality_name", "obec")


def _attribute(site: Site, *names: str) -> str:
    """The first of ``names`` the site's source attributes fill, as text ('' when none)."""
    attrs = site.attributes or {}
    for name in names:
        value = attrs.get(name)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return ""


def rank_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows best first, each with its ``rank`` (1 = best) as the first column.

    Ordered by score, highest first; sites the profile excludes come after every
    kept site, sites without a score last (without a rank); ties by site id.
    """

    def key(row: dict[str, Any]) -> tuple[int, float, str]:
        score = row.get("score")
        if score is None or (isinstance(score, float) and math.isnan(score)):
            return (2, 0.0, str(row["site_id"]))
        return (1 if row.get("excluded") else 0, -float(score), str(row["site_id"]))

    ordered = sorted(rows, key=key)
    out: list[dict[str, Any]] = []
    for position, row in enumerate(ordered, start=1):
        ranked = key(row)[0] < 2
        out.append({"rank": position if ranked else None, **row})
    return out


def _lines_of(score: SiteScore | None, provenance: str) -> list[str]:
    """The criteria of ``score`` whose value has ``provenance`` (``assumed``, ``not_available``)."""
    if score is None:
        return []
    return [
        str(item.get("criterion"))
        for item in score.breakdown or []
        if isinstance(item, dict) and item.get("provenance") == provenance
    ]


def _site_rows(raw: _Raw, profile: str | None) -> tuple[list[dict[str, Any]], dict[str, list[Any]]]:
    scores = site_scores(raw.scores, profile)
    munis = {c.code: c.name for c in raw.communities if c.kind == "municipality" and c.code}
    names = {c.id: c.name for c in raw.communities}
    codes = {c.id: c.code for c in raw.calls}
    links: dict[str, list[str]] = {}
    for link in raw.community_links:
        role = f" ({link.role})" if link.role else ""
        links.setdefault(link.site_id, []).append(f"{names.get(link.community_id, link.community_id)}{role}")
    calls: dict[str, list[str]] = {}
    eligible: dict[str, list[str]] = {}
    for flink in raw.funding_links:
        code = codes.get(flink.funding_call_id, str(flink.funding_call_id))
        calls.setdefault(flink.site_id, []).append(f"{code}: {flink.verdict}")
        if flink.verdict == "eligible":
            eligible.setdefault(flink.site_id, []).append(code)
    notes = Counter(a.site_id for a, _ in raw.annotations)
    lines = [str(item.get("criterion")) for s in scores.values() for item in s.breakdown if isinstance(item, dict)]
    order = list(dict.fromkeys(lines))
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for site in raw.sites:
        score = scores.get(site.id)
        area = site.area_m2
        row: dict[str, Any] = {
            "site_id": site.id,
            "name": site.name,
            "kind": site.kind,
            "status": site.status,
            "status_reason": site.status_reason or "",
            "priority": site.priority or "",
            "note": site.note or "",
            "municipality_code": site.municipality_code or "",
            "municipality": munis.get(site.municipality_code or "") or _attribute(site, *_MUNICIPALITY_NAMES),
            "region_code": site.region_code or "",
            "area_m2": area,
            "area_ha": None if area is None else round(area / 10_000.0, 4),
            "area_source": site.area_source or "",
            "source": site.source,
            "source_id": site.source_id,
            "profile": score.profile if score else None,
            "profile_version": score.profile_version if score else "",
            "score": score.score if score else None,
            "completeness": score.completeness if score else None,
            "criteria_assumed": _join(_lines_of(score, "assumed")),
            "criteria_not_available": _join(_lines_of(score, "not_available")),
            "score_note": _score_note(site, score, profile),
            "excluded": bool(score.excluded) if score else None,
            "exclusion_reasons": _join(str(r) for r in (score.exclusion_reasons if score else [])),
            "handicaps": _join(
                str(h.get("reason") or h.get("name")) for h in (score.handicaps if score else []) if isinstance(h, dict)
            ),
        }
        by_line = {str(i.get("criterion")): i for i in (score.breakdown if score else []) if isinstance(i, dict)}
        for line in order:
            item = by_line.get(line)
            row[POINTS_PREFIX + column_name(line)] = None if item is None else item.get("contribution")
        for line in order:
            if ":" not in line and line != "exclusion":
                item = by_line.get(line)
                raw_value = None if item is None else item.get("raw")
                row[VALUE_PREFIX + column_name(line)] = raw_value if not isinstance(raw_value, list | dict) else None
        for energy in ENERGY_NUMBERS:
            row[energy] = getattr(score, energy) if score else None
        for text in PROVENANCE_TEXTS:
            row[text] = (getattr(score, text) or "") if score else ""
        row |= {
            "communities": _join(links.get(site.id, [])),
            "funding_calls": _join(calls.get(site.id, [])),
            "funding_eligible": _join(eligible.get(site.id, [])),
            "annotations": notes.get(site.id, 0),
            "attributes": _text(site.attributes),
            "first_seen": site.first_seen,
            "updated_at": site.updated_at,
            "end_date": site.end_date.isoformat() if site.end_date else "",
        }
        rows.append(row)
        geoms.append(site.geom)
    return rows, {"geometry": geoms}


def _frames(raw: _Raw, language: str) -> dict[str, pd.DataFrame]:
    names = {c.id: c.name for c in raw.communities}
    calls = {c.id: c for c in raw.calls}
    return {
        "annotations": pd.DataFrame(
            [
                {
                    "annotation_id": a.id,
                    "site_id": a.site_id,
                    "author": author,
                    "text": a.text,
                    "created_at": a.created_at,
                    "updated_at": a.updated_at,
                }
                for a, author in raw.annotations
            ],
            columns=["annotation_id", "site_id", "author", "text", "created_at", "updated_at"],
        ),
        "community_links": pd.DataFrame(
            [
                {
                    "link_id": link.id,
                    "site_id": link.site_id,
                    "community_id": link.community_id,
                    "community": names.get(link.community_id, ""),
                    "role": link.role or "",
                    "note": link.note,
                    "created_at": link.created_at,
                }
                for link in raw.community_links
            ],
            columns=["link_id", "site_id", "community_id", "community", "role", "note", "created_at"],
        ),
        "funding_links": pd.DataFrame(
            [
                {
                    "link_id": link.id,
                    "site_id": link.site_id,
                    "funding_call_id": link.funding_call_id,
                    "call_code": calls[link.funding_call_id].code if link.funding_call_id in calls else "",
                    "call_name": calls[link.funding_call_id].name if link.funding_call_id in calls else "",
                    "verdict": link.verdict,
                    "reasons": _join(reason_text(r, language) for r in link.reasons or []),
                    "note": link.note,
                    "updated_at": link.updated_at,
                }
                for link in raw.funding_links
            ],
            columns=[
                "link_id",
                "site_id",
                "funding_call_id",
                "call_code",
                "call_name",
                "verdict",
                "reasons",
                "note",
                "updated_at",
            ],
        ),
        "communities": pd.DataFrame(
            [
                {
                    "community_id": c.id,
                    "kind": c.kind,
                    "name": c.name,
                    "code": c.code or "",
                    "population": c.population,
                    "region_code": c.region_code or "",
                    "municipality_code": c.municipality_code or "",
                }
                for c in raw.communities
            ],
            columns=["community_id", "kind", "name", "code", "population", "region_code", "municipality_code"],
        ),
        "funding_calls": pd.DataFrame(
            [
                {
                    "funding_call_id": c.id,
                    "code": c.code,
                    "programme": c.programme,
                    "name": c.name,
                    "provider": c.provider,
                    "intake_start": c.intake_start.isoformat() if c.intake_start else "",
                    "intake_end": c.intake_end.isoformat() if c.intake_end else "",
                }
                for c in raw.calls
            ],
            columns=["funding_call_id", "code", "programme", "name", "provider", "intake_start", "intake_end"],
        ),
    }


def load_snapshot(
    store: Store,
    actor: ActorRef,
    shortlist: str,
    *,
    profile: str | None = None,
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
) -> ExportSnapshot:
    """Read shortlist ``shortlist`` for export as ``actor``, in one consistent snapshot.

    Parameters
    ----------
    store
        The open store; geometries come out in its working CRS (``store.srid``).
    actor
        Who exports: a user id or :data:`~gisplan.store.SYSTEM`. The export is
        checked (planners, animators, admins) and audited before anything is read.
    shortlist
        Name of the shortlist.
    profile
        Scoring profile to export; default the shortlist's, else the one most
        members are scored with.
    catalogue
        Layer catalogue for the licences of the sources; default the configured
        one, or none when it cannot be loaded.
    progress
        Called after each step of the read with the step's name.

    Raises
    ------
    NotFoundError
        If there is no such shortlist.
    PermissionDeniedError
        If ``actor`` may not export.
    """
    import geopandas as gpd

    from gisplan.export._dictionary import data_sources

    info = get_shortlist(store, shortlist, actor=actor)  # the permission first: a refusal names no shortlist
    store.authorize_export(actor, f"shortlist:{info.name}")
    step = progress or (lambda _name: None)
    raw = _snapshot_read(store, lambda s: _read(s, info.id, step))
    chosen = choose_profile(raw.scores, profile or raw.shortlist.profile)
    rows, geoms = _site_rows(raw, chosen)
    by_id = dict(zip((str(r["site_id"]) for r in rows), geoms["geometry"], strict=True))
    rows = rank_rows(rows)
    geoms = {"geometry": [by_id[str(r["site_id"])] for r in rows]}
    crs = f"EPSG:{store.srid}"
    head = [
        "rank",
        "site_id",
        "name",
        "kind",
        "status",
        "status_reason",
        "priority",
        "note",
        "municipality_code",
        "municipality",
        "region_code",
        "area_m2",
        "area_ha",
        "area_source",
        "source",
        "source_id",
        "profile",
        "profile_version",
        "score",
        "completeness",
        "criteria_assumed",
        "criteria_not_available",
        "score_note",
        "excluded",
        "exclusion_reasons",
        "handicaps",
    ]
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else head)
    frame["rank"] = frame["rank"].astype("Int64")
    sites = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms["geometry"], crs=crs), crs=crs)
    versions = {s.profile: s.profile_version for s in raw.scores}
    by_site = site_scores(raw.scores, chosen)
    unscored = [str(row["site_id"]) for row in rows if row["score"] is None]
    warnings = []
    if not profile and not raw.shortlist.profile and chosen:
        warnings.append(
            f"shortlist {raw.shortlist.name!r} names no scoring profile; exported with {chosen}, the one most "
            f"of its sites are scored with (set one with `gisplan shortlist edit NAME --profile P` or pass --profile)"
        )
    if unscored:
        shown = ", ".join(unscored[:20]) + (" …" if len(unscored) > 20 else "")
        warnings.append(f"{len(unscored)} site(s) have no score under any profile: {shown}")
    others = sorted({s.profile for s in by_site.values()} - {chosen})
    if others:
        warnings.append(f"sites that {chosen} does not score carry the score of {', '.join(others)}")
    for warning in warnings:
        logger.warning("export of %s: %s", raw.shortlist.name, warning)
    user = store.read(lambda s: s.get(User, actor)) if isinstance(actor, int) else None
    who = user.username if user is not None else "system"
    return ExportSnapshot(
        shortlist=raw.shortlist.name,
        description=raw.shortlist.description or "",
        profile=chosen,
        exported_at=utcnow(),
        exported_by=who,
        crs=crs,
        sites=sites,
        breakdown={k: list(v.breakdown or []) for k, v in by_site.items()},
        attributes={s.id: dict(s.attributes or {}) for s in raw.sites},
        profile_versions=dict(sorted(versions.items())),
        sources=data_sources(Counter(s.source for s in raw.sites), catalogue),
        warnings=warnings,
        **_frames(raw, settings.get().language),
    )


__all__ = [
    "POINTS_PREFIX",
    "VALUE_PREFIX",
    "ExportSnapshot",
    "Progress",
    "SourceInfo",
    "load_snapshot",
    "rank_rows",
    "site_scores",
]
