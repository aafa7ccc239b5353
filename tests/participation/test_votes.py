from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, inspect, select

from gisplan.errors import InputError, PermissionDeniedError, RefusedError
from gisplan.intake._boundaries import PlaceContext
from gisplan.participation import (
    ProposalForm,
    Requester,
    cast_ballot,
    close_vote,
    get_vote,
    issue_codes,
    moderate_proposal,
    open_vote,
    results,
    submit_proposal,
    to_csv,
    to_geopackage,
)
from gisplan.store import Store
from gisplan.store.models import AuditEntry, Ballot, VoteCode
from tests.participation.conftest import point
from tests.store.helpers import World


def accepted(store: Store, world: World, place: PlaceContext, title: str, cost: float | None) -> int:
    done = submit_proposal(
        store,
        ProposalForm(title=title, description="", category="saving", geometry=point(), municipality_code="111"),
        Requester(),
        context=place,
    )
    moderate_proposal(store, world.animator, done.id, "accepted", expected_version=1, estimated_cost=cost)
    return done.id


@pytest.fixture
def three(store: Store, world: World, no_place: PlaceContext) -> list[int]:
    return [accepted(store, world, no_place, t, c) for t, c in (("=HYPERLINK()", 60.0), ("Bench", 50.0), ("LED", 45.0))]


def test_vote_with_three_voters_follows_the_rule(store: Store, world: World, three: list[int], tmp_path) -> None:
    a, b, c = three
    vote = open_vote(
        store, world.animator, title="Budget 2027", budget=100, proposal_ids=three, municipality_code="111"
    )
    codes = issue_codes(store, world.animator, vote.id, 3)
    assert len(set(codes)) == 3
    hashes = store.read(lambda s: list(s.scalars(select(VoteCode.code_hash)).all()))
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    cast_ballot(store, vote.id, codes[0], [a])
    cast_ballot(store, vote.id, codes[1].lower().replace("-", " "), [b, c])  # typed loosely
    cast_ballot(store, vote.id, codes[2], [a])
    result = results(store, vote.id)
    # a: 2 votes (60), b: 1 (50), c: 1 (45). a funded -> 40 left; c (cheaper than b) 45 no; b 50 no.
    assert [(r.proposal_id, r.votes, r.funded) for r in result.rows] == [(a, 2, True), (c, 1, False), (b, 1, False)]
    assert result.spent == 60
    info = get_vote(store, vote.id)
    assert (info.codes_issued, info.codes_used, info.ballots) == (3, 3, 3)
    audited = store.read(
        lambda s: s.scalar(select(func.count()).where(AuditEntry.action == "vote.ballot", AuditEntry.outcome == "ok"))
    )
    assert audited == 3
    csv_text = to_csv(result).decode("utf-8-sig")
    assert "'=HYPERLINK()" in csv_text
    path = to_geopackage(result, tmp_path / "r.gpkg")
    import geopandas as gpd

    back = gpd.read_file(path)
    assert list(back["funded"]) == [True, False, False]
    assert back.crs.to_epsg() == 4326


def test_used_code_is_refused_and_nothing_is_stored(store: Store, world: World, three: list[int]) -> None:
    vote = open_vote(store, world.animator, title="Budget 2027", budget=100, proposal_ids=three)
    (code,) = issue_codes(store, world.animator, vote.id, 1)
    cast_ballot(store, vote.id, code, [three[0]])
    with pytest.raises(RefusedError) as info:
        cast_ballot(store, vote.id, code, [three[1]])
    assert info.value.reason == "code_used"
    with pytest.raises(RefusedError) as info:
        cast_ballot(store, vote.id, "AAAA-BBBB-CCCC", [three[1]])
    assert info.value.reason == "code_unknown"
    assert get_vote(store, vote.id).ballots == 1
    assert [r.votes for r in results(store, vote.id).rows if r.votes] == [1]


def test_ballot_over_budget_or_off_the_ballot_is_refused_and_code_kept(
    store: Store, world: World, three: list[int]
) -> None:
    vote = open_vote(store, world.animator, title="Budget 2027", budget=100, proposal_ids=three)
    (code,) = issue_codes(store, world.animator, vote.id, 1)
    for choice, reason in (([three[0], three[1]], "over_budget"), ([], "empty_ballot"), ([999], "not_on_ballot")):
        with pytest.raises(RefusedError) as info:
            cast_ballot(store, vote.id, code, choice)
        assert info.value.reason == reason
    cast_ballot(store, vote.id, code, [three[1], three[2]])  # 95 fits, and the code was not spent by the refusals
    close_vote(store, world.animator, vote.id)
    with pytest.raises(InputError):
        issue_codes(store, world.animator, vote.id, 1)
    with pytest.raises(RefusedError) as info:
        cast_ballot(store, vote.id, code, [three[2]])
    assert info.value.reason == "vote_closed"


def test_two_ballots_with_one_code_at_once_make_one(store: Store, world: World, three: list[int]) -> None:
    vote = open_vote(store, world.animator, title="Budget 2027", budget=100, proposal_ids=three)
    (code,) = issue_codes(store, world.animator, vote.id, 1)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def voter() -> None:
        barrier.wait()
        try:
            cast_ballot(store, vote.id, code, [three[2]])
            outcomes.append("ok")
        except RefusedError as exc:
            outcomes.append(exc.reason)

    threads = [threading.Thread(target=voter) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["code_used", "code_used", "code_used", "ok"]
    assert store.read(lambda s: s.scalar(select(func.count()).select_from(Ballot))) == 1


def test_ballots_keep_no_link_to_codes_or_time(store: Store) -> None:
    columns = {c["name"] for c in inspect(store.engine).get_columns("ballots")}
    assert columns == {"id", "vote_id"}
    code_columns = {c["name"] for c in inspect(store.engine).get_columns("vote_codes")}
    assert code_columns == {"id", "vote_id", "code_hash", "used"}


def test_open_vote_checks_proposals_and_organiser(
    store: Store, world: World, no_place: PlaceContext, three: list[int]
) -> None:
    pending = submit_proposal(
        store,
        ProposalForm(title="Wait", description="", category="solar", geometry=point(), municipality_code="111"),
        Requester(),
        context=no_place,
    ).id
    no_cost = accepted(store, world, no_place, "No cost", None)
    with pytest.raises(InputError) as info:
        open_vote(store, world.animator, title="Budget", budget=55, proposal_ids=[*three, pending, no_cost, 12345])
    text = str(info.value)
    for needle in ("more than the whole budget", "not accepted", "no estimated cost", "does not exist"):
        assert needle in text
    with pytest.raises(PermissionDeniedError):
        open_vote(store, world.planner, title="Budget", budget=100, proposal_ids=three)
    vote = open_vote(
        store,
        world.municipality,
        title="Obec",
        budget=100,
        proposal_ids=[no_cost],
        costs={no_cost: 10},
        municipality_code="111",
    )
    assert [i.cost for i in vote.items] == [10]
