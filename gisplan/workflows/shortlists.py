"""Named shortlists of sites: the reads and writes on them (the tables are in :mod:`gisplan.store.models`).

A planner (or an animator, or an admin: everybody who may export) gathers sites
into a named shortlist, by their workflow status, by filters, or by hand, and
exports it (:mod:`gisplan.export`). Every write re-reads the acting user, checks
:attr:`~gisplan.store.permissions.Action.EXPORT`, and is audited with target type
``shortlist``. Only the creator of a shortlist (or an admin) may change or delete
it; other exporters read and export it. Adding or removing members bumps the
shortlist's ``version``; renaming and deleting name the version they were based on
(optimistic locking, a :class:`~gisplan.errors.ConflictError` when it moved on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gisplan.errors import ConflictError, InputError, NotFoundError
from gisplan.store import permissions as perm
from gisplan.store.models import MAX_NAME_LENGTH, Shortlist, ShortlistMember, Site, SiteScore, User, utcnow

if TYPE_CHECKING:
    from gisplan.store.store import Store
    from gisplan.store.transaction import Tx
    from gisplan.store.tx import ActorRef

_FIELDS = ("name", "description", "profile", "rule")


@dataclass(frozen=True)
class ShortlistInfo:
    """A shortlist as listed: its fields, the creator's user name and the number of sites."""

    id: int
    name: str
    description: str
    profile: str | None
    rule: dict[str, Any]
    created_by: str
    updated_at: dt.datetime
    version: int
    size: int


@dataclass(frozen=True)
class SiteFilter:
    """Which sites to put on a shortlist: every given condition must hold.

    Parameters
    ----------
    statuses
        Workflow statuses (``shortlisted``, ``screening``…); empty means any.
    kinds
        Site kinds (``brownfield``, ``rooftop``, ``municipal_land``); empty means any.
    municipality_codes, region_codes
        Kód obce / NUTS 3 codes; empty means any.
    profile
        Scoring profile of ``min_score``; also needed for ``include_excluded=False``.
    min_score
        Lowest score under ``profile`` [0–100].
    include_excluded
        Keep sites the profile excludes (only with ``profile``).
    include_ended
        Keep sites whose source has dropped them (end-dated).
    limit
        At most this many sites, best score first when ``profile`` is given, else by id.
    """

    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    municipality_codes: tuple[str, ...] = ()
    region_codes: tuple[str, ...] = ()
    profile: str | None = None
    min_score: float | None = None
    include_excluded: bool = True
    include_ended: bool = False
    limit: int | None = None

    def problems(self) -> list[str]:
        """Every reason the filter cannot be used (empty when it is fine)."""
        found: list[str] = []
        bad = [s for s in self.statuses if s not in {x.value for x in perm.Status}]
        if bad:
            found.append(f"statuses {bad} are unknown; use {[s.value for s in perm.Status]}")
        if self.min_score is not None and self.profile is None:
            found.append("a minimum score needs the scoring profile it refers to (--profile)")
        if not self.include_excluded and self.profile is None:
            found.append("leaving out excluded sites needs a scoring profile (--profile)")
        if self.limit is not None and self.limit < 1:
            found.append(f"limit {self.limit} must be at least 1")
        return found

    def as_rule(self) -> dict[str, Any]:
        """The filter as the JSON ``rule`` of a shortlist (only the conditions given)."""
        rule: dict[str, Any] = {"by": "status" if self.statuses and not self._other_conditions() else "filters"}
        for key in ("statuses", "kinds", "municipality_codes", "region_codes"):
            if getattr(self, key):
                rule[key] = list(getattr(self, key))
        for key in ("profile", "min_score", "limit"):
            if getattr(self, key) is not None:
                rule[key] = getattr(self, key)
        if not self.include_excluded:
            rule["include_excluded"] = False
        if self.include_ended:
            rule["include_ended"] = True
        return rule

    def _other_conditions(self) -> bool:
        return bool(self.kinds or self.municipality_codes or self.region_codes or self.min_score is not None)


# ------------------------------------------------------------------------------------------- reads
def _info_rows(session: Session, name: str | None = None) -> list[ShortlistInfo]:
    size = (
        select(ShortlistMember.shortlist_id, func.count().label("n")).group_by(ShortlistMember.shortlist_id).subquery()
    )
    stmt = (
        select(Shortlist, func.coalesce(size.c.n, 0), User.username)
        .outerjoin(size, size.c.shortlist_id == Shortlist.id)
        .outerjoin(User, User.id == Shortlist.created_by)
        .order_by(Shortlist.name)
    )
    if name is not None:
        stmt = stmt.where(Shortlist.name == name)
    return [
        ShortlistInfo(
            id=row.id,
            name=row.name,
            description=row.description or "",
            profile=row.profile,
            rule=dict(row.rule or {}),
            created_by=username or "system",
            updated_at=row.updated_at,
            version=row.version,
            size=int(count),
        )
        for row, count, username in session.execute(stmt).all()
    ]


def list_shortlists(store: Store) -> list[ShortlistInfo]:
    """Every shortlist with its size, by name."""
    return store.read(_info_rows)


def get_shortlist(store: Store, name: str, *, actor: ActorRef | None = None) -> ShortlistInfo:
    """One shortlist by name; with ``actor``, only if they may export (checked before the lookup).

    Raises
    ------
    PermissionDeniedError
        If ``actor`` may not export (audited), whether or not the shortlist exists.
    NotFoundError
        If there is no shortlist of this name; the message lists the names.
    """
    if actor is not None:  # refused (and audited) as an export of the shortlist, like the export itself
        store.transaction(actor, lambda tx: tx.require(perm.Action.EXPORT, "export", f"shortlist:{name}"))
    rows = store.read(lambda s: _info_rows(s, name))
    if not rows:
        raise _not_found(name, [i.name for i in list_shortlists(store)])
    return rows[0]


def shortlist_site_ids(session: Session, shortlist_id: int) -> list[str]:
    """The site ids on a shortlist, sorted, read in ``session``."""
    stmt = select(ShortlistMember.site_id).where(ShortlistMember.shortlist_id == shortlist_id)
    return sorted(session.scalars(stmt).all())


def members(store: Store, name: str) -> list[str]:
    """The site ids on shortlist ``name``, sorted."""
    info = get_shortlist(store, name)
    return store.read(lambda s: shortlist_site_ids(s, info.id))


def select_sites(store: Store, where: SiteFilter) -> list[str]:
    """The ids of the sites matching ``where`` (see :class:`SiteFilter`).

    Raises
    ------
    InputError
        If the filter is inconsistent; every problem is listed.
    """
    problems = where.problems()
    if problems:
        msg = "the site filter cannot be used: " + "; ".join(problems)
        raise InputError(msg)
    stmt = select(Site.id)
    if where.profile is not None:
        stmt = stmt.join(SiteScore, (SiteScore.site_id == Site.id) & (SiteScore.profile == where.profile))
        if where.min_score is not None:
            stmt = stmt.where(SiteScore.score >= where.min_score)
        if not where.include_excluded:
            stmt = stmt.where(SiteScore.excluded.is_(False))
        stmt = stmt.order_by(SiteScore.score.desc().nulls_last(), Site.id)
    else:
        stmt = stmt.order_by(Site.id)
    conditions = (
        (Site.status, where.statuses),
        (Site.kind, where.kinds),
        (Site.municipality_code, where.municipality_codes),
        (Site.region_code, where.region_codes),
    )
    for column, values in conditions:
        if values:
            stmt = stmt.where(column.in_(list(values)))
    if not where.include_ended:
        stmt = stmt.where(Site.end_date.is_(None))
    stmt = stmt.limit(where.limit)
    return store.read(lambda s: list(s.scalars(stmt).all()))


# ------------------------------------------------------------------------------------------ writes
def _not_found(name: str, names: list[str]) -> NotFoundError:
    known = ", ".join(names) or "none yet"
    msg = f"there is no shortlist {name!r}; shortlists: {known}. Create it with `gisplan shortlist create`"
    return NotFoundError(msg)


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME_LENGTH or any(ord(c) < 32 for c in clean):
        msg = f"shortlist name {name!r} must be 1–{MAX_NAME_LENGTH} printable characters"
        raise InputError(msg)
    return clean


def _require_exporter(tx: Tx, name: str) -> perm.Actor:
    """The actor if they may export; checked before any lookup, so a refusal says nothing of what exists."""
    return tx.require(perm.Action.EXPORT, "shortlist", name)


def _load(tx: Tx, name: str) -> Shortlist:
    """Shortlist ``name`` for a write by an exporter (the permission first: not-found lists the names)."""
    _require_exporter(tx, name)
    row = tx.session.scalar(select(Shortlist).where(Shortlist.name == name))
    if row is None:
        raise _not_found(name, list(tx.session.scalars(select(Shortlist.name).order_by(Shortlist.name))))
    tx.session.refresh(row)
    return row


def _require_owner(tx: Tx, row: Shortlist, action: str) -> None:
    """Exporters may write; only the creator or an admin may change someone's shortlist."""
    actor = _require_exporter(tx, row.name)
    if actor.role != perm.Role.ADMIN and row.created_by is not None and row.created_by != tx.actor_id:
        tx.deny(action, "shortlist", row.name, "only the creator of a shortlist or an admin may change it")


def _snapshot(row: Shortlist) -> dict[str, Any]:
    return {"name": row.name, "description": row.description, "profile": row.profile, "version": row.version}


def _existing_sites(tx: Tx, site_ids: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(str(s) for s in site_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(tx.session.scalars(select(Site.id).where(Site.id.in_(chunk))))
    missing = [s for s in wanted if s not in found]
    if missing:
        shown = ", ".join(repr(s) for s in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        msg = f"no site with id {shown}{more} in the store; site ids look like 'source:source_id'"
        raise InputError(msg)
    return wanted


def _touch(tx: Tx, row: Shortlist) -> None:
    """Bump the version of a shortlist whose members changed."""
    row.updated_at = utcnow()
    tx.session.flush()


def _add_members(tx: Tx, row: Shortlist, site_ids: Sequence[str]) -> list[str]:
    present = set(shortlist_site_ids(tx.session, row.id))
    new = [s for s in _existing_sites(tx, site_ids) if s not in present]
    now = utcnow()
    tx.session.add_all(ShortlistMember(shortlist_id=row.id, site_id=s, added_by=tx.actor_id, added_at=now) for s in new)
    return new


def create_shortlist(
    store: Store,
    actor: ActorRef,
    name: str,
    *,
    description: str = "",
    profile: str | None = None,
    site_ids: Sequence[str] = (),
    rule: dict[str, Any] | None = None,
) -> ShortlistInfo:
    """Create shortlist ``name``, optionally with sites; return it.

    Raises
    ------
    ConflictError
        If a shortlist of this name exists.
    InputError
        For a bad name or unknown site ids.
    PermissionDeniedError
        If ``actor`` may not export.
    """
    clean = _check_name(name)

    def work(tx: Tx) -> int:
        _require_exporter(tx, clean)
        existing = tx.session.scalar(select(Shortlist).where(Shortlist.name == clean))
        if existing is not None:
            msg = f"a shortlist {clean!r} exists already (created {existing.created_at:%Y-%m-%d}); choose another name"
            raise ConflictError(msg, mine={"name": clean}, theirs=_snapshot(existing))
        row = Shortlist(
            name=clean,
            description=description,
            profile=profile,
            rule=rule or {"by": "hand"},
            created_by=tx.actor_id,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        tx.session.add(row)
        tx.session.flush()
        added = _add_members(tx, row, site_ids)
        tx.session.flush()
        tx.audit("shortlist.create", "shortlist", clean, after=_snapshot(row) | {"sites": added})
        return row.id

    store.transaction(actor, work)
    return get_shortlist(store, clean)


def add_sites(store: Store, actor: ActorRef, name: str, site_ids: Sequence[str]) -> list[str]:
    """Put sites on shortlist ``name``; return the ids that were not on it yet (others are left as they are)."""

    def work(tx: Tx) -> list[str]:
        row = _load(tx, name)
        _require_owner(tx, row, "shortlist.add")
        added = _add_members(tx, row, site_ids)
        if added:
            _touch(tx, row)
            tx.audit("shortlist.add", "shortlist", name, after={"sites": added, "version": row.version})
        return added

    return store.transaction(actor, work)


def remove_sites(store: Store, actor: ActorRef, name: str, site_ids: Sequence[str]) -> list[str]:
    """Take sites off shortlist ``name``; return the ids that were on it."""

    def work(tx: Tx) -> list[str]:
        row = _load(tx, name)
        _require_owner(tx, row, "shortlist.remove")
        present = set(shortlist_site_ids(tx.session, row.id))
        gone = [s for s in dict.fromkeys(site_ids) if s in present]
        if gone:
            tx.session.execute(
                delete(ShortlistMember).where(ShortlistMember.shortlist_id == row.id, ShortlistMember.site_id.in_(gone))
            )
            _touch(tx, row)
            tx.audit("shortlist.remove", "shortlist", name, before={"sites": gone}, after={"version": row.version})
        return gone

    return store.transaction(actor, work)


def update_shortlist(
    store: Store,
    actor: ActorRef,
    name: str,
    *,
    expected_version: int,
    new_name: str | None = None,
    description: str | None = None,
    profile: str | None = None,
) -> ShortlistInfo:
    """Rename a shortlist or change its description or profile (``None`` leaves a field as it is)."""
    changes: dict[str, Any] = {}
    if new_name is not None:
        changes["name"] = _check_name(new_name)
    if description is not None:
        changes["description"] = description
    if profile is not None:
        changes["profile"] = profile or None

    def work(tx: Tx) -> str:
        row = _load(tx, name)
        _require_owner(tx, row, "shortlist.edit")
        if "name" in changes and changes["name"] != name:
            taken = tx.session.scalar(select(Shortlist.id).where(Shortlist.name == changes["name"]))
            if taken is not None:
                msg = f"a shortlist {changes['name']!r} exists already; choose another name"
                raise ConflictError(msg, mine=changes, theirs={"name": changes["name"]})
        before, after = tx.save(row, f"shortlist {name}", expected_version, changes, _FIELDS)
        tx.audit("shortlist.edit", "shortlist", name, before=before, after=after)
        return row.name

    return get_shortlist(store, store.transaction(actor, work))


def delete_shortlist(store: Store, actor: ActorRef, name: str, *, expected_version: int) -> None:
    """Delete a shortlist (the sites stay in the store)."""

    def work(tx: Tx) -> None:
        row = _load(tx, name)
        _require_owner(tx, row, "shortlist.delete")
        before = _snapshot(row) | {"sites": shortlist_site_ids(tx.session, row.id)}
        if row.version != expected_version:
            tx.conflict(f"shortlist {name}", expected_version, {"deleted": True}, before)
        tx.session.delete(row)
        tx.session.flush()
        tx.audit("shortlist.delete", "shortlist", name, before=before)

    store.transaction(actor, work)


__all__ = [
    "MAX_NAME_LENGTH",
    "Shortlist",
    "ShortlistInfo",
    "ShortlistMember",
    "SiteFilter",
    "add_sites",
    "create_shortlist",
    "delete_shortlist",
    "get_shortlist",
    "list_shortlists",
    "member_table",
    "members",
    "remove_sites",
    "select_sites",
    "shortlist_site_ids",
    "update_shortlist",
]


def member_table(store: Store, name: str, profile: str | None = None) -> list[dict[str, Any]]:
    """The sites of shortlist ``name`` for display: id, name, kind, status, municipality, score and energy.

    ``score`` [0–100] and ``energy_mwh_yr`` [MWh/yr] are under ``profile`` (default the
    shortlist's); both are None for a site not scored with it.
    """
    info = get_shortlist(store, name)
    wanted = profile or info.profile
    stmt = (
        select(Site, SiteScore)
        .join(ShortlistMember, ShortlistMember.site_id == Site.id)
        .outerjoin(SiteScore, (SiteScore.site_id == Site.id) & (SiteScore.profile == (wanted or "")))
        .where(ShortlistMember.shortlist_id == info.id)
        .order_by(SiteScore.score.desc().nulls_last(), Site.id)
    )

    def work(session: Session) -> list[dict[str, Any]]:
        return [
            {
                "site_id": site.id,
                "name": site.name,
                "kind": site.kind,
                "status": site.status,
                "municipality_code": site.municipality_code or "",
                "score": score.score if score is not None else None,
                "energy_mwh_yr": score.energy_mwh_yr if score is not None else None,
            }
            for site, score in session.execute(stmt).all()
        ]

    return store.read(work)
