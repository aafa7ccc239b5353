"""Scoring profiles: the shipped ones load; invalid ones fail with file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from gisplan.catalogue import Title
from gisplan.errors import ConfigError
from gisplan.profiles import load_profile, load_profiles, validate_file

SHIPPED = Path(__file__).resolve().parent.parent / "layers" / "profiles"

GOOD = """
name: tiny
version: "2"
title: {cs: Malý, en: Tiny}
site_kinds: [rooftop]
measures:
  - {type: proximity, layer: substations, name: substation, radius_m: 1000}
criteria:
  - {column: area_m2, weight: 1, ramp: {bad: 0, good: 100}}
"""


def test_shipped_profiles_are_valid() -> None:
    profiles = load_profiles(SHIPPED)
    assert {"rooftop_pv", "ground_pv", "redevelopment", "community_energy"} <= set(profiles)
    roof = profiles["rooftop_pv"]
    assert roof.site_kinds == ["rooftop"]
    assert roof.exclusions and roof.handicaps
    assert {"dist_substation_m", "ghi_mean_kwh_m2_yr", "protected_share"} <= set(roof.columns())
    assert set(profiles["ground_pv"].site_kinds) == {"brownfield", "municipal_land"}


def test_load_by_name_and_by_path(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(GOOD, encoding="utf-8")
    assert load_profile("tiny", tmp_path).version == "2"
    assert load_profile(tmp_path / "tiny.yaml").slots() == ["substations"]
    with pytest.raises(ConfigError, match=r"no scoring profile 'nope'.*known profiles: \['tiny'\]"):
        load_profile("nope", tmp_path)


def test_invalid_profile_lists_every_problem_with_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        """
name: bad
version: "1"
title: {cs: Špatný, en: Bad}
site_kinds: [rooftop, castle]
measures:
  - {type: raster, layer: ghi, name: ghi, unit: kwh_m2_yr, stats: [median]}
handicaps:
  - {id: x, level: severe, when: {column: area_m2, op: ">", value: 1}, reason: {cs: a, en: b}}
criteria:
  - {column: area_m2, weight: 0, ramp: {bad: 5, good: 5}}
  - {column: area_m2, weight: 1, categories: {a: 1}, ramp: {bad: 0, good: 1}}
""",
        encoding="utf-8",
    )
    _, problems = validate_file(bad)
    where = {p.location for p in problems}
    assert all(p.file == str(bad) for p in problems)
    assert {
        "field site_kinds.1",
        "field measures.0.stats.0",
        "field handicaps.0.level",
        "field criteria.0.weight",
        "field criteria.0.ramp",
        "field criteria.1",
    } <= where
    with pytest.raises(ConfigError) as info:
        load_profile(bad)
    assert "bad.yaml: field criteria.0.weight" in str(info.value)


def test_unknown_columns_and_name_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(GOOD.replace("column: area_m2", "column: dist_road_m"), encoding="utf-8")
    _, problems = validate_file(path)
    assert [p.location for p in problems] == ["field criteria.0.column"]
    assert "'dist_road_m' is not computed" in problems[0].message
    path.write_text(GOOD, encoding="utf-8")
    _, problems = validate_file(path)
    assert problems[0].location == "field name"


def test_yaml_syntax_error_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\ncriteria: [\n", encoding="utf-8")
    _, problems = validate_file(path)
    assert problems[0].location.startswith("line ")


def test_energy_section_needs_a_reference_for_each_figure(tmp_path: Path) -> None:
    good = GOOD + "energy: {ground_density_mwp_ha: 0.55, ground_density_reference: 'EPA RE-Powering, 4.5 acres/MW'}\n"
    (tmp_path / "tiny.yaml").write_text(good, encoding="utf-8")
    assert load_profile("tiny", tmp_path).energy.ground_density_mwp_ha == 0.55
    bad = tmp_path / "bad" / "tiny.yaml"
    bad.parent.mkdir()
    bad.write_text(GOOD + "energy: {ground_density_mwp_ha: 3, max_capacity_kwp: 500}\n", encoding="utf-8")
    _, problems = validate_file(bad)
    text = "\n".join(str(p) for p in problems)
    assert "field energy.ground_density_mwp_ha" in text  # above 2 MWp/ha
    bad.write_text(GOOD + "energy: {ground_density_mwp_ha: 0.5, max_capacity_kwp: 500}\n", encoding="utf-8")
    _, problems = validate_file(bad)
    assert any("ground_density_reference and max_capacity_reference" in p.message for p in problems)


def test_shipped_ground_profiles_cite_their_density() -> None:
    profiles = load_profiles(SHIPPED)
    for name in ("ground_pv", "redevelopment", "community_energy"):
        section = profiles[name].energy
        assert section.ground_density_mwp_ha is not None
        assert 0.3 <= section.ground_density_mwp_ha <= 0.7, name  # not the old unreferenced 0.8
        assert "EPA" in (section.ground_density_reference or "")


def _titles(value: object, where: str) -> list[tuple[str, Title]]:
    """Every Title inside a profile model, with the path to it."""
    if isinstance(value, Title):
        return [(where, value)]
    if isinstance(value, BaseModel):
        return [hit for name in type(value).model_fields for hit in _titles(getattr(value, name), f"{where}.{name}")]
    if isinstance(value, list | tuple):
        return [hit for i, item in enumerate(value) for hit in _titles(item, f"{where}[{i}]")]
    return []


@pytest.mark.parametrize("lang", ["pl", "hu", "da"])
def test_shipped_profiles_speak_every_interface_language(lang: str) -> None:
    profiles = load_profiles(SHIPPED)
    titles = [hit for name, profile in profiles.items() for hit in _titles(profile, name)]
    assert len(titles) > 40  # titles, labels, every exclusion and handicap reason
    untranslated = [where for where, title in titles if not getattr(title, lang)]
    assert not untranslated, f"no {lang} text: {untranslated}"
    same = [where for where, title in titles if title.get(lang) in (title.en, title.cs)]
    assert len(same) <= 2, same


def test_a_title_without_the_language_falls_back_to_english() -> None:
    title = Title(cs="Střecha", en="Roof", hu="Tető")
    assert (title.get("hu"), title.get("pl"), title.get("da"), title.get("cs")) == ("Tető", "Roof", "Roof", "Střecha")
