"""Resident participation: proposals without an account, and budget votes with one-time codes.

- :mod:`~gisplan.participation.proposals`: a resident sends a point or polygon, a title,
  a description, a category and an optional photo (checked, size-limited, metadata
  stripped); rate limits per session and address, a honeypot field; everything waits
  for moderation; a private follow token.
- :mod:`~gisplan.participation.votes`: an organiser opens a vote on accepted proposals
  with costs and a budget and issues one-time codes; a voter casts one anonymous
  ballot within the budget per code.
- :mod:`~gisplan.participation.results`: the documented counting rule and CSV/GeoPackage export.

The tables are in :mod:`gisplan.store.models` (migration 0008).
"""

from __future__ import annotations

from gisplan.participation._common import RateLimits
from gisplan.participation._photo import MAX_PHOTO_BYTES, clean_photo
from gisplan.participation.proposals import (
    CATEGORIES,
    ProposalForm,
    ProposalView,
    Requester,
    Submitted,
    follow,
    list_proposals,
    moderate_proposal,
    photo_of,
    submit_proposal,
)
from gisplan.participation.results import VoteResult, allocate, results, to_csv, to_geopackage
from gisplan.participation.votes import (
    VoteInfo,
    cast_ballot,
    close_vote,
    get_vote,
    issue_codes,
    list_votes,
    open_vote,
)

__all__ = [
    "CATEGORIES",
    "MAX_PHOTO_BYTES",
    "ProposalForm",
    "ProposalView",
    "RateLimits",
    "Requester",
    "Submitted",
    "VoteInfo",
    "VoteResult",
    "allocate",
    "cast_ballot",
    "clean_photo",
    "close_vote",
    "follow",
    "get_vote",
    "issue_codes",
    "list_proposals",
    "list_votes",
    "moderate_proposal",
    "open_vote",
    "photo_of",
    "results",
    "submit_proposal",
    "to_csv",
    "to_geopackage",
]
