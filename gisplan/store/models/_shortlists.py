"""Tables of named shortlists of sites (what a planner exports); reads and writes in
:mod:`gisplan.store.shortlist_reads` and :mod:`gisplan.workflows.shortlists`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gisplan.store.models._core import Base, JSONType, UTCDateTime, utcnow

#: Longest shortlist name [characters].
MAX_NAME_LENGTH = 200


class Shortlist(Base):
    """A named list of sites to export; ``rule`` records how it was built (status, filters, by hand)."""

    __tablename__ = "shortlists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    profile: Mapped[str | None] = mapped_column(String(100), nullable=True)
    rule: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class ShortlistMember(Base):
    """One site on a shortlist."""

    __tablename__ = "shortlist_members"
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_shortlist_members_site", "site_id"),)
