"""Base, column types and the core tables: users, sites, scores, communities, calls, links, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from gisplan.store.geometry import Geometry

#: JSON on SQLite, JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Read back as aware UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """Now, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Base of all store models."""


class StoreMeta(Base):
    """Key/value facts about the store, e.g. ``srid``."""

    __tablename__ = "store_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    """A person using gisplan; ``role`` is one of admin, animator, municipality, planner."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    oidc_sub: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Moved by a password, role or scope change and by disabling; app sessions of an older epoch end.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class UserScope(Base):
    """One scope item of a user: ``kind`` region | mas | municipality and a code."""

    __tablename__ = "user_scopes"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)


class Site(Base):
    """A candidate site; ``id`` is ``source:source_id`` and never changes.

    Source fields (``kind`` … ``geom``) are overwritten by ingest; the workflow
    fields (``status``, ``note``, ``priority``) belong to people and are kept.
    """

    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(200))
    area_m2: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: ``geometry``, a declared field (``declared:hectares``…) or ``not_available`` (migration 0006).
    area_source: Mapped[str | None] = mapped_column(String(60), nullable=True)
    municipality_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry(), nullable=True)
    minx: Mapped[float | None] = mapped_column(Float, nullable=True)
    miny: Mapped[float | None] = mapped_column(Float, nullable=True)
    maxx: Mapped[float | None] = mapped_column(Float, nullable=True)
    maxy: Mapped[float | None] = mapped_column(Float, nullable=True)
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(32), default="new")
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    priority: Mapped[str | None] = mapped_column(String(16), nullable=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is

    __table_args__ = (
        Index("ix_sites_kind", "kind"),
        Index("ix_sites_status", "status"),
        Index("ix_sites_source", "source"),
        Index("ix_sites_municipality", "municipality_code"),
        Index("ix_sites_region", "region_code"),
        Index("ix_sites_bbox", "minx", "maxx", "miny", "maxy"),
    )


class SiteScore(Base):
    """The score of one site under one scoring profile, with breakdown [JSON] and energy estimate."""

    __tablename__ = "site_scores"
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    profile: Mapped[str] = mapped_column(String(100), primary_key=True)
    profile_version: Mapped[str] = mapped_column(String(50), default="")
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    exclusion_reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    handicaps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    capacity_kwp: Mapped[float | None] = mapped_column(Float, nullable=True)
    yield_kwh_kwp_yr: Mapped[float | None] = mapped_column(Float, nullable=True)
    energy_mwh_yr: Mapped[float | None] = mapped_column(Float, nullable=True)
    co2_t_yr: Mapped[float | None] = mapped_column(Float, nullable=True)
    households: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: Share of the profile's criteria weight that was measured [0–1] (migration 0006).
    completeness: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: ``irradiation_raster``, ``region``, ``fallback_clearsky`` or ``not_available``.
    yield_source: Mapped[str | None] = mapped_column(String(40), nullable=True)
    yield_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    scored_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_site_scores_profile_score", "profile", "score"),)


class Community(Base):
    """A municipality (``code`` = kód obce), a MAS/LAG, or an energy community."""

    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    population: Mapped[int | None] = mapped_column(Integer, nullable=True)
    region_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    municipality_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is

    __table_args__ = (UniqueConstraint("kind", "code", name="uq_communities_kind_code"),)


class CommunityMember(Base):
    """A member of a MAS or energy community: a municipality, another community or a named party."""

    __tablename__ = "community_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    municipality_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    member_community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), nullable=True)
    member_role: Mapped[str | None] = mapped_column(String(64), nullable=True)


class FundingCall(Base):
    """A funding call; ``rules`` holds what the matcher reads (territory, applicants, limits)."""

    __tablename__ = "funding_calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    programme: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(500), default="")
    provider: Mapped[str] = mapped_column(String(200), default="")
    intake_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    intake_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class SiteCommunityLink(Base):
    """A site linked to a community (e.g. the municipality that owns it, the energy community using it)."""

    __tablename__ = "site_community_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is

    __table_args__ = (UniqueConstraint("site_id", "community_id", name="uq_site_community"),)


class SiteFundingLink(Base):
    """A site linked to a funding call with the matcher's verdict (eligible | not_eligible | unknown)."""

    __tablename__ = "site_funding_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    funding_call_id: Mapped[int] = mapped_column(ForeignKey("funding_calls.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(String(20), default="unknown")
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is

    __table_args__ = (UniqueConstraint("site_id", "funding_call_id", name="uq_site_funding_call"),)


class Annotation(Base):
    """A note written on a site by a user."""

    __tablename__ = "annotations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class StatusChange(Base):
    """One move of a site through the workflow."""

    __tablename__ = "status_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Submission(Base):
    """A site candidate submitted by a municipality; ``state`` submitted | accepted | rejected | withdrawn."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str] = mapped_column(String(32))
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry(), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="submitted")
    feedback: Mapped[str] = mapped_column(Text, default="")
    moderated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class AuditEntry(Base):
    """One write or denied attempt: who, what, on which target, before and after, when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_audit_target", "target_type", "target_id"),)
