from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from unittest import mock

import branca.colormap
import folium
import folium.plugins
import pytest

from gisplan.app.assets import (
    DEFAULT_BASE_URL,
    VENDOR_DIR,
    base_url_for,
    local_path,
    localize,
    missing_vendored_files,
    vendored_files,
)
from gisplan.app.mapview import build_map
from gisplan.errors import SourceNotFoundError

URL_RE = re.compile(r"https?://[^\s\"'<>)\\]+")
LINK_RE = re.compile(r'<(?:script|link)[^>]*?(?:src|href)="([^"]+)"')


def _full_map() -> folium.Map:
    m = folium.Map(location=[50.5, 13.8], zoom_start=10, tiles=None)
    folium.plugins.Draw(export=False).add_to(m)
    cluster = folium.plugins.MarkerCluster(name="cluster").add_to(m)
    folium.Marker([50.5, 13.8], icon=folium.Icon(icon="info-sign")).add_to(cluster)
    folium.Marker([50.51, 13.81], icon=folium.Icon(icon="bolt", prefix="fa")).add_to(cluster)
    folium.plugins.FastMarkerCluster([[50.5, 13.8], [50.52, 13.82]], name="fast").add_to(m)
    folium.GeoJson({"type": "Point", "coordinates": [13.8, 50.5]}, name="geojson").add_to(m)
    folium.LayerControl().add_to(m)
    return m


def _local_file(url: str) -> Path:
    assert url.startswith(DEFAULT_BASE_URL + "/"), url
    return VENDOR_DIR / url.removeprefix(DEFAULT_BASE_URL + "/")


def test_every_rule_points_at_a_vendored_file_with_its_licence() -> None:
    assert missing_vendored_files() == []
    for path in vendored_files():
        folder = VENDOR_DIR / path.split("/")[0]
        assert any(folder.glob("LICEN[CS]E*")), f"{folder} has no licence file"
    assert (VENDOR_DIR / "README.md").is_file()


def test_cdn_defaults_without_rewrite_are_remote() -> None:
    """Guard: folium really loads from CDNs, so the rewrite below is what makes the map offline."""
    page = _full_map().get_root().render()
    assert len(set(URL_RE.findall(page))) >= 10


def test_rendered_map_has_no_remote_url_after_localize() -> None:
    m = localize(_full_map())
    page = m.get_root().render()
    assert URL_RE.findall(page) == []
    links = LINK_RE.findall(page)
    assert len(links) >= 15
    for url in links:
        assert _local_file(url).is_file(), url


def test_localize_leaves_folium_class_defaults_alone() -> None:
    localize(_full_map())
    assert folium.Map.default_js[0][1].startswith("https://")
    assert folium.plugins.Draw.default_css[0][1].startswith("https://")


def test_localize_rewrites_links_already_in_the_header() -> None:
    m = _full_map()
    m.get_root().render()  # puts CDN <script>/<link> elements into the header
    localize(m)
    page = m.get_root().render()
    assert URL_RE.findall(page) == []


def test_base_url_follows_streamlit_base_path() -> None:
    assert base_url_for("") == "/app/static/vendor"
    assert base_url_for("/gisplan/") == "/gisplan/app/static/vendor"
    page = localize(_full_map(), base_url=base_url_for("gisplan")).get_root().render()
    assert all(url.startswith("/gisplan/app/static/vendor/") for url in LINK_RE.findall(page))


def test_newer_patch_release_still_maps() -> None:
    assert local_path("https://cdn.jsdelivr.net/npm/leaflet@1.9.9/dist/leaflet.js") == "leaflet-1.9.4/leaflet.js"
    assert local_path("https://cdn.jsdelivr.net/npm/leaflet@2.0.0/dist/leaflet.js") is None


def test_plugin_without_local_copy_is_refused_and_map_left_unchanged() -> None:
    m = _full_map()
    folium.plugins.Fullscreen().add_to(m)
    folium.plugins.MiniMap().add_to(m)
    with pytest.raises(SourceNotFoundError) as caught:
        localize(m)
    text = str(caught.value)
    assert "Control.FullScreen" in text
    assert "Control.MiniMap" in text
    assert "static/vendor" in text
    assert "default_js" not in vars(m)  # nothing was rewritten


def test_colormap_is_refused() -> None:
    m = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["red", "blue"]).add_to(m)
    with pytest.raises(SourceNotFoundError, match="colormap"):
        localize(m)


def test_map_without_basemap_loads_nothing_remote() -> None:
    page = build_map((), lang="cs", basemap="none").get_root().render()
    assert URL_RE.findall(page) == []
    assert "tileLayer" not in page


def test_osm_basemap_adds_only_tile_and_attribution_urls() -> None:
    page = build_map((), lang="cs", basemap="osm").get_root().render()
    hosts = {re.sub(r"^https?://([^/]+).*", r"\1", url) for url in URL_RE.findall(page)}
    assert "tile.openstreetmap.org" in hosts
    assert hosts <= {"tile.openstreetmap.org", "www.openstreetmap.org", "openstreetmap.org"}
    assert all(not url.startswith("http") for url in LINK_RE.findall(page))


def test_st_folium_is_handed_only_local_links() -> None:
    """streamlit-folium collects default_js/default_css itself; check what it would send to the browser."""
    import streamlit_folium

    m = localize(_full_map())
    with mock.patch.object(streamlit_folium, "_component_func", return_value=None) as component:
        streamlit_folium.st_folium(m, key="t", returned_objects=[])
    kwargs: dict[str, Any] = component.call_args.kwargs
    assert kwargs["js_links"]
    assert kwargs["css_links"]
    for url in [*kwargs["js_links"], *kwargs["css_links"]]:
        assert _local_file(url).is_file(), url
    for part in ("header", "script", "html"):
        assert URL_RE.findall(kwargs[part]) == [], part
