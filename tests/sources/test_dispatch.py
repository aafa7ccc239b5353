"""Format sniffing, catalogue layers, and the admin layer of the real data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest

from gisplan.catalogue import Layer
from gisplan.errors import InputError, OfflineError
from gisplan.sources import read, read_layer, sniff_format
from tests.sources.test_osm import OSM_XML


def _layer(**fields: Any) -> Layer:
    base: dict[str, Any] = {
        "id": "demo_sites",
        "title": {"cs": "Plochy", "en": "Sites"},
        "kind": "vector",
        "role": "candidate",
        "site_kind": "brownfield",
        "licence": "CC0 1.0",
    }
    return Layer.model_validate({**base, **fields})


def test_sniff_format(tmp_path: Path) -> None:
    cases = {
        "a.osm.pbf": b"\x00\x00\x00\x0d\n\tOSMHeader",
        "b.xml": b'<?xml version="1.0"?>\n<osm version="0.6">',
        "c.csv": b"kod,nazev,kod_obce,vymera_m2,lat,lon\n",
        "d.csv": b"site,hectares,latitude,longitude\n",
        "e.csv": b"SiteReference;Hectares;Latitude;Longitude\n",
        "f.csv": b"id,lat,lon\n",
        "g.xml": b'<?xml version="1.0"?>\n<vf:VymennyFormat xmlns:vf="urn:x">',
        "h.gpkg": b"SQLite format 3\x00",
    }
    expected = {"a": "osm", "b": "osm", "c": "cz-brownfields", "d": "uk-blr", "e": "uk-blr", "f": "vector"}
    expected |= {"g": "ruian", "h": "vector"}
    for name, head in cases.items():
        path = tmp_path / name
        path.write_bytes(head)
        assert sniff_format(path) == expected[name[0]], name


def test_bad_arguments(tmp_path: Path, czech_sites: gpd.GeoDataFrame) -> None:
    path = tmp_path / "s.gpkg"
    pyogrio.write_dataframe(czech_sites, path)
    with pytest.raises(InputError, match="unknown format 'shp'"):
        read(path, format="shp")
    with pytest.raises(InputError, match="only for vector"):
        read(path, format="ruian", crs="EPSG:5514")
    with pytest.raises(InputError, match="not a site kind"):
        read(path, kind="solar")


def test_read_layer_file_source(tmp_path: Path, czech_sites: gpd.GeoDataFrame) -> None:
    (tmp_path / "demo").mkdir()
    pyogrio.write_dataframe(czech_sites, tmp_path / "demo" / "sites.gpkg", layer="plochy")
    layer = _layer(
        source={
            "type": "file",
            "path": "demo/sites.gpkg",
            "layer": "plochy",
            "where": "kod <> 'C3'",
            "columns": {"name": "nazev", "source_id": "kod"},
        }
    )
    out = read_layer(layer, data_dir=tmp_path)
    assert out["site_id"].tolist() == ["demo_sites:A1", "demo_sites:B2"]
    assert set(out["kind"]) == {"brownfield"}
    assert out.crs.to_epsg() == 5514
    assert read_layer(layer, data_dir=tmp_path, working_crs="EPSG:32633").crs.to_epsg() == 32633


def test_read_layer_raster_is_refused() -> None:
    layer = _layer(
        id="ghi", kind="raster", role="criterion", site_kind=None,
        source={"type": "raster", "path": "ghi.tif", "unit": "kWh/m2/yr"},
    )  # fmt: skip
    with pytest.raises(InputError, match="open_raster"):
        read_layer(layer)


def test_read_layer_osm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "decany.osm").write_text(OSM_XML, encoding="utf-8")
    layer = _layer(
        id="industry", role="context", site_kind=None,
        source={"type": "osm", "tags": {"building": ["industrial"]}, "file": "decany.osm"},
    )  # fmt: skip
    out = read_layer(layer, data_dir=tmp_path)
    assert out["site_id"].tolist() == ["osm:way/100"]
    assert out["kind"].isna().all()  # a context layer has no site kind, even for buildings
    polygon_layer = _layer(source={"type": "osm", "tags": {"building": True}, "polygon": "area.geojson"})
    area = gpd.GeoDataFrame(geometry=gpd.GeoSeries.from_wkt(["POLYGON((14 50,14.1 50,14.1 50.1,14 50))"]), crs=4326)
    area.to_file(tmp_path / "area.geojson")
    monkeypatch.setenv("GISPLAN_OFFLINE", "1")
    with pytest.raises(OfflineError):
        read_layer(polygon_layer, data_dir=tmp_path)


def test_read_layer_ruian_context_has_no_kind(shared_data: Path) -> None:
    layer = _layer(
        id="budovy", role="context", site_kind=None,
        source={"type": "file", "path": "ruian_cz/OB_564729_UKSH_20140331_Decany.xml.gz", "format": "ruian",
                "layer": "stavebni_objekty"},
    )  # fmt: skip
    out = read_layer(layer, data_dir=shared_data)
    assert len(out) == 298
    assert out["kind"].isna().all()
    assert out["source"].iloc[0] == "ruian"


def test_czech_municipalities(shared_data: Path) -> None:
    out = read(shared_data / "admin_cz" / "admin_cz.gpkg", layer="obce", columns={"source_id": "kod_obce"})
    assert len(out) == 6279
    assert out.crs.to_epsg() == 5514
    assert "kod_obce" in out.columns
    assert out["kod_obce"].str.fullmatch(r"\d{6}").all()
    assert "admin_cz/obce:564729" in set(out["site_id"])
    assert out["name"].iloc[0] == out["nazev_obce"].iloc[0]
    decany = out[out["kod_obce"] == "564729"]
    # SOURCES.md: the generalised Děčany polygon covers 1,263.5 ha
    assert decany["area_m2"].iloc[0] == pytest.approx(12_635_000, rel=0.005)
