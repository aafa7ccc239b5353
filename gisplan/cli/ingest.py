"""``gisplan ingest scored.gpkg --profile NAME``: load scored sites into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gisplan.cli import app
from gisplan.store import open_store
from gisplan.workflows.ingest import ingest as ingest_file


@app.command("ingest")
def ingest(
    path: Annotated[Path, typer.Argument(help="scored GeoPackage written by `gisplan score` (layer 'sites')")],
    profile: Annotated[str, typer.Option("--profile", help="scoring profile the file was scored with")],
    url: Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")] = None,
) -> None:
    """Load or update scored sites; keeps annotations, links and statuses; end-dates vanished sites."""
    with open_store(url) as store:
        report = ingest_file(store, path, profile)
    typer.echo(f"ingested {path}: {report}")
