"""The warm-up fills the caches the Map page shares, so its first run only filters and draws."""

from __future__ import annotations

import logging
from unittest import mock

import pandas as pd
import pytest
import streamlit as st

from gisplan.app import auth, cache, warmup
from gisplan.store import SYSTEM, Scope, Store


@pytest.fixture
def cold() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.usefixtures("cold")
def test_after_the_warm_up_the_map_page_loaders_are_cache_hits(app_store: Store) -> None:
    timings = warmup.warm()
    assert set(timings) == {"imports", "store", "context", "map"}
    store = auth.get_store()
    revision = store.map_revision()
    not_again = AssertionError("read again although warmed up")
    with (
        mock.patch("gisplan.app.cache.load_site_index", side_effect=not_again),
        mock.patch("gisplan.app.cache.load_context", side_effect=not_again),
        mock.patch("gisplan.app.cache.scored_profiles", side_effect=not_again),
        mock.patch("gisplan.app.cache.municipalities", side_effect=not_again),
        mock.patch("gisplan.profiles.load_profiles", side_effect=not_again),
    ):
        names = cache.profiles(store.url, revision)
        index = cache.site_index(store.url, names[0], revision)
        _, display = cache.context()
        assert cache.profile_catalogue()
        assert not cache.municipality_table(store.url, revision).empty
    assert len(index) > 0
    assert display  # the tiny region's context layers, ready for the browser


@pytest.mark.usefixtures("cold")
def test_a_user_change_keeps_the_warmed_index_a_change_of_map_data_reads_it_again(app_store: Store) -> None:
    warmup.warm()
    store = auth.get_store()
    names = cache.profiles(store.url, store.map_revision())
    store.add_user(SYSTEM, "novy", "planner", scope=Scope.parse(["region:CZ042"]), password="novy-heslo-2026")
    with mock.patch("gisplan.app.cache.load_site_index", return_value="fresh") as load:
        assert isinstance(cache.site_index(store.url, names[0], store.revision()), pd.DataFrame)
        store.add_community(SYSTEM, "mas", "MAS Bílinsko")  # communities feed the funding masks: a new sites revision
        assert cache.site_index(store.url, names[0], store.revision()) == "fresh"
    load.assert_called_once()


@pytest.mark.usefixtures("cold")
def test_a_failing_step_is_logged_and_skipped_never_raised(app_store: Store, caplog: pytest.LogCaptureFixture) -> None:
    with (
        mock.patch("gisplan.app.cache.load_context", side_effect=RuntimeError("broken catalogue")),
        caplog.at_level(logging.ERROR, logger="gisplan.app.warmup"),
    ):
        timings = warmup.warm()
    assert "context" not in timings
    assert "store" in timings
    assert "warm-up step context failed" in caplog.text


def test_the_setting_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISPLAN_WARMUP", "0")
    assert warmup.start() is None


def test_it_starts_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISPLAN_WARMUP", "1")
    monkeypatch.setattr(warmup, "_thread", None)
    with mock.patch.object(warmup, "warm") as warm:
        first = warmup.start()
        second = warmup.start()
        assert first is not None
        first.join(timeout=10)
    assert first is second
    warm.assert_called_once()
