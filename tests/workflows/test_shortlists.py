"""Shortlists: built by status, filters or hand; permissions, audit and versions; on SQLite and PostGIS."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gisplan.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from gisplan.store import SYSTEM, Store
from gisplan.workflows import shortlists as sl
from tests.store.helpers import World


def test_create_by_hand_lists_members_and_audits(store: Store, world: World) -> None:
    info = sl.create_shortlist(store, world.planner, "Ústí 2027", description="for the council", site_ids=["t:in"])
    assert (info.name, info.size, info.created_by, info.rule) == ("Ústí 2027", 1, "planner", {"by": "hand"})
    assert sl.members(store, "Ústí 2027") == ["t:in"]
    added = sl.add_sites(store, world.planner, "Ústí 2027", ["t:out", "t:in"])
    assert added == ["t:out"]  # t:in was on it already
    assert sl.members(store, "Ústí 2027") == ["t:in", "t:out"]
    assert sl.get_shortlist(store, "Ústí 2027").version > info.version
    assert sl.remove_sites(store, world.planner, "Ústí 2027", ["t:in", "t:mas"]) == ["t:in"]
    actions = [e.action for e in store.audit_log(target_type="shortlist")]
    assert actions == ["shortlist.remove", "shortlist.add", "shortlist.create"]


def test_by_status_and_by_filters(store: Store, world: World) -> None:
    site = store.get_site("t:in")
    store.change_status(world.admin, "t:in", "screening", expected_version=site.version)
    by_status = sl.SiteFilter(statuses=("screening",))
    assert sl.select_sites(store, by_status) == ["t:in"]
    assert by_status.as_rule() == {"by": "status", "statuses": ["screening"]}
    by_place = sl.SiteFilter(region_codes=("CZ080",), kinds=("brownfield",))
    assert sl.select_sites(store, by_place) == ["t:mas", "t:out"]
    assert by_place.as_rule()["by"] == "filters"
    info = sl.create_shortlist(
        store, world.animator, "screening", site_ids=sl.select_sites(store, by_status), rule=by_status.as_rule()
    )
    assert info.rule["statuses"] == ["screening"]


def test_filter_problems_are_collected(store: Store, world: World) -> None:
    bad = sl.SiteFilter(statuses=("nonsense",), min_score=50, include_excluded=False, limit=0)
    with pytest.raises(InputError) as caught:
        sl.select_sites(store, bad)
    text = str(caught.value)
    assert "nonsense" in text
    assert "minimum score needs" in text
    assert "excluded sites needs" in text
    assert "limit 0" in text


def test_only_exporters_may_write_and_denials_are_audited(store: Store, world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        sl.create_shortlist(store, world.municipality, "mine")
    with pytest.raises(PermissionDeniedError):
        sl.create_shortlist(store, world.disabled, "mine")
    denied = store.audit_log(target_type="shortlist", outcome="denied")
    assert len(denied) == 2
    assert sl.list_shortlists(store) == []


def test_only_the_creator_or_an_admin_changes_a_shortlist(store: Store, world: World) -> None:
    info = sl.create_shortlist(store, world.planner, "A", site_ids=["t:in"])
    with pytest.raises(PermissionDeniedError, match="only the creator"):
        sl.add_sites(store, world.animator, "A", ["t:out"])
    with pytest.raises(PermissionDeniedError):
        sl.delete_shortlist(store, world.animator, "A", expected_version=info.version)
    assert sl.add_sites(store, world.admin, "A", ["t:out"]) == ["t:out"]
    assert sl.members(store, "A") == ["t:in", "t:out"]


def test_rename_and_delete_need_the_current_version(store: Store, world: World) -> None:
    info = sl.create_shortlist(store, world.planner, "A", site_ids=["t:in"])
    sl.add_sites(store, world.planner, "A", ["t:out"])  # moves the version on
    with pytest.raises(ConflictError) as caught:
        sl.update_shortlist(store, world.planner, "A", expected_version=info.version, new_name="B")
    assert caught.value.theirs is not None
    assert caught.value.theirs["name"] == "A"
    current = sl.get_shortlist(store, "A")
    renamed = sl.update_shortlist(store, world.planner, "A", expected_version=current.version, new_name="B")
    assert renamed.name == "B"
    assert renamed.size == 2
    with pytest.raises(ConflictError):
        sl.delete_shortlist(store, world.planner, "B", expected_version=current.version)
    sl.delete_shortlist(store, world.planner, "B", expected_version=renamed.version)
    with pytest.raises(NotFoundError, match="there is no shortlist 'B'"):
        sl.get_shortlist(store, "B")
    assert store.get_site("t:in").id == "t:in"  # sites stay


def test_duplicate_names_unknown_sites_and_bad_names_are_refused(store: Store, world: World) -> None:
    sl.create_shortlist(store, SYSTEM, "A")
    with pytest.raises(ConflictError, match="exists already"):
        sl.create_shortlist(store, world.planner, "A")
    with pytest.raises(InputError, match="no site with id 'nope:1'"):
        sl.add_sites(store, SYSTEM, "A", ["t:in", "nope:1"])
    assert sl.members(store, "A") == []  # all or nothing
    with pytest.raises(InputError, match="printable"):
        sl.create_shortlist(store, SYSTEM, "bad\nname")


def test_a_user_who_may_not_export_learns_no_shortlist_names(store: Store, world: World) -> None:
    from gisplan.export import load_snapshot

    info = sl.create_shortlist(store, world.planner, "Tajný plán", site_ids=["t:in"])
    attempts: dict[str, Callable[[str], object]] = {
        "add": lambda name: sl.add_sites(store, world.municipality, name, ["t:in"]),
        "remove": lambda name: sl.remove_sites(store, world.municipality, name, ["t:in"]),
        "rename": lambda name: sl.update_shortlist(store, world.municipality, name, expected_version=1, new_name="x"),
        "delete": lambda name: sl.delete_shortlist(store, world.municipality, name, expected_version=info.version),
        "get": lambda name: sl.get_shortlist(store, name, actor=world.municipality),
        "export": lambda name: load_snapshot(store, world.municipality, name),
    }
    for what, attempt in attempts.items():
        messages = []
        for name in ("Tajný plán", "nope"):
            with pytest.raises(PermissionDeniedError) as caught:
                attempt(name)
            messages.append(str(caught.value).replace(name, "<name>"))
        assert messages[0] == messages[1], what  # the same refusal whether or not the shortlist exists
        assert "Tajný plán" not in messages[1], what
    # every refusal is audited: writes on the shortlist, reads and exports as exports of it
    assert len(store.audit_log(target_type="shortlist", outcome="denied")) == 2 * 4
    exports = store.audit_log(target_type="export", outcome="denied")
    assert sorted(d.target_id for d in exports) == ["shortlist:Tajný plán"] * 2 + ["shortlist:nope"] * 2
    assert sl.members(store, "Tajný plán") == ["t:in"]
    # an exporter is told which shortlists there are
    with pytest.raises(NotFoundError, match="Tajný plán"):
        sl.add_sites(store, world.animator, "nope", ["t:in"])
    assert sl.get_shortlist(store, "Tajný plán", actor=world.animator).size == 1
