"""Named shortlists of sites and their members (export to GeoPackage, CSV/XLSX, dossiers).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gisplan.store.models import JSONType, UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``shortlists`` and ``shortlist_members``."""
    op.create_table(
        "shortlists",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("profile", sa.String(100), nullable=True),
        sa.Column("rule", JSONType, nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "shortlist_members",
        sa.Column("shortlist_id", sa.Integer(), sa.ForeignKey("shortlists.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("site_id", sa.String(300), sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("added_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("added_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_shortlist_members_site", "shortlist_members", ["site_id"])


def downgrade() -> None:
    """Drop the shortlist tables."""
    op.drop_index("ix_shortlist_members_site", table_name="shortlist_members")
    op.drop_table("shortlist_members")
    op.drop_table("shortlists")
