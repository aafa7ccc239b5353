"""folium maps of the submission pages: a map to draw on, and a map that shows checked shapes.

Plain Python without Streamlit. Both maps load every script from the local
copies (:func:`gisplan.app.assets.localize`), show the submitting
municipality's outline, and put no user text into the page unescaped
(:func:`gisplan.app.escape.escape_html`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gisplan.app.assets import DEFAULT_BASE_URL, localize
from gisplan.app.escape import escape_html
from gisplan.app.mapview import MAX_ZOOM, MIN_ZOOM, PLAIN_BACKGROUND
from gisplan.crs import WGS84

#: Where the map starts when the municipality's outline is unknown (the middle of Czechia) [lat, lon].
DEFAULT_CENTRE = (49.8, 15.5)
#: Decimal places kept of degrees (about 1 m).
DECIMALS = 5
_OUTLINE = {"color": "#4d4d4d", "weight": 2, "fill": False, "dashArray": "6 4"}
_SHAPE = {"color": "#2166ac", "weight": 2, "fillOpacity": 0.3}
_ORIGINAL = {"color": "#b2182b", "weight": 2, "fill": False, "dashArray": "4 4"}
#: Tools of the draw control: areas and points only, as the intake accepts.
DRAW_OPTIONS = {
    "polyline": False,
    "rectangle": False,
    "circle": False,
    "circlemarker": False,
    "polygon": {"allowIntersection": False, "showArea": True},
    "marker": True,
}


def _base(basemap: str) -> Any:
    import folium

    m = folium.Map(location=list(DEFAULT_CENTRE), zoom_start=7, tiles=None, control_scale=True)
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    style = f"<style>.leaflet-container {{ background: {PLAIN_BACKGROUND}; }}</style>"
    m.get_root().header.add_child(folium.Element(style), name="gisplan_background")  # type: ignore[attr-defined]
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    return m


def _lonlat(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    out = geoms.to_crs(WGS84) if geoms.crs is not None and not geoms.crs.equals(WGS84) else geoms
    # rounding each coordinate keeps invalid shapes (shown before repair) as they are
    return gpd.GeoSeries(shapely.transform(out.to_numpy(), lambda xy: np.round(xy, DECIMALS)), crs=WGS84)


def _fit(m: Any, geoms: Sequence[BaseGeometry | None]) -> None:
    present = [g for g in geoms if g is not None and not g.is_empty]
    if not present:
        return
    x0, y0, x1, y1 = shapely.total_bounds(present)
    pad = 0.002
    m.fit_bounds([[y0 - pad, x0 - pad], [y1 + pad, x1 + pad]])


def _add(m: Any, geom: BaseGeometry, style: dict[str, Any], tooltip: str | None = None) -> None:
    import folium

    if geom.geom_type in ("Point", "MultiPoint"):
        for point in getattr(geom, "geoms", [geom]):
            marker = folium.CircleMarker([point.y, point.x], radius=7, **style)
            if tooltip:
                marker.add_child(folium.Tooltip(escape_html(tooltip)))  # type: ignore[no-untyped-call]
            marker.add_to(m)
        return
    layer = folium.GeoJson(shapely.geometry.mapping(geom), style_function=lambda _f, s=style: s)
    if tooltip:
        layer.add_child(folium.Tooltip(escape_html(tooltip)))
    layer.add_to(m)


def outline_lonlat(boundaries: gpd.GeoDataFrame | None, code: str, code_column: str) -> BaseGeometry | None:
    """The outline of municipality ``code`` in EPSG:4326, or None when it is not known."""
    if boundaries is None or code_column not in boundaries.columns:
        return None
    match = boundaries[boundaries[code_column].astype(str) == str(code)]
    if match.empty:
        return None
    merged = shapely.union_all(match.geometry.to_numpy())
    outline: BaseGeometry = _lonlat(gpd.GeoSeries([merged], crs=boundaries.crs)).iloc[0]
    return outline


def draw_map(outline: BaseGeometry | None, *, basemap: str = "none", base_url: str = DEFAULT_BASE_URL) -> Any:
    """A map to draw sites on (Leaflet.draw: polygon and marker), framed on the municipality.

    Parameters
    ----------
    outline
        The municipality's outline in EPSG:4326 [degrees], or None.
    basemap
        ``"osm"`` for OpenStreetMap tiles, ``"none"`` for a plain background (offline).
    base_url
        URL path of the vendored scripts (see :func:`gisplan.app.assets.base_url_for`).
    """
    from folium.plugins import Draw

    m = _base(basemap)
    if outline is not None:
        _add(m, outline, _OUTLINE)
        _fit(m, [outline])
    Draw(export=False, draw_options=DRAW_OPTIONS, edit_options={"edit": False}).add_to(m)  # type: ignore[no-untyped-call]
    return localize(m, base_url=base_url)


def shapes_map(
    shapes: gpd.GeoSeries,
    *,
    labels: Sequence[str] | None = None,
    originals: gpd.GeoSeries | None = None,
    outline: BaseGeometry | None = None,
    basemap: str = "none",
    base_url: str = DEFAULT_BASE_URL,
) -> Any:
    """A view-only map of checked shapes (any CRS), the shapes as given before repair, and the outline.

    Parameters
    ----------
    shapes
        The sites (GeoSeries with a CRS).
    labels
        Tooltip of each shape (escaped here).
    originals
        The shapes as given, for repaired sites (None elsewhere); drawn dashed.
    outline
        The municipality's outline in EPSG:4326.
    basemap, base_url
        As for :func:`draw_map`.
    """
    m = _base(basemap)
    if outline is not None:
        _add(m, outline, _OUTLINE)
    shown = _lonlat(shapes)
    if originals is not None:
        present = originals[originals.notna()]
        if not present.empty:
            for geom in _lonlat(present):
                _add(m, geom, _ORIGINAL)
    for i, geom in enumerate(shown):
        if geom is not None and not geom.is_empty:
            _add(m, geom, _SHAPE, labels[i] if labels is not None and i < len(labels) else None)
    _fit(m, list(shown))
    return localize(m, base_url=base_url)


__all__ = ["DRAW_OPTIONS", "draw_map", "outline_lonlat", "shapes_map"]
