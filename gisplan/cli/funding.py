"""``gisplan funding check|list|match|sync``: validate the call catalogue, match a site, copy calls to the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from gisplan import settings
from gisplan.cli import app
from gisplan.errors import InputError
from gisplan.funding import (
    PlaceLookup,
    call_state,
    calls_path,
    demo_places,
    facts_from_store,
    load_calls,
    match_site,
    places_from_admin_gpkg,
    record_matches,
    sync_calls,
    validate_file,
)
from gisplan.store import SYSTEM, open_store

funding_app = typer.Typer(help="Funding calls: check the catalogue, list calls, match a site.", no_args_is_help=True)
app.add_typer(funding_app, name="funding")

FileOption = Annotated[
    Path | None,
    typer.Option("--file", help="catalogue YAML; default funding_calls.yaml in GISPLAN_DATA_DIR, else the shipped one"),
]
TodayOption = Annotated[
    str | None, typer.Option("--today", help="compare intake dates with this date (YYYY-MM-DD); default today")
]
UrlOption = Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")]
_MARK = {"eligible": "+", "unknown": "?", "not_eligible": "-"}


def _today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        msg = f"--today {value!r} is not a date; write it as YYYY-MM-DD"
        raise InputError(msg) from None


@funding_app.command("check")
def check(path: FileOption = None) -> None:
    """Validate the catalogue; list every problem by file, call and field."""
    source = path or calls_path()
    catalogue, problems = validate_file(source)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {source}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"ok: {len(catalogue)} calls in {source}")


@funding_app.command("list")
def list_calls(path: FileOption = None, today: TodayOption = None) -> None:
    """Print the calls: id, intake state and closing date, programme and title."""
    catalogue = load_calls(path)
    when = _today(today)
    lang = settings.get().language
    for call in catalogue.calls.values():
        close = call.intake.close.isoformat() if call.intake.close else "-"
        typer.echo(f"{call.id:<34} {call_state(call, when):<9} {close:<10} {call.programme} | {call.title.get(lang)}")
    typer.echo(f"{len(catalogue)} calls")


@funding_app.command("match")
def match(
    site_id: str,
    *,
    path: FileOption = None,
    today: TodayOption = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="take the capacity from this scoring profile")
    ] = None,
    applicant: Annotated[
        str | None, typer.Option("--applicant", help="applicant type, e.g. municipality, municipal_org, business")
    ] = None,
    use: Annotated[str | None, typer.Option("--use", help="intended use, e.g. pv_rooftop, public_services")] = None,
    admin_gpkg: Annotated[
        Path | None, typer.Option("--admin-gpkg", help="GeoPackage with 'obce' and 'okresy' layers for regions")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="the site lies in the synthetic demo region")] = False,
    url: UrlOption = None,
    save: Annotated[bool, typer.Option("--save", help="store eligible and unknown verdicts as site links")] = False,
) -> None:
    """Rate every call for one stored site: eligible first, then unknown, then not eligible, with reasons."""
    catalogue = load_calls(path)
    with open_store(url) as store:
        facts = facts_from_store(store, site_id, profile=profile, applicant=applicant, intended_use=use)
        places = PlaceLookup()
        if admin_gpkg is not None:
            places = places_from_admin_gpkg(admin_gpkg)
        elif demo and facts.municipality_code:
            places = demo_places([facts.municipality_code])
        matches = match_site(facts, catalogue, today=_today(today), places=places)
        written = record_matches(store, SYSTEM, site_id, matches) if save else None
    lang = settings.get().language
    for found in matches:
        closed = " [closed]" if found.closed else ""
        typer.echo(f"{_MARK[found.verdict]} {found.verdict:<12} {found.call.id}{closed}: {found.call.title.get(lang)}")
        for rule in found.failing() or found.rules:
            typer.echo(f"    {rule.rule}: {rule.reason}")
    if written is not None:
        typer.echo(f"saved {written} link(s) for {site_id}")


@funding_app.command("sync")
def sync(path: FileOption = None, url: UrlOption = None) -> None:
    """Copy the catalogue into the store's funding calls (new ones added, changed ones updated)."""
    catalogue = load_calls(path)
    with open_store(url) as store:
        result = sync_calls(store, SYSTEM, catalogue)
    typer.echo(f"added {len(result.added)}, updated {len(result.updated)}, unchanged {len(result.unchanged)}")
    if result.not_in_catalogue:
        typer.echo(f"in the store but no longer in the catalogue: {', '.join(result.not_in_catalogue)}")
