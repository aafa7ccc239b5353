"""Every rule type on hand-made calls and sites."""

from __future__ import annotations

import datetime as dt

import pytest

from gisplan.funding import PlaceLookup, SiteFacts
from gisplan.funding._rules import (
    applicant_rule,
    area_rule,
    call_state,
    capacity_rule,
    combine,
    evaluate,
    intake_rule,
    kwp,
    number,
    population_rule,
    site_kind_rule,
    territory_rule,
    use_rule,
)
from gisplan.funding._territory import Place
from tests.funding.helpers import make_call

TODAY = dt.date(2024, 6, 1)
PLACES = PlaceLookup(
    {
        "564729": Place("564729", district="CZ0423", region="CZ042", district_name="Litoměřice"),
        "554782": Place("554782", district="CZ0806", region="CZ080", district_name="Ostrava-město"),
        "500011": Place("500011", district=None, region=None),
    }
)


# ----------------------------------------------------------------------------------------- intake
@pytest.mark.parametrize(
    ("intake", "verdict", "state", "reason"),
    [
        ({"open": "2024-03-01", "close": "2024-05-31"}, "not_eligible", "closed", "intake closed on 2024-05-31"),
        ({"open": "2024-03-01", "close": "2024-06-01"}, "eligible", "open", "intake open until 2024-06-01"),
        ({"close": "2024-10-31"}, "eligible", "open", "intake open until 2024-10-31"),
        (
            {"open": "2024-06-02", "close": "2024-10-31"},
            "eligible",
            "upcoming",
            "intake opens on 2024-06-02, closes on 2024-10-31",
        ),
        ({"open": "2024-07-01"}, "eligible", "upcoming", "intake opens on 2024-07-01"),
        ({"open": "2024-05-15"}, "unknown", "unknown", "intake opened on 2024-05-15; its closing date is not recorded"),
        ({}, "unknown", "unknown", "intake dates are not recorded; check the call"),
    ],
)
def test_intake(intake: dict[str, str], verdict: str, state: str, reason: str) -> None:
    call = make_call(intake=intake)
    result = intake_rule(call, TODAY)
    assert (result.rule, result.verdict, result.reason) == ("intake", verdict, reason)
    assert call_state(call, TODAY) == state


def test_intake_closes_the_day_after_the_close_date() -> None:
    call = make_call(intake={"close": "2024-10-31"})
    assert intake_rule(call, dt.date(2024, 10, 31)).verdict == "eligible"
    assert intake_rule(call, dt.date(2024, 11, 1)).reason == "intake closed on 2024-10-31"


# -------------------------------------------------------------------------------------- territory
def test_national_call_covers_any_municipality() -> None:
    result = territory_rule(make_call(territory={"national": True}), SiteFacts(), PLACES)
    assert (result.verdict, result.reason) == ("eligible", "the call covers all of Czechia")


def test_region_through_the_place_lookup() -> None:
    call = make_call(territory={"regions": ["Ústecký kraj", "CZ041"]})
    inside = territory_rule(call, SiteFacts(municipality_code="564729"), PLACES)
    assert inside.verdict == "eligible"
    assert inside.reason == "municipality 564729 lies in Ústecký kraj"
    outside = territory_rule(call, SiteFacts(municipality_code="554782"), PLACES)
    assert outside.verdict == "not_eligible"
    assert outside.reason == "municipality 554782 is not in the call's territory (Ústecký kraj, Karlovarský kraj)"


def test_region_carried_by_the_site_wins_over_the_lookup() -> None:
    call = make_call(territory={"regions": ["CZ080"]})
    facts = SiteFacts(municipality_code="564729", region_code="CZ080")
    assert territory_rule(call, facts, PLACES).verdict == "eligible"


def test_district_and_municipality_lists() -> None:
    by_district = make_call(territory={"districts": ["CZ0423"]})
    assert territory_rule(by_district, SiteFacts(municipality_code="564729"), PLACES).verdict == "eligible"
    assert territory_rule(by_district, SiteFacts(municipality_code="554782"), PLACES).verdict == "not_eligible"
    by_list = make_call(territory={"municipalities": ["564729", "500011"]})
    named = territory_rule(by_list, SiteFacts(municipality_code="500011"), PLACES)
    assert (named.verdict, named.reason) == ("eligible", "municipality 500011 is named in the call")
    missing = territory_rule(by_list, SiteFacts(municipality_code="554782"), PLACES)
    assert missing.verdict == "not_eligible"
    assert "not in the call's territory (2 listed municipalities)" in missing.reason


def test_mas_territory_needs_known_membership() -> None:
    call = make_call(territory={"mas": ["MAS1"]})
    assert territory_rule(call, SiteFacts(municipality_code="1", mas_codes=("MAS1",)), PLACES).verdict == "eligible"
    assert territory_rule(call, SiteFacts(municipality_code="1", mas_codes=()), PLACES).verdict == "not_eligible"
    unknown = territory_rule(call, SiteFacts(municipality_code="1"), PLACES)
    assert unknown.verdict == "unknown"
    assert "MAS membership of municipality 1 is not known" in unknown.reason


def test_unknown_place_gives_unknown_not_a_refusal() -> None:
    call = make_call(territory={"regions": ["CZ042"]})
    for facts in (SiteFacts(municipality_code="500011"), SiteFacts(municipality_code="999999"), SiteFacts()):
        result = territory_rule(call, facts, PLACES)
        assert result.verdict == "unknown"
        assert result.reason.startswith("cannot check the territory: the region of")


def test_partial_and_also_elsewhere_territories() -> None:
    partial = make_call(territory={"regions": ["CZ042"], "partial": True, "note": "listed cadastral areas"})
    result = territory_rule(partial, SiteFacts(municipality_code="564729"), PLACES)
    assert result.verdict == "unknown"
    assert "covers only listed parts of it (listed cadastral areas)" in result.reason
    # outside the listed regions a partial call is still not eligible
    assert territory_rule(partial, SiteFacts(municipality_code="554782"), PLACES).verdict == "not_eligible"
    wider = make_call(territory={"regions": ["CZ042"], "also_elsewhere": True})
    assert territory_rule(wider, SiteFacts(municipality_code="564729"), PLACES).verdict == "eligible"
    outside = territory_rule(wider, SiteFacts(municipality_code="554782"), PLACES)
    assert outside.verdict == "unknown"
    assert "also covers places not recorded here" in outside.reason


def test_unrecorded_territory_is_unknown() -> None:
    result = territory_rule(make_call(), SiteFacts(municipality_code="564729"), PLACES)
    assert (result.verdict, result.reason) == ("unknown", "the call's territory is not recorded in the catalogue")


# ------------------------------------------------------------------------------------------- lists
@pytest.mark.parametrize(
    ("rule", "field", "fact", "allowed", "value", "verdict"),
    [
        (applicant_rule, "applicants", "applicant", ["municipality"], "municipality", "eligible"),
        (applicant_rule, "applicants", "applicant", ["municipality"], "business", "not_eligible"),
        (applicant_rule, "applicants", "applicant", ["municipality", "others"], "business", "unknown"),
        (applicant_rule, "applicants", "applicant", ["municipality"], None, "unknown"),
        (applicant_rule, "applicants", "applicant", "any", "business", "eligible"),
        (applicant_rule, "applicants", "applicant", "unknown", "municipality", "unknown"),
        (site_kind_rule, "site_kinds", "kind", ["brownfield"], "brownfield", "eligible"),
        (site_kind_rule, "site_kinds", "kind", ["brownfield"], "rooftop", "not_eligible"),
        (site_kind_rule, "site_kinds", "kind", ["rooftop", "others"], "municipal_land", "unknown"),
        (site_kind_rule, "site_kinds", "kind", "any", "rooftop", "eligible"),
        (use_rule, "uses", "intended_use", ["pv_rooftop", "storage"], "pv_rooftop", "eligible"),
        (use_rule, "uses", "intended_use", ["public_services"], "pv_ground", "not_eligible"),
        (use_rule, "uses", "intended_use", ["public_services"], None, "unknown"),
    ],
)
def test_list_rules(rule: object, field: str, fact: str, allowed: object, value: str | None, verdict: str) -> None:
    call = make_call(**{field: allowed})
    result = rule(call, SiteFacts(**{fact: value}))  # type: ignore[operator]
    assert result.verdict == verdict


def test_list_rule_reasons_name_the_value_and_the_accepted_ones() -> None:
    call = make_call(applicants=["municipality", "region"], uses=["public_services", "others"])
    refused = applicant_rule(call, SiteFacts(applicant="business"))
    assert refused is not None
    assert refused.reason == "applicant type business is not eligible (the call accepts municipality, region)"
    open_list = use_rule(call, SiteFacts(intended_use="pv_ground"))
    assert open_list is not None
    assert "(public_services and others); check the call text" in open_list.reason


# ------------------------------------------------------------------------------------------ limits
def test_capacity_over_the_limit_reads_like_the_issue() -> None:
    call = make_call(limits={"capacity_kwp": {"max": 1000}})
    result = capacity_rule(call, SiteFacts(capacity_kwp=1400.0))
    assert result is not None
    assert (result.verdict, result.reason) == ("not_eligible", "capacity 1.4 MWp exceeds the 1 MWp limit")
    at_limit = capacity_rule(call, SiteFacts(capacity_kwp=1000.0))
    assert at_limit is not None
    assert at_limit.verdict == "eligible"


def test_capacity_minimum_and_both_bounds() -> None:
    call = make_call(limits={"capacity_kwp": {"min": 50, "max": 5000}})
    small = capacity_rule(call, SiteFacts(capacity_kwp=30.0))
    assert small is not None
    assert (small.verdict, small.reason) == ("not_eligible", "capacity 30 kWp is below the 50 kWp minimum")
    mid = capacity_rule(call, SiteFacts(capacity_kwp=700.0))
    assert mid is not None
    assert mid.reason == "capacity 700 kWp is within the limit (at least 50 kWp and at most 5 MWp)"


def test_limit_absent_unknown_or_fact_missing() -> None:
    assert capacity_rule(make_call(), SiteFacts(capacity_kwp=1e6)) is None  # no such limit: no rule
    unknown_limit = capacity_rule(make_call(limits={"capacity_kwp": "unknown"}), SiteFacts(capacity_kwp=10.0))
    assert unknown_limit is not None
    assert unknown_limit.verdict == "unknown"
    assert "the limit is not recorded" in unknown_limit.reason
    missing_fact = capacity_rule(make_call(limits={"capacity_kwp": {"max": 1000}}), SiteFacts())
    assert missing_fact is not None
    assert (missing_fact.verdict, missing_fact.reason) == (
        "unknown",
        "the capacity is not known; the call allows at most 1 MWp",
    )


def test_area_limit_in_hectares() -> None:
    call = make_call(limits={"area_ha": {"max": 10}})
    big = area_rule(call, SiteFacts(area_m2=125_000.0))
    assert big is not None
    assert (big.verdict, big.reason) == ("not_eligible", "area 12.5 ha exceeds the 10 ha limit")
    small = area_rule(call, SiteFacts(area_m2=99_999.0))
    assert small is not None
    assert small.verdict == "eligible"


def test_population_limit() -> None:
    call = make_call(limits={"population": {"max": 3000}})
    town = population_rule(call, SiteFacts(population=4800.0))
    assert town is not None
    assert (town.verdict, town.reason) == (
        "not_eligible",
        "municipality population 4,800 inhabitants exceeds the 3,000 inhabitants limit",
    )
    village = population_rule(call, SiteFacts(population=2577.0))
    assert village is not None
    assert village.verdict == "eligible"
    assert population_rule(call, SiteFacts()) is not None


# ---------------------------------------------------------------------------------------- together
def test_evaluate_lists_intake_and_territory_first_then_only_rules_the_call_sets() -> None:
    call = make_call(
        intake={"close": "2024-10-31"},
        territory={"national": True},
        applicants=["municipality"],
        limits={"capacity_kwp": {"max": 1000}},
    )
    results = evaluate(call, SiteFacts(applicant="municipality", capacity_kwp=500.0), today=TODAY, places=PLACES)
    assert [r.rule for r in results] == ["intake", "territory", "applicant", "site_kind", "use", "capacity"]


def test_combine() -> None:
    facts = SiteFacts()
    every_rule_open = {"territory": {"national": True}, "applicants": "any", "site_kinds": "any", "uses": "any"}
    undated = make_call(**every_rule_open)
    assert combine(evaluate(undated, facts, today=TODAY, places=PLACES)) == "unknown"
    open_call = make_call(intake={"close": "2024-12-31"}, **every_rule_open)
    assert combine(evaluate(open_call, facts, today=TODAY, places=PLACES)) == "eligible"
    closed = make_call(intake={"close": "2024-01-31"}, **every_rule_open)
    assert combine(evaluate(closed, facts, today=TODAY, places=PLACES)) == "not_eligible"


@pytest.mark.parametrize(
    ("value", "text"), [(1400.0, "1.4 MWp"), (1000.0, "1 MWp"), (999.5, "999.5 kWp"), (1234.5, "1.23 MWp")]
)
def test_kwp_format(value: float, text: str) -> None:
    assert kwp(value) == text


def test_number_format() -> None:
    assert number(3000.0) == "3,000"
    assert number(0.0) == "0"
