"""The base map: context layers simplified and escaped, the score legend, local scripts only."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import geopandas as gpd
import numpy as np
import shapely

from gisplan.app.mapdata import ContextData, MapLayer, load_context
from gisplan.app.mapview import (
    EXCLUDED_COLOR,
    SCORE_CLASSES,
    SMALL_MAP_WIDTH_PX,
    SMALL_WINDOW_HEIGHT_PX,
    build_map,
    folding_layer_control,
    format_area,
    legend_html,
    prepare_context,
    score_color,
    simplify_for_display,
)
from gisplan.catalogue import Layer
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


def _hostile_context() -> ContextData:
    layer = Layer.model_validate(
        {
            "id": "x_obce",
            "title": {"cs": "Obce <b>", "en": "Municipalities <b>"},
            "kind": "vector",
            "role": "admin",
            "source": {"type": "file", "path": "x.gpkg"},
            "licence": "CC0",
        }
    )
    frame = gpd.GeoDataFrame(
        {"name": ["<img src=x onerror=alert(1)>", "`${alert(1)}`"]},
        geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100), shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100)],
        crs="EPSG:5514",
    )
    return ContextData(context=(MapLayer(layer, frame),))


def test_context_is_escaped_and_styled_by_role() -> None:
    shown = prepare_context(_hostile_context())
    assert len(shown) == 1
    names = list(shown[0].frame["name"])
    assert names[0] == "&lt;img src=x onerror=alert(1)&gt;"
    assert all("<" not in n and "`" not in n and "$" not in n for n in names)
    assert shown[0].style["fill"] is False  # admin boundaries are outlines
    assert shown[0].geom_type == "polygon"


def test_base_map_holds_context_and_legend_but_no_active_hostile_text() -> None:
    context = prepare_context(_hostile_context())
    page = build_map(context, lang="en", basemap="none").get_root().render()
    assert "<img src=x" not in page
    assert "${alert" not in page
    assert "Municipalities <b>" not in page
    assert "gisplan-legend" in page
    assert "L.control.layers" not in page  # the Map page passes its own layer control
    assert re.findall(r"https?://", page) == []
    with_control = build_map(context, lang="en", layer_control=True).get_root().render()
    assert "L.control.layers" in with_control


def test_base_map_of_the_tiny_region(tiny_region: tuple[Path, Path]) -> None:
    context = prepare_context(load_context(*tiny_region))
    page = build_map(context, lang="en").get_root().render()
    for label in ("Municipalities", "Power lines", "Profile score", "Excluded by the profile", "Municipal land"):
        assert label in page
    bounds = re.search(r"fitBounds\(\s*\[\[([\d.]+),\s*([\d.]+)\],\s*\[([\d.]+),\s*([\d.]+)\]\]", page)
    assert bounds is not None
    south, west, north, east = map(float, bounds.groups())
    assert 50.4 < south < north < 50.6
    assert 13.7 < west < east < 13.9


def test_score_colours_follow_the_classes() -> None:
    assert score_color(0.0) == SCORE_CLASSES[0][1]
    assert score_color(19.99) == SCORE_CLASSES[0][1]
    assert score_color(20.0) == SCORE_CLASSES[1][1]
    assert score_color(100.0) == SCORE_CLASSES[-1][1]
    assert score_color(95.0, excluded=True) == EXCLUDED_COLOR
    assert score_color(None) == EXCLUDED_COLOR
    assert score_color(float("nan")) == EXCLUDED_COLOR


def test_legend_lists_score_classes_kinds_and_context() -> None:
    html = legend_html(prepare_context(_hostile_context()), "cs")
    for text in ("0–20", "80–100", "Vyloučeno profilem", "Brownfield", "Střecha", "Obce &lt;b&gt;"):
        assert text in html
    assert '<b>"' not in html


def test_format_area() -> None:
    assert format_area(12345.4) == "12\u202f345 m²"
    assert format_area(None) == ""
    assert format_area(float("nan")) == ""


def test_empty_context_still_builds_a_map() -> None:
    assert prepare_context(ContextData()) == ()
    assert "L.map" in build_map((), lang="cs").get_root().render()


def test_legend_folds_away_and_starts_folded_on_small_screens() -> None:
    html = legend_html(prepare_context(_hostile_context()), "en")
    assert html.startswith('<details class="gisplan-legend" open')
    assert re.search(r"<summary><b>Legend</b></summary>", html)
    assert html.endswith("</details>")
    page = build_map(prepare_context(_hostile_context()), lang="en", layer_control=True).get_root().render()
    # the map frame decides: narrower than SMALL_MAP_WIDTH_PX or lower than SMALL_WINDOW_HEIGHT_PX
    assert f"window.innerWidth < {SMALL_MAP_WIDTH_PX}" in page
    assert f"h < {SMALL_WINDOW_HEIGHT_PX}" in page
    assert "folding.open = false" in page
    assert "disableClickPropagation" in page  # unfolding the legend is not a click on the map
    # the layer control starts as its icon where the legend starts folded
    assert re.search(r'"collapsed": \(window\.gisplanSmallScreen \? window\.gisplanSmallScreen\(\) : false\)', page)


def test_base_map_loads_leaflet_only() -> None:
    import streamlit_folium

    m = build_map(prepare_context(_hostile_context()), lang="en")
    with mock.patch.object(streamlit_folium, "_component_func", return_value=None) as component:
        streamlit_folium.st_folium(m, key="t", returned_objects=[], layer_control=folding_layer_control())
    kwargs = component.call_args.kwargs
    assert [url.rsplit("/", 1)[-1] for url in kwargs["js_links"]] == ["leaflet.js"]
    assert [url.rsplit("/", 1)[-1] for url in kwargs["css_links"]] == ["leaflet.css"]


def test_context_geojson_is_the_simplified_frame() -> None:
    shown = prepare_context(_hostile_context())[0]
    features = shown.geojson["features"]
    assert [f["properties"]["name"] for f in features] == list(shown.frame["name"])
    assert [f["id"] for f in features] == ["0", "1"]
    assert shapely.geometry.shape(features[0]["geometry"]).equals(shown.frame.geometry.iloc[0])
