"""Tables of resident proposals and budget votes (migration 0008).

The reads and writes on them are in :mod:`gisplan.participation`. Two rules of
the design are visible here:

- **Codes are never stored in the clear**: ``vote_codes.code_hash`` is SHA-256 of
  ``"<vote id>:<code>"``; a code is shown once, when it is issued.
- **Ballots are anonymous**: a ballot has a random id, no time and no link to the
  code that cast it. A code only records *that* it was used (``used``), so the
  order of ballots cannot be matched to the order of codes either.
"""

from __future__ import annotations

import datetime as dt

from shapely.geometry.base import BaseGeometry
from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gisplan.store.geometry import Geometry
from gisplan.store.models._core import Base, UTCDateTime, utcnow


class Proposal(Base):
    """A resident's idea: a point or polygon, a title, a category; ``state`` pending | accepted | rejected."""

    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32))
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry(), nullable=True)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    photo_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="cs")
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    feedback: Mapped[str] = mapped_column(Text, default="")
    #: The organiser's estimate of what the proposal costs [currency of the vote]; None until moderated.
    estimated_cost: Mapped[float | None] = mapped_column(Float, nullable=True)
    follow_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    moderated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class Vote(Base):
    """A budget vote on accepted proposals; ``state`` open | closed."""

    __tablename__ = "votes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    municipality_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    budget: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(8), default="CZK")
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class VoteItem(Base):
    """A proposal on the ballot of a vote, with the cost it was put to the vote with."""

    __tablename__ = "vote_items"
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    cost: Mapped[float] = mapped_column(Float)


class VoteCode(Base):
    """A one-time voting code, stored hashed; ``used`` turns true once, with the ballot it cast."""

    __tablename__ = "vote_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class Ballot(Base):
    """One cast ballot: a random id and the vote, nothing that names the voter or the time."""

    __tablename__ = "ballots"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)


class BallotChoice(Base):
    """A proposal chosen on a ballot."""

    __tablename__ = "ballot_choices"
    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)


class RateEvent(Base):
    """One counted attempt for a rate limit: ``key_hash`` is SHA-256 of ``"<scope>:<address or session>"``."""

    __tablename__ = "rate_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_rate_events_key", "kind", "key_hash", "at"),)


__all__ = ["Ballot", "BallotChoice", "Proposal", "RateEvent", "Vote", "VoteCode", "VoteItem"]
