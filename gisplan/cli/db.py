"""``gisplan db upgrade|current``, ``gisplan backup OUT`` and ``gisplan restore IN``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gisplan import settings
from gisplan.cli import app
from gisplan.store import backup as backup_mod
from gisplan.store import migrate
from gisplan.store.engine import make_engine

db_app = typer.Typer(help="Create and upgrade the store's database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL or a SQLite file in the data dir"),
]


def _url(url: str | None) -> str:
    return url or settings.get().database_url


@db_app.command("upgrade")
def upgrade(url: UrlOption = None, revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Create the store, or bring its schema to the newest version."""
    engine = make_engine(_url(url))
    try:
        before = migrate.current_revision(engine)
        after = migrate.upgrade(engine, revision)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    typer.echo(f"store {where}: schema {before or 'empty'} -> {after}")


@db_app.command("current")
def current(url: UrlOption = None) -> None:
    """Print the schema version of the store and the newest one this gisplan knows."""
    engine = make_engine(_url(url))
    try:
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    typer.echo(f"schema {revision or 'empty'} (newest {migrate.head_revision()})")


@app.command("backup")
def backup(
    out: Annotated[Path, typer.Argument(help="backup file to write (.sqlite for SQLite, pg_dump file for PostGIS)")],
    url: UrlOption = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="replace OUT if it exists")] = False,
) -> None:
    """Back up the store while it is in use (SQLite online backup API, or pg_dump)."""
    written = backup_mod.backup(_url(url), out, overwrite=overwrite)
    typer.echo(f"backup written to {written} ({written.stat().st_size} bytes)")


@app.command("restore")
def restore(
    source: Annotated[Path, typer.Argument(help="backup file written by `gisplan backup`")],
    url: UrlOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Replace the store by a backup; the current store is saved first."""
    if not yes:
        typer.confirm(f"Replace the store {_url(url)} by {source}?", abort=True)
    saved = backup_mod.restore(_url(url), source)
    typer.echo(f"restored {source}; the previous store was saved to {saved}")
