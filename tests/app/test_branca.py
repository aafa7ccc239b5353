"""gisplan.app._branca renders folium maps as folium would, only faster."""

from __future__ import annotations

import re
from unittest import mock

import folium
from folium.features import GeoJsonDetail, GeoJsonStyleMapper

from gisplan.app import _branca

FEATURES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": f"Plocha {i}", "fill": ["#440154", "#21918c", "#fde725"][i % 3]},
            "geometry": {"type": "Point", "coordinates": [13.5 + i / 100, 50.5]},
        }
        for i in range(30)
    ],
}


def _page() -> str:
    m = folium.Map(tiles=None, location=[50.5, 13.6], zoom_start=11)
    folium.GeoJson(
        FEATURES,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "weight": 2},
        highlight_function=lambda _f: {"weight": 4},
        marker=folium.CircleMarker(radius=6, fill=True),
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["Název"]),
        popup=folium.GeoJsonPopup(fields=["name"]),
    ).add_to(m)
    html = m.get_root().render()
    return re.sub(r"[0-9a-f]{32}", "ID", html)


def test_tooltips_and_style_maps_render_as_folium_renders_them() -> None:
    _branca.install()
    assert _branca.installed()
    ours = _page()
    with (
        mock.patch.object(GeoJsonDetail, "render", _branca.folium_detail_render()),
        mock.patch.object(GeoJsonStyleMapper, "_create_mapping", _branca.BRANCA_CREATE_MAPPING),
    ):
        theirs = _page()
    assert ours == theirs
    assert ".foliumtooltip table" in ours and ".foliumpopup table" in ours  # the table styles are in the page


def test_a_style_with_a_value_that_is_not_hashable_takes_folium_s_path() -> None:
    _branca.install()
    m = folium.Map(tiles=None)
    layer = folium.GeoJson(FEATURES, style_function=lambda _f: {"dashArray": [4, 3]}).add_to(m)
    m.get_root().render()
    assert layer.style_map == {"default": '{"dashArray": [4, 3]}'}


def test_a_remembered_document_is_embedded_from_its_text_made_once() -> None:
    _branca.install()
    with mock.patch("gisplan.app._branca.json.dumps", wraps=_branca.json.dumps) as dumps:
        _branca.remember_json(FEATURES)
        assert dumps.call_count == 1
        remembered = _page()
        calls = [c for c in dumps.call_args_list if c.args and c.args[0] is FEATURES]
    assert len(calls) == 1  # only remember_json's
    _branca._TEXTS.clear()
    assert remembered == _page()
