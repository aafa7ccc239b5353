"""Alembic environment of the gisplan store.

:func:`gisplan.store.migrate.upgrade` hands over an open connection in
``config.attributes["connection"]``; there is no ``alembic.ini``. From a checkout
``alembic -x url=sqlite:///path upgrade head`` works too, given a config file
that sets ``script_location`` to this folder.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from gisplan.store.engine import make_engine
from gisplan.store.migrate import include_name
from gisplan.store.models import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the connection given by the caller, or one opened from ``-x url=...``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        msg = "no database URL: pass -x url=... or use `gisplan db upgrade`"
        raise RuntimeError(msg)
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


if context.is_offline_mode():
    msg = "offline (SQL script) migrations are not supported; run `gisplan db upgrade`"
    raise RuntimeError(msg)
run_migrations_online()
