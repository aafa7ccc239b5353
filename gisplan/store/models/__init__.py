"""SQLAlchemy 2 models of the store: every table, registered here and nowhere else.

Every row a user can edit carries a ``version`` (optimistic locking: a save names
the version it was based on and is refused with a
:class:`~gisplan.errors.ConflictError` when the row moved on). Geometries are in
the working CRS of the store (``store_meta.srid``, EPSG:5514 for Czech data).
Sites keep ``minx/miny/maxx/maxy`` [m, working CRS] for view-box queries on
SQLite; PostGIS also has a GiST index on ``geom``. The schema itself is created by
the Alembic migrations in ``gisplan/store/migrations``, not by ``create_all``.

The tables are grouped in private modules by subject (core: users, sites, scores,
communities, funding calls, links, submissions, audit; notices; preferences;
shortlists; measured demand, energy poverty and climate actions; participation);
importing this package registers all of them on :class:`Base`.
"""

from __future__ import annotations

from gisplan.store.models._community_data import ClimateAction, EnergyPoverty, MeasuredDemand
from gisplan.store.models._core import (
    Annotation,
    AuditEntry,
    Base,
    Community,
    CommunityMember,
    FundingCall,
    JSONType,
    Site,
    SiteCommunityLink,
    SiteFundingLink,
    SiteScore,
    StatusChange,
    StoreMeta,
    Submission,
    User,
    UserScope,
    UTCDateTime,
    utcnow,
)
from gisplan.store.models._notices import Notice
from gisplan.store.models._participation import (
    Ballot,
    BallotChoice,
    Proposal,
    RateEvent,
    Vote,
    VoteCode,
    VoteItem,
)
from gisplan.store.models._prefs import UserPref
from gisplan.store.models._shortlists import MAX_NAME_LENGTH, Shortlist, ShortlistMember

__all__ = [
    "MAX_NAME_LENGTH",
    "Annotation",
    "AuditEntry",
    "Ballot",
    "BallotChoice",
    "Base",
    "ClimateAction",
    "Community",
    "CommunityMember",
    "EnergyPoverty",
    "FundingCall",
    "JSONType",
    "MeasuredDemand",
    "Notice",
    "Proposal",
    "RateEvent",
    "Shortlist",
    "ShortlistMember",
    "Site",
    "SiteCommunityLink",
    "SiteFundingLink",
    "SiteScore",
    "StatusChange",
    "StoreMeta",
    "Submission",
    "UTCDateTime",
    "User",
    "UserPref",
    "UserScope",
    "Vote",
    "VoteCode",
    "VoteItem",
    "utcnow",
]
