"""Eligibility says what it could not check: owner and building use, reasons as records in the reader's language."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from gisplan.funding import (
    FundingCatalogue,
    SiteFacts,
    facts_from_row,
    load_calls,
    match_site,
    places_from_admin_gpkg,
    reason_text,
    reasons_text,
)
from gisplan.funding._reasons import render
from gisplan.funding._rules import RuleResult, combine, evaluate, owner_rule
from tests.funding.helpers import make_call
from tests.funding.test_reasons_cs import CASES
from tests.funding.test_rules import PLACES, TODAY

PUBLIC_BUILDINGS = "res_plus_3_2024"
DURING_INTAKE = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def shipped() -> FundingCatalogue:
    return load_calls()


def _roof(**row: Any) -> SiteFacts:
    base = {"kind": "rooftop", "capacity_kwp": 60.0, "area_m2": 500.0, "kod_obce": "564729", "kod_kraj": "CZ042"}
    return facts_from_row(base | row, applicant="municipality", population=394.0)


def _verdict(shipped: FundingCatalogue, facts: SiteFacts, call_id: str = PUBLIC_BUILDINGS) -> tuple[str, list[str]]:
    found = match_site(facts, [shipped[call_id]], today=DURING_INTAKE)[0]
    return found.verdict, [r.rule for r in found.failing()]


def test_an_unnamed_agricultural_building_is_to_check_not_eligible_for_public_buildings(
    shipped: FundingCatalogue,
) -> None:
    # the case: RÚIAN building, ZpusobVyuzitiKod 13 (zemědělská stavba), no name, no owner
    verdict, open_rules = _verdict(shipped, _roof(zpusob_vyuziti_kod=13.0))
    assert verdict == "unknown"  # shown as "to check"; it was "eligible" before owner/building-use rules
    assert open_rules == ["owner", "building_use"]
    found = match_site(_roof(zpusob_vyuziti_kod=13.0), [shipped[PUBLIC_BUILDINGS]], today=DURING_INTAKE)[0]
    texts = [r.text("en") for r in found.failing()]
    assert texts[0] == "the owner of the site is not recorded; the call accepts municipal"
    assert "building use agricultural is not among those the catalogue names" in texts[1]
    assert found.failing()[0].text("cs") == "vlastník lokality není zaznamenán; výzva přijímá: obec"


@pytest.mark.parametrize(
    ("row", "verdict"),
    [
        ({"zpusob_vyuziti_kod": 5, "ownership": "municipal"}, "eligible"),  # school of the municipality
        ({"zpusob_vyuziti_kod": 5, "ownership": "private"}, "not_eligible"),
        ({"zpusob_vyuziti_kod": 7, "ownership": "municipal"}, "unknown"),  # a municipal family house: check
        ({"building_use": "civic", "ownership": "owned by a public authority"}, "unknown"),  # which public body?
        ({"building_use": "civic", "ownership": "unknown"}, "unknown"),
    ],
)
def test_owner_and_building_use_decide_only_when_known(
    shipped: FundingCatalogue, row: dict[str, Any], verdict: str
) -> None:
    assert _verdict(shipped, _roof(**row))[0] == verdict


def test_a_call_without_owner_or_use_conditions_has_no_such_rules(shipped: FundingCatalogue) -> None:
    facts = _roof(zpusob_vyuziti_kod=13.0)
    rules = {r.rule for r in evaluate(shipped["res_plus_1_2024"], facts, today=DURING_INTAKE, places=PLACES)}
    assert not rules & {"owner", "building_use"}


@pytest.mark.parametrize(
    ("owners", "verdict"),
    [
        (["municipal", "other_public"], "eligible"),
        (["municipal"], "unknown"),
        (["municipal", "others"], "unknown"),
        (["private"], "not_eligible"),
    ],
)
def test_a_public_owner_of_unknown_kind(owners: list[str], verdict: str) -> None:
    result = owner_rule(make_call(owners=owners), SiteFacts(owner="public"))
    assert result is not None
    assert result.verdict == verdict


@pytest.mark.parametrize(
    ("row", "owner", "use"),
    [
        ({"zpusob_vyuziti_kod": 3.0}, None, "residential"),
        ({"zpusob_vyuziti_kod": "13"}, None, "agricultural"),
        ({"zpusob_vyuziti_kod": 99}, None, None),
        ({"building_use": "civic", "zpusob_vyuziti_kod": 13}, None, "civic"),
        ({"ownership": "not owned by a public authority"}, "private", None),
        ({"ownership": "mixed ownership"}, "mixed", None),
        ({"ownership": "other_public"}, "other_public", None),
        ({"owner_type": "municipal", "ownership": "private"}, "municipal", None),
        ({"ownership": "somebody"}, None, None),
    ],
)
def test_facts_from_source_attributes(row: dict[str, Any], owner: str | None, use: str | None) -> None:
    facts = facts_from_row({"kind": "rooftop"} | row)
    assert (facts.owner, facts.building_use) == (owner, use)


def test_catalogue_rejects_an_owner_outside_the_vocabulary() -> None:
    with pytest.raises(ValueError, match="owner types"):
        make_call(owners=["council"])


# ------------------------------------------------------------------------------------- records
def _all_results() -> list[RuleResult]:
    return [r for fields, facts in CASES for r in evaluate(make_call(**fields), facts, today=TODAY, places=PLACES)]


def test_every_reason_is_a_record_with_plain_values_that_renders_as_its_text() -> None:
    for result in _all_results():
        stored = result.stored()
        back = json.loads(stored)
        assert back == result.record()
        assert set(back) == {"rule", "code", "verdict", "params"}
        for language in ("en", "cs", "pl", "hu", "da"):
            assert reason_text(stored, language) == result.text(language) == render(back, language)
        assert reason_text(stored, "de") == result.text("en")  # a language without wording reads English


def test_a_record_is_stored_with_its_values_not_its_words() -> None:
    result = RuleResult("area", "not_eligible", "above_max", {"value_ha": 12.5, "max_ha": 10.0})
    assert result.record() == {
        "rule": "area",
        "code": "above_max",
        "verdict": "not_eligible",
        "params": {"value_ha": 12.5, "max_ha": 10.0},
    }
    assert reason_text(result.stored(), "en") == "area 12.5 ha exceeds the 10 ha limit"
    assert reason_text(result.record(), "cs") == "rozloha 12,5 ha překračuje limit 10 ha"


def test_plain_text_reasons_of_older_links_stay_as_saved() -> None:
    for text in ("region CZ042 is eligible", "{not json", '{"rule": 1}', ""):
        assert reason_text(text, "cs") == text


def test_a_record_of_an_unknown_rule_is_shown_not_dropped() -> None:
    text = reason_text({"rule": "future_rule", "code": "x", "params": {"a": 1}}, "cs")
    assert text == "future_rule: x (a=1)"


def test_joined_reasons_of_a_call_page_mix_records_and_plain_text() -> None:
    record = RuleResult("capacity", "not_eligible", "above_max", {"value_kwp": 1400.0, "max_kwp": 1000.0}).stored()
    joined = f"intake dates are not recorded; {record}; {record}"
    expected = (
        "intake dates are not recorded; výkon 1,4 MWp překračuje limit 1 MWp; výkon 1,4 MWp překračuje limit 1 MWp"
    )
    assert reasons_text(joined, "cs") == expected


def test_stored_reasons_of_a_match_are_the_failing_records(shipped: FundingCatalogue) -> None:
    found = match_site(_roof(zpusob_vyuziti_kod=13.0), [shipped[PUBLIC_BUILDINGS]], today=DURING_INTAKE)[0]
    assert [json.loads(r)["rule"] for r in found.stored_reasons()] == ["owner", "building_use"]


# ------------------------------------------------------------------------------------ real data
def test_decany_buildings_for_public_building_calls(shared_data: Path, shipped: FundingCatalogue) -> None:
    """RÚIAN Děčany (298 buildings): no building is eligible for a public-buildings call without an owner."""
    import pyogrio

    buildings = pyogrio.read_dataframe(
        shared_data / "ruian_cz" / "decany_564729_ruian2014.gpkg", layer="stavebni_objekty"
    )
    buildings["footprint_m2"] = buildings.geometry.area  # EPSG:5514, metres
    places = places_from_admin_gpkg(shared_data / "admin_cz" / "admin_cz.gpkg")
    calls = list(shipped.calls.values())
    # the same calls without the two new conditions: what the matcher said before
    before_calls = [c.model_copy(update={"owners": None, "building_uses": None}) for c in calls]
    moved: dict[str, int] = {}
    uses: dict[str, int] = {}
    for record in buildings.to_dict("records"):
        area = float(record["footprint_m2"])
        row = {
            "kind": "rooftop",
            "area_m2": area,
            "capacity_kwp": area * 0.1,  # a rough 0.1 kWp per m² of footprint, only to pass the size limits
            "kod_obce": "564729",
            "zpusob_vyuziti_kod": record["ZpusobVyuzitiKod"],
        }
        facts = facts_from_row(row, applicant="municipality", population=394.0)
        uses[str(facts.building_use)] = uses.get(str(facts.building_use), 0) + 1
        now = {m.call.id: m.verdict for m in match_site(facts, calls, today=DURING_INTAKE, places=places)}
        then = {m.call.id: m.verdict for m in match_site(facts, before_calls, today=DURING_INTAKE, places=places)}
        for call_id, verdict in then.items():
            if verdict == "eligible" and now[call_id] != "eligible":
                moved[call_id] = moved.get(call_id, 0) + 1
        assert now[PUBLIC_BUILDINGS] != "eligible"
    assert uses["agricultural"] == 49
    assert uses["residential"] == 169 + 30 + 5  # objekt k bydlení, rodinný dům, stavba pro rodinnou rekreaci
    assert uses["civic"] == 8  # objekt občanské vybavenosti
    # every building was eligible for RES+ 3/2024 before and is "to check" now (no owner in RÚIAN)
    assert moved == {PUBLIC_BUILDINGS: len(buildings)}


def test_combine_orders_not_eligible_over_to_check_over_eligible() -> None:
    def r(verdict: str) -> RuleResult:
        return RuleResult("x", verdict, "y")  # type: ignore[arg-type]

    assert combine([r("eligible"), r("unknown")]) == "unknown"
    assert combine([r("unknown"), r("not_eligible")]) == "not_eligible"
    assert combine([r("eligible")]) == "eligible"
