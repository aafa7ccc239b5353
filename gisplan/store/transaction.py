"""The transaction object: every permission-checked write of the store, for one actor, in one transaction.

:meth:`Store.transaction <gisplan.store.store.Store.transaction>` hands a :class:`Tx` to
the caller's work function. Its methods come from one mixin per subject, each on
:class:`~gisplan.store.tx.TxBase` (actor, permission check, versioned save, audit):
sites (status, notes, links), users, communities, funding calls and submissions.
"""

from __future__ import annotations

from gisplan.store.call_writes import CallWrites
from gisplan.store.community_writes import CommunityWrites
from gisplan.store.site_writes import SiteWrites
from gisplan.store.submission_writes import SubmissionWrites
from gisplan.store.user_writes import UserWrites


class Tx(SiteWrites, UserWrites, CommunityWrites, CallWrites, SubmissionWrites):
    """All write operations, inside one transaction for one actor (see :meth:`Store.transaction`)."""


__all__ = ["Tx"]
