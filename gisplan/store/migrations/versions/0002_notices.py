"""In-app notices to users about their submissions (and submissions in their territory).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gisplan.store.models import JSONType, UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``notices``."""
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id", ondelete="CASCADE"), nullable=True),
        sa.Column("params", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_notices_submission_id", "notices", ["submission_id"])
    op.create_index("ix_notices_user_read", "notices", ["user_id", "read_at"])


def downgrade() -> None:
    """Drop ``notices``."""
    op.drop_index("ix_notices_user_read", table_name="notices")
    op.drop_index("ix_notices_submission_id", table_name="notices")
    op.drop_table("notices")
