from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from gisplan.app.mapdata import MapData, load_map_data
from gisplan.app.mapview import DisplayData, build_map, find_site, format_area, prepare_display, simplify_for_display
from gisplan.crs import transformer

X0, Y0 = -782_000.0, -992_000.0


def _to_latlon(x: float, y: float) -> tuple[float, float]:
    lon, lat = transformer("EPSG:5514", "EPSG:4326").transform(x, y)
    return lat, lon


def test_simplify_reprojects_rounds_and_drops_columns() -> None:
    circle = shapely.Point(X0, Y0).buffer(500, quad_segs=256)  # 1,025 vertices
    frame = gpd.GeoDataFrame({"name": ["c"], "secret": ["x"]}, geometry=[circle], crs="EPSG:5514")
    out = simplify_for_display(frame, tolerance_m=5.0, columns=("name",))
    assert out.crs.to_epsg() == 4326
    assert list(out.columns) == ["name", "geometry"]
    coords = shapely.get_coordinates(out.geometry.to_numpy())
    assert len(coords) < 100
    assert np.allclose(coords, np.round(coords, 5))
    lat, lon = _to_latlon(X0, Y0)
    assert abs(coords[:, 1].mean() - lat) < 0.001
    assert abs(coords[:, 0].mean() - lon) < 0.001


def test_prepare_display_escapes_text_and_keeps_largest_rooftops(tiny_region: tuple[Path, Path]) -> None:
    data = load_map_data(*tiny_region)
    shown = prepare_display(data, max_rooftops=10)
    assert set(shown.polygons) == {"brownfield", "municipal_land"}
    names = set(shown.polygons["brownfield"]["name"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in names
    assert all("<" not in n and "`" not in n and "$" not in n for n in names)
    assert list(shown.polygons["brownfield"].columns) == ["site_id", "name", "area", "geometry"]
    assert shown.rooftops_total == 60
    assert len(shown.rooftops) == 10
    assert "Budova 59" in shown.rooftops[0][2]  # the largest roof first
    (south, west), (north, east) = shown.bounds or [[0, 0], [0, 0]]
    assert 50.4 < south < north < 50.6
    assert 13.7 < west < east < 13.9


def test_built_map_holds_no_active_hostile_text(tiny_region: tuple[Path, Path]) -> None:
    data = load_map_data(*tiny_region)
    page = build_map(prepare_display(data), lang="en", basemap="none").get_root().render()
    assert "<img src=x" not in page
    assert "${alert" not in page
    assert "\\users" not in page
    assert "gisplan-legend" in page
    for label in ("Brownfield", "Municipal land", "Rooftop", "Municipalities", "Power lines"):
        assert label in page
    assert re.findall(r"https?://", page) == []


def test_find_site_prefers_the_containing_polygon(tiny_region: tuple[Path, Path]) -> None:
    sites = load_map_data(*tiny_region).sites
    lat, lon = _to_latlon(X0 + 250, Y0 + 200)  # inside BF1
    assert find_site(sites, lat, lon) == "tiny_brownfields:BF1"
    lat, lon = _to_latlon(X0 + 2650, Y0 + 1250)  # inside BF4
    assert find_site(sites, lat, lon) == "tiny_brownfields:BF4"


def test_find_site_takes_the_nearest_within_tolerance(tiny_region: tuple[Path, Path]) -> None:
    sites = load_map_data(*tiny_region).sites
    lat, lon = _to_latlon(X0 + 95, Y0 + 200)  # 5 m west of BF1
    assert find_site(sites, lat, lon, tolerance_m=10) == "tiny_brownfields:BF1"
    assert find_site(sites, lat, lon, tolerance_m=2) is None
    lat, lon = _to_latlon(X0 + 3800, Y0 + 200)  # open field
    assert find_site(sites, lat, lon) is None


def test_find_site_picks_the_smallest_of_overlapping_polygons() -> None:
    sites = gpd.GeoDataFrame(
        {"site_id": ["big", "small"]},
        geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000), shapely.box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)],
        crs="EPSG:5514",
    )
    lat, lon = _to_latlon(X0 + 150, Y0 + 150)
    assert find_site(sites, lat, lon) == "small"
    lat, lon = _to_latlon(X0 + 500, Y0 + 500)
    assert find_site(sites, lat, lon) == "big"


def test_format_area() -> None:
    assert format_area(12345.4) == "12\u202f345 m²"
    assert format_area(None) == ""
    assert format_area(float("nan")) == ""


def test_empty_data_still_builds_a_map() -> None:
    empty = MapData(sites=gpd.GeoDataFrame({"site_id": [], "kind": []}, geometry=[], crs="EPSG:5514"))
    shown = prepare_display(empty)
    assert shown == DisplayData(polygons={}, rooftops=[], rooftops_total=0, context=(), bounds=None, vertices=0)
    assert "L.map" in build_map(shown, lang="cs").get_root().render()
