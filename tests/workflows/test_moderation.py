"""The moderation loop: accept (site + scores), reject, return and resubmit, withdraw; notices; permissions."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from gisplan.errors import ConflictError, InputError, PermissionDeniedError
from gisplan.profiles import Profile
from gisplan.store import Store, Tx
from gisplan.store.models import Submission
from gisplan.workflows import moderation as mod
from gisplan.workflows.submissions import INTAKE_CHECKS, update_submission
from tests.store.helpers import REGION_IN, World

X0, Y0 = -770_000.0, -990_000.0
CRS = "EPSG:5514"


def tiny_profile(name: str = "tiny", *, layer: str = "substations") -> Profile:
    """A profile scoring brownfields by distance to a substation and size."""
    return Profile.model_validate(
        {
            "name": name,
            "version": "3",
            "title": {"cs": "Malý", "en": "Tiny"},
            "site_kinds": ["brownfield", "municipal_land"],
            "measures": [{"type": "proximity", "layer": layer, "name": "substation", "radius_m": 5000}],
            "exclusions": [],
            "handicaps": [],
            "criteria": [
                {"column": "area_m2", "weight": 1, "ramp": {"bad": 0, "good": 40_000}},
                {"column": "dist_substation_m", "weight": 1, "ramp": {"bad": 2000, "good": 0}},
            ],
        }
    )


def substations() -> dict[str, gpd.GeoDataFrame]:
    """One substation 500 m east of the test sites."""
    return {"substations": gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 700, Y0 + 100)], crs=CRS)}


def submit(store: Store, user: int, code: str = "111", *, name: str = "Old farm", point: bool = False) -> Submission:
    """Submit one site as ``user`` for municipality ``code``, with the notices intake leaves."""
    geom = shapely.Point(X0 + 50, Y0 + 50) if point else box(X0, Y0, X0 + 200, Y0 + 100)
    attributes: dict[str, Any] = {"form": {"name": name, "area_ha": 1.5}}

    def work(tx: Tx) -> Submission:
        sub = tx.submit_site(code, "brownfield", name, geom, attributes=attributes, checks=INTAKE_CHECKS)
        mod.notify_submitted(tx, [sub])
        return sub

    return store.transaction(user, work)


def kinds(store: Store, user: int) -> list[str]:
    """Kinds of the user's notices, oldest first."""
    return [n.kind for n in reversed(mod.notices(store, user))]


def test_accept_creates_a_linked_scored_site_and_tells_the_municipality(store: Store, world: World) -> None:
    sub = submit(store, world.municipality)
    assert kinds(store, world.animator) == ["submission.submitted"]
    assert kinds(store, world.animator_mas) == []  # 111 is not in MAS1
    assert kinds(store, world.admin) == []  # an animator covers it

    done = mod.accept(
        store,
        world.animator,
        sub.id,
        expected_version=sub.version,
        feedback="Thanks",
        profiles=[tiny_profile()],
        layers=substations(),
    )

    site = store.get_site(f"submission:{sub.id}")
    assert done.site.id == site.id
    assert (site.source, site.source_id, site.kind, site.name) == ("submission", str(sub.id), "brownfield", "Old farm")
    assert site.region_code == REGION_IN
    assert site.municipality_code == "111"
    assert site.area_m2 == pytest.approx(20_000.0)
    assert site.area_source == "geometry"
    assert site.geom is not None
    assert site.geom.equals_exact(box(X0, Y0, X0 + 200, Y0 + 100), 0.01)
    assert site.attributes["submission_id"] == sub.id
    scores = store.site_scores(site.id)
    assert [s.profile for s in scores] == ["tiny"]
    score = scores[0]
    assert score.profile_version == "3"
    assert score.score is not None
    assert 0 < score.score < 100
    assert {item["criterion"] for item in score.breakdown} == {"area_m2", "dist_substation_m"}
    assert score.criteria["dist_substation_m"] == pytest.approx(500.0, abs=1.0)
    assert score.capacity_kwp is not None
    assert score.capacity_kwp > 0
    stored = store.submissions()[0]
    assert (stored.state, stored.site_id, stored.feedback, stored.moderated_by) == (
        "accepted",
        site.id,
        "Thanks",
        world.animator,
    )
    assert kinds(store, world.municipality) == ["submission.accepted"]
    notice = mod.notices(store, world.municipality)[0]
    assert notice.params["site_id"] == site.id
    assert notice.params["by"] == "animator"
    actions = {e.action for e in store.audit_log(outcome="ok")}
    assert {"submission.accepted", "site.add", "site.score"} <= actions
    # a second decision on the same submission is refused
    with pytest.raises(InputError, match="accepted"):
        mod.reject(store, world.animator, sub.id, expected_version=stored.version, reason="no")


def test_accept_lists_profiles_that_could_not_be_scored(store: Store, world: World) -> None:
    sub = submit(store, world.municipality, point=True)
    done = mod.accept(
        store,
        world.admin,
        sub.id,
        expected_version=sub.version,
        profiles=[tiny_profile(), tiny_profile("needs_lines", layer="power_lines")],
        layers=substations(),
        catalogue=None,
    )
    assert [s.profile for s in done.scores] == ["tiny"]
    assert [name for name, _ in done.unscored] == ["needs_lines"]
    assert "power_lines" in done.unscored[0][1]
    # a point site is scored with the area the form gave
    assert done.site.area_m2 == pytest.approx(15_000.0)
    assert done.site.area_source == "declared:area_ha[ha]"
    area_line = next(i for i in done.scores[0].breakdown if i["criterion"] == "area_m2")
    assert area_line["provenance"] == "measured"


def test_reject_needs_a_reason_and_tells_the_municipality(store: Store, world: World) -> None:
    sub = submit(store, world.municipality)
    with pytest.raises(InputError, match="needs a text"):
        mod.reject(store, world.animator, sub.id, expected_version=sub.version, reason="  ")
    done = mod.reject(store, world.animator, sub.id, expected_version=sub.version, reason="In a flood zone")
    assert (done.state, done.feedback) == ("rejected", "In a flood zone")
    assert store.counts()["sites"] == 3  # the world's three; nothing new
    notice = mod.notices(store, world.municipality)[0]
    assert (notice.kind, notice.params["feedback"]) == ("submission.rejected", "In a flood zone")


def test_return_for_changes_then_resubmit(store: Store, world: World) -> None:
    sub = submit(store, world.municipality)
    with pytest.raises(InputError, match="resubmitted"):
        mod.resubmit(store, world.municipality, sub.id, expected_version=sub.version, name="x")
    returned = mod.return_for_changes(
        store, world.animator, sub.id, expected_version=sub.version, comment="Add the parcel numbers"
    )
    assert (returned.state, returned.feedback) == ("returned", "Add the parcel numbers")
    assert mod.queue(store, world.animator) == []
    assert kinds(store, world.municipality) == ["submission.returned"]

    again = mod.resubmit(
        store,
        world.municipality,
        sub.id,
        expected_version=returned.version,
        name="Old farm (parcels 12/1)",
        attributes={"form": {"parcel_numbers": ["12/1"]}},
    )
    assert (again.state, again.name) == ("submitted", "Old farm (parcels 12/1)")
    assert [s.id for s in mod.queue(store, world.animator)] == [sub.id]
    assert kinds(store, world.animator) == ["submission.submitted", "submission.resubmitted"]
    assert store.submissions()[0].attributes == {"form": {"parcel_numbers": ["12/1"]}}


def test_withdraw_only_while_open(store: Store, world: World) -> None:
    sub = submit(store, world.municipality)
    gone = mod.withdraw(store, world.municipality, sub.id, expected_version=sub.version)
    assert gone.state == "withdrawn"
    assert kinds(store, world.animator) == ["submission.submitted", "submission.withdrawn"]
    with pytest.raises(InputError, match="withdrawn"):
        mod.withdraw(store, world.municipality, sub.id, expected_version=gone.version)


def test_stale_version_is_a_conflict_and_creates_nothing(store: Store, world: World) -> None:
    sub = submit(store, world.municipality)
    update_submission(store, world.municipality, sub.id, expected_version=sub.version, name="Renamed")
    with pytest.raises(ConflictError) as caught:
        mod.accept(store, world.animator, sub.id, expected_version=sub.version, profiles=[], layers={})
    assert caught.value.theirs is not None
    assert caught.value.theirs["name"] == "Renamed"
    with pytest.raises(ConflictError):
        mod.return_for_changes(store, world.animator, sub.id, expected_version=sub.version, comment="x")
    assert store.counts()["sites"] == 3
    assert store.submissions()[0].state == "submitted"


def test_a_move_decided_on_a_stale_state_is_a_conflict_not_a_state_error(store: Store, world: World) -> None:
    sub = submit(store, world.municipality)
    returned = mod.return_for_changes(store, world.animator, sub.id, expected_version=sub.version, comment="Parcels?")
    # another moderator still sees the submission as submitted: every decision is a conflict
    for name, decide in MODERATE.items():
        with pytest.raises(ConflictError):
            decide(store, world.admin, sub)
        assert store.submissions()[0].state == "returned", name
    # the municipality withdraws in one tab, then resubmits or withdraws again in another
    mod.withdraw(store, world.municipality, sub.id, expected_version=returned.version)
    with pytest.raises(ConflictError):
        mod.resubmit(store, world.municipality, sub.id, expected_version=returned.version, name="x")
    with pytest.raises(ConflictError):
        mod.withdraw(store, world.municipality, sub.id, expected_version=returned.version)
    assert store.submissions()[0].state == "withdrawn"
    assert store.counts()["sites"] == 3


MODERATE = {
    "accept": lambda s, a, sub: mod.accept(s, a, sub.id, expected_version=sub.version, profiles=[], layers={}),
    "reject": lambda s, a, sub: mod.reject(s, a, sub.id, expected_version=sub.version, reason="no"),
    "return": lambda s, a, sub: mod.return_for_changes(s, a, sub.id, expected_version=sub.version, comment="x"),
}


@pytest.mark.parametrize("action", sorted(MODERATE))
@pytest.mark.parametrize("who", ["animator_mas", "planner", "municipality", "disabled"])
def test_moderation_outside_scope_or_role_is_refused_and_audited(
    store: Store, world: World, action: str, who: str
) -> None:
    sub = submit(store, world.municipality)
    with pytest.raises(PermissionDeniedError):
        MODERATE[action](store, getattr(world, who), sub)
    denied = store.audit_log(outcome="denied", target_type="submission", target_id=str(sub.id))
    assert len(denied) == 1
    assert denied[0].actor_id == getattr(world, who)
    assert denied[0].action == "submission.moderate"
    assert store.submissions()[0].state == "submitted"
    assert store.counts()["sites"] == 3


def test_mas_animator_moderates_inside_the_mas_territory(store: Store, world: World) -> None:
    other = store.add_user(world.admin, "obec112", "municipality", scope=_scope("municipality:112"))
    sub = submit(store, other.id, "112")
    assert [s.id for s in mod.queue(store, world.animator_mas)] == [sub.id]
    assert mod.queue(store, world.animator) == []  # 112 lies outside CZ042
    assert kinds(store, world.animator_mas) == ["submission.submitted"]
    done = mod.return_for_changes(store, world.animator_mas, sub.id, expected_version=sub.version, comment="map?")
    assert done.state == "returned"


@pytest.mark.parametrize("action", ["resubmit", "withdraw"])
def test_another_municipality_cannot_touch_the_submission(store: Store, world: World, action: str) -> None:
    sub = submit(store, world.municipality)
    returned = mod.return_for_changes(store, world.animator, sub.id, expected_version=sub.version, comment="x")
    with pytest.raises(PermissionDeniedError, match="222"):
        if action == "resubmit":
            mod.resubmit(store, world.other_municipality, sub.id, expected_version=returned.version, name="mine")
        else:
            mod.withdraw(store, world.other_municipality, sub.id, expected_version=returned.version)
    denied = store.audit_log(outcome="denied", target_id=str(sub.id))
    assert [(d.actor_id, d.action) for d in denied] == [(world.other_municipality, "submission.edit")]
    assert store.submissions()[0].state == "returned"


def test_when_no_animator_covers_a_municipality_the_admins_hear_of_it(store: Store, world: World) -> None:
    sub = submit(store, world.other_municipality, "222")
    assert kinds(store, world.admin) == ["submission.submitted"]
    assert kinds(store, world.animator) == []
    assert mod.queue(store, world.animator) == []
    assert [s.id for s in mod.queue(store, world.admin)] == [sub.id]


def test_notices_are_marked_read_by_their_owner_only(store: Store, world: World) -> None:
    submit(store, world.municipality)
    submit(store, world.municipality, name="Second")
    mine = mod.notices(store, world.animator, unread_only=True)
    assert len(mine) == 2
    with pytest.raises(PermissionDeniedError):
        mod.mark_read(store, world.municipality, [mine[0].id])
    assert store.audit_log(outcome="denied", target_type="notice")[0].actor_id == world.municipality
    assert mod.mark_read(store, world.animator, [mine[0].id]) == 1
    assert mod.mark_read(store, world.animator, [mine[0].id]) == 0  # already read
    assert [n.id for n in mod.notices(store, world.animator, unread_only=True)] == [mine[1].id]
    assert len(mod.notices(store, world.animator)) == 2


def _scope(*items: str) -> Any:
    from gisplan.store import Scope

    return Scope.parse(list(items))
