"""Schema migrations: ``gisplan db upgrade`` runs the Alembic scripts shipped in the package.

The migration scripts live in ``gisplan/store/migrations`` and are installed as
package data, so an installed gisplan can create and upgrade its store without a
checkout or an ``alembic.ini``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pyproj import CRS
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from gisplan import settings
from gisplan.crs import CZECH_CRS, parse_crs
from gisplan.errors import ConfigError
from gisplan.store.engine import writer

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL advisory lock held while migrating ("gisplan" in ASCII).
MIGRATION_LOCK_KEY = 0x67697370_6C616E


def default_srid() -> int:
    """EPSG code of the working CRS for a new store: ``GISPLAN_WORKING_CRS`` or EPSG:5514.

    Raises
    ------
    ConfigError
        If the working CRS has no EPSG code.
    """
    configured = settings.get().working_crs or CZECH_CRS
    crs: CRS = parse_crs(configured)
    code = crs.to_epsg()
    if code is None:
        msg = f"GISPLAN_WORKING_CRS={configured!r} has no EPSG code; the store needs one, e.g. EPSG:5514"
        raise ConfigError(msg)
    return int(code)


#: Tables that PostGIS owns; schema comparisons leave them alone.
POSTGIS_TABLES = frozenset({"spatial_ref_sys", "geometry_columns", "geography_columns", "raster_columns"})


def include_name(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """Alembic ``include_name`` hook: compare only the store's own tables, not PostGIS's."""
    return not (type_ == "table" and name in POSTGIS_TABLES)


def alembic_config(connection: Connection | None = None, *, srid: int | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, with an optional open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    cfg.attributes["srid"] = srid
    return cfg


def head_revision() -> str:
    """The newest migration shipped with this gisplan."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        msg = f"no migrations found in {MIGRATIONS_DIR}; reinstall gisplan"
        raise ConfigError(msg)
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _ensure_postgis(conn: Connection) -> None:
    has = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first()
    if has:
        return
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except DBAPIError as exc:
        msg = (
            f"the PostgreSQL database has no PostGIS extension and it could not be created ({exc.orig}); "
            "install PostGIS (e.g. apt-get install postgresql-15-postgis-3) "
            "and run CREATE EXTENSION postgis as a superuser"
        )
        raise ConfigError(msg) from exc


def upgrade(engine: Engine, revision: str = "head", *, srid: int | None = None) -> str | None:
    """Bring the schema to ``revision`` (default: the newest); return the revision reached.

    Parameters
    ----------
    engine
        Engine of the store (see :func:`gisplan.store.engine.make_engine`).
    revision
        Target revision.
    srid
        EPSG code for the geometry columns of a *new* store; default the working CRS (EPSG:5514).
    """
    srid = srid or default_srid()
    # One upgrader at a time: on SQLite BEGIN IMMEDIATE takes the write lock before the
    # current revision is read; on PostgreSQL a transaction-level advisory lock does.
    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            _ensure_postgis(conn)
        command.upgrade(alembic_config(conn, srid=srid), revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    """Take the schema back to ``revision`` (``base`` drops everything); return the revision reached."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)
    return current_revision(engine)
