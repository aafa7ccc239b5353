"""In-app notices: a short message to one user about something that happened to a submission.

A notice stores a ``kind`` code (``submission.submitted``, ``submission.accepted``,
``submission.rejected``, ``submission.returned``, ``submission.resubmitted``,
``submission.withdrawn``) and the ``params`` the app needs to word it in the
user's language (submission id and name, municipality, feedback). The text
itself is never stored, so a notice reads in Czech or English alike. ``read_at``
is set when the user marks it read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gisplan.store.models._core import Base, JSONType, UTCDateTime, utcnow


class Notice(Base):
    """One notice to one user; ``params`` holds what the message needs (ids, names, feedback)."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), nullable=True, index=True
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_notices_user_read", "user_id", "read_at"),)


__all__ = ["Notice"]
