"""``gisplan submit FILE --municipality CODE --as USER``: a submission through the intake pipeline.

The file goes through exactly the checks of an upload in the app
(:func:`gisplan.intake.check_upload`); the municipal boundaries come from the
catalogue's admin layer (or ``--boundaries``). Sites are stored as submissions of
the user, all or none; ``--dry-run`` checks and previews without storing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gisplan.cli import app
from gisplan.errors import ConfigError, GisplanError, InputError

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.intake import IntakeResult, SubmissionForm


def _boundaries(path: Path | None, layer: str | None) -> gpd.GeoDataFrame | None:
    """Municipal boundaries from ``--boundaries``, else the catalogue's admin layer (``None`` if none)."""
    from gisplan.sources import read, read_layer

    if path is not None:
        frame: gpd.GeoDataFrame = read(path, layer=layer)
        return frame
    from gisplan.catalogue import load_catalogue

    try:
        catalogue = load_catalogue()
    except ConfigError:
        return None
    admin = [layer for layer in catalogue.by_role("admin") if layer.kind == "vector"]
    if not admin:
        return None
    try:
        found: gpd.GeoDataFrame = read_layer(admin[0])
    except GisplanError:
        return None
    return found


def _form(path: Path | None) -> SubmissionForm | None:
    from gisplan.intake import validate_form

    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"{path}: cannot read the form ({exc.strerror}); give a JSON or YAML file"
        raise InputError(msg) from exc
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        values: Any = yaml.safe_load(text)
    else:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"{path}: not valid JSON ({exc}); fix the form file"
            raise InputError(msg) from exc
    if not isinstance(values, dict):
        msg = f"{path}: the form must be a mapping of field names to values"
        raise InputError(msg)
    return validate_form(values, label=str(path))


def _report(result: IntakeResult) -> None:
    sites = result.sites
    typer.echo(
        f"checked: {len(sites)} site(s) from {result.source_format}"
        f"{' layer ' + result.layer if result.layer else ''}, {result.source_crs} -> {sites.crs.to_string()}, "
        f"total area {sites['area_m2'].sum():,.0f} m²"
    )
    for warning in result.warnings:
        typer.echo(f"warning: {warning}")


def _print_preview(table: Any) -> None:
    if table.empty:
        typer.echo("preview: no scoring profile applies to this kind of site")
        return
    for row in table.itertuples(index=False):
        if row.note:
            typer.echo(f"preview: site {row.site_no} {row.profile}: {row.note}")
            continue
        typer.echo(
            f"preview: site {row.site_no} {row.profile}: score {row.score:.1f}"
            f"{' (excluded)' if row.excluded else ''}, {_amount(row.capacity_kwp, 'kWp')}, "
            f"{_amount(row.energy_mwh_yr, 'MWh/yr')}"
        )


def _amount(value: Any, unit: str) -> str:
    """``1,234 kWp``, or ``kWp not available`` for a number that could not be estimated (never ``nan``)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    return f"{number:,.0f} {unit}" if math.isfinite(number) else f"{unit} not available"


@app.command("submit")
def submit_command(
    file: Annotated[Path, typer.Argument(help="GeoJSON, zipped Shapefile, GeoPackage, KML or CSV")],
    *,
    municipality: Annotated[str, typer.Option("--municipality", help="code of the municipality (kód obce)")],
    username: Annotated[str, typer.Option("--as", help="the submitting user (role municipality)")],
    form: Annotated[Path | None, typer.Option("--form", help="the form as JSON or YAML")] = None,
    kind: Annotated[str, typer.Option("--kind", help="site kind when no form is given")] = "brownfield",
    name: Annotated[str | None, typer.Option("--name", help="submission name when no form is given")] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="layer of a multi-layer file")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of data that declare none, e.g. EPSG:5514")] = None,
    boundaries: Annotated[Path | None, typer.Option("--boundaries", help="file with municipal boundaries")] = None,
    boundaries_layer: Annotated[str | None, typer.Option("--boundaries-layer", help="its layer")] = None,
    code_column: Annotated[str, typer.Option("--code-column", help="boundary column with codes")] = "kod_obce",
    accept_repairs: Annotated[bool, typer.Option("--accept-repairs", help="store repaired shapes")] = False,
    preview: Annotated[bool, typer.Option("--preview/--no-preview", help="score the sites")] = True,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check and preview, store nothing")] = False,
    url: Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")] = None,
) -> None:
    """Check FILE like an upload in the app and store its sites as submissions of USER."""
    from gisplan import intake
    from gisplan.intake import IntakeLimits, reject
    from gisplan.sources import check_path
    from gisplan.store import open_store
    from gisplan.workflows import submissions

    path = check_path(file)
    cap = IntakeLimits().max_upload_bytes()
    if path.stat().st_size > cap:
        msg = f"{path}: {path.stat().st_size / 2**20:.1f} MB is more than the {cap / 2**20:.0f} MB upload limit"
        raise reject(msg, "too_large")
    checked_form = _form(form)
    result = intake.check_upload(
        path.read_bytes(),
        path.name,
        municipality_code=municipality,
        municipalities=_boundaries(boundaries, boundaries_layer),
        crs=crs,
        layer=layer,
        code_column=code_column,
    )
    _report(result)
    site_kind = checked_form.kind if checked_form is not None else kind
    table = intake.preview(result, kind=site_kind) if preview else None
    if table is not None:
        _print_preview(table)
    if dry_run:
        typer.echo("dry run: nothing stored")
        return
    with open_store(url) as store:
        user = store.user(username)
        stored = submissions.submit(
            store,
            user.id,
            result,
            checked_form,
            kind=kind,
            name=name,
            confirm_repairs=accept_repairs,
            preview=table,
        )
    typer.echo(f"stored: {len(stored)} submission(s) {', '.join(str(s.id) for s in stored)} for {municipality}")
