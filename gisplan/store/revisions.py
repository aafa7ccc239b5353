"""Revisions of the data the Map page caches: the sites and scores, and the statuses.

The app caches the site index of a profile (:func:`gisplan.app.mapdata.load_site_index`,
about 0.75 s at 100,000 sites) and the funding masks derived from it. Keyed on
:meth:`gisplan.store.Store.revision` (the last audit id) they were read again after
every note, link or status change. Two narrower revisions, both kept *in the
database* so that every app process on one store sees the others' writes:

- the **sites revision**: a random token in ``store_meta`` (key
  :data:`SITES_REVISION_KEY`), replaced in the same transaction as any write to the
  data the index and the funding masks are made of: site rows and scores (ingest, a
  site added from a submission, a site scored), communities and funding calls (see
  :func:`changes_sites`). :meth:`gisplan.store.transaction.Tx.audit` replaces it, so a
  new write path only has to be audited under one of these actions. A token, not a
  counter: after a restore, a counter would count up again to a number an app
  process has already cached with other data; the restored token is the token of
  the restored data.
- the **status revision**: ``(count, largest id)`` of ``status_changes``. Every
  status move adds a row there (:meth:`~gisplan.store.site_writes.SiteWrites.change_status`),
  so the pair changes with every move, also when two moves commit out of id order.
  The app then reads the statuses other than ``new`` (:func:`worked_statuses`, a
  small query through ``ix_sites_status``) and updates the status column of the
  cached index instead of reading the index again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gisplan.store.models import Site, StatusChange, StoreMeta
from gisplan.store.permissions import Status

#: ``store_meta`` key of the sites revision.
SITES_REVISION_KEY = "sites_revision"
#: Audited actions that change site rows or scores.
SITE_ACTIONS = frozenset({"ingest", "site.add", "site.score"})
#: Prefixes of audited actions that change what the funding masks read (calls, communities).
DATA_PREFIXES = ("community.", "funding_call.")
#: The status every site starts with; the cached index reads only the others again.
START_STATUS = Status.NEW.value


@dataclass(frozen=True)
class MapRevision:
    """The two revisions the Map page's caches key on.

    ``sites`` is the sites revision token (empty for a store that has never
    recorded one); ``statuses`` is ``(count, largest id)`` of the status moves.
    """

    sites: str
    statuses: tuple[int, int]


def changes_sites(action: str) -> bool:
    """True for an audited action that changes site rows, scores, communities or funding calls."""
    return action in SITE_ACTIONS or action.startswith(DATA_PREFIXES)


def bump(session: Session) -> str:
    """Give the sites revision a new token in the caller's transaction; return it."""
    token = secrets.token_hex(8)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(StoreMeta).values(key=SITES_REVISION_KEY, value=token)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": token}))
    return token


def read(session: Session) -> MapRevision:
    """The current sites and status revisions."""
    token = session.scalar(select(StoreMeta.value).where(StoreMeta.key == SITES_REVISION_KEY))
    count, last = session.execute(
        select(func.count(StatusChange.id), func.coalesce(func.max(StatusChange.id), 0))
    ).one()
    return MapRevision(sites=str(token or ""), statuses=(int(count or 0), int(last or 0)))


def worked_statuses(session: Session) -> dict[str, str]:
    """Status of every current site whose status is not :data:`START_STATUS`, by site id."""
    worked = [status.value for status in Status if status.value != START_STATUS]  # IN, so ix_sites_status serves it
    stmt = select(Site.id, Site.status).where(Site.status.in_(worked), Site.end_date.is_(None))
    return {str(sid): str(status) for sid, status in session.execute(stmt)}


__all__ = [
    "DATA_PREFIXES",
    "SITES_REVISION_KEY",
    "SITE_ACTIONS",
    "START_STATUS",
    "MapRevision",
    "bump",
    "changes_sites",
    "read",
    "worked_statuses",
]
