"""The Map page's site index is read again only when sites or scores change, on SQLite and PostGIS.

A note, a link or a user change leaves the cached index as it is; a status change
updates its status column without reading the index again; an ingest reads it
again. The revisions live in the database, so a write through another store
object (another app process) is seen too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import streamlit as st

from gisplan.app import auth, cache, mapdata
from gisplan.store import Store, open_store
from gisplan.workflows.ingest import ingest
from tests.store import conftest as store_fixtures
from tests.store.helpers import World, write_scored
from tests.workflows.test_ingest import ROWS

# The store fixtures, parametrized over SQLite and PostGIS.
pg_schema = store_fixtures.pg_schema
sqlite_template = store_fixtures.sqlite_template
store_url = store_fixtures.store_url
store = store_fixtures.store
world = store_fixtures.world


@pytest.fixture
def served(
    store: Store, world: World, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    """The store with ROWS ingested for profile ``pv``, as the app's store, caches empty."""
    ingest(store, write_scored(tmp_path / "a.gpkg", ROWS), "pv")
    monkeypatch.setenv("GISPLAN_DATABASE_URL", store_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield store
    st.cache_resource.clear()  # closes nothing, but drops the app's handle on this store


@pytest.fixture
def loads() -> Iterator[mock.MagicMock]:
    """Counts the reads of the site index."""
    with mock.patch("gisplan.app.cache.load_site_index", wraps=mapdata.load_site_index) as counted:
        yield counted


def _status(store: Store, site_id: str) -> str:
    index = cache.site_index(store.url, "pv", store.map_revision())
    return str(index.set_index("site_id").loc[site_id, "status"])


def test_a_note_a_link_and_a_user_change_keep_the_index(served: Store, world: World, loads: mock.MagicMock) -> None:
    store = served
    first = cache.site_index(store.url, "pv", store.revision())
    site = store.get_site("ruian:1")
    store.update_site(world.animator, "ruian:1", expected_version=site.version, note="call the mayor")
    store.add_annotation(world.animator, "ruian:1", "Roof is asbestos-free.")
    store.link_funding_call(world.animator, "ruian:1", world.call, verdict="eligible")
    again = cache.site_index(store.url, "pv", store.revision())  # the audit revision moved; the index did not
    assert again is first
    assert loads.call_count == 1


def test_a_status_change_updates_the_status_without_reading_the_index(
    served: Store, world: World, loads: mock.MagicMock
) -> None:
    store = served
    assert _status(store, "ruian:2") == "new"
    site = store.get_site("ruian:2")
    store.change_status(world.animator, "ruian:2", "screening", expected_version=site.version)
    assert _status(store, "ruian:2") == "screening"
    assert _status(store, "ruian:1") == "new"
    site = store.get_site("ruian:2")
    store.change_status(world.animator, "ruian:2", "rejected", expected_version=site.version, reason="flood zone")
    assert _status(store, "ruian:2") == "rejected"
    assert loads.call_count == 1
    assert list(cache.site_index(store.url, "pv", store.map_revision()).columns) == list(
        mapdata.load_site_index(store, "pv").columns
    )


def test_an_ingest_reads_the_index_again(served: Store, tmp_path: Path, loads: mock.MagicMock) -> None:
    store = served
    before = cache.site_index(store.url, "pv", store.map_revision())
    ingest(store, write_scored(tmp_path / "b.gpkg", [dict(ROWS[0], score=91.0), *ROWS[1:]]), "pv")
    after = cache.site_index(store.url, "pv", store.map_revision())
    assert loads.call_count == 2
    assert before.set_index("site_id").loc["ruian:1", "score"] == 80.0
    assert after.set_index("site_id").loc["ruian:1", "score"] == 91.0


def test_writes_through_another_process_are_seen(
    served: Store,
    store_url: str,
    world: World,
    tmp_path: Path,
    loads: mock.MagicMock,
) -> None:
    app = auth.get_store()
    assert app is not served
    assert _status(app, "ruian:1") == "new"
    other = open_store(store_url, upgrade=False)  # another process's engine and connections
    try:
        site = other.get_site("ruian:1")
        other.change_status(world.animator, "ruian:1", "screening", expected_version=site.version)
        assert _status(app, "ruian:1") == "screening"
        assert loads.call_count == 1
        ingest(other, write_scored(tmp_path / "b.gpkg", ROWS[:2]), "pv")  # ruian:3 end-dated
        index = cache.site_index(app.url, "pv", app.map_revision())
        assert set(index["site_id"]) == {"ruian:1", "ruian:2"}
        assert loads.call_count == 2
        assert _status(app, "ruian:1") == "screening"
    finally:
        other.close()
