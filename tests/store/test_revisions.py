"""The sites and status revisions: what moves them, what does not, and that they live in the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from gisplan.errors import InputError
from gisplan.store import SYSTEM, Store, Tx, open_store
from gisplan.workflows.ingest import ingest
from tests.store.helpers import World, write_scored
from tests.workflows.test_ingest import ROWS


@pytest.fixture
def ingested(store: Store, world: World, tmp_path: Path) -> Store:
    ingest(store, write_scored(tmp_path / "a.gpkg", ROWS), "pv")
    return store


def test_people_s_work_moves_neither_the_sites_nor_the_status_revision(ingested: Store, world: World) -> None:
    store = ingested
    before = store.map_revision()
    assert before.sites  # the ingest recorded one
    site = store.get_site("ruian:1")
    store.update_site(world.animator, "ruian:1", expected_version=site.version, note="call the mayor")
    store.add_annotation(world.animator, "ruian:1", "Roof is asbestos-free.")
    store.link_community(world.animator, "ruian:1", world.municipality_111, role="owner")
    store.link_funding_call(world.animator, "ruian:1", world.call, verdict="eligible")
    assert store.map_revision() == before


def test_a_status_change_moves_only_the_status_revision(ingested: Store, world: World) -> None:
    store = ingested
    before = store.map_revision()
    site = store.get_site("ruian:2")
    store.change_status(world.animator, "ruian:2", "screening", expected_version=site.version)
    after = store.map_revision()
    assert after.sites == before.sites
    assert after.statuses == (before.statuses[0] + 1, after.statuses[1])
    assert after.statuses[1] > before.statuses[1]
    assert store.worked_statuses() == {"ruian:2": "screening"}


def test_writes_to_sites_scores_communities_and_calls_move_the_sites_revision(
    ingested: Store, world: World, tmp_path: Path
) -> None:
    store = ingested
    first = store.map_revision().sites
    ingest(store, write_scored(tmp_path / "b.gpkg", [dict(ROWS[0], score=91.0), *ROWS[1:]]), "pv")
    second = store.map_revision().sites
    store.add_community(world.admin, "mas", "MAS Podbořansko")
    third = store.map_revision().sites
    assert len({first, second, third}) == 3


def test_a_write_that_fails_after_its_audit_row_leaves_the_revision(ingested: Store) -> None:
    store = ingested
    before = store.map_revision()

    def work(tx: Tx) -> None:
        tx.add_community("mas", "MAS Podbořansko")  # audited, so the token was replaced in this transaction
        msg = "a later step of the same transaction failed"
        raise InputError(msg)

    with pytest.raises(InputError):
        store.transaction(SYSTEM, work)
    assert store.map_revision() == before


def test_another_process_on_the_same_store_sees_the_new_revision(
    ingested: Store, store_url: str, world: World, tmp_path: Path
) -> None:
    other = open_store(store_url, upgrade=False)  # its own engine and connections, as another app process
    try:
        seen = other.map_revision()
        assert seen == ingested.map_revision()
        site = ingested.get_site("ruian:1")
        ingested.change_status(world.animator, "ruian:1", "screening", expected_version=site.version)
        assert other.map_revision().statuses != seen.statuses
        assert other.worked_statuses() == {"ruian:1": "screening"}
        ingest(ingested, write_scored(tmp_path / "b.gpkg", ROWS[:2]), "pv")
        assert other.map_revision().sites != seen.sites
    finally:
        other.close()
