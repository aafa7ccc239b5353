"""Budget votes: open on accepted proposals, hand out one-time codes, cast anonymous ballots.

- :func:`open_vote`: an organiser puts accepted proposals to a vote, each with its
  estimated cost, under a budget [currency of the vote].
- :func:`issue_codes`: N one-time codes, shown once (print them or write them to a CSV);
  only ``sha256("<vote id>:<code>")`` is stored.
- :func:`cast_ballot`: a voter with a code chooses proposals whose total cost is within
  the budget. In one transaction, the code is marked used by a conditional
  ``UPDATE … WHERE used = false`` (on PostgreSQL a concurrent second use waits for the
  first and then finds no row to update; SQLite writes one at a time), and the ballot
  is stored with a random id, no time and no link to the code. A used or unknown
  code is refused and nothing is stored. The audit log counts ballots (one row per
  ballot, naming neither code nor choices).
- :func:`close_vote`: no more ballots; results are in :mod:`gisplan.participation.results`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from gisplan.errors import InputError, NotFoundError, RefusedError
from gisplan.participation._common import digest, positive_amount, public_audit, require_organiser
from gisplan.store.models import Ballot, BallotChoice, Proposal, Vote, VoteCode, VoteItem, utcnow
from gisplan.store.tx import SYSTEM

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gisplan.store.store import Store
    from gisplan.store.transaction import Tx
    from gisplan.store.tx import ActorRef

#: Letters and digits of a code, without look-alikes (0/O, 1/I/L); 12 of them give about 59 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
#: Most codes issued in one call.
MAX_CODES = 100_000
#: Slack of the budget check [currency units], for sums of decimal costs.
BUDGET_SLACK = 1e-6


@dataclass(frozen=True)
class VoteItemView:
    """A proposal on the ballot: its id, title, category and cost [currency of the vote]."""

    proposal_id: int
    title: str
    category: str
    cost: float


@dataclass(frozen=True)
class VoteInfo:
    """A vote with its ballot items and counts of codes and ballots."""

    id: int
    title: str
    municipality_code: str | None
    budget: float
    currency: str
    state: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    items: tuple[VoteItemView, ...]
    codes_issued: int
    codes_used: int
    ballots: int
    version: int


def normalise_code(code: str) -> str:
    """The code as stored: capitals, without spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """``ABCD-EFGH-JKMN``: easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _info(session: Session, vote_id: int) -> VoteInfo:
    vote = session.get(Vote, vote_id)
    if vote is None:
        known = ", ".join(str(v) for v in session.scalars(select(Vote.id).order_by(Vote.id))) or "none yet"
        msg = f"there is no vote {vote_id}; votes: {known}"
        raise NotFoundError(msg)
    items = session.execute(
        select(VoteItem.proposal_id, Proposal.title, Proposal.category, VoteItem.cost)
        .join(Proposal, Proposal.id == VoteItem.proposal_id)
        .where(VoteItem.vote_id == vote_id)
        .order_by(VoteItem.proposal_id)
    ).all()
    counts = session.execute(
        select(func.count(), func.count().filter(VoteCode.used.is_(True))).where(VoteCode.vote_id == vote_id)
    ).one()
    ballots = int(session.scalar(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)) or 0)
    return VoteInfo(
        id=vote.id,
        title=vote.title,
        municipality_code=vote.municipality_code,
        budget=vote.budget,
        currency=vote.currency,
        state=vote.state,
        created_at=vote.created_at,
        closed_at=vote.closed_at,
        items=tuple(VoteItemView(int(p), str(t), str(c), float(cost)) for p, t, c, cost in items),
        codes_issued=int(counts[0] or 0),
        codes_used=int(counts[1] or 0),
        ballots=ballots,
        version=vote.version,
    )


def get_vote(store: Store, vote_id: int) -> VoteInfo:
    """One vote with its items and counts; NotFoundError lists the votes."""
    return store.read(lambda s: _info(s, vote_id))


def list_votes(store: Store, *, state: str | None = None) -> list[VoteInfo]:
    """Every vote (or those in ``state``), newest first."""

    def work(session: Session) -> list[VoteInfo]:
        stmt = select(Vote.id).order_by(Vote.id.desc())
        if state is not None:
            stmt = stmt.where(Vote.state == state)
        return [_info(session, vote_id) for vote_id in session.scalars(stmt).all()]

    return store.read(work)


def _check_title(title: str) -> str:
    clean = title.strip()
    if not 3 <= len(clean) <= 200 or any(ord(c) < 32 for c in clean):
        msg = f"the vote's title {title!r} must be 3–200 printable characters"
        raise InputError(msg)
    return clean


def open_vote(
    store: Store,
    actor: ActorRef,
    *,
    title: str,
    budget: float,
    proposal_ids: list[int],
    costs: dict[int, float] | None = None,
    municipality_code: str | None = None,
    currency: str = "CZK",
) -> VoteInfo:
    """Open a vote on accepted proposals with a budget; a cost in ``costs`` overrides the proposal's estimate.

    Raises
    ------
    InputError
        For a bad title, budget, currency or cost; for proposals that are unknown, not
        accepted, of another municipality, without a cost, or costing more than the budget
        (every problem listed).
    PermissionDeniedError
        If ``actor`` may not organise for ``municipality_code`` (audited).
    """
    clean = _check_title(title)
    amount = positive_amount(budget, "the budget")
    if not currency.isalpha() or not 1 <= len(currency) <= 8:
        msg = f"currency {currency!r} must be a code of letters such as CZK, EUR, HUF, PLN, DKK"
        raise InputError(msg)
    wanted = list(dict.fromkeys(int(p) for p in proposal_ids))
    if not wanted:
        msg = "a vote needs at least one accepted proposal; accept proposals first"
        raise InputError(msg)
    given = {int(k): positive_amount(v, f"the cost of proposal {k}") for k, v in (costs or {}).items()}

    def work(tx: Tx) -> int:
        require_organiser(tx, "vote.open", "vote", clean, municipality_code)
        rows = {p.id: p for p in tx.session.scalars(select(Proposal).where(Proposal.id.in_(wanted)))}
        problems: list[str] = []
        item_costs: dict[int, float] = {}
        for pid in wanted:
            row = rows.get(pid)
            cost = given.get(pid, row.estimated_cost if row is not None else None)
            if row is None:
                problems.append(f"proposal {pid} does not exist")
            elif row.state != "accepted":
                problems.append(f"proposal {pid} is {row.state!r}, not accepted")
            elif municipality_code is not None and row.municipality_code not in (None, municipality_code):
                problems.append(f"proposal {pid} belongs to municipality {row.municipality_code}")
            elif cost is None:
                problems.append(f"proposal {pid} has no estimated cost; estimate it when accepting or pass a cost")
            elif cost > amount + BUDGET_SLACK:
                problems.append(f"proposal {pid} costs {cost:,.0f}, more than the whole budget {amount:,.0f}")
            else:
                item_costs[pid] = float(cost)
        if problems:
            raise InputError("the vote cannot be opened: " + "; ".join(problems))
        vote = Vote(
            title=clean,
            municipality_code=municipality_code,
            budget=amount,
            currency=currency.upper(),
            state="open",
            created_by=tx.actor_id,
            created_at=utcnow(),
        )
        tx.session.add(vote)
        tx.session.flush()
        tx.session.add_all(VoteItem(vote_id=vote.id, proposal_id=p, cost=c) for p, c in item_costs.items())
        after = {"title": clean, "budget": amount, "currency": vote.currency, "items": item_costs}
        tx.audit(
            "vote.open",
            "vote",
            vote.id,
            after={k: v for k, v in after.items() if k != "items"}
            | {"items": {str(k): v for k, v in item_costs.items()}},
        )
        return vote.id

    return get_vote(store, store.transaction(actor, work))


def _open_vote_row(tx: Tx, vote_id: int, action: str) -> Vote:
    vote = tx.fetch(Vote, vote_id, "vote")
    require_organiser(tx, action, "vote", vote_id, vote.municipality_code)
    if vote.state != "open":
        msg = f"vote {vote_id} is {vote.state}; open a new vote"
        raise InputError(msg)
    return vote


def issue_codes(store: Store, actor: ActorRef, vote_id: int, count: int) -> list[str]:
    """Issue ``count`` one-time codes for an open vote and return them (the only time they are seen)."""
    if not 1 <= count <= MAX_CODES:
        msg = f"the number of codes must be 1–{MAX_CODES}, not {count}"
        raise InputError(msg)
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)]

    def work(tx: Tx) -> None:
        _open_vote_row(tx, vote_id, "vote.codes")
        tx.session.add_all(VoteCode(vote_id=vote_id, code_hash=digest(vote_id, c), used=False) for c in codes)
        tx.audit("vote.codes", "vote", vote_id, after={"issued": count})

    store.transaction(actor, work)
    return [format_code(c) for c in codes]


def close_vote(store: Store, actor: ActorRef, vote_id: int) -> VoteInfo:
    """Close an open vote: no more ballots are accepted."""

    def work(tx: Tx) -> None:
        vote = _open_vote_row(tx, vote_id, "vote.close")
        vote.state = "closed"
        vote.closed_at = utcnow()
        tx.session.flush()
        tx.audit("vote.close", "vote", vote_id, after={"state": "closed"})

    store.transaction(actor, work)
    return get_vote(store, vote_id)


def _check_choices(info: VoteInfo, proposal_ids: list[int]) -> list[int]:
    chosen = list(dict.fromkeys(int(p) for p in proposal_ids))
    if len(chosen) != len(proposal_ids):
        msg = "a proposal was chosen twice; choose each at most once"
        raise RefusedError(msg, reason="duplicate_choice")
    if not chosen:
        msg = "choose at least one proposal"
        raise RefusedError(msg, reason="empty_ballot")
    costs = {item.proposal_id: item.cost for item in info.items}
    unknown = [p for p in chosen if p not in costs]
    if unknown:
        msg = f"proposals {unknown} are not on this vote's ballot; reload the page"
        raise RefusedError(msg, reason="not_on_ballot")
    total = sum(costs[p] for p in chosen)
    if total > info.budget + BUDGET_SLACK:
        msg = f"the chosen proposals cost {total:,.0f} {info.currency}, more than the budget {info.budget:,.0f}"
        raise RefusedError(msg, reason="over_budget")
    return chosen


def cast_ballot(store: Store, vote_id: int, code: str, proposal_ids: list[int]) -> None:
    """Cast one anonymous ballot with a one-time code; the code cannot be used again.

    Raises
    ------
    RefusedError
        ``code_used``, ``code_unknown``, ``vote_closed``, ``over_budget``, ``empty_ballot``,
        ``duplicate_choice`` or ``not_on_ballot``; nothing is stored.
    NotFoundError
        If there is no such vote.
    """
    plain = normalise_code(code)
    if not 1 <= len(plain) <= 64:
        msg = "the code is not valid; type it as printed (letters and digits)"
        raise RefusedError(msg, reason="code_unknown")
    hashed = digest(vote_id, plain)

    def work(tx: Tx) -> None:
        info = _info(tx.session, vote_id)
        if info.state != "open":
            msg = f"the vote {info.title!r} is closed; ballots are no longer accepted"
            raise RefusedError(msg, reason="vote_closed")
        chosen = _check_choices(info, proposal_ids)
        taken = tx.session.execute(
            update(VoteCode)
            .where(VoteCode.vote_id == vote_id, VoteCode.code_hash == hashed, VoteCode.used.is_(False))
            .values(used=True)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            exists = tx.session.scalar(select(VoteCode.id).where(VoteCode.code_hash == hashed))
            if exists is not None:
                msg = "this code has been used already; each code casts one ballot"
                raise RefusedError(msg, reason="code_used")
            msg = "this code is not valid for this vote; check it and type it as printed"
            raise RefusedError(msg, reason="code_unknown")
        ballot = Ballot(id=secrets.token_hex(16), vote_id=vote_id)
        tx.session.add(ballot)
        tx.session.flush()
        tx.session.add_all(BallotChoice(ballot_id=ballot.id, proposal_id=p) for p in chosen)
        public_audit(tx.session, "vote.ballot", "vote", vote_id, detail="one ballot cast")

    try:
        store.transaction(SYSTEM, work)
    except RefusedError as exc:
        from gisplan.store.engine import run_write

        why = exc.reason
        run_write(store.engine, lambda s: public_audit(s, "vote.ballot", "vote", vote_id, outcome="denied", detail=why))
        raise


__all__ = [
    "CODE_ALPHABET",
    "VoteInfo",
    "VoteItemView",
    "cast_ballot",
    "close_vote",
    "format_code",
    "get_vote",
    "issue_codes",
    "list_votes",
    "normalise_code",
    "open_vote",
]
