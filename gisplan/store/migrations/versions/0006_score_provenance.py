"""Where each score's numbers come from: completeness, yield source, area source.

``site_scores.completeness`` is the share of the profile's criteria weight that
was measured (0–1); ``site_scores.yield_source`` says where the specific yield
came from (``irradiation_raster``, ``region``, ``fallback_clearsky`` or
``not_available``) and ``yield_note`` why it is not available;
``sites.area_source`` says where ``area_m2`` came from (``geometry``, a declared
field such as ``declared:hectares``, or ``not_available``). Rows scored before
this revision keep NULL: their provenance was never recorded.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the provenance columns (NULL for rows scored before)."""
    op.add_column("site_scores", sa.Column("completeness", sa.Float(), nullable=True))
    op.add_column("site_scores", sa.Column("yield_source", sa.String(40), nullable=True))
    op.add_column("site_scores", sa.Column("yield_note", sa.Text(), nullable=True))
    op.add_column("sites", sa.Column("area_source", sa.String(60), nullable=True))


def downgrade() -> None:
    """Drop the provenance columns (plain ``DROP COLUMN``, SQLite 3.35 and later)."""
    op.drop_column("sites", "area_source")
    op.drop_column("site_scores", "yield_note")
    op.drop_column("site_scores", "yield_source")
    op.drop_column("site_scores", "completeness")
