"""The store, persistence only: sites, scores, communities, funding calls, links, statuses, submissions, users, audit.

SQLite by default (a file in the data dir), PostgreSQL + PostGIS for servers
(``GISPLAN_DATABASE_URL``). Every write names the acting user, is checked against
the permission rules of :mod:`gisplan.store.permissions` by re-reading that user
from the database, uses optimistic locking (``expected_version``) and is audited.

What lives here: every table (:mod:`gisplan.store.models`, one registration
point), the engine and migrations, transactions (:class:`Tx`: one permission-checked,
versioned, audited write each), bulk ``COPY`` (:mod:`gisplan.store.bulk`), backup,
and the reads pages share (:mod:`gisplan.store.queries`, :mod:`gisplan.store.site_card`).
The use cases built on it (submissions with the intake's checks, moderation,
scoring a site, ingest, shortlists) are in :mod:`gisplan.workflows`; the store
imports none of them, nor the intake or the scoring core.

>>> store = open_store()                                        # doctest: +SKIP
>>> site = store.get_site("ruian:1234")                         # doctest: +SKIP
>>> store.change_status(7, site.id, "screening", expected_version=site.version)  # doctest: +SKIP
"""

from __future__ import annotations

from gisplan.store.community_writes import Member
from gisplan.store.permissions import ACTION_ROLES, TRANSITIONS, Action, Role, Scope, Status
from gisplan.store.store import Store, open_store
from gisplan.store.transaction import Tx
from gisplan.store.tx import SYSTEM, UNSET, ActorRef

__all__ = [
    "ACTION_ROLES",
    "SYSTEM",
    "TRANSITIONS",
    "UNSET",
    "Action",
    "ActorRef",
    "Member",
    "Role",
    "Scope",
    "Status",
    "Store",
    "Tx",
    "open_store",
]
