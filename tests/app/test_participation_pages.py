"""AppTest of the participation pages: propose (Hungarian, no account), moderate, open a vote, vote, results."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from gisplan.intake._boundaries import PlaceContext
from gisplan.participation import ProposalForm, Requester, get_vote, list_proposals, moderate_proposal, submit_proposal
from tests.app.submitworld import (
    HORNI,
    INSIDE_HORNI,
    SubmitWorld,
    app,
    button,
    drawing,
    square_feature,
    submit_world_fixture,  # noqa: F401 - the submit_world fixture
    texts,
)

PROPOSE = "gisplan.app.pages.propose_page"
PROPOSALS = "gisplan.app.pages.proposals_page"
VOTE = "gisplan.app.pages.vote_page"
RESULTS = "gisplan.app.pages.results_page"
HOSTILE = '<img src=x onerror="window.__xss=1"> [x](javascript:alert(1))'


def _propose(at: AppTest, title: str, send: str = "Javaslat beküldése", **extra: Any) -> AppTest:
    at.selectbox(key="prop_municipality").set_value(HORNI)
    at.text_input(key="prop_title").input(title)
    at.text_area(key="prop_text").input("A tornaterem teteje délre néz.")
    at.selectbox(key="prop_category").set_value("solar")
    for key, value in extra.items():
        at.text_input(key=key).input(value)
    return button(at, send).click().run()


def _accepted(world: SubmitWorld, title: str, cost: float) -> int:
    place = PlaceContext(municipalities=None, code_column="kod_obce", region_lonlat=None)
    form = ProposalForm(title=title, description="", category="saving", geometry=square_feature(*INSIDE_HORNI))
    done = submit_proposal(world.store, form, Requester(), context=place)
    moderate_proposal(world.store, world.users["admin"], done.id, "accepted", expected_version=1, estimated_cost=cost)
    return done.id


def test_a_resident_proposes_in_hungarian_and_follows_it(submit_world: SubmitWorld) -> None:
    with drawing(square_feature(*INSIDE_HORNI)):
        at = app(PROPOSE, None, lang="hu").run()
        assert not at.exception
        at = _propose(at, HOSTILE)
    assert not at.exception
    assert "Köszönjük! A(z) 1. számú javaslata moderálásra vár." in texts(at)
    link = at.code[0].value
    assert "?follow=" in link
    (proposal,) = list_proposals(submit_world.store)
    assert (proposal.state, proposal.municipality_code, proposal.language) == ("pending", HORNI, "hu")
    follow = app(PROPOSE, None, lang="hu")
    follow.query_params["follow"] = link.split("?follow=")[1]
    follow.run()
    shown = texts(follow)
    assert "Állapot: moderálásra vár" in shown
    raw = next(str(m.value) for m in follow.markdown if "img" in str(m.value))
    assert "\\<img" in raw and "\\[x\\]" in raw  # the title is shown as escaped markdown


def test_honeypot_and_missing_place_are_refused(submit_world: SubmitWorld) -> None:
    with drawing(square_feature(*INSIDE_HORNI)):
        at = _propose(
            app(PROPOSE, None, lang="en").run(),
            "Bench by the pond",
            "Send the proposal",
            prop_website="http://spam.example",
        )
    assert "The form could not be accepted. Reload the page and fill it in again." in texts(at)
    with drawing():
        at = _propose(app(PROPOSE, None, lang="en").run(), "Bench by the pond", "Send the proposal")
    assert "Draw the place on the map first." in texts(at)
    assert list_proposals(submit_world.store) == []


def test_moderate_open_vote_cast_ballots_and_see_results(submit_world: SubmitWorld) -> None:
    world = submit_world
    place = PlaceContext(municipalities=None, code_column="kod_obce", region_lonlat=None)
    form = ProposalForm(
        title="Solar school", description=HOSTILE, category="solar", geometry=square_feature(*INSIDE_HORNI)
    )
    first = submit_proposal(world.store, form, Requester(), context=place).id
    with drawing():
        at = app(PROPOSALS, world.users["animator"], lang="en").run()
        assert not at.exception
        assert "Waiting for moderation: 1" in texts(at)
        at.number_input(key=f"pp_cost_{first}").set_value(60_000.0)
        at = button(at, "Accept").click().run()
        assert "Proposal 1 accepted." in texts(at)
        second, third = _accepted(world, "Bench", 50_000), _accepted(world, "LED lamps", 45_000)
        at = app(PROPOSALS, world.users["animator"], lang="en").run()
        at.text_input(key="pp_vote_name").input("Budget 2027")
        at.number_input(key="pp_budget").set_value(100_000.0)
        assert at.multiselect[0].value == [first, second, third]  # every accepted idea, by default
        at.number_input(key="pp_n").set_value(3)
        at = button(at, "Open the vote and issue codes").click().run()
        assert not at.exception
        codes = at.code[0].value.split("\n")
    assert len(codes) == 3
    for code, picks in zip(codes, ([first], [second, third], [first]), strict=True):
        voter = app(VOTE, None, lang="en").run()
        voter.text_input(key="vote_code_1").input(code)
        for pid in picks:
            voter.checkbox(key=f"vote_pick_1_{pid}").check()
        voter.run()
        assert "Chosen:" in texts(voter)
        voter = button(voter, "Cast my ballot").click().run()
        assert "Thank you, your ballot is counted." in texts(voter)
    again = app(VOTE, None, lang="en").run()
    again.text_input(key="vote_code_1").input(codes[0])
    again.checkbox(key=f"vote_pick_1_{third}").check()
    again = button(again.run(), "Cast my ballot").click().run()
    assert "This code has been used already. Each code casts one ballot." in texts(again)
    over = app(VOTE, None, lang="en").run()
    over.checkbox(key=f"vote_pick_1_{first}").check()
    over.checkbox(key=f"vote_pick_1_{second}").check()
    over.run()
    assert "Over the budget by" in texts(over)
    assert button(over, "Cast my ballot").disabled
    assert get_vote(world.store, 1).ballots == 3
    public = app(RESULTS, None, lang="en").run()
    assert "No vote has results yet." in texts(public)  # open votes are not public
    with drawing():
        at = app(PROPOSALS, world.users["animator"], lang="en").run()
        at = button(at, "Close vote 1").click().run()
        assert "Vote 1 is closed." in texts(at)
        public = app(RESULTS, None, lang="en").run()
    assert not public.exception
    table = public.table[0].value
    assert list(table["Proposal"]) == ["Solar school", "LED lamps", "Bench"]
    assert list(table["Funded"]) == ["yes", "no", "no"]
    assert "Ballots: 3 (codes used 3 of 3)" in texts(public)


def test_planners_do_not_see_the_organiser_page(submit_world: SubmitWorld) -> None:
    from gisplan.app import shell

    assert "proposals" not in {p.url_path for p in shell.visible_pages(shell.Role.PLANNER)}
    assert {"propose", "vote", "results"} <= {p.url_path for p in shell.visible_pages(None)}
