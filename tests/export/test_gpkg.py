"""The GeoPackage export: GDAL's validator, layers/counts/CRS, metadata, dictionary, and a `gisplan read` round trip."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from gisplan.cli import main
from gisplan.export import data_sources, load_snapshot, write_geopackage
from gisplan.export._gpkg import metadata
from gisplan.store import Store
from tests.conftest import skip_or_fail
from tests.export.conftest import ExportWorld


@pytest.fixture(scope="module")
def validate_gpkg() -> ModuleType:
    """GDAL's GeoPackage validator (gdal-utils; it needs only sqlite3, not GDAL's Python bindings)."""
    try:
        from osgeo_utils.samples import validate_gpkg as validator
    except ImportError:
        skip_or_fail("GDAL's validate_gpkg is missing: pip install --no-deps gdal-utils")
    return validator


@pytest.fixture
def exported(filled: tuple[Store, ExportWorld], tmp_path: Path) -> Path:
    store, ew = filled
    snap = load_snapshot(store, ew.world.planner, ew.shortlist)
    return write_geopackage(snap, tmp_path / "shortlist.gpkg")


def test_passes_gdal_validate_gpkg(exported: Path, validate_gpkg: ModuleType) -> None:
    assert validate_gpkg.check(str(exported), abort_at_first_error=False) == []


def test_the_validator_would_notice_a_broken_file(exported: Path, validate_gpkg: ModuleType) -> None:
    with sqlite3.connect(exported) as conn:
        conn.execute("UPDATE gpkg_geometry_columns SET srs_id = 99999 WHERE table_name = 'sites'")
    conn.close()
    assert validate_gpkg.check(str(exported), abort_at_first_error=False) != []


def test_layers_counts_and_crs(exported: Path) -> None:
    layers = {str(name): geom for name, geom in pyogrio.list_layers(exported)}
    assert layers == {
        "sites": "MultiPolygon",
        "sites_points": "Point",
        "annotations": "Point",
        "community_links": None,
        "funding_links": None,
        "communities": None,
        "funding_calls": None,
        "data_dictionary": None,
        "data_sources": None,
        "layer_styles": None,
    }
    counts = {name: pyogrio.read_info(exported, layer=name)["features"] for name in layers}
    assert counts["sites"] + counts["sites_points"] == 4  # three polygons, one UK register point
    assert (counts["sites_points"], counts["annotations"]) == (1, 6)
    assert (counts["community_links"], counts["funding_links"], counts["funding_calls"]) == (1, 1, 1)
    assert counts["communities"] == 1  # Děčany: linked, and the municipality of t:in and uk:1
    for name in ("sites", "sites_points", "annotations"):
        assert pyogrio.read_info(exported, layer=name)["crs"] == "EPSG:5514"
    sites = pyogrio.read_dataframe(exported, layer="sites")
    assert list(sites["site_id"]) == ["t:in", "t:out", "t:mas"]  # by score, excluded after kept
    row = sites.set_index("site_id").loc["t:in"]
    assert (row["score"], row["status"], row["municipality"], row["funding_eligible"]) == (
        72.5,
        "screening",
        "Děčany",
        "OPST-1",
    )
    assert row["pts_area_m2"] + row["pts_dist_substation_m"] == pytest.approx(row["score"])
    assert row["energy_mwh_yr"] == 714.0
    assert row["communities"] == "Děčany (owner)"
    excluded = sites.set_index("site_id").loc["t:mas"]
    assert bool(excluded["excluded"]) is True
    assert excluded["pts_exclusion"] == -55.0


def test_metadata_carries_time_profiles_and_licences(filled: tuple[Store, ExportWorld], exported: Path) -> None:
    meta = pyogrio.read_info(exported, layer="sites")["dataset_metadata"]
    assert meta["gisplan_shortlist"] == "Ústí 2027"
    assert json.loads(meta["gisplan_profile_versions"]) == {"ground_pv": "1"}
    assert meta["gisplan_export_time"].startswith("20")
    assert meta["gisplan_exported_by"] == "planner"
    sources = json.loads(meta["gisplan_sources"])
    assert {s["source"] for s in sources} >= {"t", "uk"}
    store, _ = filled
    assert store.audit_log(target_type="export")[0].target_id == "shortlist:Ústí 2027"


def test_osm_sources_carry_the_odbl_attribution() -> None:
    found = data_sources({"osm": 3, "ruian": 1}, catalogue=None)
    by_source = {s.source: s for s in found}
    assert "ODbL" in by_source["osm"].licence
    assert "OpenStreetMap contributors" in by_source["osm"].licence
    assert "ODbL" not in by_source["ruian"].licence


def test_catalogue_osm_layers_get_odbl_even_when_the_catalogue_forgets(tmp_path: Path) -> None:
    from gisplan.catalogue import load_catalogue

    (tmp_path / "x.yaml").write_text(
        "layers:\n"
        "- id: osm_roofs\n  title: {cs: Střechy, en: Roofs}\n  kind: vector\n  role: candidate\n"
        "  site_kind: rooftop\n  source: {type: osm, tags: {building: true}, file: a.osm}\n"
        "  licence: OpenStreetMap\n",
        encoding="utf-8",
    )
    found = data_sources({"osm_roofs": 2}, catalogue=load_catalogue(tmp_path))
    assert found[0].sites == 2
    assert "ODbL" in found[0].licence


def test_data_dictionary_describes_every_column(exported: Path) -> None:
    dictionary = pyogrio.read_dataframe(exported, layer="data_dictionary")
    assert list(dictionary.columns) == ["layer", "column", "meaning", "unit", "source"]
    for layer in ("sites", "annotations", "community_links", "funding_links", "communities", "funding_calls"):
        described = set(dictionary.loc[dictionary["layer"] == layer, "column"])
        columns = set(pyogrio.read_info(exported, layer=layer)["fields"])
        assert columns <= described, layer
    units = dictionary[dictionary["layer"] == "sites"].set_index("column")["unit"]
    assert units["energy_mwh_yr"] == "MWh/yr"
    assert units["pts_area_m2"] == "points"
    assert units["val_dist_substation_m"] == "m"


def test_roundtrip_through_gisplan_read_loses_nothing(exported: Path, tmp_path: Path) -> None:
    back_path = tmp_path / "back.gpkg"
    assert main(["read", str(exported), "--layer", "sites", "--out", str(back_path)]) == 0
    original = gpd.read_file(exported, layer="sites")
    back = gpd.read_file(back_path, layer="sites")
    assert back.crs == original.crs
    assert len(back) == len(original)
    assert list(back["name"]) == list(original["name"])
    for a, b in zip(original.geometry, back.geometry, strict=True):
        assert shapely.equals_exact(a, b, tolerance=1e-6)
    renamed = {c: f"{c}_src" if f"{c}_src" in back.columns else c for c in original.columns}
    for column in original.columns:
        if column == "geometry":
            continue
        before, after = original[column], back[renamed[column]]
        for x, y in zip(before, after, strict=True):
            if isinstance(x, float) and math.isnan(x):
                assert y is None or (isinstance(y, float) and math.isnan(y)), column
            elif isinstance(x, pd.Timestamp):
                assert pd.Timestamp(y) == x, column
            else:
                assert x == y or str(x) == str(y), (column, x, y)


def test_an_export_replaces_the_file_whole(filled: tuple[Store, ExportWorld], tmp_path: Path) -> None:
    store, ew = filled
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "out.gpkg"
    target.write_bytes(b"old")
    write_geopackage(load_snapshot(store, ew.world.admin, ew.shortlist), target)
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
    conn.close()
    assert [p.name for p in folder.iterdir()] == ["out.gpkg"]


def test_metadata_keys_have_no_colon(filled: tuple[Store, ExportWorld]) -> None:
    store, ew = filled
    meta = metadata(load_snapshot(store, ew.world.admin, ew.shortlist))
    assert all(":" not in key for key in meta)
    assert meta["gisplan_crs"] == "EPSG:5514"


def test_every_site_says_how_much_of_its_score_was_measured(exported: Path) -> None:
    info = pyogrio.read_info(exported, layer="sites")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["completeness"] == "float64"
    sites = pyogrio.read_dataframe(exported, layer="sites").set_index("site_id")
    assert sites.loc["t:in", "completeness"] == 1.0
    assert sites.loc["t:in", "yield_source"] == "irradiation_raster"
    assert sites.loc["t:in", "criteria_not_available"] in ("", None)
    assert {"area_source", "criteria_assumed", "yield_note"} <= set(sites.columns)
