"""Resident proposals and budget votes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gisplan.store.geometry import Geometry
from gisplan.store.models import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def _srid() -> int:
    """The working CRS the store was created with (``store_meta.srid``)."""
    value = op.get_bind().execute(sa.text("SELECT value FROM store_meta WHERE key = 'srid'")).scalar()
    return int(value) if value else 5514


def upgrade() -> None:
    """Create the proposal, vote, code, ballot and rate-limit tables."""
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("municipality_code", sa.String(32), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("geom", Geometry(_srid()), nullable=True),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_type", sa.String(32), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("estimated_cost", sa.Float(), nullable=True),
        sa.Column("follow_token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("moderated_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_proposals_municipality_code", "proposals", ["municipality_code"])
    op.create_index("ix_proposals_state", "proposals", ["state"])
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("municipality_code", sa.String(32), nullable=True),
        sa.Column("budget", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "vote_items",
        sa.Column("vote_id", sa.Integer(), sa.ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("cost", sa.Float(), nullable=False),
    )
    op.create_table(
        "vote_codes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("vote_id", sa.Integer(), sa.ForeignKey("votes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("used", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_vote_codes_vote_id", "vote_codes", ["vote_id"])
    op.create_table(
        "ballots",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("vote_id", sa.Integer(), sa.ForeignKey("votes.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_ballots_vote_id", "ballots", ["vote_id"])
    op.create_table(
        "ballot_choices",
        sa.Column("ballot_id", sa.String(32), sa.ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_rate_events_key", "rate_events", ["kind", "key_hash", "at"])


def downgrade() -> None:
    """Drop the tables."""
    op.drop_index("ix_rate_events_key", table_name="rate_events")
    op.drop_table("rate_events")
    op.drop_table("ballot_choices")
    op.drop_index("ix_ballots_vote_id", table_name="ballots")
    op.drop_table("ballots")
    op.drop_index("ix_vote_codes_vote_id", table_name="vote_codes")
    op.drop_table("vote_codes")
    op.drop_table("vote_items")
    op.drop_table("votes")
    op.drop_index("ix_proposals_state", table_name="proposals")
    op.drop_index("ix_proposals_municipality_code", table_name="proposals")
    op.drop_table("proposals")
