"""The ``store`` fixture, parametrized over SQLite and PostgreSQL + PostGIS.

- SQLite: the schema is migrated once per session into a template file, which is
  copied for every test.
- PostGIS: every test session gets its own schema (``gisplan_t_<pid>_<random>``)
  in the database of ``GISPLAN_TEST_DATABASE_URL``, migrated once; each test
  starts from empty tables. Parallel sessions and reruns never collide, and the
  schema is dropped at the end. Without a reachable server with PostGIS the
  PostGIS cases are skipped with the reason, and fail in CI.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gisplan.store import Store, migrate, open_store
from gisplan.store.engine import make_engine
from gisplan.store.models import Base
from tests.conftest import skip_or_fail
from tests.store.helpers import World, build_world

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/gisplan_test"
BACKENDS = ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]


def pg_base_url() -> str:
    """URL of the PostgreSQL test database."""
    return os.environ.get("GISPLAN_TEST_DATABASE_URL", DEFAULT_PG_URL)


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``search_path`` set to ``schema`` (then ``public``, where PostGIS lives)."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema},public"})
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite store to copy."""
    path = tmp_path_factory.mktemp("store-template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


class PgSchema:
    """A migrated schema of this test session on the PostgreSQL test server."""

    def __init__(self) -> None:
        self.error: str | None = None
        self.base = pg_base_url()
        self.schema = f"gisplan_t_{os.getpid()}_{secrets.token_hex(3)}"
        self.url = with_schema(self.base, self.schema)
        self.ready = False

    def create(self) -> None:
        admin = create_engine(self.base)
        try:
            with admin.begin() as conn:
                if conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first() is None:
                    self.error = f"PostGIS is not installed in {self.base} (CREATE EXTENSION postgis)"
                    return
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        except Exception as exc:
            self.error = f"PostgreSQL with PostGIS unreachable at {self.base}: {exc.__class__.__name__}: {exc}"
            return
        finally:
            admin.dispose()
        engine = make_engine(self.url)
        migrate.upgrade(engine)
        engine.dispose()
        self.ready = True

    def truncate(self) -> None:
        """Empty every table but ``store_meta`` (DELETE is faster than TRUNCATE on tiny tables)."""
        engine = create_engine(self.url)
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name != "store_meta":
                    conn.execute(text(f'DELETE FROM "{self.schema}"."{table.name}"'))
        engine.dispose()

    def drop(self) -> None:
        if not self.ready:
            return
        engine = create_engine(self.base)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[PgSchema]:
    """The session's PostGIS schema (created on first use)."""
    schema = PgSchema()
    schema.create()
    yield schema
    schema.drop()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """URL of an empty, migrated store on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    pg: PgSchema = request.getfixturevalue("pg_schema")
    if not pg.ready:
        skip_or_fail(pg.error or "PostGIS schema could not be created")
    pg.truncate()
    return pg.url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open, empty store on each backend."""
    opened = open_store(store_url, upgrade=False)
    yield opened
    opened.close()


@pytest.fixture
def world(store: Store) -> World:
    """Users of every role, sites in and out of scope, communities and a funding call."""
    return build_world(store)
