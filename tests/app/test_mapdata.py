from __future__ import annotations

import os
import shutil
from pathlib import Path

import geopandas as gpd
import shapely

from gisplan.app.mapdata import attach_municipality, data_revision, load_map_data
from tests.app.conftest import HOSTILE_NAMES, build_tiny_region


def test_loads_every_candidate_and_context_layer(tiny_region: tuple[Path, Path]) -> None:
    layers, data = tiny_region
    loaded = load_map_data(layers, data)
    assert loaded.missing_files == ()
    assert loaded.failed == ()
    assert loaded.sites.crs.to_epsg() == 5514
    assert loaded.sites["kind"].value_counts().to_dict() == {"rooftop": 60, "brownfield": 4, "municipal_land": 2}
    assert [item.layer.id for item in loaded.context] == ["tiny_obce", "tiny_lines"]
    # names reach the app as typed: escaping is the map's job, not the loader's
    assert set(HOSTILE_NAMES) <= set(loaded.sites["name"])


def test_municipality_comes_from_the_admin_polygon(tiny_region: tuple[Path, Path]) -> None:
    layers, data = tiny_region
    sites = load_map_data(layers, data).sites.set_index("source_id")
    assert sites.loc["BF1", "municipality"] == "Horní Ves"
    assert sites.loc["BF3", "municipality"] == "Dolní Ves"
    assert sites["municipality"].notna().all()


def test_attach_municipality_keeps_known_values_and_leaves_outsiders_empty() -> None:
    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c"], "municipality": ["Known", None, None]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3), shapely.box(50, 50, 51, 51)],
        crs="EPSG:5514",
    )
    admin = gpd.GeoDataFrame({"name": ["Obec"]}, geometry=[shapely.box(-10, -10, 10, 10)], crs="EPSG:5514")
    out = attach_municipality(sites, admin)
    assert out["municipality"].tolist() == ["Known", "Obec", None]
    assert attach_municipality(sites, None)["municipality"].tolist() == ["Known", None, None]


def test_missing_file_is_reported_and_the_rest_still_loads(tmp_path: Path) -> None:
    layers, data = build_tiny_region(tmp_path)
    (data / "tiny" / "brownfields.gpkg").unlink()
    loaded = load_map_data(layers, data)
    assert len(loaded.missing_files) == 1
    assert "brownfields.gpkg" in loaded.missing_files[0].message
    assert loaded.missing_files[0].location == "layer tiny_brownfields"
    assert "brownfield" not in set(loaded.sites["kind"])
    assert len(loaded.sites) == 62


def test_unreadable_layer_is_reported_not_raised(tmp_path: Path) -> None:
    layers, data = build_tiny_region(tmp_path)
    (data / "tiny" / "grid.gpkg").write_bytes(b"this is not a geopackage")
    loaded = load_map_data(layers, data)
    assert [p.location for p in loaded.failed] == ["layer tiny_lines"]
    assert loaded.has_sites


def test_no_catalogue_means_no_sites(tmp_path: Path) -> None:
    (tmp_path / "layers").mkdir()
    loaded = load_map_data(tmp_path / "layers", tmp_path)
    assert not loaded.has_sites
    assert loaded.layers == ()
    assert {"site_id", "kind", "name", "area_m2", "municipality"} <= set(loaded.sites.columns)


def test_revision_changes_when_a_data_file_changes(tmp_path: Path) -> None:
    layers, data = build_tiny_region(tmp_path)
    before = data_revision(layers, data)
    assert len(before) == 6  # one catalogue file + five data files
    again = data_revision(layers, data)
    assert again == before
    target = data / "tiny" / "municipal.gpkg"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert data_revision(layers, data) != before
    shutil.rmtree(data / "tiny")
    assert all(size == -1 for path, size, _ in data_revision(layers, data) if path.endswith(".gpkg"))
