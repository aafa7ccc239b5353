"""The matcher: verdicts, sorting, closed calls, facts from scored rows and from the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from gisplan.errors import InputError, NotFoundError
from gisplan.funding import (
    FundingCatalogue,
    PlaceLookup,
    SiteFacts,
    demo_places,
    facts_from_row,
    facts_from_store,
    match_site,
    matches_frame,
    validate_data,
)
from gisplan.store import SYSTEM, Member, Store, open_store
from tests.funding.helpers import call_data

TODAY = dt.date(2024, 6, 1)
OPEN_ALL = {"territory": {"national": True}, "applicants": "any", "site_kinds": "any", "uses": "any"}


def catalogue(*calls: dict[str, object]) -> FundingCatalogue:
    parsed, problems = validate_data({"calls": list(calls)}, "test")
    assert problems == []
    return parsed


@pytest.fixture(scope="module")
def small_municipality_catalogue() -> FundingCatalogue:
    return catalogue(
        call_data(
            id="pv_small",
            intake={"close": "2024-10-31"},
            territory={"national": True},
            applicants=["municipality"],
            site_kinds=["rooftop"],
            uses=["pv_rooftop"],
            limits={"capacity_kwp": {"max": 1000}, "population": {"max": 3000}},
        ),
        call_data(id="closed_one", intake={"close": "2024-01-31"}, **OPEN_ALL),
        call_data(id="undated", **OPEN_ALL),
        call_data(id="upcoming", intake={"open": "2024-09-01", "close": "2024-12-31"}, **OPEN_ALL),
        call_data(id="open_late", intake={"close": "2025-03-31"}, **OPEN_ALL),
        call_data(id="open_soon", intake={"close": "2024-07-31"}, **OPEN_ALL),
        call_data(
            id="coal_regions",
            intake={"close": "2024-12-31"},
            territory={"regions": ["CZ041", "CZ080"]},
            applicants="any",
            site_kinds="any",
            uses="any",
        ),
    )


def test_eligible_first_then_unknown_then_not_eligible(small_municipality_catalogue: FundingCatalogue) -> None:
    facts = SiteFacts(
        kind="rooftop",
        capacity_kwp=400.0,
        municipality_code="599101",
        population=2577.0,
        intended_use="pv_rooftop",
        applicant="municipality",
    )
    matches = match_site(facts, small_municipality_catalogue, today=TODAY, places=demo_places(["599101"]))
    order = [(m.call.id, m.verdict, m.state) for m in matches]
    assert order == [
        ("open_soon", "eligible", "open"),
        ("pv_small", "eligible", "open"),
        ("open_late", "eligible", "open"),
        ("upcoming", "eligible", "upcoming"),
        ("undated", "unknown", "unknown"),
        ("coal_regions", "not_eligible", "open"),
        ("closed_one", "not_eligible", "closed"),
    ]
    closed = matches[-1]
    assert closed.closed
    assert closed.reasons[0] == "intake closed on 2024-01-31"
    coal = matches[-2]
    assert coal.failing()[0].reason == (
        "municipality 599101 is not in the call's territory (Karlovarský kraj, Moravskoslezský kraj)"
    )


def test_a_larger_site_loses_the_small_call_with_the_reason(small_municipality_catalogue: FundingCatalogue) -> None:
    facts = SiteFacts(
        kind="rooftop", capacity_kwp=1400.0, population=4800.0, intended_use="pv_rooftop", applicant="municipality"
    )
    match = next(m for m in match_site(facts, small_municipality_catalogue, today=TODAY) if m.call.id == "pv_small")
    assert match.verdict == "not_eligible"
    assert [r.reason for r in match.failing()] == [
        "capacity 1.4 MWp exceeds the 1 MWp limit",
        "municipality population 4,800 inhabitants exceeds the 3,000 inhabitants limit",
    ]


def test_today_defaults_to_the_real_date() -> None:
    cat = catalogue(call_data(id="long_closed", intake={"close": "2001-01-01"}, **OPEN_ALL))
    assert match_site(SiteFacts(), cat)[0].state == "closed"


def test_matches_frame_for_the_site_card(small_municipality_catalogue: FundingCatalogue) -> None:
    matches = match_site(SiteFacts(kind="rooftop"), small_municipality_catalogue, today=TODAY)
    frame = matches_frame(matches, language="cs")
    assert list(frame["call_id"]) == [m.call.id for m in matches]
    assert set(frame["verdict"]) <= {"eligible", "unknown", "not_eligible"}
    assert frame.loc[frame["call_id"] == "pv_small", "title"].item() == "Testovací výzva"
    open_soon = frame.loc[frame["call_id"] == "open_soon"].iloc[0]
    assert open_soon["reasons"] == "all rules met"


# ------------------------------------------------------------------------------------------- facts
def test_facts_from_a_scored_row() -> None:
    row = pd.Series(
        {
            "site_id": "demo:b1",
            "kind": "brownfield",
            "area_m2": 52_000.0,
            "capacity_kwp": 3200.5,
            "kod_obce": 599105.0,
            "pocet_obyv": 8999,
            "region_code": float("nan"),
        }
    )
    facts = facts_from_row(row.to_dict(), applicant="municipality")
    assert facts == SiteFacts(
        site_id="demo:b1",
        kind="brownfield",
        area_m2=52_000.0,
        capacity_kwp=3200.5,
        municipality_code="599105",
        population=8999.0,
        intended_use="pv_ground",
        applicant="municipality",
    )
    roof = facts_from_row({"kind": "rooftop", "municipality_code": "1", "municipality_population": 10.0})
    assert (roof.intended_use, roof.population) == ("pv_rooftop", 10.0)
    assert facts_from_row({"kind": "rooftop"}, intended_use="storage", population=5.0).population == 5.0


def test_facts_reject_words_outside_the_vocabulary() -> None:
    with pytest.raises(InputError, match="applicant type 'mayor' is not one of"):
        facts_from_row({"kind": "rooftop"}, applicant="mayor")
    with pytest.raises(InputError, match="intended use 'casino'"):
        facts_from_row({"kind": "rooftop", "intended_use": "casino"})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield opened
    opened.close()


def test_facts_from_the_store(store: Store) -> None:
    from shapely.geometry import box

    from gisplan.store.models import Site, SiteScore

    def setup(tx: object) -> None:
        session = tx.session  # type: ignore[attr-defined]
        geom = tx.with_srid(box(0, 0, 100, 100))  # type: ignore[attr-defined]
        session.add(
            Site(
                id="t:roof",
                kind="rooftop",
                name="School roof",
                source="t",
                source_id="roof",
                area_m2=800.0,
                municipality_code="564729",
                attributes={},
                geom=geom,
            )
        )
        session.flush()
        for profile, kwp in (("rooftop_pv", 120.0), ("community_energy", 150.0)):
            session.add(SiteScore(site_id="t:roof", profile=profile, capacity_kwp=kwp, score=50.0))
        tx.add_community(  # type: ignore[attr-defined]
            "municipality", "Děčany", code="564729", population=420, region_code="CZ042"
        )
        tx.add_community("mas", "MAS Podřipsko", code="MAS7", members=[Member("Děčany", municipality_code="564729")])  # type: ignore[attr-defined]
        tx.add_community("mas", "MAS Other", code="MAS8", members=[Member("Elsewhere", municipality_code="1")])  # type: ignore[attr-defined]

    store.transaction(SYSTEM, setup)
    facts = facts_from_store(store, "t:roof", applicant="municipality")
    assert facts.capacity_kwp == 150.0  # the largest of the profiles
    assert facts_from_store(store, "t:roof", profile="rooftop_pv").capacity_kwp == 120.0
    assert (facts.population, facts.region_code, facts.mas_codes) == (420.0, "CZ042", ("MAS7",))
    assert (facts.kind, facts.intended_use, facts.area_m2) == ("rooftop", "pv_rooftop", 800.0)
    cat = catalogue(
        call_data(
            id="mas_call",
            intake={"close": "2024-12-31"},
            territory={"mas": ["MAS7"]},
            applicants="any",
            site_kinds="any",
            uses="any",
        ),
        call_data(
            id="msk_call",
            intake={"close": "2024-12-31"},
            territory={"regions": ["CZ080"]},
            applicants="any",
            site_kinds="any",
            uses="any",
        ),
    )
    verdicts = {m.call.id: m.verdict for m in match_site(facts, cat, today=TODAY, places=PlaceLookup())}
    assert verdicts == {"mas_call": "eligible", "msk_call": "not_eligible"}
    with pytest.raises(NotFoundError):
        facts_from_store(store, "t:nope")
