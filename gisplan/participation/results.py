"""Results of a budget vote, by one documented rule, and their export.

The rule (:func:`allocate`)
---------------------------
1. Count, for every proposal on the ballot, the ballots that chose it.
2. Rank the proposals by votes, most first; on equal votes the cheaper one first,
   then the lower proposal id.
3. Walk down the ranking with the whole budget: a proposal with at least one vote
   is funded when its cost fits in what is left, and what is left shrinks by its
   cost; one that does not fit is skipped, and the walk goes on (a cheaper one
   further down may still fit).

This is the "greedy by votes" rule most participatory budgets use (Paris, Madrid,
the Polish *budżet obywatelski*). Ballots are read without any link to a voter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from gisplan.participation.proposals import list_proposals
from gisplan.participation.votes import VoteInfo, _info
from gisplan.store.models import Ballot, BallotChoice

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry
    from sqlalchemy.orm import Session

    from gisplan.store.store import Store


@dataclass(frozen=True)
class Candidate:
    """A proposal as the rule sees it: id, cost [currency] and votes."""

    proposal_id: int
    cost: float
    votes: int


@dataclass(frozen=True)
class Outcome:
    """One proposal's place in the result: rank (1 = most votes), funded, budget left after it [currency]."""

    proposal_id: int
    cost: float
    votes: int
    rank: int
    funded: bool
    left_after: float


def allocate(candidates: Sequence[Candidate], budget: float) -> list[Outcome]:
    """Apply the rule of this module; outcomes in rank order."""
    ranked = sorted(candidates, key=lambda c: (-c.votes, c.cost, c.proposal_id))
    left = float(budget)
    out: list[Outcome] = []
    for rank, cand in enumerate(ranked, start=1):
        funded = cand.votes > 0 and cand.cost <= left + 1e-6
        if funded:
            left -= cand.cost
        out.append(Outcome(cand.proposal_id, cand.cost, cand.votes, rank, funded, left))
    return out


@dataclass(frozen=True)
class ResultRow:
    """A proposal in the results table; ``geom_lonlat`` in WGS84 [degrees]."""

    rank: int
    proposal_id: int
    title: str
    category: str
    cost: float
    votes: int
    funded: bool
    left_after: float
    geom_lonlat: BaseGeometry | None


@dataclass(frozen=True)
class VoteResult:
    """The result of a vote: rows in rank order, and the counts that audit it."""

    vote: VoteInfo
    rows: tuple[ResultRow, ...]
    spent: float

    @property
    def winners(self) -> list[ResultRow]:
        """The funded proposals, in rank order."""
        return [r for r in self.rows if r.funded]


def _counts(session: Session, vote_id: int) -> dict[int, int]:
    rows = session.execute(
        select(BallotChoice.proposal_id, func.count())
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.vote_id == vote_id)
        .group_by(BallotChoice.proposal_id)
    ).all()
    return {int(p): int(n) for p, n in rows}


def results(store: Store, vote_id: int) -> VoteResult:
    """The result of vote ``vote_id`` under the rule of :func:`allocate` (open votes: the standing so far)."""
    info, counts = store.read(lambda s: (_info(s, vote_id), _counts(s, vote_id)))
    outcomes = allocate(
        [Candidate(i.proposal_id, i.cost, counts.get(i.proposal_id, 0)) for i in info.items], info.budget
    )
    views = {v.id: v for v in list_proposals(store, ids=[o.proposal_id for o in outcomes])}
    rows = tuple(
        ResultRow(
            rank=o.rank,
            proposal_id=o.proposal_id,
            title=views[o.proposal_id].title,
            category=views[o.proposal_id].category,
            cost=o.cost,
            votes=o.votes,
            funded=o.funded,
            left_after=o.left_after,
            geom_lonlat=views[o.proposal_id].geom_lonlat,
        )
        for o in outcomes
    )
    return VoteResult(info, rows, sum(r.cost for r in rows if r.funded))


COLUMNS = ("rank", "proposal_id", "title", "category", "cost", "votes", "funded", "left_after")


def to_csv(result: VoteResult) -> bytes:
    """The result table as UTF-8 CSV (with BOM, for Excel); text cells cannot start a formula."""
    import pandas as pd

    from gisplan.export.spreadsheet import table_csv_bytes

    table = pd.DataFrame([[getattr(row, c) for c in COLUMNS] for row in result.rows], columns=list(COLUMNS))
    return table_csv_bytes(table)


def to_geopackage(result: VoteResult, path: Path) -> Path:
    """Write the result as layer ``vote_<id>_results`` (EPSG:4326) to the GeoPackage ``path``."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {c: [getattr(r, c) for r in result.rows] for c in COLUMNS},
        geometry=[r.geom_lonlat for r in result.rows],
        crs="EPSG:4326",
    )
    frame.to_file(path, layer=f"vote_{result.vote.id}_results", driver="GPKG")
    return path


__all__ = [
    "COLUMNS",
    "Candidate",
    "Outcome",
    "ResultRow",
    "VoteResult",
    "allocate",
    "results",
    "to_csv",
    "to_geopackage",
]
