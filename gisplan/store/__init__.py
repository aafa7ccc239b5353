"""The store: sites, scores, communities, funding calls, links, workflow, submissions, users and audit.

SQLite by default (a file in the data dir), PostgreSQL + PostGIS for servers
(``GISPLAN_DATABASE_URL``). Every write names the acting user, is checked against
the permission rules of :mod:`gisplan.store.permissions` by re-reading that user
from the database, uses optimistic locking (``expected_version``) and is audited.

>>> store = open_store()                                        # doctest: +SKIP
>>> site = store.get_site("ruian:1234")                         # doctest: +SKIP
>>> store.change_status(7, site.id, "screening", expected_version=site.version)  # doctest: +SKIP
"""

from __future__ import annotations

from gisplan.store.people_ops import Member
from gisplan.store.permissions import ACTION_ROLES, TRANSITIONS, Action, Role, Scope, Status
from gisplan.store.store import Store, open_store
from gisplan.store.tx import SYSTEM, UNSET, ActorRef
from gisplan.store.writes import Tx

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
