from __future__ import annotations

from pathlib import Path

import pytest

from gisplan.catalogue import load_catalogue, validate_files
from gisplan.errors import ConfigError

GOOD = """
layers:
  - id: budovy
    title: {cs: Budovy, en: Buildings}
    kind: vector
    role: candidate
    site_kind: rooftop
    source: {type: file, path: region/buildings.gpkg, layer: buildings, columns: {name: nazev}}
    licence: CC BY 4.0, ČÚZK
  - id: ghi
    title: {cs: Globální záření, en: Global irradiation}
    kind: raster
    role: criterion
    source: {type: raster, path: region/ghi.tif, unit: kWh/m2/yr}
    licence: Global Solar Atlas, CC BY 4.0
  - id: substations
    title: {cs: Rozvodny, en: Substations}
    kind: vector
    role: context
    source: {type: osm, tags: {power: substation}, place: "Děčany, Czechia"}
    licence: © OpenStreetMap contributors, ODbL 1.0
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_catalogue_loads(tmp_path: Path) -> None:
    _write(tmp_path, "region.yaml", GOOD)
    cat = load_catalogue(tmp_path)
    assert list(cat.layers) == ["budovy", "ghi", "substations"]
    assert [layer.id for layer in cat.by_role("candidate")] == ["budovy"]
    assert cat["ghi"].source.type == "raster"
    assert cat["budovy"].title.get("da") == "Buildings"
    with pytest.raises(ConfigError, match="no layer 'nope'"):
        cat["nope"]


def test_every_problem_is_listed_by_file_layer_and_field(tmp_path: Path) -> None:
    broken = (
        GOOD.replace("site_kind: rooftop", "site_kind: roof")
        .replace("unit: kWh/m2/yr", "unit: kWh/m2/yr, colour: red")
        .replace('place: "Děčany, Czechia"', 'place: "Děčany", file: x.osm')
    )
    path = _write(tmp_path, "broken.yaml", broken)
    _write(tmp_path, "dupe.yaml", GOOD.split("  - id: ghi", maxsplit=1)[0])
    with pytest.raises(ConfigError) as info:
        load_catalogue(tmp_path)
    problems = info.value.problems
    where = {(Path(p.file).name, p.location) for p in problems}
    assert ("broken.yaml", "layer budovy, field site_kind") in where
    assert ("broken.yaml", "layer ghi, field source.colour") in where
    assert ("broken.yaml", "layer substations, field source") in where
    # broken.yaml's budovy is invalid, so dupe.yaml's budovy is the first valid one: no duplicate
    assert not any("duplicate" in p.message for p in problems)
    assert str(path) in str(info.value)


def test_duplicate_ids_and_missing_files(tmp_path: Path) -> None:
    _write(tmp_path / "layers", "a.yaml", GOOD)
    _write(tmp_path / "layers", "b.yaml", GOOD.split("  - id: ghi", maxsplit=1)[0])
    files = sorted((tmp_path / "layers").glob("*.yaml"))
    _, problems = validate_files(files, data_dir=tmp_path / "data")
    messages = [str(p) for p in problems]
    assert any("b.yaml: layer budovy, field id: duplicate id" in m for m in messages)
    assert any("layer budovy, field source.path" in m and "does not exist" in m for m in messages)
    assert any("layer ghi, field source.path" in m for m in messages)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("layers: [", "not valid YAML"),
        ("- just a list", "must be a mapping"),
        ("layers:\n  - id: X bad\n", "layer X bad, field id"),
        (GOOD.replace("region/buildings.gpkg", "../../etc/passwd"), "relative to the data dir"),
        (GOOD.replace("region/buildings.gpkg", "/vsicurl/http://x/y.vrt"), "field source.path"),
        (GOOD.replace("    site_kind: rooftop\n", ""), "needs site_kind"),
        (GOOD.replace("kind: raster", "kind: vector"), "kind: raster needs source type raster"),
    ],
)
def test_bad_files_name_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    _write(tmp_path, "x.yaml", text)
    with pytest.raises(ConfigError, match="problem") as info:
        load_catalogue(tmp_path)
    assert expected in str(info.value)


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist; set GISPLAN_LAYERS_DIR"):
        load_catalogue(tmp_path / "nowhere")


def test_one_bad_layer_hides_no_other(tmp_path: Path) -> None:
    _write(tmp_path, "x.yaml", GOOD.replace("kind: raster", "kind: pixels"))
    files = [tmp_path / "x.yaml"]
    catalogue, problems = validate_files(files)
    assert sorted(catalogue.layers) == ["budovy", "substations"]
    assert [p.location for p in problems] == ["layer ghi, field kind"]


# ------------------------------------------------------------------ the region's sun (issue 12 point 3)

REGION = """
region:
  name: Ústecký kraj
  annual_ghi_kwh_m2: 1060
  bbox: [12.9, 50.1, 14.9, 51.1]
  source: PVGIS-SARAH3, long-term annual GHI at Ústí nad Labem
"""


def test_a_region_section_is_read(tmp_path: Path) -> None:
    _write(tmp_path, "x.yaml", GOOD + REGION)
    catalogue = load_catalogue(tmp_path)
    assert catalogue.region is not None
    solar = catalogue.region.solar()
    assert solar.annual_ghi_kwh_m2 == 1060
    assert solar.bbox_deg == (12.9, 50.1, 14.9, 51.1)
    assert len(catalogue.layers) == 3


def test_bad_region_names_file_and_field(tmp_path: Path) -> None:
    bad = REGION.replace("annual_ghi_kwh_m2: 1060", "annual_ghi_kwh_m2: 10600").replace(
        "bbox: [12.9, 50.1, 14.9, 51.1]", "bbox: [14.9, 50.1, 12.9, 51.1]"
    )
    path = _write(tmp_path, "x.yaml", GOOD + bad)
    _, problems = validate_files([path])
    where = {p.location for p in problems}
    assert "region, field annual_ghi_kwh_m2" in where
    assert "region, field bbox" in where
    assert all(p.file == str(path) for p in problems)
    empty = _write(tmp_path / "b", "y.yaml", GOOD + "region: {name: X, source: nothing given}\n")
    _, problems = validate_files([empty])
    assert any("annual_ghi_kwh_m2, clearness or both" in p.message for p in problems)


def test_only_one_file_may_declare_the_region(tmp_path: Path) -> None:
    first = _write(tmp_path, "a.yaml", GOOD + REGION)
    second = _write(tmp_path, "b.yaml", "layers: []\n" + REGION)
    catalogue, problems = validate_files([first, second])
    assert catalogue.region is not None
    assert [(p.file, p.location) for p in problems] == [(str(second), "field region")]
    assert str(first) in problems[0].message


OWNED_LAYER = """
layers:
  - id: obec_pozemky
    title: {{cs: Obecní pozemky, en: Municipal land}}
    kind: vector
    role: candidate
    site_kind: {kind}
    source: {{type: file, path: OB_564729_UKSH.xml.gz, format: {fmt}, layer: {layer}}}
    licence: ČÚZK RÚIAN, CC BY 4.0
{owned}
"""


@pytest.mark.parametrize(
    ("kind", "fmt", "layer", "owned", "problem"),
    [
        ("municipal_land", "ruian", "parcely", "", "RÚIAN has no owners, so say which parcels the municipality owns"),
        ("municipal_land", "auto", "parcely", "", "RÚIAN has no owners"),
        ("municipal_land", "ruian", "parcely", "    owned: {}", "give path (the municipality's ownership list"),
        ("rooftop", "ruian", "parcely", "    owned: {path: o.csv}", "owned is only for candidate layers of site_kind"),
        ("municipal_land", "ruian", "stavebni_objekty", "    owned: {path: o.csv}", "use a file source with format"),
        ("municipal_land", "uk-blr", "parcely", "    owned: {path: o.csv}", "use a file source with format: ruian"),
        ("municipal_land", "ruian", "parcely", "    owned: {path: ../o.csv}", "relative to the data dir"),
        ("municipal_land", "ruian", "parcely", "    owned: {path: o.csv, colour: red}", "Extra inputs"),
    ],
)
def test_owned_is_checked_by_file_layer_and_field(
    tmp_path: Path, kind: str, fmt: str, layer: str, owned: str, problem: str
) -> None:
    path = _write(tmp_path, "region.yaml", OWNED_LAYER.format(kind=kind, fmt=fmt, layer=layer, owned=owned))
    _, problems = validate_files([path])
    assert len(problems) == 1, problems
    assert str(problems[0]).startswith(f"{path}: layer obec_pozemky, field ")
    assert problem in str(problems[0])


def test_owned_list_and_filter_validate_and_missing_list_is_named(tmp_path: Path) -> None:
    text = OWNED_LAYER.format(
        kind="municipal_land", fmt="ruian", layer="parcely", owned="    owned: {path: obec/majetek.csv}"
    )
    path = _write(tmp_path, "region.yaml", text)
    (tmp_path / "OB_564729_UKSH.xml.gz").write_bytes(b"")
    catalogue, problems = validate_files([path], data_dir=tmp_path)
    assert catalogue["obec_pozemky"].owned is not None
    assert [str(p) for p in problems] == [
        f"{path}: layer obec_pozemky, field owned.path: {tmp_path / 'obec/majetek.csv'} does not exist "
        "(put the municipality's ownership list there)"
    ]
    text = OWNED_LAYER.format(
        kind="municipal_land", fmt="auto", layer="parcely", owned="    owned: {where: 'DruhPozemkuKod IN (13, 14)'}"
    )
    _, problems = validate_files([_write(tmp_path, "region.yaml", text)], data_dir=tmp_path)
    assert problems == []
