"""Store basics on SQLite and PostGIS: sites, workflow, annotations, links, optimistic locking, audit."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from gisplan.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from gisplan.store import Store
from gisplan.store.models import Site
from gisplan.workflows import moderation as mod
from gisplan.workflows.submissions import submit_site, update_submission
from tests.store.helpers import World, wkt_equal


def test_site_geometry_round_trips_and_view_box_finds_it(store: Store, world: World) -> None:
    site = store.get_site("t:in")
    assert wkt_equal(site.geom, box(-770_000.0, -990_000.0, -769_900.0, -989_900.0))
    assert (site.minx, site.maxy) == (-770_000.0, -989_900.0)
    hits = {s.id for s in store.list_sites(bbox=(-770_050.0, -990_050.0, -769_950.0, -989_950.0))}
    assert hits == {"t:in"}
    assert store.list_sites(bbox=(0.0, 0.0, 10.0, 10.0)) == []
    assert {s.id for s in store.list_sites(kind="brownfield", status="new")} == {"t:in", "t:out", "t:mas"}


def test_unknown_site_is_a_not_found_error(store: Store, world: World) -> None:
    with pytest.raises(NotFoundError, match="no site 'nope:1'"):
        store.get_site("nope:1")
    with pytest.raises(NotFoundError):
        store.add_annotation(world.admin, "nope:1", "hello")


def test_workflow_runs_forward_and_records_history(store: Store, world: World) -> None:
    version = store.get_site("t:in").version
    for status in ("screening", "shortlisted", "project_in_preparation", "funded", "realised"):
        version = store.change_status(world.animator, "t:in", status, expected_version=version).version
    site = store.get_site("t:in")
    assert site.status == "realised"
    assert site.version == 6
    history = store.status_history("t:in")
    assert [(h.from_status, h.to_status) for h in history] == [
        ("new", "screening"),
        ("screening", "shortlisted"),
        ("shortlisted", "project_in_preparation"),
        ("project_in_preparation", "funded"),
        ("funded", "realised"),
    ]
    assert all(h.actor_id == world.animator for h in history)


def test_skipping_a_step_is_refused_and_audited(store: Store, world: World) -> None:
    with pytest.raises(PermissionDeniedError, match="from 'new' to 'funded'"):
        store.change_status(world.animator, "t:in", "funded", expected_version=1)
    assert store.get_site("t:in").status == "new"
    denied = store.audit_log(outcome="denied")
    assert [(d.action, d.target_id, d.actor_id) for d in denied] == [("site.status", "t:in", world.animator)]


def test_rejection_needs_a_reason_and_only_admin_reopens(store: Store, world: World) -> None:
    with pytest.raises(InputError, match="needs a reason"):
        store.change_status(world.animator, "t:in", "rejected", expected_version=1)
    site = store.change_status(world.animator, "t:in", "rejected", expected_version=1, reason="flood zone")
    assert (site.status, site.status_reason) == ("rejected", "flood zone")
    with pytest.raises(PermissionDeniedError):
        store.change_status(world.animator, "t:in", "new", expected_version=site.version)
    reopened = store.change_status(world.admin, "t:in", "new", expected_version=site.version)
    assert reopened.status == "new"
    assert [h.reason for h in store.status_history("t:in")] == ["flood zone", None]


def test_stale_save_raises_conflict_with_both_values_and_keeps_theirs(store: Store, world: World) -> None:
    first = store.update_site(world.animator, "t:in", expected_version=1, note="theirs")
    with pytest.raises(ConflictError) as caught:
        store.update_site(world.admin, "t:in", expected_version=1, note="mine")
    assert caught.value.mine == {"note": "mine", "version": 1}
    assert caught.value.theirs["note"] == "theirs"
    assert caught.value.theirs["version"] == first.version == 2
    site = store.get_site("t:in")
    assert (site.note, site.version) == ("theirs", 2)
    with pytest.raises(ConflictError):
        store.change_status(world.animator, "t:in", "screening", expected_version=1)
    assert store.get_site("t:in").status == "new"


def test_every_write_is_audited_with_before_and_after(store: Store, world: World) -> None:
    before = len(store.audit_log())
    store.update_site(world.animator, "t:in", expected_version=1, note="first look", priority="high")
    entry = store.audit_log(limit=1)[0]
    assert (entry.action, entry.target_type, entry.target_id, entry.outcome) == ("site.edit", "site", "t:in", "ok")
    assert entry.actor_id == world.animator
    assert entry.actor_name == "animator"
    assert entry.before == {"note": None, "priority": None, "version": 1}
    assert entry.after == {"note": "first look", "priority": "high", "version": 2}
    assert len(store.audit_log()) == before + 1


def test_annotations_keep_author_and_time_and_only_author_edits(store: Store, world: World) -> None:
    note = store.add_annotation(world.animator, "t:in", "Owner agrees to lease the roof.")
    assert note.author_id == world.animator
    assert note.created_at.tzinfo is not None
    with pytest.raises(InputError):
        store.add_annotation(world.animator, "t:in", "   ")
    # Another user in the same scope cannot rewrite somebody else's note.
    other = store.add_user(world.admin, "animator2", "animator", scope=store.users()[1][1]).id
    with pytest.raises(PermissionDeniedError, match="only the author"):
        store.edit_annotation(other, note.id, "changed", expected_version=1)
    edited = store.edit_annotation(world.animator, note.id, "Owner agrees (signed).", expected_version=1)
    assert edited.version == 2
    with pytest.raises(ConflictError):
        store.edit_annotation(world.animator, note.id, "stale", expected_version=1)
    assert [a.text for a in store.annotations("t:in")] == ["Owner agrees (signed)."]


def test_links_to_communities_and_funding_calls(store: Store, world: World) -> None:
    link = store.link_community(world.animator, "t:in", world.municipality_111, role="owner", note="municipal land")
    assert (link.site_id, link.community_id, link.role) == ("t:in", world.municipality_111, "owner")
    with pytest.raises(ConflictError, match="already linked"):
        store.link_community(world.animator, "t:in", world.municipality_111)
    funding = store.link_funding_call(
        world.animator, "t:in", world.call, verdict="eligible", reasons=["region CZ042 is eligible"], note="ask MAS"
    )
    assert (funding.verdict, funding.reasons, funding.note) == ("eligible", ["region CZ042 is eligible"], "ask MAS")
    with pytest.raises(InputError, match="verdict"):
        store.link_funding_call(world.animator, "t:out", world.call, verdict="maybe")
    changed = store.update_funding_link(world.animator, funding.id, expected_version=1, verdict="unknown")
    assert (changed.verdict, changed.note, changed.version) == ("unknown", "ask MAS", 2)
    with pytest.raises(ConflictError):
        store.update_funding_link(world.animator, funding.id, expected_version=1, note="stale")
    assert [link.id for link in store.community_links("t:in")] == [link.id]
    assert [f.verdict for f in store.funding_links("t:in")] == ["unknown"]


def test_mas_territory_comes_from_the_mas_members(store: Store, world: World) -> None:
    store.add_annotation(world.animator_mas, "t:mas", "inside the MAS")
    with pytest.raises(PermissionDeniedError, match="outside the scope"):
        store.add_annotation(world.animator_mas, "t:in", "not my MAS")
    # Taking the municipality out of the MAS takes it out of the animator's reach at once.
    mas = store.communities(kind="mas")[0]
    store.update_community(world.admin, mas.id, expected_version=mas.version, members=[])
    with pytest.raises(PermissionDeniedError):
        store.add_annotation(world.animator_mas, "t:mas", "no longer mine")


def test_role_is_reread_on_every_write(store: Store, world: World) -> None:
    store.add_annotation(world.animator, "t:in", "before demotion")
    store.set_role(world.admin, "animator", "planner")
    with pytest.raises(PermissionDeniedError, match="role 'planner'"):
        store.add_annotation(world.animator, "t:in", "after demotion")
    store.set_disabled(world.admin, "planner")
    with pytest.raises(PermissionDeniedError, match="disabled"):
        store.authorize_export(world.planner, "shortlist.gpkg")


def test_unknown_actor_is_refused_and_audited(store: Store, world: World) -> None:
    with pytest.raises(PermissionDeniedError, match="no user with id 9999"):
        store.add_annotation(9999, "t:in", "who am I")
    entry = store.audit_log(outcome="denied")[0]
    assert (entry.actor_id, entry.action, entry.target_id) == (9999, "site.annotate", "t:in")


def test_batch_transaction_is_all_or_nothing(store: Store, world: World) -> None:
    def work(tx):  # type: ignore[no-untyped-def]
        tx.add_annotation("t:in", "one")
        tx.add_annotation("t:in", "two")
        tx.add_annotation("t:out", "out of scope: the whole batch rolls back")

    with pytest.raises(PermissionDeniedError):
        store.transaction(world.animator, work)
    assert store.annotations("t:in") == []
    assert [e.outcome for e in store.audit_log(target_type="site")] == ["denied"]


def test_passwords_are_hashed_and_checked(store: Store, world: World) -> None:
    store.add_user(world.admin, "eva", "planner", password="a long secret phrase")
    user = store.user("eva")
    assert user.password_hash is not None
    assert "a long secret phrase" not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    assert store.authenticate("eva", "a long secret phrase") is not None
    assert store.authenticate("eva", "wrong password!") is None
    assert all("a long secret phrase" not in str(e.after) for e in store.audit_log())
    with pytest.raises(InputError, match="too short"):
        store.add_user(world.admin, "short", "planner", password="abc")


def test_ended_sites_are_hidden_from_views_but_kept(store: Store, world: World) -> None:
    def end(tx):  # type: ignore[no-untyped-def]
        site = tx.session.get(Site, "t:out")
        import datetime as dt

        site.end_date = dt.date(2026, 1, 1)

    store.transaction(world.admin, end)
    assert "t:out" not in {s.id for s in store.list_sites()}
    assert "t:out" in {s.id for s in store.list_sites(include_ended=True)}


def test_a_stale_status_change_is_a_conflict_not_a_denial(store: Store, world: World) -> None:
    seen = store.get_site("t:in").version  # the animator reads the site at 'new'
    version = store.change_status(world.admin, "t:in", "screening", expected_version=seen).version
    store.change_status(world.admin, "t:in", "shortlisted", expected_version=version)
    # from 'shortlisted' only an admin may step back to 'screening'; but the move was decided on 'new'
    with pytest.raises(ConflictError) as caught:
        store.change_status(world.animator, "t:in", "screening", expected_version=seen)
    assert caught.value.theirs["status"] == "shortlisted"
    assert caught.value.mine == {"status": "screening", "status_reason": None, "version": seen}
    # and a move somebody else already made is a conflict too, not "already screening"
    with pytest.raises(ConflictError):
        store.change_status(world.admin, "t:in", "shortlisted", expected_version=seen)
    assert store.audit_log(outcome="denied") == []
    assert store.get_site("t:in").status == "shortlisted"
    # out of scope is still a permission denial, whatever the version
    with pytest.raises(PermissionDeniedError):
        store.change_status(world.animator, "t:out", "screening", expected_version=99)


def test_a_stale_moderation_or_edit_of_a_submission_is_a_conflict(store: Store, world: World) -> None:
    sub = submit_site(
        store, world.municipality, "111", "brownfield", "Old farm", box(-770_000, -990_000, -769_900, -989_900)
    )
    mod.reject(store, world.animator, sub.id, expected_version=sub.version, reason="no")
    with pytest.raises(ConflictError):
        mod.accept(store, world.admin, sub.id, expected_version=sub.version, profiles=[])
    with pytest.raises(ConflictError):
        update_submission(store, world.municipality, sub.id, expected_version=sub.version, name="Renamed")
    assert store.submissions()[0].state == "rejected"
