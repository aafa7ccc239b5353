"""``gisplan community create|add-member|list`` and ``gisplan secap``: communities and the climate-plan export.

Each command acts as a named user (``--as``): the store checks their role and
scope and audits the change, as in the app. Many communities at once come from a
CSV (``gisplan territories communities``); these verbs are for the one-off work.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gisplan.cli import app
from gisplan.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from gisplan.store import Store
    from gisplan.store.models import Community

community_app = typer.Typer(
    help="Communities: create a MAS, an energy community or a municipality, add member municipalities, list them.",
    no_args_is_help=True,
)
app.add_typer(community_app, name="community")

UrlOption = Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")]
AsOption = Annotated[str, typer.Option("--as", help="the user who acts (their role and scope apply; audited)")]
KINDS = ("municipality", "mas", "energy_community")


def find_community(store: Store, ref: str) -> Community:
    """A community by id, by ``kind:code`` (``mas:MAS1``), or by a code (kód obce…) only one community has."""
    kind, sep, code = ref.rpartition(":")
    if sep:
        found = [c for c in store.communities(kind or None) if c.code == code]
    else:
        found = [c for c in store.communities() if str(c.id) == ref or (c.code and c.code == ref)]
    if len(found) != 1:
        msg = (
            f"no community {ref!r}; give its id, its code or kind:code (see `gisplan community list`)"
            if not found
            else f"{len(found)} communities answer to {ref!r}; give kind:code, e.g. mas:{ref}"
        )
        raise NotFoundError(msg) if not found else InputError(msg)
    return found[0]


def _members(store: Store, codes: list[str]) -> list[tuple[str, str]]:
    """``(name, kód obce)`` of each municipality code; every unknown code is named in one error."""
    known = {str(c.code): c.name for c in store.communities("municipality") if c.code}
    missing = [code for code in codes if code not in known]
    if missing:
        msg = (
            f"no municipality with code(s) {', '.join(missing)}; load municipalities first "
            "(`gisplan territories load`) or check the kód obce"
        )
        raise NotFoundError(msg)
    return [(known[code], code) for code in codes]


@community_app.command("create")
def create(
    kind: Annotated[str, typer.Argument(help="municipality | mas | energy_community")],
    name: Annotated[str, typer.Argument(help="the community's name")],
    *,
    as_user: AsOption,
    code: Annotated[str | None, typer.Option("--code", help="kód obce of a municipality, the MAS id…")] = None,
    region: Annotated[str | None, typer.Option("--region", help="region code (NUTS 3, e.g. CZ042)")] = None,
    population: Annotated[int | None, typer.Option("--population", min=0, help="inhabitants")] = None,
    member: Annotated[
        list[str] | None, typer.Option("--member", help="kód obce of a member municipality; repeat for each")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Create a community; a MAS or an energy community may list its member municipalities."""
    from gisplan.store import Member, open_store

    if kind not in KINDS:
        msg = f"community kind {kind!r} is not one of {', '.join(KINDS)}"
        raise InputError(msg)
    with open_store(url) as store:
        members = [Member(name=n, municipality_code=c) for n, c in _members(store, list(member or []))]
        made = store.add_community(
            store.user(as_user).id,
            kind,
            name,
            code=code,
            region_code=region,
            population=population,
            members=members,
        )
    typer.echo(f"created {kind} {name!r} (id {made.id}) with {len(members)} member(s)")


@community_app.command("add-member")
def add_member(
    community: Annotated[str, typer.Argument(help="the community's id or kind:code, e.g. mas:MAS1")],
    municipality: Annotated[list[str], typer.Argument(help="kód obce of each municipality to add")],
    *,
    as_user: AsOption,
    url: UrlOption = None,
) -> None:
    """Add member municipalities to a MAS or an energy community (those already in it stay once)."""
    from gisplan.store import Member, open_store

    with open_store(url) as store:
        found = find_community(store, community)
        current = store.community_members(found.id)
        have = {m.municipality_code for m in current if m.municipality_code}
        kept = [Member(m.name, m.municipality_code, m.member_community_id, m.member_role) for m in current]
        added = [Member(name=n, municipality_code=c) for n, c in _members(store, municipality) if c not in have]
        store.update_community(
            store.user(as_user).id, found.id, expected_version=found.version, members=[*kept, *added]
        )
    typer.echo(f"{found.kind} {found.name!r}: {len(added)} member(s) added, {len(kept) + len(added)} in all")


@community_app.command("list")
def list_communities(
    kind: Annotated[str | None, typer.Option("--kind", help="municipality | mas | energy_community")] = None,
    url: UrlOption = None,
) -> None:
    """The communities with their id, kind, code, region and number of members."""
    from gisplan.store import open_store

    if kind is not None and kind not in KINDS:
        msg = f"community kind {kind!r} is not one of {', '.join(KINDS)}"
        raise InputError(msg)
    with open_store(url) as store:
        rows = store.communities(kind)
        for c in rows:
            members = len(store.community_members(c.id)) if c.kind != "municipality" else 0
            typer.echo(f"{c.id:>6}  {c.kind:<16} {c.code or '-':<10} {c.region_code or '-':<7} {members:>4}  {c.name}")
    if not rows:
        typer.echo("no communities yet; load them with `gisplan territories load` or create one")


@app.command("secap")
def secap(
    municipality: Annotated[str, typer.Argument(help="kód obce of the municipality")],
    *,
    out: Annotated[Path, typer.Option("--out", help="the file to write: .csv or .xlsx")],
    as_user: AsOption,
    profile: Annotated[
        str | None, typer.Option("--profile", help="take sites' effects from this profile; default each site's best")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Export a municipality's climate-plan actions in the MyCovenant (SECAP) action template (audited)."""
    from gisplan.secap import export_secap
    from gisplan.store import open_store

    with open_store(url) as store:
        path = export_secap(store, store.user(as_user).id, municipality, out, profile=profile)
    typer.echo(f"SECAP actions of {municipality} written to {path}")
