"""The Moderation and My submissions pages in AppTest: the loop from both sides, notices and permissions."""

from __future__ import annotations

from typing import Any

import pytest
import shapely

from gisplan.app.pages.moderation_page import form_rows
from gisplan.store import Tx
from gisplan.store.models import Submission
from gisplan.workflows import moderation as mod
from gisplan.workflows.submissions import INTAKE_CHECKS
from tests.app.submitworld import (
    HORNI,
    INSIDE_HORNI,
    SubmitWorld,
    app,
    button,
    errors,
    submit_world_fixture,  # noqa: F401 - the submit_world fixture
    texts,
)

MODERATION = "gisplan.app.pages.moderation_page"
MINE = "gisplan.app.pages.my_submissions_page"
FORM: dict[str, Any] = {
    "name": "Bývalá pila",
    "location": "Za nádražím",
    "kind": "brownfield",
    "parcel_numbers": ["123/4"],
    "previous_use": "industrial",
    "current_state": "derelict",
    "ownership": "municipal",
    "contamination": "suspected",
    "utilities": {"electricity": "yes", "water": "no", "sewer": "unknown", "gas": "unknown", "road_access": "yes"},
    "planning_status": "unknown",
    "intended_use": ["pv"],
    "consent_to_publish": True,
    "contact": {"name": "Jana Nováková", "email": "jana@hornives.cz"},
}


def submit(world: SubmitWorld, *, name: str = "Bývalá pila", crosses_border: bool = False) -> Submission:
    """A submission of ``obec`` in Horní Ves, as the intake stores it (with its notice)."""
    x, y = INSIDE_HORNI
    attributes = {
        "form": FORM | {"name": name},
        "intake": {"crosses_border": crosses_border, "inside_share": 0.75 if crosses_border else 1.0},
    }

    def work(tx: Tx) -> Submission:
        sub = tx.submit_site(
            HORNI, "brownfield", name, shapely.box(x, y, x + 200, y + 200), attributes=attributes, checks=INTAKE_CHECKS
        )
        mod.notify_submitted(tx, [sub])
        return sub

    return world.store.transaction(world.users["obec"], work)


def test_form_rows_are_labelled_and_plain_text() -> None:
    rows = form_rows(FORM | {"note": "<b>pozor</b>"}, "en")
    table = dict(zip(rows["Field"], rows["Value"], strict=True))
    assert table["Previous use"] == "industrial"
    assert table["Utilities"].startswith("Electricity: yes, Water: no")
    assert table["Consent to publish"] == "Yes, the site may be published"
    assert table["Contact person"] == "Jana Nováková, jana@hornives.cz"
    assert table["Note"] == "<b>pozor</b>"  # a dataframe shows text, never HTML


def test_the_animator_accepts_and_the_site_is_scored(submit_world: SubmitWorld) -> None:
    world = submit_world
    sub = submit(world, crosses_border=True)
    at = app(MODERATION, world.users["animator"]).run()
    assert not at.exception
    shown = texts(at)
    assert "Čeká na posouzení: 1" in shown
    assert "Obec 567001 podala lokalitu č. 1 „Bývalá pila“." in shown  # the notice
    assert "Lokalita přesahuje hranici obce (25 % leží mimo ni)." in shown
    assert "Podal(a) obec" in shown
    button(at, "Přijmout").click().run()
    assert not at.exception
    shown = texts(at)
    assert f"Přijato: lokalita submission:{sub.id} je v databázi a na mapě." in shown
    scores = at.dataframe[0].value.set_index("Profil")
    assert scores.loc["Blízko vedení", "Skóre"] > 50
    assert "Profil ground_pv nešlo spočítat" in shown
    assert "Žádné podání nečeká na posouzení." in shown
    site = world.store.get_site(f"submission:{sub.id}")
    assert (site.source, site.municipality_code, site.region_code) == ("submission", HORNI, "CZ042")
    assert [s.profile for s in world.store.site_scores(site.id)] == ["tiny_lines"]
    # the municipality sees the state, the site and its score, and a notice
    mine = app(MINE, world.users["obec"]).run()
    assert not mine.exception
    shown = texts(mine)
    assert "Stav: přijato" in shown
    assert f"Lokalita v databázi: submission:{sub.id}" in shown
    assert f"Podání č. {sub.id} „Bývalá pila“ bylo přijato (animator)." in shown
    assert mine.dataframe[1].value["Skóre"].iloc[0] > 50


def test_reject_and_return_need_a_comment_which_the_municipality_reads(submit_world: SubmitWorld) -> None:
    world = submit_world
    first = submit(world)
    submit(world, name="Louka u hřiště")
    at = app(MODERATION, world.users["animator"], lang="en").run()
    at.selectbox(key="mod_pick").set_value(first.id).run()
    button(at, "Reject").click().run()
    assert "Write a reason or comment for the municipality." in errors(at)
    assert world.store.submissions()[0].state == "submitted"
    at.text_area(key="mod_comment").input("Please add the parcel numbers of the yard").run()
    button(at, "Return for changes").click().run()
    assert not at.exception
    assert f"Submission {first.id} was returned to the municipality." in texts(at)
    assert "Waiting for review: 1" in texts(at)
    assert at.text_area(key="mod_comment").value == ""
    stored = {s.id: s for s in world.store.submissions()}
    assert (stored[first.id].state, stored[first.id].feedback) == (
        "returned",
        "Please add the parcel numbers of the yard",
    )

    # the municipality changes the form and sends it again
    mine = app(MINE, world.users["obec"], lang="en").run()
    mine.selectbox(key="mysub_pick").set_value(first.id).run()
    shown = texts(mine)
    assert "State: returned for changes" in shown
    assert "The animator's feedback: Please add the parcel numbers of the yard" in shown
    prefix = f"mysubf{first.id}"
    assert mine.text_input(key=f"{prefix}_name").value == "Bývalá pila"
    mine.text_input(key=f"{prefix}_parcel_numbers").input("123/4, 123/5")
    button(mine, "Submit again").click().run()
    assert not mine.exception
    assert "The submission was sent for review again." in texts(mine)
    again = world.store.submissions()[0]
    assert again.state == "submitted"
    assert again.attributes["form"]["parcel_numbers"] == ["123/4", "123/5"]
    assert mod.notices(world.store, world.users["animator"])[0].kind == "submission.resubmitted"


def test_the_municipality_withdraws_a_waiting_submission(submit_world: SubmitWorld) -> None:
    world = submit_world
    sub = submit(world)
    mine = app(MINE, world.users["obec"]).run()
    button(mine, "Stáhnout podání").click().run()
    assert not mine.exception
    assert "Podání bylo staženo." in texts(mine)
    assert world.store.submissions()[0].state == "withdrawn"
    assert mod.queue(world.store, world.users["animator"]) == []
    assert sub.id in [n.submission_id for n in mod.notices(world.store, world.users["animator"])]


def test_an_animator_outside_the_territory_sees_an_empty_queue(submit_world: SubmitWorld) -> None:
    world = submit_world
    submit(world)
    at = app(MODERATION, world.users["animator_far"]).run()
    assert not at.exception
    assert "Žádné podání nečeká na posouzení." in texts(at)
    assert not [b for b in at.button if b.label == "Přijmout"]


def test_a_forced_decision_outside_the_territory_is_refused_and_audited(submit_world: SubmitWorld) -> None:
    from gisplan.app.pages.moderation_page import decide
    from gisplan.errors import PermissionDeniedError

    world = submit_world
    sub = submit(world)
    with pytest.raises(PermissionDeniedError):
        decide(world.store, world.users["animator_far"], sub, "accept", "")
    denied = world.store.audit_log(outcome="denied", target_type="submission")
    assert [(d.actor_id, d.action) for d in denied] == [(world.users["animator_far"], "submission.moderate")]
    assert world.store.counts()["sites"] == 0


def test_other_municipalities_see_nothing_and_roles_are_checked(submit_world: SubmitWorld) -> None:
    world = submit_world
    submit(world)
    other = app(MINE, world.users["obec2"]).run()
    assert not other.exception
    assert "Zatím nemáte žádné podání." in texts(other)
    municipality = app(MODERATION, world.users["obec"]).run()
    assert municipality.error  # the role check stops the page
    assert not [b for b in municipality.button if b.label == "Přijmout"]
    animator = app(MINE, world.users["animator"]).run()
    assert animator.error
