"""Permission matrix: every role × every write action, in and out of scope, on SQLite and PostGIS.

The expected outcomes below are written out by hand from the issue, not derived
from :mod:`gisplan.store.permissions`, so a change to the rules there shows up here.
Every refused attempt must raise PermissionDeniedError, change nothing, and leave
one ``denied`` audit row; every allowed one leaves one ``ok`` row.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from shapely.geometry import box

from gisplan.errors import PermissionDeniedError
from gisplan.store import SYSTEM, TRANSITIONS, Role, Scope, Status, Store
from gisplan.store.permissions import Action, Actor, check
from gisplan.workflows import moderation as mod
from gisplan.workflows.ingest import ingest
from gisplan.workflows.submissions import submit_site, update_submission
from tests.store.helpers import World, write_scored

ROLES = ("admin", "animator", "municipality", "planner", "disabled")
#: A 10 m roof in Ústecký kraj (EPSG:5514); the store refuses shapes outside the CRS's area.
ROOF = box(-770_000.0, -990_000.0, -769_990.0, -989_990.0)
Op = Callable[[Store, World, int, Path], object]


def _v(store: Store, site_id: str) -> int:
    return store.get_site(site_id).version


def _step(store: Store, actor: int, site_id: str) -> object:
    """Move a site one step forward from wherever it is."""
    site = store.get_site(site_id)
    forward = ["new", "screening", "shortlisted", "project_in_preparation", "funded", "realised"]
    nxt = forward[forward.index(site.status) + 1]
    return store.change_status(actor, site_id, nxt, expected_version=site.version)


def _own_submission(store: Store, world: World) -> int:
    return submit_site(store, world.municipality, "111", "rooftop", "School roof", ROOF).id


def _other_submission(store: Store, world: World) -> int:
    return submit_site(store, world.other_municipality, "222", "rooftop", "Other roof", ROOF).id


def _far_submission(store: Store) -> int:
    store.add_user(SYSTEM, "obec999", "municipality", scope=Scope.parse(["municipality:999"]))
    return submit_site(store, store.user("obec999").id, "999", "brownfield", "Far away", ROOF).id


OPS: dict[str, Op] = {
    "site_edit_in_scope": lambda s, w, a, p: s.update_site(a, "t:in", expected_version=_v(s, "t:in"), note="x"),
    "site_edit_outside_region": lambda s, w, a, p: s.update_site(a, "t:out", expected_version=_v(s, "t:out"), note="x"),
    "status_in_scope": lambda s, w, a, p: _step(s, a, "t:in"),
    "status_outside_region": lambda s, w, a, p: _step(s, a, "t:out"),
    "annotate_in_scope": lambda s, w, a, p: s.add_annotation(a, "t:in", "note"),
    "annotate_outside_region": lambda s, w, a, p: s.add_annotation(a, "t:out", "note"),
    "link_community_in_scope": lambda s, w, a, p: s.link_community(a, "t:in", w.municipality_111),
    "link_funding_in_scope": lambda s, w, a, p: s.link_funding_call(a, "t:in", w.call, verdict="eligible"),
    "link_funding_outside_region": lambda s, w, a, p: s.link_funding_call(a, "t:out", w.call),
    "submit_own_municipality": lambda s, w, a, p: submit_site(s, a, "111", "rooftop", "Roof", ROOF),
    "submit_other_municipality": lambda s, w, a, p: submit_site(s, a, "222", "rooftop", "Roof", ROOF),
    "edit_own_submission": lambda s, w, a, p: update_submission(
        s, a, _own_submission(s, w), expected_version=1, name="Better name"
    ),
    "edit_other_municipality_submission": lambda s, w, a, p: update_submission(
        s, a, _other_submission(s, w), expected_version=1, name="Hijacked"
    ),
    "moderate_in_scope": lambda s, w, a, p: mod.accept(
        s, a, _own_submission(s, w), expected_version=1, feedback="good", profiles=[]
    ),
    "moderate_outside_region": lambda s, w, a, p: mod.reject(s, a, _far_submission(s), expected_version=1, reason="no"),
    "add_energy_community_in_scope": lambda s, w, a, p: s.add_community(
        a, "energy_community", "Solar co-op", region_code="CZ042", municipality_code="111"
    ),
    "add_mas": lambda s, w, a, p: s.add_community(a, "mas", "MAS Nová", code="MAS9", region_code="CZ042"),
    "add_funding_call": lambda s, w, a, p: s.add_funding_call(a, "RES-9", programme="ModF"),
    "manage_users": lambda s, w, a, p: s.add_user(a, "newcomer", "planner"),
    "export": lambda s, w, a, p: s.authorize_export(a, "shortlist.gpkg"),
    "ingest": lambda s, w, a, p: ingest(
        s, write_scored(p / "scored.gpkg", [{"source": "reg", "source_id": "new"}]), "pv", actor=a
    ),
}

# fmt: off
#: op -> roles allowed, written out from the issue: animators write inside their scope,
#: municipality users touch only their own submissions, planners read and export.
ALLOWED: dict[str, set[str]] = {
    "site_edit_in_scope":                 {"admin", "animator"},
    "site_edit_outside_region":           {"admin"},
    "status_in_scope":                    {"admin", "animator"},
    "status_outside_region":              {"admin"},
    "annotate_in_scope":                  {"admin", "animator"},
    "annotate_outside_region":            {"admin"},
    "link_community_in_scope":            {"admin", "animator"},
    "link_funding_in_scope":              {"admin", "animator"},
    "link_funding_outside_region":        {"admin"},
    "submit_own_municipality":            {"admin", "municipality"},
    "submit_other_municipality":          {"admin"},
    "edit_own_submission":                {"admin", "municipality"},
    "edit_other_municipality_submission": {"admin"},
    "moderate_in_scope":                  {"admin", "animator"},
    "moderate_outside_region":            {"admin"},
    "add_energy_community_in_scope":      {"admin", "animator"},
    "add_mas":                            {"admin"},
    "add_funding_call":                   {"admin"},
    "manage_users":                       {"admin"},
    "export":                             {"admin", "animator", "planner"},
    "ingest":                             {"admin"},
}
# fmt: on


def _actor(world: World, role: str) -> int:
    return int(getattr(world, role))


def _attempt(store: Store, world: World, tmp_path: Path, role: str, op: str) -> str | None:
    """Run one op as ``role``; return what went wrong, or None if it behaved as the table says."""
    actor = _actor(world, role)
    denied_before = len(store.audit_log(outcome="denied"))
    versions = {sid: _v(store, sid) for sid in ("t:in", "t:out")}
    allowed = role in ALLOWED[op]
    try:
        OPS[op](store, world, actor, tmp_path)
    except PermissionDeniedError as exc:
        if allowed:
            return f"{op}: refused but should be allowed ({exc})"
        denied = store.audit_log(outcome="denied")
        if len(denied) != denied_before + 1 or denied[0].actor_id != actor or not denied[0].detail:
            return f"{op}: refused without exactly one denied audit row naming the actor"
        if {sid: _v(store, sid) for sid in ("t:in", "t:out")} != versions:
            return f"{op}: refused but a site changed"
        return None
    if not allowed:
        return f"{op}: allowed but should be refused"
    if len(store.audit_log(outcome="denied")) != denied_before:
        return f"{op}: allowed but a denial was audited"
    if store.audit_log(outcome="ok", limit=1)[0].actor_id != actor:
        return f"{op}: allowed but its audit row does not name the actor"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(store: Store, world: World, tmp_path: Path, role: str) -> None:
    """Every action in :data:`OPS` as ``role``, in one world (the ops do not depend on each other)."""
    problems = [p for op in sorted(OPS) if (p := _attempt(store, world, tmp_path, role, op))]
    assert problems == [], f"role {role}:\n" + "\n".join(problems)
    assert set(OPS) == set(ALLOWED)


def test_municipality_editing_another_municipalitys_submission_is_refused_and_audited(
    store: Store, world: World
) -> None:
    theirs = _other_submission(store, world)
    with pytest.raises(PermissionDeniedError, match=r"municipalities \['111'\]"):
        update_submission(store, world.municipality, theirs, expected_version=1, name="Hijacked")
    sub = store.submissions(municipality_code="222")[0]
    assert (sub.name, sub.version) == ("Other roof", 1)
    entry = store.audit_log(outcome="denied")[0]
    assert (entry.actor_name, entry.action, entry.target_type, entry.target_id) == (
        "obec111",
        "submission.edit",
        "submission",
        str(theirs),
    )


def test_animator_writing_outside_their_region_is_refused_and_audited(store: Store, world: World) -> None:
    with pytest.raises(PermissionDeniedError, match="outside the scope"):
        store.change_status(world.animator, "t:out", "screening", expected_version=1)
    assert store.get_site("t:out").status == "new"
    entry = store.audit_log(outcome="denied")[0]
    assert (entry.actor_name, entry.action, entry.target_id) == ("animator", "site.status", "t:out")
    assert "CZ080" in entry.detail


def test_municipality_sees_feedback_after_moderation(store: Store, world: World) -> None:
    sub_id = _own_submission(store, world)
    moderated = mod.accept(store, world.animator, sub_id, expected_version=1, feedback="great", profiles=[]).submission
    assert (moderated.state, moderated.feedback, moderated.site_id) == ("accepted", "great", f"submission:{sub_id}")
    site = store.get_site(f"submission:{sub_id}")
    assert (site.kind, site.municipality_code, site.status) == ("rooftop", "111", "new")


# --- the tables themselves (pure) -------------------------------------------------------------------
def test_workflow_table_covers_the_forward_path_and_rejection() -> None:
    forward = ["new", "screening", "shortlisted", "project_in_preparation", "funded", "realised"]
    for before, after in pairwise(forward):
        assert Role.ANIMATOR in TRANSITIONS[(Status(before), Status(after))]
        assert Role.PLANNER not in TRANSITIONS[(Status(before), Status(after))]
    for status in forward:
        assert TRANSITIONS[(Status(status), Status.REJECTED)] >= {Role.ADMIN, Role.ANIMATOR}
    assert (Status.NEW, Status.FUNDED) not in TRANSITIONS
    assert TRANSITIONS[(Status.REJECTED, Status.NEW)] == {Role.ADMIN}
    assert all(Role.MUNICIPALITY not in roles for roles in TRANSITIONS.values())


def test_scope_parse_reports_every_bad_item() -> None:
    assert Scope.parse(["region:CZ042", "municipality:564729"]).municipalities == {"564729"}
    with pytest.raises(ValueError, match=r"\['kraj:CZ042', 'region:'\]"):
        Scope.parse(["kraj:CZ042", "region:", "mas:M1"])


def test_check_is_pure_and_explains_refusals() -> None:
    animator = Actor(1, "ani", Role.ANIMATOR, Scope.parse(["region:CZ042"]))
    assert check(animator, Action.SITE_EDIT, region="CZ042", municipality="1") is None
    assert "outside the scope" in (check(animator, Action.SITE_EDIT, region="CZ080", municipality="1") or "")
    planner = Actor(2, "pla", Role.PLANNER, Scope())
    assert check(planner, Action.EXPORT) is None
    assert "may not site.annotate" in (check(planner, Action.SITE_ANNOTATE, region="CZ042") or "")


def test_each_role_sees_only_the_submissions_it_may(store: Store, world: World) -> None:
    own = _own_submission(store, world)
    other = _other_submission(store, world)
    assert [s.id for s in store.visible_submissions(world.municipality)] == [own]
    assert [s.id for s in store.visible_submissions(world.other_municipality)] == [other]
    assert [s.id for s in store.visible_submissions(world.animator)] == [own]  # 111 lies in CZ042, 222 nowhere
    assert [s.id for s in store.visible_submissions(world.admin)] == [own, other]
    assert store.visible_submissions(world.disabled) == []
