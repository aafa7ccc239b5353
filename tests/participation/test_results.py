from __future__ import annotations

from gisplan.participation.results import Candidate, allocate


def test_rule_on_a_hand_computed_case() -> None:
    # Budget 100. Votes: A(id 1) 5 votes cost 60; B(2) 5 votes cost 50; C(3) 4 votes cost 45;
    # D(4) 2 votes cost 30; E(5) 0 votes cost 5.
    # Ranking: B (5 votes, cheaper than A), A, C, D, E.
    # B funded -> 50 left; A 60 does not fit; C 45 fits -> 5 left; D 30 does not fit;
    # E fits by cost but has no vote -> not funded.
    out = allocate(
        [Candidate(1, 60, 5), Candidate(2, 50, 5), Candidate(3, 45, 4), Candidate(4, 30, 2), Candidate(5, 5, 0)],
        100,
    )
    assert [o.proposal_id for o in out] == [2, 1, 3, 4, 5]
    assert [o.rank for o in out] == [1, 2, 3, 4, 5]
    assert [o.funded for o in out] == [True, False, True, False, False]
    assert [o.left_after for o in out] == [50, 50, 5, 5, 5]


def test_equal_votes_and_cost_rank_by_id() -> None:
    out = allocate([Candidate(9, 10, 1), Candidate(3, 10, 1)], 10)
    assert [(o.proposal_id, o.funded) for o in out] == [(3, True), (9, False)]
