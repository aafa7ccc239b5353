"""Measured demand, climate-plan actions and the energy poverty indicator.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gisplan.store.models import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``measured_demand``, ``energy_poverty`` and ``climate_actions``."""
    op.create_table(
        "measured_demand",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("mwh_yr", sa.Float(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("scope", "key", "year", name="uq_measured_demand_key_year"),
    )
    op.create_table(
        "energy_poverty",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("municipality_code", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("municipality_code", "year", name="uq_energy_poverty_code_year"),
    )
    op.create_table(
        "climate_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("municipality_code", sa.String(32), nullable=False),
        sa.Column("site_id", sa.String(300), sa.ForeignKey("sites.id", ondelete="SET NULL"), nullable=True),
        sa.Column("origin", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("sector", sa.String(32), nullable=False),
        sa.Column("action_type", sa.String(64), nullable=False),
        sa.Column("responsible_body", sa.String(300), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("cost_eur", sa.Float(), nullable=True),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("capacity_unit", sa.String(16), nullable=False),
        sa.Column("energy_savings_mwh_yr", sa.Float(), nullable=True),
        sa.Column("production_mwh_yr", sa.Float(), nullable=True),
        sa.Column("co2_t_yr", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_climate_actions_municipality", "climate_actions", ["municipality_code"])
    op.create_index("ix_climate_actions_site", "climate_actions", ["site_id"])


def downgrade() -> None:
    """Drop the tables."""
    op.drop_index("ix_climate_actions_site", table_name="climate_actions")
    op.drop_index("ix_climate_actions_municipality", table_name="climate_actions")
    op.drop_table("climate_actions")
    op.drop_table("energy_poverty")
    op.drop_table("measured_demand")
