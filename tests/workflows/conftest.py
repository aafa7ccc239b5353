"""The store fixtures of ``tests/store`` (SQLite and PostgreSQL + PostGIS), for the workflow tests."""

from tests.store.conftest import pg_schema, sqlite_template, store, store_url, world

__all__ = ["pg_schema", "sqlite_template", "store", "store_url", "world"]
