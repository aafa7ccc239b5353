"""``gisplan.scaffold``: a proposed catalogue for a folder of files, on tiny files and on the real Děčany files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
import yaml
from rasterio.transform import from_origin

from gisplan.catalogue import validate_files
from gisplan.errors import InputError
from gisplan.profiles import load_profiles
from gisplan.region import plan
from gisplan.scaffold import scaffold, unfilled_slots, write_scaffold
from gisplan.settings import PROJECT_ROOT

CRS = "EPSG:5514"
X0, Y0 = -750_000.0, -1_000_000.0
VFR = "OB_564729_UKSH_20140331_Decany.xml.gz"


def _box(dx: float, size: float) -> shapely.Polygon:
    return shapely.box(X0 + dx, Y0, X0 + dx + size, Y0 + size)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Municipalities, substations (two files), lines with a voltage, a protected-area file, a GHI raster and noise."""
    data = tmp_path / "data"
    (data / "grid").mkdir(parents=True)
    gpd.GeoDataFrame(
        {"kod_obce": ["111111"], "nazev_obce": ["Alpha"], "pocet_obyv": [500]}, geometry=[_box(0, 5000)], crs=CRS
    ).to_file(data / "obce.gpkg", layer="obce")
    gpd.GeoDataFrame(
        {"typ": ["substation", "joint", "sub_station"], "kod": [1, 2, 3]},
        geometry=[shapely.Point(X0 + i * 100, Y0) for i in range(3)],
        crs=CRS,
    ).to_file(data / "grid" / "nodes.gpkg", layer="nodes")
    gpd.GeoDataFrame(geometry=[shapely.Point(X0, Y0)], crs=CRS).to_file(data / "rozvodny.geojson")
    gpd.GeoDataFrame(
        {"voltage": [110_000]}, geometry=[shapely.LineString([(X0, Y0), (X0 + 900, Y0)])], crs=CRS
    ).to_file(data / "grid" / "vedeni.gpkg", layer="vedeni")
    gpd.GeoDataFrame({"nazev": ["CHKO"]}, geometry=[_box(100, 50)], crs=CRS).to_file(data / "chranena_uzemi.gpkg")
    with rasterio.open(
        data / "ghi_annual.tif", "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
        crs=CRS, transform=from_origin(X0, Y0 + 400, 100, 100), nodata=-9999.0,
    ) as dst:  # fmt: skip
        dst.write(np.full((1, 4, 4), 1100.0, dtype="float32"))
    (data / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (data / "broken.gpkg").write_bytes(b"not a geopackage at all")
    (data / "README.md").write_text("side file, ignored\n", encoding="utf-8")
    (data / "20241130_OB_564729_UKSH.xml.zip").write_bytes(b"PK")
    return data


def test_proposes_roles_and_slots_and_says_why(folder: Path) -> None:
    result = scaffold(folder)
    by_id = {p.id: p for p in result.proposals}
    assert by_id["obce_municipalities"].entry["role"] == "admin"
    assert by_id["obce_municipalities"].entry["source"]["columns"] == {"source_id": "kod_obce", "name": "nazev_obce"}
    nodes = by_id["nodes_substations"]
    assert (nodes.slot, nodes.commented, nodes.entry["role"]) == ("substations", False, "context")
    assert nodes.entry["source"]["where"] == "typ IN ('sub_station', 'substation')"
    assert nodes.entry["source"]["columns"] == {"source_id": "kod"}
    # a second substation layer by its name only: written commented out, saying who fills the slot
    second = by_id["rozvodny_substations"]
    assert second.commented and "nodes_substations fills the slot 'substations'" in second.why
    assert by_id["vedeni_power_lines"].slot == "power_lines"
    assert by_id["chranena_uzemi_protected_areas"].entry["role"] == "exclusion"
    ghi = by_id["ghi_annual_ghi"]
    assert ghi.entry["kind"] == "raster" and ghi.entry["source"]["unit"] == "kWh/m2/yr"
    assert "nodata -9999" in ghi.about and "EPSG:5514" in ghi.about
    assert set(result.skipped) == {"notes.csv", "broken.gpkg", "20241130_OB_564729_UKSH.xml.zip"}
    assert "gisplan region fetch --municipality" in result.skipped["20241130_OB_564729_UKSH.xml.zip"]
    assert "cannot be read" in result.skipped["broken.gpkg"]
    assert all(p.entry["licence"].startswith("TODO: ") for p in result.proposals)


def test_written_catalogue_validates_and_lists_unfilled_slots(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "layers" / "region.yaml"
    profiles = load_profiles(PROJECT_ROOT / "layers" / "profiles")
    catalogue = write_scaffold(scaffold(folder), out, profiles=profiles)
    again, problems = validate_files([out], data_dir=folder)
    assert problems == [] and set(again.layers) == set(catalogue.layers)
    assert "rozvodny_substations" not in again.layers  # commented out
    text = out.read_text(encoding="utf-8")
    assert "# proposed: points whose typ IN" in text and "# - id: rozvodny_substations" in text
    # no candidate layer in the folder: no profile has candidates, so nothing is reported unfilled
    assert unfilled_slots(catalogue, profiles) == []
    with pytest.raises(InputError, match="already exists; choose another --out, or pass --force"):
        write_scaffold(scaffold(folder), out, profiles=profiles)
    out.write_text("mine", encoding="utf-8")
    write_scaffold(scaffold(folder), out, profiles=profiles, force=True)
    assert out.read_text(encoding="utf-8").startswith("# Written by `gisplan layers scaffold")
    assert not list(out.parent.glob(".*scaffold"))


def test_empty_or_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a folder"):
        scaffold(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"nothing in .* that gisplan can read"):
        scaffold(tmp_path / "empty")


@pytest.fixture
def real_folder(shared_data: Path, tmp_path: Path) -> Path:
    """Symlinks to the Děčany VFR, admin_cz, the HV grid and an elevation raster."""
    data = tmp_path / "real"
    data.mkdir()
    files = (f"ruian_cz/{VFR}", "admin_cz/admin_cz.gpkg", "grid/grid_hv_central_europe_dk.gpkg", "raster/lux_elev.tif")
    for rel in files:
        (data / Path(rel).name).symlink_to(shared_data / rel)
    return data


@pytest.mark.shared_data
def test_real_decany_folder(real_folder: Path, tmp_path: Path) -> None:
    result = scaffold(real_folder)
    roles = {p.id: (p.entry["role"], p.slot, p.commented) for p in result.proposals}
    assert roles["decany_buildings"] == ("candidate", "buildings", False)
    assert roles["decany_municipal_land"][2] is True  # parcels: not municipal land without an owner list
    assert roles["decany_obec"] == ("admin", None, False)
    assert roles["admin_cz_municipalities"] == ("admin", "municipalities", False)
    assert roles["admin_cz_okresy"][0] == roles["admin_cz_kraje"][0] == "admin"
    assert roles["grid_hv_central_europe_dk_substations"] == ("context", "substations", False)
    assert roles["grid_hv_central_europe_dk_power_lines"] == ("context", "power_lines", False)
    assert roles["lux_elev_dem"] == ("criterion", None, False)
    assert result.skipped == {}
    profiles = load_profiles(PROJECT_ROOT / "layers" / "profiles")
    out = tmp_path / "layers" / "region.yaml"
    catalogue = write_scaffold(result, out, profiles=profiles)
    assert unfilled_slots(catalogue, profiles) == ["protected_areas"]
    rooftop = plan(profiles, catalogue)["rooftop_pv"]
    assert rooftop.candidates == ("decany_buildings",) and rooftop.missing == ["protected_areas"]
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "unavailable" not in data  # only a commented hint: the user decides
    assert "# unavailable: [protected_areas]" in out.read_text(encoding="utf-8")


@pytest.mark.shared_data
def test_an_ownership_list_in_the_folder_makes_parcels_municipal_land(real_folder: Path, tmp_path: Path) -> None:
    from tests.sources.test_owned import OWNED, _owned_csv

    (real_folder / "obec").mkdir()
    _owned_csv(real_folder / "obec", OWNED)
    result = scaffold(real_folder)
    land = next(p for p in result.proposals if p.id == "decany_municipal_land")
    assert not land.commented
    assert land.entry["owned"] == {"path": "obec/owned.csv"} and land.entry["site_kind"] == "municipal_land"
    assert "20 listed" in land.why
    catalogue = write_scaffold(
        result, tmp_path / "c.yaml", profiles=load_profiles(PROJECT_ROOT / "layers" / "profiles")
    )
    assert catalogue["decany_municipal_land"].owned is not None
    assert "ground_pv" in {
        n for n, p in plan(load_profiles(PROJECT_ROOT / "layers" / "profiles"), catalogue).items() if p.candidates
    }


@pytest.mark.shared_data
def test_several_municipalities_give_several_candidate_layers(shared_data: Path, tmp_path: Path) -> None:
    import gzip

    data = tmp_path / "mas"
    data.mkdir()
    xml = gzip.decompress((shared_data / "ruian_cz" / VFR).read_bytes())
    (data / VFR).symlink_to(shared_data / "ruian_cz" / VFR)
    # a second municipality's file (a renamed copy of Děčany: the scaffold looks at names and counts only)
    twin = xml.replace(b"<obi:Nazev>D\xc4\x9b\xc4\x8dany</obi:Nazev>", b"<obi:Nazev>Solany</obi:Nazev>", 1)
    assert twin != xml
    (data / "OB_999999_UKSH.xml.gz").write_bytes(gzip.compress(twin))
    result = scaffold(data)
    active = {p.id: p for p in result.proposals if not p.commented}
    assert active["decany_buildings"].slot == "buildings"
    assert active["solany_sites"].entry["site_kind"] == "rooftop" and active["solany_sites"].slot is None
    catalogue = write_scaffold(
        result, tmp_path / "c.yaml", profiles=load_profiles(PROJECT_ROOT / "layers" / "profiles")
    )
    assert plan(load_profiles(PROJECT_ROOT / "layers" / "profiles"), catalogue)["rooftop_pv"].candidates == (
        "decany_buildings",
        "solany_sites",
    )
