"""The session epoch of each user: a password, role or scope change or a disablement moves it.

An app session remembers the epoch its user had at login and ends as soon as the
stored one differs (see :mod:`gisplan.app.auth`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``users.session_epoch`` (0 for every existing user)."""
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop ``users.session_epoch``.

    A plain ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35 and later): a batch copy of
    ``users`` would drop the table, and with foreign keys on, cascade to its scopes.
    """
    op.drop_column("users", "session_epoch")
