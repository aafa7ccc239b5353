"""The catalogue schema, the loader's problem reports and the shipped catalogue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from gisplan import settings
from gisplan.errors import ConfigError
from gisplan.funding import (
    FundingCatalogue,
    Range,
    Territory,
    calls_path,
    load_calls,
    parse_text,
    validate_data,
    validate_file,
)
from gisplan.funding._rules import RULES, SiteFacts, evaluate
from tests.funding.helpers import call_data

SHIPPED = settings.PROJECT_ROOT / "data" / "funding_calls.yaml"


# -------------------------------------------------------------------------------- shipped catalogue
@pytest.fixture(scope="module")
def shipped() -> FundingCatalogue:
    return load_calls(SHIPPED)


def test_shipped_catalogue_parses_without_problems(shipped: FundingCatalogue) -> None:
    _, problems = validate_file(SHIPPED)
    assert problems == []
    assert len(shipped) >= 20


def test_every_shipped_call_has_a_source_url_and_date(shipped: FundingCatalogue) -> None:
    for call in shipped.calls.values():
        assert call.url.startswith(("https://", "http://")), call.id
        assert call.source_date[:4].isdigit(), call.id
        assert call.title.cs and call.title.en, call.id


def test_every_shipped_call_runs_every_rule(shipped: FundingCatalogue) -> None:
    facts = SiteFacts(
        kind="rooftop",
        area_m2=5000.0,
        capacity_kwp=900.0,
        municipality_code="564729",
        region_code="CZ042",
        population=420.0,
        intended_use="pv_rooftop",
        applicant="municipality",
        mas_codes=(),
    )
    for call in shipped.calls.values():
        results = evaluate(call, facts, today=dt.date(2024, 6, 1), places=_no_places())
        assert len(results) >= 2 + 3, call.id  # intake, territory, applicant, site kind, use
        assert all(r.reason for r in results), call.id
    assert len(RULES) == 10  # owner and building use joined the six rules of 2025, then previous use, energy poverty


def _no_places() -> object:
    from gisplan.funding import PlaceLookup

    return PlaceLookup()


def test_shipped_catalogue_covers_the_programmes_of_the_issue(shipped: FundingCatalogue) -> None:
    programmes = " | ".join(c.programme for c in shipped.calls.values())
    for name in ("OPST", "RES+", "KOMUENERG", "IROP", "CLLD", "EHP", "brownfield"):
        assert name.lower() in programmes.lower(), name
    providers = {c.provider for c in shipped.calls.values()}
    assert any("CzechInvest" in p for p in providers)
    assert any("SFPI" in p for p in providers)
    coal_regions = {r for c in shipped.calls.values() if c.programme.startswith("OP Sprav") for r in _regions(c)}
    assert coal_regions == {"CZ041", "CZ042", "CZ080"}


def _regions(call: object) -> list[str]:
    territory = getattr(call, "territory", "unknown")
    return [] if territory == "unknown" else list(territory.regions)


def test_shipped_small_municipality_calls_carry_their_limits(shipped: FundingCatalogue) -> None:
    call = shipped["res_plus_3_2024"]
    assert call.limits.population == Range(max=3000)
    assert call.limits.capacity_kwp == Range(max=1000)
    assert call.intake.close == dt.date(2024, 10, 31)


def test_calls_path_prefers_the_data_dir(isolated_settings: Path) -> None:
    assert calls_path() == SHIPPED
    own = isolated_settings / "funding_calls.yaml"
    own.write_text(yaml.safe_dump({"calls": [call_data()]}), encoding="utf-8")
    assert calls_path() == own
    assert list(load_calls().calls) == ["test_call"]


# ------------------------------------------------------------------------------------ the schema
def test_region_names_become_codes() -> None:
    territory = Territory(regions=["Ústecký kraj", "karlovarsky", "CZ080"])
    assert territory.regions == ["CZ042", "CZ041", "CZ080"]


def test_every_problem_is_reported_with_call_and_field() -> None:
    data = {
        "calls": [
            call_data(id="ok_call"),
            call_data(
                id="bad_call",
                url="ftp://nope",
                source_date="June 2024",
                applicants=["mayor"],
                territory={"regions": ["Atlantis"]},
                limits={"capacity_kwp": {"min": 2000, "max": 1000}},
                intake={"open": "2024-05-01", "close": "2024-04-01"},
                max_aid_rate_pct=120,
            ),
            call_data(id="ok_call"),
            {"programme": "no id"},
        ],
        "extra": 1,
    }
    catalogue, problems = validate_data(data, "calls.yaml")
    assert list(catalogue.calls) == ["ok_call"]
    where = {p.location for p in problems}
    assert "field extra" in where
    for field in (
        "url",
        "source_date",
        "applicants",
        "territory.regions",
        "limits.capacity_kwp",
        "intake",
        "max_aid_rate_pct",
    ):
        assert f"call bad_call, field {field}" in where, (field, where)
    assert "call ok_call, field id" in where  # the duplicate
    assert any(loc.startswith("call #4, field ") for loc in where)
    assert all(p.file == "calls.yaml" for p in problems)
    messages = " ".join(p.message for p in problems)
    assert "'mayor'" in messages
    assert "Atlantis" in messages


def test_limits_absent_unknown_and_empty() -> None:
    catalogue, problems = validate_data(
        {"calls": [call_data(limits={"population": "unknown"}), call_data(id="second", limits={"area_ha": {}})]}, "x"
    )
    assert catalogue["test_call"].limits.population == "unknown"
    assert catalogue["test_call"].limits.capacity_kwp is None
    assert [p.location for p in problems] == ["call second, field limits.area_ha"]


def test_lists_must_name_something() -> None:
    _, problems = validate_data({"calls": [call_data(uses=[]), call_data(id="two", uses=["others"])]}, "x")
    assert [p.location for p in problems] == ["call test_call, field uses", "call two, field uses"]


def test_territory_needs_national_or_a_list() -> None:
    _, problems = validate_data(
        {
            "calls": [
                call_data(territory={}),
                call_data(id="both", territory={"national": True, "regions": ["CZ042"]}),
                call_data(id="codes", territory={"municipalities": ["56472"], "districts": ["Teplice"]}),
            ]
        },
        "x",
    )
    assert {p.location for p in problems} == {
        "call test_call, field territory",
        "call both, field territory",
        "call codes, field territory.municipalities",
        "call codes, field territory.districts",
    }


def test_yaml_syntax_error_names_the_line() -> None:
    _, problems = parse_text("calls:\n  - id: a\n    title: [unclosed\n", "broken.yaml")
    assert len(problems) == 1
    assert problems[0].file == "broken.yaml"
    assert problems[0].location.startswith("line ")


def test_load_calls_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "calls.yaml"
    path.write_text(yaml.safe_dump({"calls": [call_data(url="x"), call_data(id="second", source_date="")]}), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_calls(path)
    assert len(caught.value.problems) == 2
    assert str(path) in str(caught.value)


def test_unknown_call_id_lists_the_known_ones() -> None:
    catalogue, _ = validate_data({"calls": [call_data()]}, "x")
    with pytest.raises(ConfigError, match="known calls: \\['test_call'\\]"):
        catalogue["nope"]


def test_to_data_round_trips(tmp_path: Path) -> None:
    original = load_calls(SHIPPED)
    again, problems = validate_data(original.to_data(), "round trip")
    assert problems == []
    assert again.calls == original.calls
