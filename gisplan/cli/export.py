"""``gisplan export`` and ``gisplan shortlist …``: gather sites into shortlists and export them.

``gisplan export --shortlist NAME --out FILE`` writes by the suffix of FILE:
``.gpkg`` (GeoPackage for QGIS), ``.csv`` (``--variant gisplan | uk-blr |
cz-brownfields``), ``.xlsx``, ``.pdf`` or ``.html`` (one dossier page per site, or
only ``--site`` ones). The command line acts as the operator (``SYSTEM``) unless
``--as USER`` names a user, whose permissions then apply; every write and export
is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gisplan.cli import app
from gisplan.errors import InputError
from gisplan.settings import LANGUAGES

if TYPE_CHECKING:
    from gisplan.store import ActorRef, Store

shortlist_app = typer.Typer(help="Gather sites into named shortlists for export.", no_args_is_help=True)
app.add_typer(shortlist_app, name="shortlist")

UrlOption = Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")]
AsOption = Annotated[str | None, typer.Option("--as", help="act as this user (their permissions apply)")]
ProfileOption = Annotated[str | None, typer.Option("--profile", help="scoring profile, e.g. ground_pv")]
SUFFIXES = (".gpkg", ".csv", ".xlsx", ".pdf", ".html")


def _actor(store: Store, username: str | None) -> ActorRef:
    from gisplan.store import SYSTEM

    return SYSTEM if username is None else store.user(username).id


@app.command("export")
def export_command(
    *,
    shortlist: Annotated[str, typer.Option("--shortlist", help="name of the shortlist")],
    out: Annotated[Path, typer.Option("--out", help="file to write: .gpkg, .csv, .xlsx, .pdf or .html")],
    profile: ProfileOption = None,
    variant: Annotated[str, typer.Option("--variant", help="CSV columns: gisplan | uk-blr | cz-brownfields")] = (
        "gisplan"
    ),
    site: Annotated[list[str] | None, typer.Option("--site", help="dossier of this site only (repeatable)")] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="language of dossiers and of the XLSX overview: cs | en | pl | hu | da")
    ] = "cs",
    as_user: AsOption = None,
    url: UrlOption = None,
) -> None:
    """Export the sites of a shortlist, as one consistent snapshot, to --out."""
    from gisplan import export
    from gisplan.store import open_store

    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        msg = f"--out {out}: the file must end in one of {', '.join(SUFFIXES)}"
        raise InputError(msg)
    if lang not in LANGUAGES:
        msg = f"--lang {lang!r}: use one of {', '.join(LANGUAGES)}"
        raise InputError(msg)
    if site and suffix not in {".pdf", ".html"}:
        msg = "--site is only for dossiers (--out FILE.pdf or FILE.html)"
        raise InputError(msg)
    if not out.parent.is_dir():
        msg = f"--out {out}: folder {out.parent} does not exist; create it first"
        raise InputError(msg)
    with open_store(url) as store:
        snap = export.load_snapshot(store, _actor(store, as_user), shortlist, profile=profile)
    for warning in snap.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if suffix == ".gpkg":
        export.write_geopackage(snap, out)
    elif suffix == ".csv":
        export.write_csv(snap, out, variant=variant)
    elif suffix == ".xlsx":
        export.write_xlsx(snap, out, lang=lang)
    elif suffix == ".pdf":
        out.write_bytes(export.dossiers_pdf(snap, site or None, lang=lang))
    else:
        out.write_text(export.dossier_html(snap, site or None, lang=lang), encoding="utf-8")
    count = len(site) if site else len(snap.sites)
    noun = "site" if count == 1 else "sites"
    typer.echo(f"exported {count} {noun} of shortlist {snap.shortlist!r} ({snap.profile or 'no profile'}) -> {out}")


@shortlist_app.command("create")
def create(
    name: str,
    *,
    description: Annotated[str, typer.Option("--description", help="what the shortlist is for")] = "",
    profile: ProfileOption = None,
    as_user: AsOption = None,
    url: UrlOption = None,
) -> None:
    """Create an empty shortlist."""
    from gisplan.store import open_store
    from gisplan.workflows import shortlists as sl

    with open_store(url) as store:
        if profile is not None:
            _check_profile(store, profile)
        info = sl.create_shortlist(store, _actor(store, as_user), name, description=description, profile=profile)
    typer.echo(f"created shortlist {info.name!r} (id {info.id}, profile {info.profile or '-'})")


@shortlist_app.command("edit")
def edit(
    name: str,
    *,
    profile: ProfileOption = None,
    description: Annotated[str | None, typer.Option("--description", help="new description")] = None,
    rename: Annotated[str | None, typer.Option("--rename", help="new name")] = None,
    as_user: AsOption = None,
    url: UrlOption = None,
) -> None:
    """Change a shortlist's scoring profile, description or name."""
    from gisplan.store import open_store
    from gisplan.workflows import shortlists as sl

    if profile is None and description is None and rename is None:
        msg = "say what to change: --profile, --description or --rename"
        raise InputError(msg)
    with open_store(url) as store:
        if profile:
            _check_profile(store, profile)
        info = sl.get_shortlist(store, name)
        info = sl.update_shortlist(
            store,
            _actor(store, as_user),
            name,
            expected_version=info.version,
            new_name=rename,
            description=description,
            profile=profile,
        )
    typer.echo(f"shortlist {info.name!r}: profile {info.profile or '-'}, {info.size} sites")


@shortlist_app.command("add")
def add(
    name: str,
    site_ids: Annotated[list[str] | None, typer.Argument(help="site ids (source:source_id)")] = None,
    *,
    status: Annotated[list[str] | None, typer.Option("--status", help="add sites in this status (repeatable)")] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="only this site kind (repeatable)")] = None,
    municipality: Annotated[list[str] | None, typer.Option("--municipality", help="kód obce (repeatable)")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="NUTS 3 code (repeatable)")] = None,
    profile: ProfileOption = None,
    min_score: Annotated[float | None, typer.Option("--min-score", help="lowest score under --profile")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="at most this many sites (best first)")] = None,
    include_excluded: Annotated[
        bool, typer.Option("--include-excluded", help="also take sites the profile excludes")
    ] = False,
    create_missing: Annotated[bool, typer.Option("--create", help="create the shortlist when missing")] = False,
    as_user: AsOption = None,
    url: UrlOption = None,
) -> None:
    """Add sites by id, or every site matching --status/--kind/--municipality/--region/--min-score.

    Sites chosen by filter are ranked by the score of --profile, else of the
    shortlist's own profile; sites that profile excludes are left out unless
    --include-excluded is given.
    """
    from gisplan.errors import NotFoundError
    from gisplan.store import open_store
    from gisplan.workflows import shortlists as sl

    by_filter = bool(status or kind or municipality or region or min_score is not None)
    if not site_ids and not by_filter:
        msg = "name sites to add, or choose them with --status, --kind, --municipality, --region or --min-score"
        raise InputError(msg)
    with open_store(url) as store:
        if profile is not None:
            _check_profile(store, profile)
        actor = _actor(store, as_user)
        try:
            existing: sl.ShortlistInfo | None = sl.get_shortlist(store, name)
        except NotFoundError:
            if not create_missing:
                raise
            existing = None
        ranking = profile or (existing.profile if existing is not None else None)
        where = sl.SiteFilter(
            statuses=tuple(status or ()),
            kinds=tuple(kind or ()),
            municipality_codes=tuple(municipality or ()),
            region_codes=tuple(region or ()),
            profile=ranking,
            min_score=min_score,
            include_excluded=include_excluded or ranking is None,
            limit=limit,
        )
        chosen = sl.select_sites(store, where) if by_filter else []
        wanted = list(site_ids or []) + chosen
        if existing is None:
            rule = where.as_rule() if by_filter else {"by": "hand"}
            sl.create_shortlist(store, actor, name, profile=profile, rule=rule)
        added = sl.add_sites(store, actor, name, wanted)
        size = sl.get_shortlist(store, name).size
    if by_filter:
        typer.echo(_selection_note(ranking, include_excluded=where.include_excluded, found=len(chosen)))
    typer.echo(f"added {len(added)} of {len(set(wanted))} sites to {name!r}; it now holds {size}")


def _check_profile(store: Store, profile: str) -> None:
    """Refuse a scoring profile that is neither configured nor in the store's scores, naming the known ones."""
    from sqlalchemy import select

    from gisplan.errors import ConfigError
    from gisplan.profiles import profile_files
    from gisplan.store.models import SiteScore

    try:
        configured = {path.stem for path in profile_files()}
    except ConfigError:  # no profiles folder: the store's scores still name profiles
        configured = set()
    if profile in configured:
        return
    scored = store.read(lambda s: set(s.scalars(select(SiteScore.profile).distinct())))
    if profile not in scored:
        known = ", ".join(sorted(configured | scored)) or "none yet"
        msg = f"--profile {profile!r} is not a scoring profile; use one of: {known}"
        raise InputError(msg)


def _selection_note(profile: str | None, *, include_excluded: bool, found: int) -> str:
    """How the sites chosen by filter were picked, so the user sees which profile ranked them."""
    if profile is None:
        return (
            f"chose {found} site(s) in id order: neither --profile nor the shortlist names a scoring profile "
            "(set one with `gisplan shortlist edit NAME --profile P`)"
        )
    left_out = "excluded sites included" if include_excluded else "sites it excludes left out"
    hint = "" if found else f"; is any site scored with {profile}? (`gisplan score`, `gisplan db ingest`)"
    return f"chose {found} site(s), best score under {profile} first, {left_out}{hint}"


@shortlist_app.command("remove")
def remove(
    name: str,
    site_ids: Annotated[list[str], typer.Argument(help="site ids to take off")],
    *,
    as_user: AsOption = None,
    url: UrlOption = None,
) -> None:
    """Take sites off a shortlist."""
    from gisplan.store import open_store
    from gisplan.workflows import shortlists as sl

    with open_store(url) as store:
        gone = sl.remove_sites(store, _actor(store, as_user), name, site_ids)
    typer.echo(f"removed {len(gone)} sites from {name!r}")


@shortlist_app.command("list")
def list_command(url: UrlOption = None) -> None:
    """List shortlists: name, number of sites, profile, creator, last change."""
    from gisplan.store import open_store
    from gisplan.workflows import shortlists as sl

    with open_store(url) as store:
        found = sl.list_shortlists(store)
    if not found:
        typer.echo("no shortlists yet; create one with `gisplan shortlist create NAME`")
    for info in found:
        typer.echo(
            f"{info.name}\t{info.size} sites\t{info.profile or '-'}\tby {info.created_by}\t"
            f"{info.updated_at:%Y-%m-%d %H:%M}\t{info.description}"
        )


@shortlist_app.command("show")
def show(name: str, url: UrlOption = None) -> None:
    """Show a shortlist's sites, one id per line."""
    from gisplan.store import open_store
    from gisplan.workflows import shortlists as sl

    with open_store(url) as store:
        info = sl.get_shortlist(store, name)
        ids = sl.members(store, name)
    typer.echo(f"{info.name}: {info.size} sites, profile {info.profile or '-'}, rule {info.rule}")
    for site_id in ids:
        typer.echo(site_id)


@shortlist_app.command("delete")
def delete(name: str, *, as_user: AsOption = None, url: UrlOption = None) -> None:
    """Delete a shortlist (its sites stay in the store)."""
    from gisplan.store import open_store
    from gisplan.workflows import shortlists as sl

    with open_store(url) as store:
        info = sl.get_shortlist(store, name)
        sl.delete_shortlist(store, _actor(store, as_user), name, expected_version=info.version)
    typer.echo(f"deleted shortlist {name!r}")
