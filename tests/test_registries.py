"""One way to extend: a measure, an input format and a funding rule, each added from one module plus YAML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gisplan import funding, score
from gisplan.app.fundingform import apply_rule_inputs, rule_inputs
from gisplan.errors import ConfigError
from gisplan.formats import format_names, sniff
from gisplan.funding import SiteFacts
from gisplan.intake._sniff import sniff as intake_sniff
from gisplan.measure_registry import measure_types
from gisplan.profiles import load_profile
from gisplan.sources import read, sniff_format
from tests.app import test_communities_page
from tests.app.test_communities_page import World, run_page
from tests.plugins import extra_format, extra_measure, extra_rule

world = test_communities_page.world  # the store world fixture of the app tests

PLUGINS = Path(__file__).parent / "plugins"
CRS = "EPSG:5514"
X0, Y0 = -600_000.0, -1_100_000.0
TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def count_measure() -> Iterator[None]:
    extra_measure.register()
    yield
    extra_measure.unregister()


@pytest.fixture
def pts_format() -> Iterator[None]:
    extra_format.register()
    yield
    extra_format.unregister()


@pytest.fixture
def small_site_rule() -> Iterator[None]:
    extra_rule.register()
    yield
    extra_rule.unregister()


# ------------------------------------------------------------------------------------------ measures
def _roofs() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kind": "rooftop", "site_id": ["r:a", "r:b"]},
        geometry=[shapely.box(X0, Y0, X0 + 20, Y0 + 20), shapely.box(X0 + 3000, Y0, X0 + 3020, Y0 + 20)],
        crs=CRS,
    )


def _layers() -> dict[str, gpd.GeoDataFrame]:
    pois = [shapely.Point(X0 + 50, Y0 + 10), shapely.Point(X0 - 40, Y0), shapely.Point(X0 + 3500, Y0)]
    return {
        "substations": gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 270, Y0 + 10)], crs=CRS),
        "pois": gpd.GeoDataFrame(geometry=pois, crs=CRS),
    }


def test_a_registered_measure_scores_sites_from_a_profile_yaml(count_measure: None) -> None:
    profile = load_profile(PLUGINS / "count_profile.yaml")
    out = score(_roofs(), profile, layers=_layers(), language="en")
    assert list(out["pois_within_100m"]) == [2.0, 0.0]
    # 250 m from the substation -> 0.75 x 50 points; two features within 100 m -> 50 points
    assert out.iloc[0]["score"] == pytest.approx(87.5)
    assert out.iloc[1]["score"] == pytest.approx(0.0)


def test_without_the_registration_the_profile_is_refused() -> None:
    assert "count_within" not in measure_types()
    with pytest.raises(ConfigError) as info:
        load_profile(PLUGINS / "count_profile.yaml")
    assert "count_within" in str(info.value.problems)


# ------------------------------------------------------------------------------------------ formats
def test_a_registered_format_is_read_sniffed_and_listed(pts_format: None, tmp_path: Path) -> None:
    path = tmp_path / "points.pts"
    path.write_bytes(b"PTS1|lon|lat\na1|14.42|50.08\na2|14.43|50.09\n")
    assert "pts" in format_names()
    assert sniff_format(path) == "pts"
    assert sniff(path) == "pts"
    sites = read(path, working_crs=CRS)
    assert list(sites["source_id"].astype(str)) == ["a1", "a2"]
    assert set(sites["kind"]) == {"brownfield"}
    assert sites.crs.to_epsg() == 5514
    with pytest.raises(ValueError, match="EPSG:4326"):
        read(path, crs="EPSG:4326")
    # intake's sniffer is the same one: the bytes say what the upload is
    head = path.read_bytes()
    assert intake_sniff(head, "points.pts", filename="points.pts") == "pts"


def test_without_the_registration_the_format_is_unknown(tmp_path: Path) -> None:
    assert "pts" not in format_names()
    with pytest.raises(ValueError, match="unknown format"):
        read(tmp_path / "x.pts", format="pts")


# ------------------------------------------------------------------------------------------ rules
def test_a_registered_rule_is_matched_from_a_call_in_yaml(small_site_rule: None) -> None:
    catalogue, problems = funding.parse_text((PLUGINS / "small_site_calls.yaml").read_text("utf-8"), "calls.yaml")
    assert problems == []
    large = SiteFacts(site_id="s", kind="brownfield", area_m2=800.0, applicant="municipality", intended_use="pv_ground")
    [match] = funding.match_site(large, catalogue, today=TODAY)
    rule = next(r for r in match.rules if r.rule == "small_site")
    assert (rule.verdict, rule.code, match.verdict) == ("not_eligible", "too_large", "not_eligible")
    assert rule.text("en") == "small_site: too_large (value_m2=800.0, max_m2=500.0)"
    small = SiteFacts(site_id="s", kind="brownfield", area_m2=300.0, applicant="municipality", intended_use="pv_ground")
    [match] = funding.match_site(small, catalogue, today=TODAY)
    assert any(r.rule == "small_site" and r.verdict == "eligible" for r in match.rules)


def test_the_funding_editor_shows_and_saves_a_registered_rule(small_site_rule: None) -> None:
    catalogue, _ = funding.parse_text((PLUGINS / "small_site_calls.yaml").read_text("utf-8"), "calls.yaml")
    call = catalogue["small_sites"]
    inputs = {i.name: i for i in rule_inputs(call)}
    assert inputs["small_site_max_area_m2"].value == 500.0
    assert inputs["small_site_brownfield_only"].widget == "checkbox"
    assert {"area_min", "area_max", "capacity_min", "capacity_max", "population_max"} <= set(inputs)
    data = apply_rule_inputs(
        call.model_dump(exclude_none=True),
        {"small_site_max_area_m2": 900.0, "small_site_brownfield_only": True, "area_max": 2.0},
        list(inputs.values()),
    )
    new = funding.FundingCall.model_validate(data)
    assert new.rules["small_site"].max_area_m2 == 900.0
    assert new.rules["small_site"].brownfield_only is True
    assert new.limits.area_ha is not None and not isinstance(new.limits.area_ha, str)
    assert new.limits.area_ha.max == 2.0


def test_without_the_registration_a_call_naming_the_rule_is_refused() -> None:
    _, problems = funding.parse_text((PLUGINS / "small_site_calls.yaml").read_text("utf-8"), "calls.yaml")
    assert problems and "small_site" in str(problems)
    assert all(i.rule != "small_site" for i in rule_inputs(None))


def test_the_funding_page_editor_has_the_area_limit_and_a_registered_rule(small_site_rule: None, world: World) -> None:
    call = "opst_22_2023_karlovarsky"  # the first call of the shipped catalogue
    at = run_page("gisplan.app.pages.funding_page", world.users["admin"], lang="en", fund_pick=call)
    assert not at.exception
    assert at.number_input(key=f"fund_{call}_area_max").label == "Max. area [ha] (0 = no limit)"
    assert at.number_input(key=f"fund_{call}_small_site_max_area_m2").label == "largest site area [m2]"
    assert at.checkbox(key=f"fund_{call}_small_site_brownfield_only").value is False
