"""``gisplan participation …``: moderate resident proposals, run a budget vote, show and export its results.

- ``proposals [--state pending]``: list proposals.
- ``moderate ID accept|reject [--cost N] [--feedback TEXT]``: accept with a cost estimate, or reject with a reason.
- ``open-vote --title T --budget B --proposal ID… [--cost ID=N…]``: open a vote on accepted proposals.
- ``codes VOTE --count N [--out codes.csv]``: issue one-time codes (printed, or written to a CSV readable by
  the owner only); they are shown this once, only their hashes are stored.
- ``close-vote VOTE``, ``votes``, ``results VOTE`` (table), ``export VOTE --out results.csv|.gpkg``.

Every write acts as ``--as USER`` (their role and scope apply) or, without it, as the operator (``SYSTEM``);
all are audited. The counting rule is in :mod:`gisplan.participation.results`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gisplan.cli import app
from gisplan.errors import InputError

if TYPE_CHECKING:
    from gisplan.store import Store
    from gisplan.store.tx import ActorRef

participation_app = typer.Typer(help="Resident proposals and budget votes.", no_args_is_help=True)
app.add_typer(participation_app, name="participation")

UrlOption = Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")]
AsOption = Annotated[str | None, typer.Option("--as", help="act as this user (their role and scope apply)")]


def _actor(store: Store, username: str | None) -> ActorRef:
    from gisplan.store import SYSTEM

    return SYSTEM if username is None else store.user(username).id


def _costs(items: list[str] | None) -> dict[int, float]:
    found: dict[int, float] = {}
    bad: list[str] = []
    for item in items or []:
        key, sep, value = item.partition("=")
        try:
            found[int(key)] = float(value)
        except ValueError:
            bad.append(item)
        if not sep:
            bad.append(item)
    if bad:
        msg = f"--cost {sorted(set(bad))} must be PROPOSAL_ID=AMOUNT, e.g. --cost 12=250000"
        raise InputError(msg)
    return found


@participation_app.command("proposals")
def proposals_command(
    state: Annotated[str | None, typer.Option("--state", help="pending | accepted | rejected")] = None,
    url: UrlOption = None,
) -> None:
    """List resident proposals, oldest first."""
    from gisplan.participation import list_proposals
    from gisplan.participation.proposals import STATES
    from gisplan.store import open_store

    if state is not None and state not in STATES:
        msg = f"--state {state!r} is unknown; use one of {', '.join(STATES)}"
        raise InputError(msg)
    with open_store(url) as store:
        rows = list_proposals(store, state=state)
    for p in rows:
        cost = "-" if p.estimated_cost is None else f"{p.estimated_cost:,.0f}"
        typer.echo(f"{p.id:>5}  {p.state:<9} {p.category:<17} {cost:>12}  {p.municipality_code or '-':<8} {p.title}")
    typer.echo(f"{len(rows)} proposals")


@participation_app.command("moderate")
def moderate_command(
    proposal_id: int,
    decision: Annotated[str, typer.Argument(help="accept | reject")],
    *,
    cost: Annotated[float | None, typer.Option("--cost", help="estimated cost when accepting")] = None,
    feedback: Annotated[str, typer.Option("--feedback", help="a note to the resident; needed to reject")] = "",
    username: AsOption = None,
    url: UrlOption = None,
) -> None:
    """Accept or reject a pending proposal."""
    from gisplan.participation import list_proposals, moderate_proposal
    from gisplan.store import open_store

    decisions = {"accept": "accepted", "reject": "rejected"}
    if decision not in decisions:
        msg = f"decision {decision!r} is unknown; use accept or reject"
        raise InputError(msg)
    with open_store(url) as store:
        found = list_proposals(store, ids=[proposal_id])
        if not found:
            msg = f"there is no proposal {proposal_id}; list them with `gisplan participation proposals`"
            raise InputError(msg)
        view = moderate_proposal(
            store,
            _actor(store, username),
            proposal_id,
            decisions[decision],
            expected_version=found[0].version,
            feedback=feedback,
            estimated_cost=cost,
        )
    typer.echo(f"proposal {view.id} {view.state}")


@participation_app.command("open-vote")
def open_vote_command(
    *,
    title: Annotated[str, typer.Option("--title", help="name of the vote, e.g. 'Participatory budget 2027'")],
    budget: Annotated[float, typer.Option("--budget", help="money to share out [currency]")],
    proposal: Annotated[list[int], typer.Option("--proposal", help="id of an accepted proposal (repeatable)")],
    cost: Annotated[list[str] | None, typer.Option("--cost", help="ID=AMOUNT overriding its estimate")] = None,
    municipality: Annotated[str | None, typer.Option("--municipality", help="kód obce of the vote")] = None,
    currency: Annotated[str, typer.Option("--currency", help="CZK, EUR, HUF, PLN, DKK…")] = "CZK",
    username: AsOption = None,
    url: UrlOption = None,
) -> None:
    """Open a budget vote on accepted proposals."""
    from gisplan.participation import open_vote
    from gisplan.store import open_store

    with open_store(url) as store:
        vote = open_vote(
            store,
            _actor(store, username),
            title=title,
            budget=budget,
            proposal_ids=proposal,
            costs=_costs(cost),
            municipality_code=municipality,
            currency=currency,
        )
    typer.echo(
        f"opened vote {vote.id} {vote.title!r}: {len(vote.items)} proposals, budget {vote.budget:,.0f} {vote.currency}"
    )


@participation_app.command("codes")
def codes_command(
    vote_id: int,
    count: Annotated[int, typer.Option("--count", help="how many one-time codes")],
    out: Annotated[Path | None, typer.Option("--out", help="write the codes to this CSV instead of printing")] = None,
    username: AsOption = None,
    url: UrlOption = None,
) -> None:
    """Issue one-time voting codes (shown only now)."""
    from gisplan.participation import issue_codes
    from gisplan.store import open_store

    if out is not None and out.suffix.lower() != ".csv":
        msg = f"--out {out} must end in .csv"
        raise InputError(msg)
    if out is not None and out.exists():
        msg = f"{out} exists; codes are never overwritten, choose a new file"
        raise InputError(msg)
    with open_store(url) as store:
        codes = issue_codes(store, _actor(store, username), vote_id, count)
    if out is None:
        for code in codes:
            typer.echo(code)
        return
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the codes are ballots: owner only
    import pandas as pd

    from gisplan.export.spreadsheet import write_table_csv

    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        write_table_csv(pd.DataFrame({"vote_id": [vote_id] * len(codes), "code": codes}), handle)
    typer.echo(f"wrote {len(codes)} codes for vote {vote_id} to {out}")


@participation_app.command("close-vote")
def close_vote_command(vote_id: int, username: AsOption = None, url: UrlOption = None) -> None:
    """Close a vote: no more ballots."""
    from gisplan.participation import close_vote
    from gisplan.store import open_store

    with open_store(url) as store:
        info = close_vote(store, _actor(store, username), vote_id)
    typer.echo(f"vote {info.id} closed: {info.ballots} ballots from {info.codes_issued} codes")


@participation_app.command("votes")
def votes_command(url: UrlOption = None) -> None:
    """List votes, newest first."""
    from gisplan.participation import list_votes
    from gisplan.store import open_store

    with open_store(url) as store:
        votes = list_votes(store)
    for v in votes:
        typer.echo(
            f"{v.id:>4}  {v.state:<6} {v.budget:>14,.0f} {v.currency:<4} {len(v.items):>3} proposals  "
            f"{v.ballots:>5} ballots / {v.codes_issued} codes  {v.title}"
        )
    typer.echo(f"{len(votes)} votes")


@participation_app.command("results")
def results_command(vote_id: int, url: UrlOption = None) -> None:
    """Show the results table of a vote (the standing so far while it is open)."""
    from gisplan.participation import results
    from gisplan.store import open_store

    with open_store(url) as store:
        result = results(store, vote_id)
    vote = result.vote
    typer.echo(f"vote {vote.id} {vote.title!r} ({vote.state}): budget {vote.budget:,.0f} {vote.currency}")
    typer.echo(f"ballots {vote.ballots}, codes used {vote.codes_used} of {vote.codes_issued}")
    typer.echo(f"{'rank':>4}  {'id':>5}  {'votes':>5}  {'cost':>12}  funded  title")
    for r in result.rows:
        typer.echo(
            f"{r.rank:>4}  {r.proposal_id:>5}  {r.votes:>5}  {r.cost:>12,.0f}  "
            f"{'yes' if r.funded else 'no':<6}  {r.title}"
        )
    typer.echo(f"spent {result.spent:,.0f} of {vote.budget:,.0f} {vote.currency}")


@participation_app.command("export")
def export_command(
    vote_id: int,
    out: Annotated[Path, typer.Option("--out", help="file to write: .csv or .gpkg")],
    url: UrlOption = None,
) -> None:
    """Export the results of a vote to CSV or GeoPackage (EPSG:4326)."""
    from gisplan.participation import results, to_csv, to_geopackage
    from gisplan.store import open_store

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".gpkg"):
        msg = f"--out {out} must end in .csv or .gpkg"
        raise InputError(msg)
    with open_store(url) as store:
        result = results(store, vote_id)
    if suffix == ".csv":
        out.write_bytes(to_csv(result))
    else:
        out.unlink(missing_ok=True)
        to_geopackage(result, out)
    typer.echo(f"wrote the results of vote {vote_id} ({len(result.rows)} proposals) to {out}")
