"""``gisplan funding check|list|match|sync``: validate the call catalogue, match sites, copy calls to the store.

``match`` rates one site with every rule's reason, or a whole shortlist
(``--shortlist``) or municipality (``--municipality``) as a table of sites ×
calls. ``--save`` keeps the eligible and to-check verdicts as site links,
recorded under ``--as USER`` (default: the operator, ``system``).
Programme-level pointers are shown as programmes, never linked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from gisplan import settings
from gisplan.cli import app
from gisplan.errors import InputError
from gisplan.funding import (
    FundingCall,
    Match,
    PlaceLookup,
    SiteMatches,
    call_state,
    calls_path,
    demo_places,
    facts_for_sites,
    load_calls,
    match_sites,
    places_from_admin_gpkg,
    programmes,
    record_matches,
    sync_calls,
    table_calls,
    validate_file,
)
from gisplan.store import SYSTEM, Store, open_store

funding_app = typer.Typer(help="Funding calls: check the catalogue, list calls, match sites.", no_args_is_help=True)
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
#: How the CLI names a verdict: ``unknown`` is shown as "to check" (see gisplan.funding._rules).
_SHOWN = {"eligible": "eligible", "unknown": "to_check", "not_eligible": "not_eligible"}


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
    site_id: Annotated[str | None, typer.Argument(help="one stored site; or use --shortlist / --municipality")] = None,
    *,
    shortlist: Annotated[
        str | None, typer.Option("--shortlist", help="match every site of this shortlist (best first)")
    ] = None,
    municipality: Annotated[
        list[str] | None, typer.Option("--municipality", help="match every current site of this kód obce (repeatable)")
    ] = None,
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
    demo: Annotated[bool, typer.Option("--demo", help="the sites lie in the synthetic demo region")] = False,
    open_only: Annotated[bool, typer.Option("--open-only", help="table: leave out calls whose intake closed")] = False,
    url: UrlOption = None,
    save: Annotated[bool, typer.Option("--save", help="store eligible and to-check verdicts as site links")] = False,
    as_user: Annotated[
        str | None, typer.Option("--as", help="save the links as this user (their permissions apply)")
    ] = None,
) -> None:
    """Rate every call for one site (with reasons), or for many sites as a table of sites × calls."""
    chosen = [bool(site_id), bool(shortlist), bool(municipality)]
    if sum(chosen) != 1:
        msg = "name one site (SITE_ID), or choose sites with --shortlist NAME or --municipality CODE (not both)"
        raise InputError(msg)
    catalogue = load_calls(path)
    when = _today(today)
    with open_store(url) as store:
        actor = SYSTEM if as_user is None else store.user(as_user).id
        ids = [site_id] if site_id else _sites(store, shortlist, municipality or [])
        sites = facts_for_sites(store, ids, profile=profile, applicant=applicant, intended_use=use)
        places = PlaceLookup()
        if admin_gpkg is not None:
            places = places_from_admin_gpkg(admin_gpkg)
        elif demo:
            places = demo_places(sorted({f.municipality_code for _, f in sites if f.municipality_code}))
        results = match_sites(sites, catalogue, today=when, places=places)
        written = sum(record_matches(store, actor, r.site_id, r.matches) for r in results) if save else None
    lang = settings.get().language
    if site_id:
        _print_site(results[0].matches, lang)
    else:
        _print_table(results, table_calls(results, drop_closed=open_only), lang)
    _print_programmes(programmes(catalogue), lang)
    if written is not None:
        who = as_user or "system"
        where = site_id or f"{len(results)} sites"
        typer.echo(f"saved {written} link(s) for {where} as {who}")


def _sites(store: Store, shortlist: str | None, municipalities: list[str]) -> list[str]:
    """The site ids to match: a shortlist's, best score first, or the current sites of some municipalities."""
    from gisplan.workflows import shortlists as sl

    if shortlist is not None:
        found = [str(row["site_id"]) for row in sl.member_table(store, shortlist)]
        if not found:
            msg = f"shortlist {shortlist!r} has no sites; add some with `gisplan shortlist add {shortlist} …`"
            raise InputError(msg)
        return found
    found = sl.select_sites(store, sl.SiteFilter(municipality_codes=tuple(municipalities)))
    if not found:
        msg = f"no current site in municipality {', '.join(municipalities)}; check the kód obce, or ingest sites first"
        raise InputError(msg)
    return found


def _print_site(matches: list[Match], lang: str) -> None:
    for found in matches:
        closed = " [closed]" if found.closed else ""
        title = found.call.title.get(lang)
        if found.call.is_programme:  # listed apart by _print_programmes
            continue
        shown = _SHOWN[found.verdict]
        typer.echo(f"{_MARK[found.verdict]} {shown:<12} {found.call.id}{closed}: {title}")
        for rule in found.failing() or found.rules:
            typer.echo(f"    {rule.rule}: {rule.text(lang)}")


#: Widest site name in the table [characters]; longer names are cut with '…'.
_NAME_WIDTH = 34


def _print_table(results: list[SiteMatches], calls: list[FundingCall], lang: str) -> None:
    """Sites × calls, one mark per cell, then the calls the column numbers stand for."""
    typer.echo(f"{len(results)} sites × {len(calls)} calls   (+ eligible, ? to check, - not eligible)")
    numbers = "".join(f"{i:>4}" for i in range(1, len(calls) + 1))
    typer.echo(f"{'site':<{_NAME_WIDTH}} {'':>3}{numbers}   eligible / to check")
    for rank, result in enumerate(results, start=1):
        verdicts = result.verdicts()
        marks = "".join(f"{_MARK.get(verdicts.get(c.id, ''), ' '):>4}" for c in calls)
        name = result.name if len(result.name) <= _NAME_WIDTH else result.name[: _NAME_WIDTH - 1] + "…"
        counts = f"{sum(v == 'eligible' for v in verdicts.values())} / {sum(v == 'unknown' for v in verdicts.values())}"
        typer.echo(f"{name:<{_NAME_WIDTH}} {rank:>3}{marks}   {counts}")
    typer.echo("calls:")
    for i, call in enumerate(calls, start=1):
        eligible = sum(r.verdicts().get(call.id) == "eligible" for r in results)
        unknown = sum(r.verdicts().get(call.id) == "unknown" for r in results)
        close = call.intake.close.isoformat() if call.intake.close else "closing date not recorded"
        typer.echo(f"{i:>4} {call.id} – {call.title.get(lang)} ({close}): {eligible} eligible, {unknown} to check")


def _print_programmes(found: list[FundingCall], lang: str) -> None:
    if found:
        typer.echo("programmes to watch (not calls; never linked to a site):")
    for call in found:
        typer.echo(f"   · {call.id} – {call.title.get(lang)} <{call.url}>")


@funding_app.command("sync")
def sync(path: FileOption = None, url: UrlOption = None) -> None:
    """Copy the catalogue into the store's funding calls (new ones added, changed ones updated)."""
    catalogue = load_calls(path)
    with open_store(url) as store:
        result = sync_calls(store, SYSTEM, catalogue)
    typer.echo(f"added {len(result.added)}, updated {len(result.updated)}, unchanged {len(result.unchanged)}")
    if result.not_in_catalogue:
        typer.echo(f"in the store but no longer in the catalogue: {', '.join(result.not_in_catalogue)}")
