"""OpenStreetMap: an in-code .osm file through osmnx, tag matching, online queries, and the real extracts."""

from __future__ import annotations

import socket
from pathlib import Path

import geopandas as gpd
import osmnx as ox
import pytest
from shapely.geometry import Polygon

from gisplan import settings
from gisplan.errors import InputError, OfflineError, UnreadableSourceError
from gisplan.sources import read, read_osm_online, sniff_format
from gisplan.sources._osm import matches, parse_hstore

# A tiny Děčany-like area: one building (with a hostile name and roof:shape), one brownfield,
# one substation node. Node ids are deliberately unsorted.
OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <bounds minlat="50.440" minlon="13.990" maxlat="50.450" maxlon="14.010"/>
 <node id="9" lat="50.4400" lon="13.9900"/>
 <node id="2" lat="50.4400" lon="13.9910"/>
 <node id="3" lat="50.4410" lon="13.9910"/>
 <node id="4" lat="50.4410" lon="13.9900"/>
 <node id="15" lat="50.4450" lon="14.0000"/>
 <node id="16" lat="50.4450" lon="14.0100"/>
 <node id="17" lat="50.4500" lon="14.0100"/>
 <node id="18" lat="50.4500" lon="14.0000"/>
 <node id="30" lat="50.4420" lon="14.0050">
  <tag k="power" v="substation"/><tag k="name" v="Rozvodna"/>
 </node>
 <way id="100">
  <nd ref="9"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="9"/>
  <tag k="building" v="industrial"/><tag k="name" v="Old &lt;b&gt;gasworks&lt;/b&gt; ${alert(1)}"/>
  <tag k="roof:shape" v="flat"/><tag k="building:levels" v="2"/>
 </way>
 <way id="200">
  <nd ref="15"/><nd ref="16"/><nd ref="17"/><nd ref="18"/><nd ref="15"/>
  <tag k="landuse" v="brownfield"/>
 </way>
</osm>
"""


@pytest.fixture
def osm_file(tmp_path: Path) -> Path:
    path = tmp_path / "decany.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    return path


def test_buildings_from_xml(osm_file: Path) -> None:
    assert sniff_format(osm_file) == "osm"
    out = read(osm_file)
    assert out["site_id"].tolist() == ["osm:way/100"]
    assert out["kind"].tolist() == ["rooftop"]
    assert out["name"].iloc[0] == "Old <b>gasworks</b> ${alert(1)}"  # kept raw
    assert out["roof_shape"].iloc[0] == "flat"
    assert out["building_levels"].iloc[0] == "2"
    assert out.crs.to_epsg() == 5514
    # 0.001° x 0.001° at 50.44° N is about 71 m x 111 m
    assert out["area_m2"].iloc[0] == pytest.approx(71 * 111, rel=0.03)


def test_presets_from_xml(osm_file: Path) -> None:
    brownfields = read(osm_file, layer="brownfields")
    assert brownfields["source_id"].tolist() == ["way/200"]
    assert brownfields["kind"].tolist() == ["brownfield"]
    substations = read(osm_file, layer="substations")
    assert substations["source_id"].tolist() == ["node/30"]
    assert substations["kind"].isna().all()
    # a node has no area: NaN with its reason, not 0 (issue 12)
    assert substations["area_m2"].isna().tolist() == [True]
    assert substations["area_source"].tolist() == ["not_available"]
    with pytest.raises(InputError, match="buildings, brownfields"):
        read(osm_file, layer="roads")


def test_empty_result_is_an_empty_frame(osm_file: Path) -> None:
    out = read(osm_file, layer="power_lines")
    assert out.empty
    assert list(out.columns[:6]) == ["site_id", "kind", "name", "source", "source_id", "area_m2"]
    assert out.crs.to_epsg() == 5514  # from the file's <bounds>


def test_broken_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm"
    path.write_text(OSM_XML[:500])
    with pytest.raises(UnreadableSourceError, match="OSM XML"):
        read(path)


def test_parse_hstore_and_matches() -> None:
    tags = parse_hstore('"roof:shape"=>"flat","name"=>"say \\"hi\\"","power"=>"line"')
    assert tags == {"roof:shape": "flat", "name": 'say "hi"', "power": "line"}
    assert parse_hstore(None) == {}
    assert matches(tags, {"power": ["line", "minor_line"]})
    assert matches(tags, {"building": True, "roof:shape": True})
    assert not matches(tags, {"power": "substation"})
    assert not matches({"building": float("nan")}, {"building": True})


def test_online_query_refused_when_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISPLAN_OFFLINE", "1")
    with pytest.raises(OfflineError, match="GISPLAN_OFFLINE"):
        read_osm_online(tags={"building": True}, place="Děčany, Czechia")


def test_online_query_uses_the_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISPLAN_OFFLINE", "0")
    monkeypatch.setenv("GISPLAN_CACHE_DIR", str(tmp_path / "cache"))
    seen: dict[str, object] = {}

    def fake_features_from_place(query: str, tags: dict[str, object]) -> gpd.GeoDataFrame:
        seen.update(query=query, tags=tags, folder=ox.settings.cache_folder, use_cache=ox.settings.use_cache)
        square = Polygon([(13.99, 50.44), (13.991, 50.44), (13.991, 50.441), (13.99, 50.441)])
        frame = gpd.GeoDataFrame({"building": ["yes"], "name": ["Statek"]}, geometry=[square], crs=4326)
        frame.index = gpd.pd.MultiIndex.from_tuples([("way", 7)], names=["element", "id"])
        return frame

    before = ox.settings.cache_folder
    monkeypatch.setattr(ox, "features_from_place", fake_features_from_place)
    out = read_osm_online(tags={"building": True}, place="Děčany, Czechia", kind="rooftop")
    assert seen["folder"] == str(settings.get().cache_dir / "osmnx")
    assert seen["use_cache"] is True
    assert ox.settings.cache_folder == before
    assert out["site_id"].tolist() == ["osm:way/7"]
    assert out["name"].tolist() == ["Statek"]
    assert out.crs.to_epsg() == 5514


@pytest.fixture(scope="module")
def liechtenstein(shared_data: Path) -> Path:
    return shared_data / "osm" / "liechtenstein-2013-08-03.osm.pbf"


@pytest.fixture(scope="module")
def liechtenstein_buildings(liechtenstein: Path) -> gpd.GeoDataFrame:
    return read(liechtenstein)


def test_liechtenstein_buildings(liechtenstein_buildings: gpd.GeoDataFrame) -> None:
    out = liechtenstein_buildings
    assert len(out) >= 3_700
    assert (out.geometry.geom_type == "MultiPolygon").sum() == 3_723  # SOURCES.md: 3,723 building areas
    assert out.crs.to_epsg() == 32632
    assert set(out["kind"]) == {"rooftop"}
    assert out["site_id"].is_unique
    assert out["source_id"].str.match(r"^(node|way|relation)/\d+$").all()
    assert out["area_m2"].gt(0).sum() == 3_723


def test_liechtenstein_industrial_and_grid(liechtenstein: Path) -> None:
    industrial = read(liechtenstein, layer="brownfields")
    assert len(industrial) == 14  # SOURCES.md: landuse industrial 14, no brownfield
    assert set(industrial["landuse"]) == {"industrial"}
    lines = read(liechtenstein, layer="power_lines")
    assert len(lines) == 3
    assert lines["kind"].isna().all()
    assert set(lines.geometry.geom_type) == {"LineString"}


def test_prague_offline_through_osmnx(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("reading an .osm file must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setenv("GISPLAN_OFFLINE", "1")
    out = read(shared_data / "osm" / "prague_karlovo_namesti_2011.osm")
    assert len(out) == 10
    assert out.crs.to_epsg() == 5514
    assert out["source_id"].str.startswith("way/").all()
    assert "source_src" in out.columns  # the OSM 'source' tag does not clash with the canonical column


def test_liechtenstein_forest_becomes_land_cover(liechtenstein: Path) -> None:
    from gisplan.sources._osm import read_osm_file

    land = read_osm_file(liechtenstein, tags={"landuse": ["forest", "vineyard", "industrial"]})
    pairs = land.groupby(["landuse", "land_cover"]).size().to_dict()
    # SOURCES.md counts 51 forests; the reader finds 52 landuse=forest multipolygons
    assert pairs == {("forest", "forest"): 52, ("vineyard", "vineyard"): 18, ("industrial", "built_up"): 14}
