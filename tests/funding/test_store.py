"""The catalogue into the store's funding calls, and the matcher's verdicts as site links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from shapely.geometry import box

from gisplan import settings
from gisplan.errors import NotFoundError, PermissionDeniedError
from gisplan.funding import (
    facts_from_store,
    load_calls,
    match_site,
    reason_text,
    record_matches,
    sync_calls,
    validate_data,
)
from gisplan.store import SYSTEM, Scope, Store, Tx, open_store
from gisplan.store.models import Site, SiteScore
from tests.funding.helpers import call_data

SHIPPED = settings.PROJECT_ROOT / "data" / "funding_calls.yaml"
OPEN_ALL = {"territory": {"national": True}, "applicants": "any", "site_kinds": "any", "uses": "any"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield opened
    opened.close()


def _roof(tx: Tx) -> None:
    tx.session.add(
        Site(
            id="t:roof",
            kind="rooftop",
            name="Roof",
            source="t",
            source_id="roof",
            area_m2=900.0,
            municipality_code="564729",
            region_code="CZ042",
            attributes={},
            geom=tx.with_srid(box(0, 0, 30, 30)),
        )
    )
    tx.session.flush()
    tx.session.add(SiteScore(site_id="t:roof", profile="rooftop_pv", capacity_kwp=180.0, score=60.0))


def test_sync_adds_then_updates_only_what_changed(store: Store) -> None:
    shipped = load_calls(SHIPPED)
    first = sync_calls(store, SYSTEM, shipped)
    assert (len(first.added), first.updated, first.unchanged) == (len(shipped), [], [])
    stored = {c.code: c for c in store.funding_calls()}
    res = stored["res_plus_3_2024"]
    assert (res.intake_end, res.programme) == (dt.date(2024, 10, 31), "Modernizační fond – RES+")
    assert res.rules["limits"] == {"capacity_kwp": {"max": 1000.0}, "population": {"max": 3000.0}}
    data = shipped.to_data()
    data["calls"] = [c for c in data["calls"] if c["id"] != "komuenerg"]
    data["calls"][0]["notes"] = "edited"
    edited, problems = validate_data(data, "edited")
    assert problems == []
    second = sync_calls(store, SYSTEM, edited)
    assert (second.added, second.updated) == ([], [data["calls"][0]["id"]])
    assert second.not_in_catalogue == ["komuenerg"]
    assert len(second.unchanged) == len(shipped) - 2
    audit = store.audit_log(target_type="funding_call")
    assert sum(1 for a in audit if a.action == "funding_call.edit") == 1


def test_sync_is_for_admins_only(store: Store) -> None:
    planner = store.add_user(SYSTEM, "planner", "planner", scope=Scope.parse(["region:CZ042"])).id
    with pytest.raises(PermissionDeniedError):
        sync_calls(store, planner, load_calls(SHIPPED))
    assert store.funding_calls() == []


def test_record_matches_links_and_updates(store: Store) -> None:
    store.transaction(SYSTEM, _roof)
    catalogue, _ = validate_data(
        {
            "calls": [
                call_data(id="fits", intake={"close": "2024-12-31"}, **OPEN_ALL),
                call_data(id="maybe", **OPEN_ALL),
                call_data(
                    id="too_small", intake={"close": "2024-12-31"}, limits={"capacity_kwp": {"max": 100}}, **OPEN_ALL
                ),
            ]
        },
        "test",
    )
    with pytest.raises(NotFoundError, match="not in the store"):
        record_matches(store, SYSTEM, "t:roof", match_site(facts_from_store(store, "t:roof"), catalogue))
    sync_calls(store, SYSTEM, catalogue)
    facts = facts_from_store(store, "t:roof")
    june = match_site(facts, catalogue, today=dt.date(2024, 6, 1))
    assert record_matches(store, SYSTEM, "t:roof", june) == 2  # not eligible ones are not linked
    links = {link.funding_call_id: link for link in store.funding_links("t:roof")}
    codes = {c.id: c.code for c in store.funding_calls()}
    by_code = {codes[k]: v for k, v in links.items()}
    assert set(by_code) == {"fits", "maybe"}
    assert by_code["fits"].verdict == "eligible"
    assert [reason_text(r, "en") for r in by_code["maybe"].reasons] == ["intake dates are not recorded; check the call"]
    assert record_matches(store, SYSTEM, "t:roof", june) == 0  # nothing changed
    january_2025 = match_site(facts, catalogue, today=dt.date(2025, 1, 1))
    assert record_matches(store, SYSTEM, "t:roof", january_2025) == 1  # "fits" closed meanwhile
    fits = next(link for link in store.funding_links("t:roof") if codes[link.funding_call_id] == "fits")
    assert fits.verdict == "not_eligible"
    assert [reason_text(r, "en") for r in fits.reasons] == ["intake closed on 2024-12-31"]


def test_call_sites_lists_linked_sites_eligible_first(store: Store) -> None:
    from gisplan.funding import call_sites

    def world(tx: Tx) -> None:
        _roof(tx)
        tx.session.add(
            Site(
                id="t:bf",
                kind="brownfield",
                name="Old <b>mine</b>",
                source="t",
                source_id="bf",
                area_m2=9000.0,
                municipality_code="564729",
                region_code="CZ042",
                attributes={},
                geom=tx.with_srid(box(100, 0, 130, 30)),
            )
        )
        tx.session.flush()
        call = tx.add_funding_call("res_call", programme="RES+", name="FVE obcí")
        other = tx.add_funding_call("other_call", programme="OPST", name="Obnova")
        tx.link_funding_call(
            "t:bf", call.id, verdict="not_eligible", reasons=["capacity 2 MWp exceeds the 1 MWp limit"]
        )
        tx.link_funding_call("t:roof", call.id, verdict="eligible", reasons=["a", "b"])
        tx.link_funding_call("t:roof", other.id, verdict="unknown")

    store.transaction(SYSTEM, world)
    table = call_sites(store, "res_call")
    assert table["site_id"].tolist() == ["t:roof", "t:bf"]
    assert table["verdict"].tolist() == ["eligible", "not_eligible"]
    assert table["reasons"].tolist() == ["a; b", "capacity 2 MWp exceeds the 1 MWp limit"]
    assert table.loc[1, "name"] == "Old <b>mine</b>"
    assert call_sites(store, "other_call")["site_id"].tolist() == ["t:roof"]
    assert call_sites(store, "no_such_call").empty
