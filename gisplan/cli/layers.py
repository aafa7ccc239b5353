"""``gisplan layers list|check``: inspect and validate the layer catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gisplan import settings
from gisplan.catalogue import catalogue_files, load_catalogue, validate_files
from gisplan.cli import app

layers_app = typer.Typer(help="Inspect and validate the layer catalogue (layers/*.yaml).", no_args_is_help=True)
app.add_typer(layers_app, name="layers")

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="catalogue folder; default GISPLAN_LAYERS_DIR or ./layers"),
]


@layers_app.command("list")
def list_layers(layers_dir: DirOption = None) -> None:
    """Print the catalogue: id, role, kind, site kind, title and source."""
    catalogue = load_catalogue(layers_dir)
    lang = settings.get().language
    for layer in catalogue.layers.values():
        src = layer.source
        where = (
            getattr(src, "path", None)
            or getattr(src, "file", None)
            or getattr(src, "place", None)
            or getattr(src, "polygon", "")
        )
        kind = layer.site_kind or "-"
        typer.echo(
            f"{layer.id:<28} {layer.role:<10} {layer.kind:<7} {kind:<15} {layer.title.get(lang)}  [{src.type}: {where}]"
        )
    typer.echo(f"{len(catalogue.layers)} layers")


@layers_app.command("check")
def check_layers(
    layers_dir: DirOption = None,
    files: Annotated[bool, typer.Option("--files/--no-files", help="also check that source files exist")] = True,
) -> None:
    """Validate every catalogue file; list every problem by file, layer and field."""
    paths = catalogue_files(layers_dir)
    if not paths:
        typer.echo(
            f"error: no *.yaml catalogue files in {layers_dir or settings.get().layers_dir}; "
            "run 'gisplan demo build' or add your region's layers",
            err=True,
        )
        raise typer.Exit(code=1)
    data_dir = settings.get().data_dir if files else None
    catalogue, problems = validate_files(paths, data_dir=data_dir)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {len(paths)} file(s)", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"ok: {len(catalogue.layers)} layers in {len(paths)} file(s)")
