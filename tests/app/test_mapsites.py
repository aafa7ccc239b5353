"""Sites of one view as browser features (points zoomed out, polygons zoomed in), and clicks back to sites."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import shapely

from gisplan.app.mapsites import (
    DETAIL_ZOOM,
    POLYGON_ZOOM,
    find_clicked,
    polygon_ids,
    prepare_sites,
    site_layers,
)
from gisplan.app.mapview import EXCLUDED_COLOR, SCORE_CLASSES
from gisplan.crs import transformer

X0, Y0 = -782_000.0, -992_000.0
HOSTILE = '<img src=x onerror="window.__xss=1">'


def _latlon(x: float, y: float) -> tuple[float, float]:
    lon, lat = transformer("EPSG:5514", "EPSG:4326").transform(x, y)
    return lat, lon


def _rows() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    boxes = {
        "bf": shapely.box(X0, Y0, X0 + 300, Y0 + 200),
        "small": shapely.box(X0 + 100, Y0 + 50, X0 + 150, Y0 + 100),
        "roof": shapely.box(X0 + 1000, Y0, X0 + 1020, Y0 + 12),
    }
    records = []
    for (site_id, geom), kind, name, score, excluded in zip(
        boxes.items(),
        ["brownfield", "municipal_land", "rooftop"],
        [HOSTILE, "${window.__xss=1}", "Budova"],
        [85.0, 30.0, 0.0],
        [False, False, True],
        strict=True,
    ):
        minx, miny, maxx, maxy = geom.bounds
        lat, lon = _latlon((minx + maxx) / 2, (miny + maxy) / 2)
        records.append(
            {
                "site_id": site_id,
                "kind": kind,
                "name": name,
                "area_m2": geom.area,
                "score": score,
                "excluded": excluded,
                "x": (minx + maxx) / 2,
                "y": (miny + maxy) / 2,
                "lat": lat,
                "lon": lon,
            }
        )
    geoms = gpd.GeoDataFrame(
        {"site_id": list(boxes)}, geometry=list(boxes.values()), crs="EPSG:5514", index=pd.Index(list(boxes))
    )
    return pd.DataFrame(records), geoms


def test_zoomed_out_every_site_is_a_point_without_geometry() -> None:
    rows, _ = _rows()
    assert polygon_ids(rows, POLYGON_ZOOM - 1) == []
    features = prepare_sites(rows, None, zoom=POLYGON_ZOOM - 1, lang="cs")
    assert features.polygons == {}
    assert sorted(features.points) == ["brownfield", "municipal_land", "rooftop"]
    assert features.count == 3
    assert features.vertices == 3


def test_zoomed_in_large_kinds_are_polygons_then_rooftops_too() -> None:
    rows, geoms = _rows()
    assert polygon_ids(rows, POLYGON_ZOOM) == ["bf", "small"]
    mid = prepare_sites(rows, geoms, zoom=POLYGON_ZOOM, lang="cs")
    assert sorted(mid.polygons) == ["brownfield", "municipal_land"]
    assert sorted(mid.points) == ["rooftop"]
    assert polygon_ids(rows, DETAIL_ZOOM) == ["bf", "small", "roof"]
    detail = prepare_sites(rows, geoms, zoom=DETAIL_ZOOM, lang="cs")
    assert sorted(detail.polygons) == ["brownfield", "municipal_land", "rooftop"]
    assert detail.points == {}
    assert detail.polygons["brownfield"].crs.to_epsg() == 4326


def test_features_are_escaped_and_coloured_by_score() -> None:
    rows, geoms = _rows()
    features = prepare_sites(rows, geoms, zoom=DETAIL_ZOOM, lang="en")
    bf = features.polygons["brownfield"].iloc[0]
    assert bf["name"] == "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;"
    assert bf["fill"] == SCORE_CLASSES[-1][1]
    assert bf["score"] == "85"
    assert features.polygons["municipal_land"].iloc[0]["name"] == "&#36;&#123;window.__xss=1&#125;"
    roof = features.polygons["rooftop"].iloc[0]
    assert (roof["fill"], roof["score"]) == (EXCLUDED_COLOR, "excluded")


def test_layers_render_one_group_per_kind_with_nothing_active() -> None:
    rows, geoms = _rows()
    groups = site_layers(prepare_sites(rows, geoms, zoom=POLYGON_ZOOM, lang="en"), "en")
    assert [g.layer_name for g in groups] == ["Brownfield", "Municipal land", "Rooftop"]
    m = folium.Map(tiles=None)
    for group in groups:
        group.add_to(m)
    page = m.get_root().render()
    assert "<img src=x" not in page
    assert "${window" not in page
    assert '"Score"' in page  # tooltip alias


def test_click_inside_a_polygon_takes_the_smallest() -> None:
    rows, geoms = _rows()
    lat, lon = _latlon(X0 + 120, Y0 + 70)
    assert find_clicked(rows, geoms, lat, lon, zoom=DETAIL_ZOOM) == "small"
    lat, lon = _latlon(X0 + 250, Y0 + 150)
    assert find_clicked(rows, geoms, lat, lon, zoom=DETAIL_ZOOM) == "bf"


def test_click_near_a_point_hits_within_ten_pixels() -> None:
    rows, _ = _rows()
    # zoom 12: about 24 m per pixel at 50.5° N, so 150 m from the roof's centre is within 10 px
    lat, lon = _latlon(X0 + 1010 + 150, Y0 + 6)
    assert find_clicked(rows, None, lat, lon, zoom=12) == "roof"
    # zoom 17: 0.76 m per pixel, the same click misses
    assert find_clicked(rows, None, lat, lon, zoom=17) is None
    lat, lon = _latlon(X0 + 5000, Y0 + 5000)
    assert find_clicked(rows, None, lat, lon, zoom=12) is None
    assert find_clicked(rows.iloc[0:0], None, lat, lon, zoom=12) is None
