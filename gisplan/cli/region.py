"""``gisplan region load``: score the region with every applicable profile and load it into the store."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from typing import Annotated

import typer

from gisplan.cli import app

region_app = typer.Typer(
    help="Your region's data: score every candidate layer and load the store.", no_args_is_help=True
)
app.add_typer(region_app, name="region")


@region_app.command("load")
def load_command(
    profile: Annotated[
        list[str] | None, typer.Option("--profile", "-p", help="run only this profile (repeat); default all")
    ] = None,
    layers_dir: Annotated[
        Path | None, typer.Option("--catalogue", help="catalogue folder; default GISPLAN_LAYERS_DIR")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="progress bar on stderr")] = True,
) -> None:
    """Score the catalogue's candidate layers with every profile that can run, and ingest them; safe to re-run."""
    from gisplan.catalogue import load_catalogue
    from gisplan.profiles import load_profiles
    from gisplan.region import load_region
    from gisplan.store import open_store

    catalogue = load_catalogue(layers_dir)
    profiles = load_profiles(layers_dir / "profiles" if layers_dir is not None else None)
    with (
        open_store(url) as store,
        typer.progressbar(length=1, label="region", file=sys.stderr if progress else io.StringIO()) as bar,
    ):
        seen = {"done": 0}

        def step(stage: str, done: int, total: int) -> None:
            bar.length = total
            bar.label = f"{stage[:40]:<40}"
            bar.update(max(0, done - seen["done"]))
            seen["done"] = max(seen["done"], done)

        result = load_region(store, catalogue=catalogue, profiles=profiles, only=profile, progress=step)
    for layer_id, lines in result.notes.items():
        for line in lines:
            typer.echo(f"{layer_id}: {line}")
    for name, report in result.ingested.items():
        missing = result.unavailable.get(name) or []
        without = f"; without {', '.join(missing)} (declared not available)" if missing else ""
        typer.echo(
            f"{name}: scored {result.scored[name]} sites, {result.kept[name]} kept, "
            f"{result.capacity_mwp[name]:.2f} MWp on kept sites{without}; store: {report}"
        )
    for name, why in result.skipped.items():
        typer.echo(f"{name}: skipped, {why}")
    typer.echo(f"done in {result.seconds:.1f} s")


@region_app.command("fetch")
def fetch_command(
    municipality: Annotated[
        list[str], typer.Option("--municipality", "-m", help="kód obce, e.g. 564729 (Děčany); repeat for several")
    ],
    date: Annotated[
        str | None, typer.Option("--date", help="data date YYYYMMDD (last day of a month); default the newest")
    ] = None,
    to: Annotated[
        Path | None, typer.Option("--to", help="also copy the files into this folder (your data folder)")
    ] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="download even if the cache has the file")] = False,
) -> None:
    """Download municipalities' RÚIAN VFR files from ČÚZK into the cache (GISPLAN_CACHE_DIR/vfr); offline, use it."""
    from gisplan.errors import GisplanError, InputError
    from gisplan.sources import check_code, parse_date

    when = parse_date(date) if date else None
    for code in municipality:
        check_code(code)
    if to is not None and not to.is_dir():
        msg = f"--to {to} is not a folder; create it first (your data folder, GISPLAN_DATA_DIR)"
        raise InputError(msg)
    failed = []
    for code in dict.fromkeys(municipality):
        try:
            _fetch_one(code, when, to=to, refresh=refresh)
        except GisplanError as exc:
            typer.echo(f"error: {code}: {exc}", err=True)
            failed.append(code)
    if failed:
        typer.echo(f"{len(failed)} of {len(set(municipality))} not fetched: {', '.join(failed)}", err=True)
        raise typer.Exit(code=1)


def _fetch_one(code: str, when: dt.date | None, *, to: Path | None, refresh: bool) -> None:
    import shutil

    from gisplan import settings
    from gisplan.sources import fetch_vfr

    fetched = fetch_vfr(code, date=when, refresh=refresh)
    how = f"downloaded {fetched.url}" if fetched.downloaded else "from the cache, no download (--refresh fetches anew)"
    typer.echo(f"{fetched.path}: {how}")
    path = fetched.path
    if to is not None:
        path = to / fetched.path.name
        shutil.copyfile(fetched.path, path)
        typer.echo(f"copied to {path}")
    data_dir = settings.get().data_dir.resolve()
    if path.resolve().is_relative_to(data_dir):
        rel = path.resolve().relative_to(data_dir).as_posix()
        typer.echo(f"in the catalogue: source: {{type: file, path: {rel}, format: ruian, layer: stavebni_objekty}}")
