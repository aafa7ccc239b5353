"""RÚIAN exchange file of Děčany (real data, read once per module)."""

from __future__ import annotations

import gzip
from pathlib import Path

import geopandas as gpd
import pytest

from gisplan.errors import SourceNotFoundError, UnreadableSourceError
from gisplan.sources import read, sniff_format

DECANY = "ruian_cz/OB_564729_UKSH_20140331_Decany.xml.gz"


@pytest.fixture(scope="module")
def decany(shared_data: Path) -> Path:
    return shared_data / DECANY


@pytest.fixture(scope="module")
def buildings(decany: Path) -> gpd.GeoDataFrame:
    return read(decany, layer="stavebni_objekty")


@pytest.fixture(scope="module")
def parcels(decany: Path) -> gpd.GeoDataFrame:
    return read(decany, layer="parcely", kind="municipal_land")


def test_sniffed_as_ruian(decany: Path) -> None:
    assert sniff_format(decany) == "ruian"


def test_building_footprints(buildings: gpd.GeoDataFrame) -> None:
    assert len(buildings) == 298
    assert buildings.crs.to_epsg() == 5514
    assert set(buildings.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(buildings["kind"]) == {"rooftop"}
    assert buildings["site_id"].str.startswith("ruian:SO.").all()
    assert buildings["site_id"].is_unique
    # SOURCES.md: footprints total 54,006 m², the largest 2,704 m²
    assert buildings["area_m2"].sum() == pytest.approx(54_006, rel=1e-3)
    assert buildings["area_m2"].max() == pytest.approx(2_704, rel=1e-3)
    assert (buildings["zpusob_vyuziti_kod"] == 3).sum() == 169
    assert buildings["name"].str.contains(r" č\. p\. \d", regex=True).sum() > 150


def test_parcels_match_official_areas(parcels: gpd.GeoDataFrame) -> None:
    assert len(parcels) == 3172
    assert set(parcels["kind"]) == {"municipal_land"}
    official = parcels["vymera_parcely"].sum()
    assert parcels["area_m2"].sum() == pytest.approx(official, rel=0.01)
    # per parcel, register areas are rounded [m²] and partly from older surveys, so match loosely
    ratio = parcels["area_m2"] / parcels["vymera_parcely"]
    assert ratio.median() == pytest.approx(1.0, abs=0.002)
    close = (parcels["area_m2"] - parcels["vymera_parcely"]).abs() <= 0.1 * parcels["vymera_parcely"] + 1
    assert close.mean() > 0.9
    assert (parcels["druh_pozemku_kod"] == 2).sum() == 1392
    assert "153/36, k. ú. Děčany" in set(parcels["name"])
    assert (parcels["parcel_number"].str.startswith("st. ") == (parcels["druh_pozemku_kod"] == 13)).all()


def test_parcels_have_no_kind_unless_asked(decany: Path) -> None:
    only_other = read(decany, layer="Parcely", where="DruhPozemkuKod = 14")
    assert len(only_other) == 533
    assert only_other["kind"].isna().all()


def test_municipality(decany: Path) -> None:
    obec = read(decany, layer="obce")
    assert obec["name"].tolist() == ["Děčany"]
    assert obec["site_id"].tolist() == ["ruian:OB.564729"]
    assert obec["area_m2"].iloc[0] == pytest.approx(12_372_590, rel=1e-3)  # 1,237.3 ha


def test_unknown_layer_and_corrupt_file(decany: Path, tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="obce, parcely, stavebni_objekty"):
        read(decany, layer="budovy")
    broken = tmp_path / "broken.xml.gz"
    broken.write_bytes(decany.read_bytes()[:20_000])
    with pytest.raises(UnreadableSourceError, match="incomplete or damaged"):
        read(broken, format="ruian")
    truncated = tmp_path / "truncated.xml"
    with gzip.open(decany, "rb") as fh:
        truncated.write_bytes(fh.read(300_000))
    assert sniff_format(truncated) == "ruian"
    with pytest.raises(UnreadableSourceError, match="XML parsing"):
        read(truncated, layer="parcely")
