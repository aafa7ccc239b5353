"""The base map: context layers, legend and local scripts; shared by every page that shows a map.

Plain Python without Streamlit. Two steps:

1. :func:`prepare_context` turns the context layers of
   :class:`~gisplan.app.mapdata.ContextData` (working metric CRS) into what the
   browser gets: geometry simplified in metres, reprojected to EPSG:4326,
   coordinates rounded, only the tooltip property kept, and every text escaped
   with :func:`~gisplan.app.escape.escape_html`. Python-side cost and page weight
   grow with the vertices sent (about 0.5 s per rerun for 69k vertices), so this
   step is cached by the app.
   The GeoJSON of each layer is made here too (:func:`feature_collection`), once,
   instead of by folium on every rerun.
2. :func:`build_map` makes the folium map from that: context layers, the legend
   (score classes, site kinds, context layers; it folds away) and local copies of
   Leaflet only (see :mod:`gisplan.app.assets`): folium's jQuery, Bootstrap, Font
   Awesome and marker icons are not used by this map, and streamlit-folium loads
   scripts one after the other, so each one left out is a round trip less before
   the map draws. The candidate sites are not part of it: they change with every
   filter and view, and go to the browser as separate feature groups
   (:mod:`gisplan.app.mapsites`), so the map itself is not reloaded.

On a small screen (a map narrower than :data:`SMALL_MAP_WIDTH_PX`, or a window
lower than :data:`SMALL_WINDOW_HEIGHT_PX`) the legend starts folded and the layer
control (:func:`folding_layer_control`) starts as its icon, so the map stays visible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from gisplan.app import _branca
from gisplan.app.assets import DEFAULT_BASE_URL, localize
from gisplan.app.escape import escape_html
from gisplan.app.i18n import t
from gisplan.app.mapdata import ContextData
from gisplan.catalogue import Layer
from gisplan.crs import WGS84

# Every map of the app is rendered without branca's second Jinja pass (see gisplan.app._branca).
_branca.install()

#: Fill colours by site kind (ColorBrewer PuOr/BrBG, readable for colour-blind users).
KIND_COLORS: dict[str, str] = {"brownfield": "#8c510a", "municipal_land": "#01665e", "rooftop": "#e66101"}
#: Site kinds drawn as polygons, in drawing order (later is on top).
POLYGON_KINDS: tuple[str, ...] = ("municipal_land", "brownfield")
#: Score classes: lower bound [0–100] and fill colour (viridis, readable for colour-blind users).
SCORE_CLASSES: tuple[tuple[float, str], ...] = (
    (0.0, "#440154"),
    (20.0, "#3b528b"),
    (40.0, "#21918c"),
    (60.0, "#5ec962"),
    (80.0, "#fde725"),
)
#: Fill colour of sites the profile excludes.
EXCLUDED_COLOR = "#9e9e9e"
#: Context layers with more vertices than this start hidden in the layer control. [count]
CONTEXT_SHOW_MAX_VERTICES = 30_000
#: Decimal places of degrees kept: 1e-5° is about 1.1 m north-south in Czechia.
DECIMALS = 5
#: Zoom range of the map (OSM tiles go to 19).
MIN_ZOOM, MAX_ZOOM = 5, 19
#: Background of the map when no basemap tiles are loaded.
PLAIN_BACKGROUND = "#f2f1ec"
_ROLE_STYLE: dict[str, dict[str, Any]] = {
    "admin": {"color": "#4d4d4d", "weight": 1.2, "fill": False, "dashArray": "4 3"},
    "exclusion": {"weight": 1, "fillOpacity": 0.25},
    "context": {"weight": 1.5, "fillOpacity": 0.25},
    "criterion": {"weight": 1.5, "fillOpacity": 0.2},
}
#: Colours given in turn to the layers of one role, so neighbouring layers differ.
_ROLE_COLORS: dict[str, tuple[str, ...]] = {
    "admin": ("#4d4d4d", "#878787"),
    "exclusion": ("#b2182b", "#d6604d", "#8e0152"),
    "context": ("#737373", "#762a83", "#c51b7d", "#2166ac", "#1b7837", "#4393c3"),
    "criterion": ("#542788", "#8073ac"),
}
#: Below this map width the legend and the layer control start folded (a phone). [px]
SMALL_MAP_WIDTH_PX = 700
#: Below this window height they start folded too (a small laptop screen). [px]
SMALL_WINDOW_HEIGHT_PX = 700
#: The only scripts and stylesheets the base map loads (folium's names; see :mod:`gisplan.app.assets`).
MAP_JS = ("leaflet",)
MAP_CSS = ("leaflet_css",)
#: Text size of the layer control and legend; the legend's folding line looks like a link.
_MAP_CSS = (
    "<style>.leaflet-control-layers{font-size:13px;line-height:1.35}"
    ".leaflet-control-layers label{margin-bottom:0}"
    ".gisplan-legend summary{cursor:pointer;list-style-position:inside}</style>"
)
#: JavaScript test of a small screen, run in the map's frame (the top window may be out of reach).
SMALL_SCREEN_JS = (
    "window.gisplanSmallScreen = function () {"
    " var h = window.innerHeight; try { h = window.top.innerHeight; } catch (e) {}"
    f" return window.innerWidth < {SMALL_MAP_WIDTH_PX} || h < {SMALL_WINDOW_HEIGHT_PX}; }};"
)


@dataclass(frozen=True)
class DisplayLayer:
    """One context layer ready for the browser: EPSG:4326, simplified, escaped."""

    layer: Layer
    frame: gpd.GeoDataFrame
    vertices: int
    geom_type: str
    style: dict[str, Any]
    geojson: dict[str, Any]
    """``frame`` as a GeoJSON FeatureCollection (:func:`feature_collection`); never modified."""

    @property
    def show(self) -> bool:
        """Whether the layer starts visible (heavy layers start hidden)."""
        return self.vertices <= CONTEXT_SHOW_MAX_VERTICES


def format_area(area_m2: object) -> str:
    """Area as text with thin-space thousands, e.g. ``12 345 m²``; empty when unknown."""
    try:
        value = float(area_m2)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if not np.isfinite(value):
        return ""
    return f"{value:,.0f} m²".replace(",", "\u202f")


def _round(geoms: gpd.GeoSeries, decimals: int) -> gpd.GeoSeries:
    values = shapely.transform(geoms.to_numpy(), lambda xy: np.round(xy, decimals))
    return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs)


def simplify_for_display(
    gdf: gpd.GeoDataFrame, *, tolerance_m: float, decimals: int = DECIMALS, columns: tuple[str, ...] = ()
) -> gpd.GeoDataFrame:
    """Simplify in the metric CRS, reproject to EPSG:4326 and round coordinates.

    Parameters
    ----------
    gdf
        Features in a metric (working) CRS.
    tolerance_m
        Simplification tolerance. [m]
    decimals
        Decimal places of the output coordinates. [degrees]
    columns
        Columns to keep besides the geometry; the rest are dropped.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, without empty geometries.
    """
    keep = [c for c in columns if c in gdf.columns]
    out = gdf[[*keep, gdf.geometry.name]].copy()
    if tolerance_m > 0:
        out = out.set_geometry(out.geometry.simplify(tolerance_m, preserve_topology=True))
    out = out.to_crs(WGS84)
    out = out.set_geometry(_round(out.geometry, decimals))
    return out[~(out.geometry.is_empty | out.geometry.isna())]


def feature_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """``frame`` as a GeoJSON FeatureCollection of plain dicts and lists, feature ids ``"0"``…``"n-1"``.

    The same document folium's ``GeoJson`` makes of a GeoDataFrame (its
    ``__geo_interface__`` through a JSON round trip; NaN and missing values become
    ``null``), about ten times faster: the geometries go through GEOS's GeoJSON
    writer in one call, the properties column by column. Distinct ids also keep
    folium from adding its own to the features, so the result can be shared.

    Parameters
    ----------
    frame
        Features in EPSG:4326, without missing geometries.
    """
    names = [c for c in frame.columns if c != frame.geometry.name]
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in names]
    texts = shapely.to_geojson(frame.geometry.to_numpy())
    geometries = json.loads("[" + ",".join(g if g is not None else "null" for g in texts) + "]")
    rows = zip(*columns, strict=True) if names else iter([()] * len(frame))
    features = [
        {"type": "Feature", "id": str(i), "properties": dict(zip(names, values, strict=True)), "geometry": geometry}
        for i, (values, geometry) in enumerate(zip(rows, geometries, strict=True))
    ]
    return {"type": "FeatureCollection", "features": features}


def _geom_type(frame: gpd.GeoDataFrame) -> str:
    types = set(frame.geometry.geom_type.dropna())
    if types <= {"Point", "MultiPoint"}:
        return "point"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


def _bounds(frames: list[gpd.GeoDataFrame]) -> list[list[float]] | None:
    boxes = [f.total_bounds for f in frames if not f.empty]
    if not boxes:
        return None
    arr = np.array(boxes)
    west, south = arr[:, 0].min(), arr[:, 1].min()
    east, north = arr[:, 2].max(), arr[:, 3].max()
    return [[float(south), float(west)], [float(north), float(east)]]


def layer_style(role: str, index: int, geom_type: str) -> dict[str, Any]:
    """The Leaflet path style of the ``index``-th context layer of ``role``."""
    colours = _ROLE_COLORS.get(role, _ROLE_COLORS["context"])
    colour = colours[index % len(colours)]
    style = {**_ROLE_STYLE.get(role, _ROLE_STYLE["context"]), "color": colour, "fillColor": colour}
    if geom_type == "line":
        return {"color": colour, "weight": style["weight"], "opacity": 0.9}
    return style


def prepare_context(context: ContextData, *, tolerance_m: float = 10.0) -> tuple[DisplayLayer, ...]:
    """Simplify, reproject, round and escape the context layers for the browser.

    Parameters
    ----------
    context
        Context layers in the working metric CRS.
    tolerance_m
        Simplification tolerance. [m]
    """
    out: list[DisplayLayer] = []
    for item in context.context:
        if item.frame.empty:
            continue
        cols = ("name",) if "name" in item.frame.columns else ()
        shown = simplify_for_display(item.frame, tolerance_m=tolerance_m, columns=cols)
        if "name" in shown.columns:
            shown["name"] = shown["name"].map(escape_html)
        count = int(shapely.get_num_coordinates(shown.geometry.to_numpy()).sum())
        geom_type = _geom_type(shown)
        role_index = sum(1 for c in out if c.layer.role == item.layer.role)
        style = layer_style(item.layer.role, role_index, geom_type)
        geojson = feature_collection(shown)
        _branca.remember_json(geojson)  # embedded unchanged in every run's map: its JSON text is made once
        out.append(DisplayLayer(item.layer, shown, count, geom_type, style, geojson))
    return tuple(out)


def context_bounds(context: tuple[DisplayLayer, ...]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of the context layers [degrees], or None."""
    return _bounds([c.frame for c in context])


def score_color(score: float | None, excluded: bool = False) -> str:
    """The fill colour of a site: its score class, or grey when excluded or not scored."""
    if excluded or score is None or not np.isfinite(score):
        return EXCLUDED_COLOR
    colour = SCORE_CLASSES[0][1]
    for lower, fill in SCORE_CLASSES:
        if score >= lower:
            colour = fill
    return colour


def _swatch(style: str, label: str) -> str:
    return f'<div><span style="display:inline-block;width:12px;{style}"></span>{escape_html(label)}</div>'


def legend_html(context: tuple[DisplayLayer, ...], lang: str) -> str:
    """The legend as HTML: score classes, excluded sites, site kinds (outline), then the context layers.

    A ``<details>`` element, open: its title line folds it away and opens it again
    (the :class:`~gisplan.app.legend.Legend` control folds it at first on small screens).
    """
    rows = [f"<div><i>{escape_html(t('map.legend_score', lang))}</i></div>"]
    uppers = [lower for lower, _ in SCORE_CLASSES[1:]] + [100.0]
    for (lower, fill), upper in zip(SCORE_CLASSES, uppers, strict=True):
        rows.append(_swatch(f"height:12px;margin-right:6px;background:{fill}", f"{lower:.0f}–{upper:.0f}"))
    rows.append(_swatch(f"height:12px;margin-right:6px;background:{EXCLUDED_COLOR}", t("map.legend_excluded", lang)))
    rows.append(f"<div><i>{escape_html(t('map.legend_kinds', lang))}</i></div>")
    for kind, colour in KIND_COLORS.items():
        shape = "border-radius:50%;" if kind == "rooftop" else ""
        rows.append(_swatch(f"height:10px;margin-right:6px;{shape}border:2px solid {colour}", t("kind." + kind, lang)))
    if context:
        rows.append(f"<div><i>{escape_html(t('map.context', lang))}</i></div>")
    for item in context:
        colour = item.style["color"]
        if item.geom_type == "line":
            swatch = f"height:0;margin:0 6px 3px 0;border-top:2px solid {colour}"
        else:
            fill = f"{colour}4d" if item.style.get("fill", True) else "transparent"  # 4d: 30 % alpha
            swatch = f"height:10px;margin-right:6px;border:1.5px solid {colour};background:{fill}"
        rows.append(_swatch(swatch, item.layer.title.get(lang)))
    title = escape_html(t("map.legend", lang))
    return (
        '<details class="gisplan-legend" open style="background:rgba(255,255,255,.9);padding:6px 8px;'
        "border-radius:4px;font:12px/1.5 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-height:calc(100vh - 40px);"
        f'overflow-y:auto"><summary><b>{title}</b></summary>' + "".join(rows) + "</details>"
    )


def folding_layer_control() -> Any:
    """A Leaflet layer control: open on a large screen, folded into its icon on a small one.

    Whether the screen is small is decided in the browser (``window.gisplanSmallScreen``,
    defined by the legend of :func:`build_map`).
    """
    import folium
    from folium.utilities import JsCode

    return folium.LayerControl(
        collapsed=JsCode("(window.gisplanSmallScreen ? window.gisplanSmallScreen() : false)")  # type: ignore[arg-type]
    )


def build_map(
    context: tuple[DisplayLayer, ...],
    *,
    lang: str,
    bounds: list[list[float]] | None = None,
    basemap: str = "none",
    base_url: str = DEFAULT_BASE_URL,
    layer_control: bool = False,
) -> Any:
    """Make the base folium map: context layers and legend, no candidate sites.

    Parameters
    ----------
    context
        Output of :func:`prepare_context` (EPSG:4326, escaped).
    lang
        Interface language for layer names and the legend.
    bounds
        ``[[south, west], [north, east]]`` to show first [degrees]; default the
        context layers' extent.
    basemap
        ``"osm"`` for OpenStreetMap tiles (needs internet), ``"none"`` for a plain
        background that works offline.
    base_url
        URL path of ``static/vendor`` (see :func:`gisplan.app.assets.base_url_for`).
    layer_control
        Add a layer control to the map itself. The Map page passes its own to
        ``st_folium`` instead, so that the site layers it adds later are listed too.

    Returns
    -------
    folium.Map
        With every script and stylesheet pointing at the local copies.
    """
    import folium

    from gisplan.app.legend import Legend

    m = folium.Map(location=[50.0, 14.0], zoom_start=8, tiles=None, control_scale=True)
    m.default_js = [(name, url) for name, url in folium.Map.default_js if name in MAP_JS]
    m.default_css = [(name, url) for name, url in folium.Map.default_css if name in MAP_CSS]
    # The map itself needs a zoom range: without a tile layer Leaflet has none, and
    # Leaflet.markercluster throws "Map has no maxZoom specified".
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM, zoom_snap=0.5)
    root: Any = m.get_root()
    root.header.add_child(folium.Element(_MAP_CSS), name="gisplan_css")
    # The plain background also shows where OSM tiles cannot load (no internet).
    style = f"<style>.leaflet-container {{ background: {PLAIN_BACKGROUND}; }}</style>"
    root.header.add_child(folium.Element(style), name="gisplan_background")
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    for item in context:
        _add_context(m, item, lang)
    Legend(legend_html(context, lang), position="bottomleft", script=SMALL_SCREEN_JS).add_to(m)
    if layer_control:
        folding_layer_control().add_to(m)
    first = bounds or context_bounds(context)
    if first:
        m.fit_bounds(first)
    return localize(m, base_url=base_url)


def _add_context(m: Any, item: DisplayLayer, lang: str) -> None:
    import folium

    style = item.style
    group = folium.FeatureGroup(name=escape_html(item.layer.title.get(lang)), show=item.show)
    has_name = bool("name" in item.frame.columns and item.frame["name"].astype(bool).any())
    folium.GeoJson(
        item.geojson,
        name=item.layer.id,
        style_function=lambda _feature: style,
        marker=folium.CircleMarker(radius=4, color=style["color"], fill=True, fill_opacity=0.9),
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False) if has_name else None,
        interactive=has_name,
    ).add_to(group)
    group.add_to(m)
