"""The small shared reads (``gisplan.store.queries``) and the site card's reads, on SQLite and PostGIS."""

from __future__ import annotations

from gisplan.store import SYSTEM, Store, queries, site_card
from gisplan.store import permissions as perm
from gisplan.store.models import SiteScore
from tests.store.helpers import REGION_IN, World


def _score(store: Store, site_id: str, profile: str) -> None:
    store.transaction(SYSTEM, lambda tx: tx.session.add(SiteScore(site_id=site_id, profile=profile, score=50.0)))


def test_scored_profiles_lists_each_profile_once_sorted(store: Store, world: World) -> None:
    assert queries.scored_profiles(store) == []
    _score(store, "t:in", "rooftop_pv")
    _score(store, "t:out", "ground_pv")
    _score(store, "t:mas", "rooftop_pv")
    assert queries.scored_profiles(store) == ["ground_pv", "rooftop_pv"]


def test_active_user_has_scope_and_disabled_users_are_none(store: Store, world: World) -> None:
    found = queries.active_user(store, world.animator)
    assert found is not None
    user, scope = found
    assert user.username == "animator"
    assert scope == perm.Scope.parse([f"region:{REGION_IN}"])
    assert queries.active_user(store, world.disabled) is None
    assert queries.active_user(store, 987_654) is None


def test_site_card_reads_notes_links_and_permissions(store: Store, world: World) -> None:
    note = store.add_annotation(world.animator, "t:in", "Střecha školy, ověřit statiku")
    store.link_funding_call(world.animator, "t:in", world.call, verdict="eligible")
    card = site_card.load_card(store, "t:in")
    assert card.site.id == "t:in"
    assert card.municipality_name == "Děčany"
    assert [(n.id, who) for n, who in card.annotations] == [(note.id, "animator")]
    assert [call.id for _, call in card.funding_links] == [world.call]
    assert any(entry.target_type == "annotation" for entry in card.history)
    inside = site_card.permissions(store, world.animator, "t:in")
    outside = site_card.permissions(store, world.animator, "t:out")
    assert all(inside.values()) and not any(outside.values())
    assert not any(site_card.permissions(store, world.planner, "t:in").values())
    assert site_card.author_names(store, {world.animator, None}) == {world.animator: "animator"}
