"""``gisplan territories``, ``gisplan region load``, declared-unavailable slots and sites files, on tiny files."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gisplan.cli import main
from gisplan.errors import InvalidDataError
from gisplan.settings import PROJECT_ROOT

CRS = "EPSG:5514"
X0, Y0 = -750_000.0, -1_000_000.0
CATALOGUE = """
{unavailable}
layers:
- id: town_buildings
  title: {{cs: Budovy, en: Buildings}}
  kind: vector
  role: candidate
  site_kind: rooftop
  source: {{type: file, path: roofs.gpkg, columns: {{source_id: kod}}}}
  licence: test data
- id: town_municipalities
  title: {{cs: Obce, en: Municipalities}}
  kind: vector
  role: admin
  source: {{type: file, path: obce.gpkg}}
  licence: test data
- id: town_substations
  title: {{cs: Rozvodny, en: Substations}}
  kind: vector
  role: context
  source: {{type: file, path: substations.gpkg}}
  licence: test data
"""


def _box(dx: float, dy: float, size: float) -> shapely.Polygon:
    return shapely.box(X0 + dx, Y0 + dy, X0 + dx + size, Y0 + dy + size)


@pytest.fixture
def region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir with two roofs, two municipalities, okresy/kraje and a substation; a catalogue with one profile."""
    data, layers = tmp_path / "data", tmp_path / "layers"
    (layers / "profiles").mkdir(parents=True)
    data.mkdir()
    shutil.copy(PROJECT_ROOT / "layers" / "profiles" / "rooftop_pv.yaml", layers / "profiles")
    gpd.GeoDataFrame(
        {"kod": [11, 12], "roof_shape": ["flat", "flat"]}, geometry=[_box(100, 100, 30), _box(3000, 100, 30)], crs=CRS
    ).to_file(data / "roofs.gpkg", layer="roofs")
    gpd.GeoDataFrame(
        {"kod_obce": ["111111", "222222"], "nazev_obce": ["Alpha", "Beta"], "pocet_obyv": [500, 700]},
        geometry=[_box(0, 0, 2000), _box(2000, 0, 2000)],
        crs=CRS,
    ).to_file(data / "obce.gpkg", layer="obce")
    okres = {"KOD_OKRES": ["40479"], "KOD_LAU1": ["CZ0423"], "KOD_KRAJ": ["3069"], "KOD_CZNUTS3": ["CZ042"]}
    gpd.GeoDataFrame(okres | {"NAZ_CZNUTS3": ["Ústecký kraj"]}, geometry=[_box(-1000, -1000, 6000)], crs=CRS).to_file(
        data / "admin.gpkg", layer="okresy"
    )
    gpd.GeoDataFrame({"KOD_CZNUTS3": ["CZ042"]}, geometry=[_box(-1000, -1000, 6000)], crs=CRS).to_file(
        data / "admin.gpkg", layer="kraje"
    )
    gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 500, Y0 + 900)], crs=CRS).to_file(data / "substations.gpkg")
    (layers / "region.yaml").write_text(CATALOGUE.format(unavailable="unavailable: [protected_areas]"), "utf-8")
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(layers))
    monkeypatch.setenv("GISPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    return tmp_path


def test_undeclared_missing_slot_is_explained_in_cli_words(region: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (region / "layers" / "region.yaml").write_text(CATALOGUE.format(unavailable=""), "utf-8")
    assert main(["layers", "check", "--no-files"]) == 0
    assert "rooftop_pv: cannot run: no layer for slot(s) protected_areas" in capsys.readouterr().out
    assert main(["region", "load", "--no-progress"]) == 1
    assert "rooftop_pv: no layer for slot(s) protected_areas" in capsys.readouterr().err
    code = main(["score", "-p", "rooftop_pv", "--sites", "town_buildings", "-o", str(region / "s.gpkg")])
    err = capsys.readouterr().err
    assert code == 1
    assert "needs layer(s) ['protected_areas']" in err and "gisplan layers check" in err
    assert "unavailable: [protected_areas]" in err
    assert "layers={" not in err and "GeoDataFrame" not in err


def test_bad_unavailable_section_is_a_catalogue_problem(region: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (region / "layers" / "region.yaml").write_text(CATALOGUE.format(unavailable="unavailable: protected"), "utf-8")
    assert main(["layers", "check", "--no-files"]) == 1
    assert "field unavailable: must be a list of slots" in capsys.readouterr().err


def test_territories_then_region_load_places_every_site(region: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gisplan.store import SYSTEM, Scope, open_store

    data = region / "data"
    assert main(["layers", "check"]) == 0
    assert "protected_areas (declared not available)" in capsys.readouterr().out
    assert main(["territories", "load", str(data / "obce.gpkg"), "--admin", str(data / "admin.gpkg")]) == 0
    assert "2 added" in capsys.readouterr().out
    members = region / "mas.csv"
    members.write_text("kind,code,name,municipality_code\nmas,M1,Test MAS,111111\nmas,M1,Test MAS,999999\n", "utf-8")
    assert main(["territories", "communities", str(members)]) == 1
    assert "999999" in capsys.readouterr().err
    members.write_text("kind,code,name,municipality_code\nmas,M1,Test MAS,111111\nmas,M1,Test MAS,222222\n", "utf-8")
    assert main(["territories", "communities", str(members)]) == 0
    assert main(["territories", "communities", str(members)]) == 0
    assert "0 added, 0 updated, 1 unchanged" in capsys.readouterr().out

    assert main(["region", "load", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "rooftop_pv: scored 2 sites" in out and "without protected_areas (declared not available)" in out
    with open_store() as store:
        alpha = next(c for c in store.communities("municipality") if c.code == "111111")
        assert (alpha.region_code, alpha.population, alpha.attributes["okres_lau"]) == ("CZ042", 500, "CZ0423")
        mas = store.communities("mas")[0]
        assert mas.population == 1200 and mas.region_code == "CZ042"
        assert (
            shapely.geometry.shape(mas.attributes["boundary"]).area
            > shapely.geometry.shape(alpha.attributes["boundary"]).area
        )
        sites = store.list_sites()
        assert {(s.id, s.municipality_code, s.region_code) for s in sites} == {
            ("town_buildings:11", "111111", "CZ042"),
            ("town_buildings:12", "222222", "CZ042"),
        }
        store.add_user(SYSTEM, "anim", "animator", scope=Scope.parse(["region:CZ042"]))
        store.transaction(store.user("anim").id, lambda tx: tx.add_annotation("town_buildings:11", "keep me"))
    assert main(["region", "load", "--no-progress"]) == 0
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out
    with open_store() as store:
        assert len(store.list_sites()) == 2
        assert [a.text for a in store.annotations("town_buildings:11")] == ["keep me"]


def test_territories_refuse_bad_arguments(region: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = region / "data"
    assert main(["territories", "load", str(data / "nope.gpkg")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["territories", "load", str(data / "obce.gpkg"), "--code-field", "kod"]) == 1
    assert "no field 'kod' for the municipality code" in capsys.readouterr().err
    assert main(["territories", "load", str(data / "obce.gpkg"), "--admin", str(data / "roofs.gpkg")]) == 1
    assert "has no layer 'okresy' or 'kraje'" in capsys.readouterr().err
    assert main(["territories", "load", str(data / "obce.gpkg"), "--where", "kod_obce = 'x'"]) == 1
    assert "no municipalities match --where" in capsys.readouterr().err
    assert main(["territories", "load", str(data / "obce.gpkg")]) == 0  # no okres/kraj source: warned
    assert "without a region code" in capsys.readouterr().err
    assert main(["region", "load", "--profile", "nope"]) == 1
    assert "no profile(s) ['nope']" in capsys.readouterr().err


def test_a_sites_file_keeps_kind_ids_and_attributes(region: Path) -> None:
    from gisplan.sources import read

    first = read(region / "data" / "roofs.gpkg", kind="rooftop", source_name="town")
    out = region / "sites.gpkg"
    assert main(["read", str(region / "data" / "roofs.gpkg"), "--kind", "rooftop", "--out", str(out)]) == 0
    again = read(out)
    assert list(again["site_id"]) == ["roofs:1", "roofs:2"] and list(again["kind"]) == ["rooftop", "rooftop"]
    assert list(again["source_id"]) == ["1", "2"] and list(again["kod"]) == [11, 12]
    assert "site_id_src" not in again.columns
    assert again["area_m2"].tolist() == pytest.approx(first["area_m2"].tolist())
    assert list(read(out, kind="brownfield")["kind"]) == ["brownfield", "brownfield"]
    broken = again.copy()
    broken.loc[1, "kind"] = "castle"
    broken.loc[0, "site_id"] = "roofs:2"
    broken.to_file(region / "broken.gpkg", layer="sites")
    with pytest.raises(InvalidDataError, match="a sites file") as caught:
        read(region / "broken.gpkg")
    assert "'castle' is not one of" in str(caught.value) and "'roofs:2' occurs more than once" in str(caught.value)


OWNED_CATALOGUE = """
unavailable: [slope, roads, protected_areas, substations, municipalities]
layers:
- id: decany_municipal_land
  title: {cs: Obecní pozemky Děčan, en: Municipal land of Děčany}
  kind: vector
  role: candidate
  site_kind: municipal_land
  source: {type: file, path: decany.xml.gz, format: ruian, layer: parcely}
  owned: {path: obec/owned.csv}
  licence: ČÚZK RÚIAN, CC BY 4.0
"""


@pytest.mark.shared_data
def test_owned_in_the_catalogue_loads_exactly_the_listed_parcels(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gisplan.sources._owned import read_municipal_land
    from gisplan.store import open_store
    from tests.sources.test_owned import DECANY, OWNED, _owned_csv

    data, layers = tmp_path / "data", tmp_path / "layers"
    (data / "obec").mkdir(parents=True)
    (layers / "profiles").mkdir(parents=True)
    (data / "decany.xml.gz").symlink_to(shared_data / DECANY)
    listed = _owned_csv(data / "obec", OWNED)
    shutil.copy(PROJECT_ROOT / "layers" / "profiles" / "ground_pv.yaml", layers / "profiles")
    (layers / "region.yaml").write_text(OWNED_CATALOGUE, "utf-8")
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(layers))
    monkeypatch.setenv("GISPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert main(["layers", "check"]) == 0
    assert "ground_pv: runs; candidates: decany_municipal_land" in capsys.readouterr().out
    assert main(["region", "load", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "decany_municipal_land: assumed: the parcels listed in owned.csv are owned by the municipality" in out
    assert "decany_municipal_land: kept 20 of 3172 parcels as municipal land of 20 listed" in out
    assert "ground_pv: scored 20 sites" in out
    expected = set(read_municipal_land(shared_data / DECANY, owned=listed).sites["site_id"])
    with open_store() as store:
        sites = store.list_sites()
    assert len(expected) == 20
    assert {s.id for s in sites} == expected
    assert {s.kind for s in sites} == {"municipal_land"}
