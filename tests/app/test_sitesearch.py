"""The site search: forgiving about case, diacritics, punctuation and Czech house numbering; exact about numbers."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from gisplan.app.mapdata import load_site_index, municipalities
from gisplan.app.sitesearch import find_sites, fold, load_addresses, match_mask, query_words, search_table
from gisplan.store import Store
from tests.app.appstore import ROOF_SITE
from tests.store.conftest import pg_schema, sqlite_template, store, store_url  # noqa: F401 - fixtures (both backends)

SITES = pd.DataFrame(
    {
        "site_id": ["ruian:SO.1", "ruian:SO.2", "ruian:SO.3", "ruian:SO.4", "ruian:SO.5", "osm:way/6"],
        "name": [
            "Děčany č. p. 12",
            "Děčany č. p. 120",
            "Solany č. p. 12",
            "zemědělská stavba, st. 9/3, k. ú. Solany",
            "Hlavní 3/5a",
            "Bývalá cukrovarna",
        ],
        "kind": ["rooftop"] * 5 + ["brownfield"],
        "municipality_code": ["564729"] * 5 + ["530506"],
        "score": [35.0, 50.0, 41.0, 46.0, np.nan, 70.0],
        "excluded": [False, False, False, False, True, False],
    }
)
ADDRESSES = pd.DataFrame(
    {
        "site_id": ["ruian:SO.1", "ruian:SO.2", "ruian:SO.3", "ruian:SO.5"],
        "address": [
            "Děčany č. p. 12, 411 15 Děčany",
            "Děčany č. p. 120, 411 15 Děčany",
            "Solany č. p. 12, 411 15 Děčany",
            "Hlavní 3/5a, Děčany, 411 15 Děčany",
        ],
    }
)
MUNICIPALITIES = pd.DataFrame({"code": ["564729", "530506"], "name": ["Děčany", "Libochovice"]})


@pytest.fixture
def table() -> pd.DataFrame:
    return search_table(SITES, ADDRESSES, MUNICIPALITIES)


def _found(table: pd.DataFrame, query: str) -> list[str]:
    return find_sites(SITES, table, query)["site_id"].tolist()


def test_fold_drops_case_diacritics_and_punctuation() -> None:
    assert fold("DĚČANY č.p.12") == " decany c p 12 "
    assert fold("Hlavní 3/5a") == " hlavni 3 5a "
    assert fold("Søndergård, Łódź, Straße, Győr") == " sondergard lodz strasse gyor "
    assert query_words("Děčany č. p. 12") == ["decany", "12"]
    assert query_words("č. ev.") == []


@pytest.mark.parametrize("query", ["Děčany 12", "decany 12", "DĚČANY č.p. 12", "Děčany čp 12", "děčany, č. p. 12"])
def test_an_address_is_found_however_it_is_typed(table: pd.DataFrame, query: str) -> None:
    found = _found(table, query)
    assert found[0] == "ruian:SO.1"
    assert "ruian:SO.2" not in found  # 12 is not 120


def test_every_word_must_match_and_a_word_may_be_the_start_of_one(table: pd.DataFrame) -> None:
    assert _found(table, "Solany 12") == ["ruian:SO.3"]
    assert _found(table, "zeměd solany") == ["ruian:SO.4"]
    assert _found(table, "hlavni 3") == ["ruian:SO.5"]
    assert _found(table, "cukrovar") == ["osm:way/6"]
    assert _found(table, "libochovice") == ["osm:way/6"]  # the municipality's name finds its sites
    assert _found(table, "SO.4") == ["ruian:SO.4"]  # the id, without its source prefix
    assert _found(table, "solany 13") == []
    assert _found(table, "ovice") == []  # inside a word, not at its start
    assert _found(table, "") == []
    assert _found(table, "č. p.") == []  # only numbering words: nothing to look for


def test_matches_starting_with_the_query_come_first_then_by_score(table: pd.DataFrame) -> None:
    found = find_sites(SITES, table, "12")
    # Děčany 12 and Solany 12 (the address of both ends in "411 15"); both names start elsewhere: by score
    assert found["site_id"].tolist() == ["ruian:SO.3", "ruian:SO.1"]
    assert found["address"].tolist() == ["Solany č. p. 12, 411 15 Děčany", "Děčany č. p. 12, 411 15 Děčany"]
    # names starting "Děčany" first; then the sites in Děčany by score, the unscored one last
    assert _found(table, "decany") == ["ruian:SO.2", "ruian:SO.1", "ruian:SO.4", "ruian:SO.3", "ruian:SO.5"]


def test_the_limit_keeps_the_count_of_all_matches(table: pd.DataFrame) -> None:
    found = find_sites(SITES, table, "děčany", limit=2)
    assert len(found) == 2
    assert found.attrs["matching"] == 5


def test_a_site_without_address_or_name_is_still_searchable_by_id() -> None:
    sites = SITES.assign(name=[None, *SITES["name"][1:]])
    table = search_table(sites, ADDRESSES.iloc[0:0], None)
    assert table["address"].isna().all()
    assert find_sites(sites, table, "so 1")["site_id"].tolist() == ["ruian:SO.1"]


def test_search_is_fast_on_100k_sites() -> None:
    n = 100_000
    rng = np.random.default_rng(1)
    numbers = rng.integers(1, 400, n)
    sites = pd.DataFrame(
        {
            "site_id": [f"ruian:SO.{i}" for i in range(n)],
            "name": [f"Obec{i % 500} č. p. {k}" for i, k in enumerate(numbers)],
            "kind": "rooftop",
            "municipality_code": [str(500000 + i % 500) for i in range(n)],
            "score": rng.uniform(0, 100, n),
            "excluded": False,
        }
    )
    started = time.perf_counter()
    table = search_table(sites, pd.DataFrame({"site_id": [], "address": []}), None)
    built = time.perf_counter() - started
    started = time.perf_counter()
    mask = match_mask(table, "obec7 12")
    searched = time.perf_counter() - started
    # "obec7" starts Obec7 and Obec70…Obec79; 12 is a whole number
    expected = (sites["name"].str.match(r"Obec7\d? ") & (numbers == 12)).to_numpy()
    assert expected.any()
    assert (mask == expected).all()
    assert built < 5.0, built
    assert searched < 1.0, searched


def test_addresses_come_from_the_store_on_both_backends(store: Store) -> None:  # noqa: F811 - the imported fixture
    from sqlalchemy import update

    from gisplan.store.models import Site
    from tests.app.appstore import populate

    populate(store)
    address = "Děčany č. p. 12, 411 15 Děčany"
    with store.engine.begin() as conn:
        conn.execute(update(Site).where(Site.id == ROOF_SITE).values(attributes={"address": address}))
    addresses = load_addresses(store)
    assert addresses.to_dict("records") == [{"site_id": ROOF_SITE, "address": address}]
    index = load_site_index(store, "rooftop_pv")
    table = search_table(index, addresses, municipalities(store))
    found = find_sites(index, table, "decany 12")
    assert found["site_id"].tolist() == [ROOF_SITE]
    assert found["address"].tolist() == [address]
