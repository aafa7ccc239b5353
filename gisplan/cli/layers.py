"""``gisplan layers list|check``: inspect and validate the layer catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gisplan import settings
from gisplan.catalogue import Catalogue, catalogue_files, load_catalogue, validate_files
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
    _report_slots(catalogue, layers_dir)


def _report_slots(catalogue: Catalogue, layers_dir: Path | None) -> None:
    """For each profile: the candidate layers, and which slots are filled, declared unavailable or unfilled."""
    from gisplan.errors import ConfigError
    from gisplan.profiles import load_profiles
    from gisplan.region import plan_lines

    try:
        profiles = load_profiles(layers_dir / "profiles" if layers_dir is not None else None)
        lines = plan_lines(profiles, catalogue)
    except ConfigError as exc:
        typer.echo(f"profiles: not checked ({exc})")
        return
    for line in lines:
        typer.echo(line)


def _profiles_folder(out: Path, given: Path | None) -> Path:
    """The profiles the scaffold reports on: --profiles, else beside the catalogue, else the shipped ones."""
    if given is not None:
        return given
    beside = out.parent / "profiles"
    return beside if beside.is_dir() else settings.PROJECT_ROOT / "layers" / "profiles"


@layers_app.command("scaffold")
def scaffold_layers(
    folder: Annotated[Path, typer.Argument(help="the folder of your region's data files (GISPLAN_DATA_DIR)")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="catalogue file to write; default <GISPLAN_LAYERS_DIR>/region.yaml"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite --out if it exists")] = False,
    profiles_dir: Annotated[
        Path | None,
        typer.Option("--profiles", help="profiles to report on; default <catalogue folder>/profiles, else shipped"),
    ] = None,
) -> None:
    """Propose a catalogue for FOLDER: each file's layers, their role and slot, and what each profile gets."""
    from gisplan.errors import InputError
    from gisplan.profiles import load_profiles
    from gisplan.region import plan_lines
    from gisplan.scaffold import scaffold, unfilled_slots, write_scaffold

    if out is None:
        layers_dir = settings.get().layers_dir
        if layers_dir.resolve() == (settings.PROJECT_ROOT / "layers").resolve():
            msg = "give --out FILE.yaml (or set GISPLAN_LAYERS_DIR): the default folder is the demo's catalogue"
            raise InputError(msg)
        out = layers_dir / "region.yaml"
    profiles = load_profiles(_profiles_folder(out, profiles_dir))
    result = scaffold(folder)
    catalogue = write_scaffold(result, out, profiles=profiles, force=force)
    for item in result.proposals:
        state = "commented out, " if item.commented else ""
        slot = f" -> slot {item.slot}" if item.slot and not item.commented else ""
        typer.echo(f"{item.id}: {item.entry['role']}{slot} ({state}{item.why})")
    for path, why in result.skipped.items():
        typer.echo(f"not used: {path}: {why}")
    typer.echo(f"wrote {out}: {len(result.active)} layers, {len(result.proposals) - len(result.active)} commented out")
    for line in plan_lines(profiles, catalogue):
        typer.echo(line)
    unfilled = unfilled_slots(catalogue, profiles)
    if unfilled:
        typer.echo(
            f"unfilled slots: {', '.join(unfilled)}: add a layer for each (an id ending in _<slot>), or declare "
            f"'unavailable: [{', '.join(unfilled)}]' (the line is in {out.name}, commented out)"
        )
    data_dir = settings.get().data_dir
    if data_dir.resolve() != folder.resolve():
        typer.echo(f"note: paths in {out.name} are relative to {folder}; set GISPLAN_DATA_DIR={folder}")
    typer.echo(f"next: replace the TODO licences, then 'gisplan layers check --dir {out.parent}'")
