"""The animator's daily work from the command line: ``gisplan site …`` and ``gisplan moderation …``.

Each command is a thin call to the same store operation the app uses, acting as
``--as USER`` (required: the user's role and scope apply, and the audit log
names them). A status change reads the site's current version and sends it, so
a change made meanwhile by someone else is refused as a conflict, not lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from gisplan.cli import app
from gisplan.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from collections.abc import Callable

    from gisplan.store import Store
    from gisplan.store.models import FundingCall

site_app = typer.Typer(
    help="One site's daily work: show it, move its status, add a note, link it to a call or a community.",
    no_args_is_help=True,
)
moderation_app = typer.Typer(
    help="Submissions from municipalities: list the queue, accept (scored), reject or return them.",
    no_args_is_help=True,
)
app.add_typer(site_app, name="site")
app.add_typer(moderation_app, name="moderation")

UrlOption = Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")]
AsOption = Annotated[str, typer.Option("--as", help="the user who acts (their role and scope apply; audited)")]
VERDICTS = ("eligible", "unknown", "not_eligible")


def _user_id(store: Store, username: str) -> int:
    return store.user(username).id


# ------------------------------------------------------------------------------------------ site
@site_app.command("show")
def show(site_id: str, url: UrlOption = None) -> None:
    """Print a site: kind, municipality, status, scores and energy per profile, notes and links."""
    from gisplan.store import open_store, site_card

    with open_store(url) as store:
        card = site_card.load_card(store, site_id)
    site = card.site
    where = card.municipality_name or site.municipality_code or "municipality not known"
    typer.echo(f"{site.id}  {site.name or '(no name)'}")
    typer.echo(f"  {site.kind} in {where} ({site.region_code or 'no region code'}); status {site.status}")
    typer.echo(f"  version {site.version} (send it with edits made elsewhere)")
    for score in card.scores:
        verdict = "excluded" if score.excluded else f"score {score.score:.1f}"
        energy = "energy not available" if score.energy_mwh_yr is None else f"{score.energy_mwh_yr:,.1f} MWh/yr"
        capacity = "" if score.capacity_kwp is None else f", {score.capacity_kwp:,.0f} kWp"
        typer.echo(f"  {score.profile}: {verdict}{capacity}, {energy}")
    for note, author in card.annotations:
        typer.echo(f"  note #{note.id} by {author}: {note.text}")
    for link, call in card.funding_links:
        typer.echo(f"  call {call.code}: {link.verdict}")
    for community_link, community in card.community_links:
        typer.echo(f"  community {community.kind} {community.name} (id {community.id}) {community_link.role or ''}")


@site_app.command("status")
def status(
    site_id: str,
    new_status: Annotated[str, typer.Argument(help="screening, shortlisted, project_in_preparation, funded, …")],
    *,
    as_user: AsOption,
    reason: Annotated[str | None, typer.Option("--reason", help="why (kept with the move)")] = None,
    url: UrlOption = None,
) -> None:
    """Move a site through the workflow (only the moves the user's role allows)."""
    from gisplan.store import open_store
    from gisplan.store import permissions as perm

    known = [s.value for s in perm.Status]
    if new_status not in known:
        msg = f"status {new_status!r} is not one of {', '.join(known)}"
        raise InputError(msg)
    with open_store(url) as store:
        site = store.get_site(site_id)
        before = site.status
        moved = store.change_status(
            _user_id(store, as_user), site_id, new_status, expected_version=site.version, reason=reason
        )
    typer.echo(f"{site_id}: {before} -> {moved.status} (version {moved.version})")


@site_app.command("note")
def note(
    site_id: str,
    text: Annotated[str, typer.Argument(help="the note")],
    *,
    as_user: AsOption,
    url: UrlOption = None,
) -> None:
    """Write a note on a site."""
    from gisplan.store import open_store

    if not text.strip():
        msg = "the note is empty; write what you want to keep"
        raise InputError(msg)
    with open_store(url) as store:
        made = store.add_annotation(_user_id(store, as_user), site_id, text)
    typer.echo(f"note #{made.id} saved on {site_id}")


def _call(store: Store, code: str) -> FundingCall:
    calls = {c.code: c for c in store.funding_calls()}
    if code not in calls:
        msg = f"funding call {code!r} is not in the store; sync the catalogue (`gisplan funding sync`) or list calls"
        raise NotFoundError(msg)
    return calls[code]


@site_app.command("link-call")
def link_call(
    site_id: str,
    call: Annotated[str, typer.Argument(help="the call's id in the catalogue, e.g. res_plus_3_2024")],
    *,
    as_user: AsOption,
    verdict: Annotated[str, typer.Option("--verdict", help="eligible | unknown | not_eligible")] = "unknown",
    note_text: Annotated[str, typer.Option("--note", help="a note on the link")] = "",
    url: UrlOption = None,
) -> None:
    """Link a site to a funding call (the link is recorded under the user)."""
    from gisplan.store import open_store

    if verdict not in VERDICTS:
        msg = f"--verdict {verdict!r} is not one of {', '.join(VERDICTS)}"
        raise InputError(msg)
    with open_store(url) as store:
        found = _call(store, call)
        link = store.link_funding_call(_user_id(store, as_user), site_id, found.id, verdict=verdict, note=note_text)
    typer.echo(f"{site_id} linked to call {call} ({link.verdict})")


@site_app.command("link-community")
def link_community(
    site_id: str,
    community: Annotated[str, typer.Argument(help="the community's id, or its code (kód obce, MAS code)")],
    *,
    as_user: AsOption,
    role: Annotated[str | None, typer.Option("--role", help="the community's role for the site")] = None,
    url: UrlOption = None,
) -> None:
    """Link a site to a community: a municipality, a MAS or an energy community."""
    from gisplan.cli.community import find_community
    from gisplan.store import open_store

    with open_store(url) as store:
        found = find_community(store, community)
        store.link_community(_user_id(store, as_user), site_id, found.id, role=role)
    typer.echo(f"{site_id} linked to {found.kind} {found.name}")


# ------------------------------------------------------------------------------------------ moderation
@moderation_app.command("list")
def queue(*, as_user: AsOption, url: UrlOption = None) -> None:
    """The submissions waiting for the user's decision, oldest first."""
    from gisplan.store import open_store
    from gisplan.workflows import moderation

    with open_store(url) as store:
        waiting = moderation.queue(store, _user_id(store, as_user))
    if not waiting:
        typer.echo("no submission is waiting for you")
    for sub in waiting:
        typer.echo(f"#{sub.id} v{sub.version}  {sub.kind}  {sub.name}  (municipality {sub.municipality_code})")


def _version(store: Store, submission_id: int) -> int:
    for sub in store.submissions():
        if sub.id == submission_id:
            return sub.version
    msg = f"there is no submission #{submission_id}; list the queue with `gisplan moderation list --as USER`"
    raise NotFoundError(msg)


@moderation_app.command("accept")
def accept(
    submission_id: int,
    *,
    as_user: AsOption,
    feedback: Annotated[str, typer.Option("--feedback", help="a comment for the municipality")] = "",
    url: UrlOption = None,
) -> None:
    """Accept a submission: it becomes a site scored with every applicable profile; the municipality is told."""
    from gisplan.store import open_store
    from gisplan.workflows import moderation

    with open_store(url) as store:
        done = moderation.accept(
            store,
            _user_id(store, as_user),
            submission_id,
            expected_version=_version(store, submission_id),
            feedback=feedback,
        )
    scores = ", ".join(f"{s.profile} {s.score:.1f}" for s in done.scores) or "no profile could score it"
    typer.echo(f"accepted #{submission_id} as site {done.site.id} ({scores})")
    for profile, why in done.unscored:
        typer.echo(f"warning: {profile} not scored: {why}", err=True)


def _decide(
    submission_id: int, username: str, url: str | None, decide: Callable[[Store, int, int, int, str], None], text: str
) -> None:
    """Run ``decide(store, actor, id, expected_version=…, text)`` (reject or return) as ``username``."""
    from gisplan.store import open_store

    with open_store(url) as store:
        decide(store, _user_id(store, username), submission_id, _version(store, submission_id), text)


@moderation_app.command("reject")
def reject(
    submission_id: int,
    *,
    reason: Annotated[str, typer.Option("--reason", help="why, for the municipality")],
    as_user: AsOption,
    url: UrlOption = None,
) -> None:
    """Refuse a submission with a reason the municipality will read."""
    from gisplan.workflows import moderation

    def decide(store: Store, actor: int, sub: int, version: int, text: str) -> None:
        moderation.reject(store, actor, sub, expected_version=version, reason=text)

    _decide(submission_id, as_user, url, decide, reason)
    typer.echo(f"rejected #{submission_id}")


@moderation_app.command("return")
def send_back(
    submission_id: int,
    *,
    comment: Annotated[str, typer.Option("--comment", help="what the municipality should change")],
    as_user: AsOption,
    url: UrlOption = None,
) -> None:
    """Send a submission back to its municipality with what to change."""
    from gisplan.workflows import moderation

    def decide(store: Store, actor: int, sub: int, version: int, text: str) -> None:
        moderation.return_for_changes(store, actor, sub, expected_version=version, comment=text)

    _decide(submission_id, as_user, url, decide, comment)
    typer.echo(f"returned #{submission_id} to its municipality")
