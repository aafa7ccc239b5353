"""Real files go through the same intake as uploads and are accepted (``shared_data``)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from gisplan.errors import UploadRejectedError
from gisplan.intake import check_upload

UK_FILES = ("bar", "bns", "dnc", "nel", "rot", "sto", "wkf")


@pytest.fixture(scope="module")
def obce(shared_data: Path) -> gpd.GeoDataFrame:
    """Czech municipal boundaries (generalised), EPSG:4326."""
    frame: gpd.GeoDataFrame = pyogrio.read_dataframe(shared_data / "admin_cz" / "admin_cz.gpkg", layer="obce")
    return frame


@pytest.mark.shared_data
def test_decany_parcels_are_accepted(shared_data: Path, obce: gpd.GeoDataFrame) -> None:
    data = (shared_data / "ruian_cz" / "decany_564729_ruian2014.gpkg").read_bytes()
    result = check_upload(data, "decany.gpkg", municipality_code="564729", municipalities=obce, layer="parcely")
    sites = result.sites
    assert len(sites) == 3172
    assert result.source_crs == "EPSG:5514"
    assert sites.crs.to_epsg() == 5514
    # SOURCES.md: the parcel polygons cover 1,237.3 ha
    assert sites["area_m2"].sum() / 10_000 == pytest.approx(1237.3, abs=0.5)
    assert not result.needs_confirmation
    # the generalised boundary (IoU 0.869) cuts border parcels: flagged for the animator, not refused
    assert result.place_checked
    assert 0 < int(sites["crosses_border"].sum()) < 400
    assert set(sites["druh_pozemku_kod"].astype(int)) >= {2, 5, 7, 10, 11, 13, 14}


@pytest.mark.shared_data
def test_decany_parcels_are_refused_for_another_municipality(shared_data: Path, obce: gpd.GeoDataFrame) -> None:
    data = (shared_data / "ruian_cz" / "decany_564729_ruian2014.gpkg").read_bytes()
    with pytest.raises(UploadRejectedError) as info:
        # Litoměřice (564567), about 12 km from Děčany
        check_upload(data, "decany.gpkg", municipality_code="564567", municipalities=obce, layer="obec")
    assert info.value.reason == "outside_municipality"


#: Lon/lat bounds of England [degrees], the region of a UK deployment.
ENGLAND = (-6.5, 49.8, 2.0, 55.9)


@pytest.mark.shared_data
@pytest.mark.parametrize("council", UK_FILES)
def test_uk_register_is_accepted_without_a_boundary(shared_data: Path, council: str) -> None:
    path = shared_data / "brownfields" / f"uk_blr_local-authority-eng-{council}.csv"
    code = f"local-authority-eng:{council.upper()}"
    result = check_upload(path.read_bytes(), path.name, municipality_code=code, municipalities=None, region=ENGLAND)
    assert not result.place_checked
    assert "place_not_checked" in {w.code for w in result.warnings}
    assert result.sites.crs.name.startswith("WGS 84 / UTM zone 30N")
    assert (result.sites["geometry_type"] == "Point").all()
    assert "hectares" in result.sites.columns
    assert len(result.sites) >= 1


@pytest.mark.shared_data
def test_uk_register_is_refused_in_a_czech_region(shared_data: Path, obce: gpd.GeoDataFrame) -> None:
    # issue 11, point 2: no boundary for the code, but the region (all Czech municipalities) is known
    path = shared_data / "brownfields" / "uk_blr_local-authority-eng-dnc.csv"
    with pytest.raises(UploadRejectedError) as info:
        check_upload(path.read_bytes(), path.name, municipality_code="local-authority-eng:DNC", municipalities=obce)
    assert info.value.reason == "outside_region"
    assert "no boundary is known for municipality local-authority-eng:DNC" in str(info.value)
    assert "region spans lon 12.09…18.86" in str(info.value)
