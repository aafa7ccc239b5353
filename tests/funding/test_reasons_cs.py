"""Every rule's reason in Czech: present, different from the English one, with Czech numbers and dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gisplan.funding import SiteFacts, match_site, matches_frame
from gisplan.funding._rules import (
    RULES,
    RuleResult,
    area_rule,
    capacity_rule,
    date_cs,
    evaluate,
    intake_rule,
    kwp_cs,
    number_cs,
    population_rule,
    territory_rule,
)
from tests.funding.helpers import make_call
from tests.funding.test_rules import PLACES, TODAY

#: (call fields, site facts, today): together they reach every branch of every rule.
CASES: list[tuple[dict[str, Any], SiteFacts]] = [
    ({"intake": {"open": "2024-03-01", "close": "2024-05-31"}}, SiteFacts()),
    ({"intake": {"open": "2024-03-01", "close": "2024-10-31"}}, SiteFacts()),
    ({"intake": {"open": "2024-06-02", "close": "2024-10-31"}}, SiteFacts()),
    ({"intake": {"open": "2024-07-01"}}, SiteFacts()),
    ({"intake": {"open": "2024-05-15"}}, SiteFacts()),
    ({"territory": {"national": True}}, SiteFacts()),
    ({"territory": {"regions": ["CZ042"]}}, SiteFacts(municipality_code="564729")),
    ({"territory": {"regions": ["CZ042"]}}, SiteFacts(municipality_code="554782")),
    ({"territory": {"regions": ["CZ042"]}}, SiteFacts()),
    ({"territory": {"districts": ["CZ0423"]}}, SiteFacts(municipality_code="564729")),
    ({"territory": {"districts": ["CZ0423"]}}, SiteFacts(municipality_code="500011")),
    ({"territory": {"municipalities": ["500011"]}}, SiteFacts(municipality_code="500011")),
    ({"territory": {"municipalities": ["500011"]}}, SiteFacts()),
    ({"territory": {"mas": ["MAS1"]}}, SiteFacts(municipality_code="1", mas_codes=("MAS1",))),
    ({"territory": {"mas": ["MAS1"]}}, SiteFacts(municipality_code="1")),
    ({"territory": {"regions": ["CZ042"], "partial": True}}, SiteFacts(municipality_code="564729")),
    ({"territory": {"regions": ["CZ042"], "also_elsewhere": True}}, SiteFacts(municipality_code="554782")),
    (
        {"applicants": ["municipality"], "site_kinds": ["brownfield"], "uses": ["pv_ground"]},
        SiteFacts(applicant="municipality", kind="brownfield", intended_use="pv_ground"),
    ),
    (
        {"applicants": ["municipality"], "site_kinds": ["brownfield"], "uses": ["pv_ground"]},
        SiteFacts(applicant="business", kind="rooftop", intended_use="storage"),
    ),
    (
        {"applicants": ["municipality", "others"], "site_kinds": "any", "uses": "unknown"},
        SiteFacts(applicant="business", kind="rooftop", intended_use="storage"),
    ),
    ({"applicants": ["municipality"], "site_kinds": ["rooftop"], "uses": ["pv_rooftop"]}, SiteFacts()),
    (
        {"limits": {"capacity_kwp": {"max": 1000}, "area_ha": {"min": 1}, "population": {"max": 3000}}},
        SiteFacts(capacity_kwp=1400.0, area_m2=5_000.0, population=2577.0),
    ),
    (
        {"limits": {"capacity_kwp": "unknown", "area_ha": {"min": 1, "max": 10}, "population": {"max": 3000}}},
        SiteFacts(),
    ),
    ({"limits": {"energy_poverty": {"min": 15}}}, SiteFacts(energy_poverty=9.0)),
    ({"limits": {"energy_poverty": {"min": 15}}}, SiteFacts()),
    ({"owners": ["municipal"], "building_uses": ["civic", "others"]}, SiteFacts()),
    ({"owners": ["municipal"], "building_uses": ["civic", "others"]}, SiteFacts(owner="private", building_use="civic")),
    ({"owners": ["municipal", "others"], "building_uses": ["civic"]}, SiteFacts(owner="public", building_use="other")),
    ({"owners": ["municipal", "others"], "building_uses": ["civic", "others"]}, SiteFacts(building_use="agricultural")),
    ({"owners": "any", "building_uses": "unknown"}, SiteFacts(owner="municipal")),
    ({"owners": ["municipal"]}, SiteFacts(owner="municipal")),
    ({"previous_uses": ["industrial", "mining"]}, SiteFacts(previous_use="agricultural")),
    ({"previous_uses": ["mining", "others"]}, SiteFacts(previous_use="mining")),
    ({"previous_uses": ["industrial"]}, SiteFacts()),
]


def _results() -> list[RuleResult]:
    return [r for fields, facts in CASES for r in evaluate(make_call(**fields), facts, today=TODAY, places=PLACES)]


def test_every_rule_type_yields_a_czech_reason_that_differs_from_the_english_one() -> None:
    results = _results()
    assert {r.rule for r in results} == {"intake", "territory"} | {f.__name__.removesuffix("_rule") for f in RULES}
    for result in results:
        assert result.reason_cs, result
        assert result.reason_cs != result.reason, result
        assert result.text("cs") == result.reason_cs
        assert result.text("en") == result.reason
        assert result.text("de") == result.reason  # no German wording: English, never Czech


def test_every_branch_is_reached_with_its_own_czech_text() -> None:
    pairs = {(r.reason, r.reason_cs) for r in _results()}
    english = {en for en, _ in pairs}
    czech = {cs for _, cs in pairs}
    # one Czech sentence per English one: no branch falls back to a shared or English text
    assert len(czech) == len(english) == len(pairs)


def test_capacity_reason_in_czech_reads_like_the_issue() -> None:
    result = capacity_rule(make_call(limits={"capacity_kwp": {"max": 1000}}), SiteFacts(capacity_kwp=1400.0))
    assert result is not None
    assert result.reason == "capacity 1.4 MWp exceeds the 1 MWp limit"
    assert result.reason_cs == "výkon 1,4 MWp překračuje limit 1 MWp"


def test_intake_closed_in_czech_uses_a_czech_date() -> None:
    result = intake_rule(make_call(intake={"close": "2024-10-31"}), dt.date(2024, 11, 1))
    assert result.reason == "intake closed on 2024-10-31"
    assert result.reason_cs == "příjem žádostí skončil 31. 10. 2024"
    upcoming = intake_rule(make_call(intake={"open": "2024-06-02", "close": "2024-10-31"}), TODAY)
    assert upcoming.reason_cs == "příjem žádostí začne 2. 6. 2024, skončí 31. 10. 2024"


def test_territory_in_czech() -> None:
    call = make_call(territory={"regions": ["CZ042"], "districts": ["CZ0806"], "municipalities": ["500011", "500012"]})
    outside = territory_rule(call, SiteFacts(municipality_code="554782", district_code="CZ0100"), PLACES)
    assert outside.verdict == "not_eligible"
    assert outside.reason_cs.startswith("obec 554782 není v území výzvy (Ústecký kraj, okres CZ0806")
    unknown = territory_rule(make_call(territory={"mas": ["MAS1"]}), SiteFacts(), PLACES)
    assert unknown.reason_cs == "území nelze ověřit: členství obce lokality v MAS není známo"


def test_limits_in_czech_numbers() -> None:
    town = population_rule(make_call(limits={"population": {"max": 3000}}), SiteFacts(population=4800.0))
    assert town is not None
    assert town.reason_cs == "počet obyvatel obce 4 800 obyvatel překračuje limit 3 000 obyvatel"
    area = area_rule(make_call(limits={"area_ha": {"min": 1, "max": 10}}), SiteFacts(area_m2=125_000.0))
    assert area is not None
    assert area.reason_cs == "rozloha 12,5 ha překračuje limit 10 ha"


@pytest.mark.parametrize(
    ("value", "text"), [(0.0, "0"), (1.4, "1,4"), (3000.0, "3 000"), (1234567.891, "1 234 567,89")]
)
def test_number_cs(value: float, text: str) -> None:
    assert number_cs(value) == text


def test_kwp_and_date_cs() -> None:
    assert kwp_cs(700.0) == "700 kWp"
    assert kwp_cs(1400.0) == "1,4 MWp"
    assert date_cs(dt.date(2024, 1, 5)) == "5. 1. 2024"
    assert date_cs(None) == ""


def test_matches_in_czech() -> None:
    refused = make_call(id="refused", limits={"capacity_kwp": {"max": 1000}}, territory={"national": True})
    fine = make_call(
        id="fine",
        intake={"close": "2024-10-31"},
        territory={"national": True},
        applicants="any",
        site_kinds="any",
        uses="any",
    )
    matches = match_site(SiteFacts(capacity_kwp=1400.0), [refused, fine], today=TODAY, places=PLACES)
    by_id = {m.call.id: m for m in matches}
    assert "výkon 1,4 MWp překračuje limit 1 MWp" in by_id["refused"].reasons_in("cs")
    assert "capacity 1.4 MWp exceeds the 1 MWp limit" in by_id["refused"].reasons
    frame = matches_frame(matches, language="cs", reasons_language="cs").set_index("call_id")
    assert "výkon 1,4 MWp překračuje limit 1 MWp" in frame.loc["refused", "reasons"]
    assert frame.loc["fine", "reasons"] == "všechna pravidla splněna"
    assert matches_frame(matches, language="cs").set_index("call_id").loc["fine", "reasons"] == "all rules met"
