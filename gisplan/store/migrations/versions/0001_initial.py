"""The initial store: sites, scores, communities, funding calls, links, workflow, submissions, users, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from gisplan.store.geometry import Geometry
from gisplan.store.models import JSONType, UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

DEFAULT_SRID = 5514


def _srid() -> int:
    return int(context.config.attributes.get("srid") or DEFAULT_SRID)


def _timestamps(*names: str) -> list[sa.Column[object]]:
    return [sa.Column(name, UTCDateTime(), nullable=False) for name in names]


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), nullable=False)


def _bbox() -> list[sa.Column[object]]:
    return [sa.Column(name, sa.Float(), nullable=True) for name in ("minx", "miny", "maxx", "maxy")]


def _people_tables() -> None:
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(200), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("oidc_sub", sa.String(200), nullable=True, unique=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        *_timestamps("created_at"),
        _version(),
    )
    op.create_table(
        "user_scopes",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("code", sa.String(64), primary_key=True),
    )
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(32), nullable=True),
        sa.Column("municipality_code", sa.String(32), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        *_timestamps("created_at", "updated_at"),
        _version(),
        sa.UniqueConstraint("kind", "code", name="uq_communities_kind_code"),
    )
    op.create_table(
        "community_members",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("municipality_code", sa.String(32), nullable=True),
        sa.Column("member_community_id", sa.Integer(), sa.ForeignKey("communities.id"), nullable=True),
        sa.Column("member_role", sa.String(64), nullable=True),
    )
    op.create_index("ix_community_members_community_id", "community_members", ["community_id"])
    op.create_index("ix_community_members_municipality_code", "community_members", ["municipality_code"])
    op.create_table(
        "funding_calls",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(100), nullable=False, unique=True),
        sa.Column("programme", sa.String(200), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("provider", sa.String(200), nullable=False),
        sa.Column("intake_start", sa.Date(), nullable=True),
        sa.Column("intake_end", sa.Date(), nullable=True),
        sa.Column("rules", JSONType, nullable=False),
        *_timestamps("created_at", "updated_at"),
        _version(),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(300), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("before", JSONType, nullable=True),
        sa.Column("after", JSONType, nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])
    op.create_index("ix_audit_target", "audit_log", ["target_type", "target_id"])


def _site_tables(srid: int) -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=True),
        sa.Column("municipality_code", sa.String(32), nullable=True),
        sa.Column("region_code", sa.String(32), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("geom", Geometry(srid), nullable=True),
        *_bbox(),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        *_timestamps("first_seen", "last_seen", "updated_at"),
        _version(),
    )
    for name, cols in {
        "ix_sites_kind": ["kind"],
        "ix_sites_status": ["status"],
        "ix_sites_source": ["source"],
        "ix_sites_municipality": ["municipality_code"],
        "ix_sites_region": ["region_code"],
        "ix_sites_bbox": ["minx", "maxx", "miny", "maxy"],
    }.items():
        op.create_index(name, "sites", cols)
    op.create_table(
        "site_scores",
        sa.Column("site_id", sa.String(300), sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("profile", sa.String(100), primary_key=True),
        sa.Column("profile_version", sa.String(50), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("exclusion_reasons", JSONType, nullable=False),
        sa.Column("handicaps", JSONType, nullable=False),
        sa.Column("breakdown", JSONType, nullable=False),
        sa.Column("capacity_kwp", sa.Float(), nullable=True),
        sa.Column("yield_kwh_kwp_yr", sa.Float(), nullable=True),
        sa.Column("energy_mwh_yr", sa.Float(), nullable=True),
        sa.Column("co2_t_yr", sa.Float(), nullable=True),
        sa.Column("households", sa.Float(), nullable=True),
        sa.Column("criteria", JSONType, nullable=False),
        *_timestamps("scored_at"),
    )
    op.create_index("ix_site_scores_profile_score", "site_scores", ["profile", "score"])


def _work_tables(srid: int) -> None:
    def site_fk() -> sa.Column[str]:
        return sa.Column("site_id", sa.String(300), sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False)

    op.create_table(
        "site_community_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        site_fk(),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        *_timestamps("created_at", "updated_at"),
        _version(),
        sa.UniqueConstraint("site_id", "community_id", name="uq_site_community"),
    )
    op.create_table(
        "site_funding_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        site_fk(),
        sa.Column(
            "funding_call_id", sa.Integer(), sa.ForeignKey("funding_calls.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("reasons", JSONType, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        *_timestamps("created_at", "updated_at"),
        _version(),
        sa.UniqueConstraint("site_id", "funding_call_id", name="uq_site_funding_call"),
    )
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        site_fk(),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        _version(),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        site_fk(),
        sa.Column("from_status", sa.String(32), nullable=False),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        *_timestamps("changed_at"),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("municipality_code", sa.String(32), nullable=False),
        sa.Column("submitted_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("geom", Geometry(srid), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("moderated_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("site_id", sa.String(300), sa.ForeignKey("sites.id"), nullable=True),
        *_timestamps("created_at", "updated_at"),
        _version(),
    )
    for table in ("annotations", "status_changes", "site_community_links", "site_funding_links"):
        op.create_index(f"ix_{table}_site_id", table, ["site_id"])
    op.create_index("ix_site_community_links_community_id", "site_community_links", ["community_id"])
    op.create_index("ix_site_funding_links_funding_call_id", "site_funding_links", ["funding_call_id"])
    op.create_index("ix_submissions_municipality_code", "submissions", ["municipality_code"])


def upgrade() -> None:
    """Create every table; on PostGIS also the GiST indexes on the geometry columns."""
    srid = _srid()
    _people_tables()
    _site_tables(srid)
    _work_tables(srid)
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_sites_geom", "sites", ["geom"], postgresql_using="gist")
        op.create_index("ix_submissions_geom", "submissions", ["geom"], postgresql_using="gist")
    op.bulk_insert(
        sa.table("store_meta", sa.column("key", sa.String()), sa.column("value", sa.Text())),
        [{"key": "srid", "value": str(srid)}],
    )


def downgrade() -> None:
    """Drop every table (all data is lost: take a backup first)."""
    for table in (
        "submissions",
        "status_changes",
        "annotations",
        "site_funding_links",
        "site_community_links",
        "site_scores",
        "sites",
        "audit_log",
        "funding_calls",
        "community_members",
        "communities",
        "user_scopes",
        "users",
        "store_meta",
    ):
        op.drop_table(table)
