"""``gisplan territories load|communities``: municipalities with okres and kraj, MAS and energy communities."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gisplan.cli import app
from gisplan.errors import InputError

territories_app = typer.Typer(
    help="Municipalities (RÚIAN or any boundary file), okres and kraj codes, MAS and energy communities.",
    no_args_is_help=True,
)
app.add_typer(territories_app, name="territories")

UrlOption = Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")]


def _field(value: str | None, option: str) -> str | None:
    if value is not None and not value.strip():
        msg = f"{option} is empty; give a field name of the boundary file, or leave the option out"
        raise InputError(msg)
    return None if value is None else value.strip()


def _existing(path: Path, option: str) -> Path:
    if not path.is_file():
        msg = f"{option} {path} does not exist or is not a file"
        raise InputError(msg)
    return path


@territories_app.command("load")
def load_command(  # noqa: PLR0917  (typer maps each parameter to an option)
    source: Annotated[Path, typer.Argument(help="RÚIAN VFR .xml.gz (layer obce), or a boundary file (GPKG, SHP…)")],
    layer: Annotated[str | None, typer.Option("--layer", help="layer of a multi-layer file, e.g. obce")] = None,
    where: Annotated[
        str | None, typer.Option("--where", help="OGR SQL filter, e.g. \"nazev_okresu = 'Litoměřice'\"")
    ] = None,
    code_field: Annotated[
        str | None, typer.Option("--code-field", help="field of the kód obce; default guessed")
    ] = None,
    name_field: Annotated[str | None, typer.Option("--name-field", help="field of the name; default guessed")] = None,
    population_field: Annotated[
        str | None, typer.Option("--population-field", help="field of the population; default guessed, else none")
    ] = None,
    region_field: Annotated[
        str | None, typer.Option("--region-field", help="field holding the region code itself (outside Czechia)")
    ] = None,
    region_code: Annotated[
        str | None, typer.Option("--region-code", help="region code of every municipality without one, e.g. CZ042")
    ] = None,
    admin: Annotated[
        Path | None,
        typer.Option("--admin", help="file with layers okresy and kraje (e.g. admin_cz.gpkg) to find okres and kraj"),
    ] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of a file that declares none, e.g. EPSG:4326")] = None,
    boundaries: Annotated[
        bool, typer.Option("--boundaries/--no-boundaries", help="keep each municipality's boundary")
    ] = True,
    url: UrlOption = None,
) -> None:
    """Add or update municipalities with their okres and kraj; the kraj NUTS3 code becomes their region code."""
    from gisplan.store import SYSTEM, open_store
    from gisplan.territories import Fields, czech_units, read_municipalities, store_municipalities

    _existing(source, "SOURCE")
    if admin is not None:
        _existing(admin, "--admin")
    if region_code is not None and not region_code.strip():
        msg = "--region-code is empty; give a code such as CZ042, or leave the option out"
        raise InputError(msg)
    fields = Fields(
        code=_field(code_field, "--code-field"),
        name=_field(name_field, "--name-field"),
        population=_field(population_field, "--population-field"),
        region=_field(region_field, "--region-field"),
    )
    table = read_municipalities(source, layer=layer, where=where, fields=fields, crs=crs)
    if table.empty:
        msg = f"{source}: no municipalities{' match --where' if where else ''}; check the file, --layer and --where"
        raise InputError(msg)
    table = czech_units(table, admin)
    if region_code is not None:
        table["region_code"] = table["region_code"].fillna(region_code.strip())
    with open_store(url) as store:
        report = store_municipalities(store, SYSTEM, table, boundaries=boundaries, source=source.name)
    regions = ", ".join(f"{code} {n}" for code, n in table["region_code"].fillna("none").value_counts().items())
    typer.echo(f"municipalities from {source.name}: {report} (by region: {regions})")
    if report.without_region:
        typer.echo(
            "warning: municipalities without a region code are outside every region-scoped role; "
            "give --admin FILE (layers okresy, kraje) or --region-code CODE",
            err=True,
        )


@territories_app.command("communities")
def communities_command(
    csv_path: Annotated[
        Path,
        typer.Argument(help="CSV, one row per member: kind (mas | energy_community), code, name, municipality_code"),
    ],
    url: UrlOption = None,
) -> None:
    """Add or update MAS territories and energy communities from a CSV of member municipality codes."""
    from gisplan.store import SYSTEM, open_store
    from gisplan.territories import read_communities_csv, store_communities

    specs = read_communities_csv(_existing(csv_path, "CSV"))
    if not specs:
        msg = f"{csv_path} has no rows; add one row per member municipality"
        raise InputError(msg)
    with open_store(url) as store:
        report = store_communities(store, SYSTEM, specs)
    typer.echo(f"communities from {csv_path.name}: {report}")
