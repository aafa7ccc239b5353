"""Building the folium map of candidate sites and context layers.

Plain Python without Streamlit, shared by every page that shows a map. Two steps:

1. :func:`prepare_display` turns :class:`~gisplan.app.mapdata.MapData` (working
   metric CRS) into what the browser gets: geometry simplified in metres,
   reprojected to EPSG:4326, coordinates rounded, only the tooltip properties
   kept, and every text escaped with :func:`~gisplan.app.escape.escape_html`.
   Python-side cost and page weight grow with the vertices sent (about 0.5 s per
   rerun for 69k vertices), so this step is cached by the app.
2. :func:`build_map` makes the folium map from that: brownfields and municipal
   land as polygons, rooftops as clustered points, context layers behind a layer
   control, a legend, and local copies of every script (see
   :mod:`gisplan.app.assets`).

:func:`find_site` maps a click (lat/lon) back to a site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from gisplan.app.assets import DEFAULT_BASE_URL, localize
from gisplan.app.escape import escape_html
from gisplan.app.i18n import t
from gisplan.app.mapdata import MapData
from gisplan.catalogue import Layer
from gisplan.crs import WGS84, transformer

#: Fill colours by site kind (ColorBrewer PuOr/BrBG, readable for colour-blind users).
KIND_COLORS: dict[str, str] = {"brownfield": "#8c510a", "municipal_land": "#01665e", "rooftop": "#e66101"}
#: Site kinds drawn as polygons, in drawing order (later is on top).
POLYGON_KINDS: tuple[str, ...] = ("municipal_land", "brownfield")
#: Most rooftops sent to the browser; the largest are kept. [count]
MAX_ROOFTOPS = 25_000
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
#: Smaller text in the layer control and legend than folium's Bootstrap default.
_MAP_CSS = (
    "<style>.leaflet-control-layers{font-size:13px;line-height:1.35}"
    ".leaflet-control-layers label{margin-bottom:0}</style>"
)
_ROOFTOP_CALLBACK = f"""function callback(row) {{
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {{radius: 5, color: "{KIND_COLORS["rooftop"]}", weight: 1, fillOpacity: 0.8}});
    marker.bindTooltip("<b>" + row[2] + "</b><br>" + row[3]);
    return marker;
}}"""


@dataclass(frozen=True)
class DisplayLayer:
    """One context layer ready for the browser: EPSG:4326, simplified, escaped."""

    layer: Layer
    frame: gpd.GeoDataFrame
    vertices: int
    geom_type: str
    style: dict[str, Any]

    @property
    def show(self) -> bool:
        """Whether the layer starts visible (heavy layers start hidden)."""
        return self.vertices <= CONTEXT_SHOW_MAX_VERTICES


@dataclass(frozen=True)
class DisplayData:
    """What the browser gets, in EPSG:4326 with rounded coordinates and escaped text.

    ``polygons`` maps a site kind to its sites (properties ``site_id``, ``name``,
    ``area``); ``rooftops`` holds ``[lat, lon, name, area]`` rows (escaped
    text; the browser builds the tooltip) for the largest rooftops; ``bounds``
    is ``[[south, west], [north, east]]`` [degrees].
    """

    polygons: dict[str, gpd.GeoDataFrame]
    rooftops: list[list[Any]]
    rooftops_total: int
    context: tuple[DisplayLayer, ...]
    bounds: list[list[float]] | None
    vertices: int


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


def _escaped_sites(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    out["site_id"] = out["site_id"].map(escape_html)
    out["name"] = out["name"].map(escape_html)
    out["area"] = out["area_m2"].map(format_area)
    return out[["site_id", "name", "area", out.geometry.name]]


def _rooftop_rows(rooftops: gpd.GeoDataFrame, limit: int) -> list[list[Any]]:
    if rooftops.empty:
        return []
    largest = rooftops.sort_values("area_m2", ascending=False, kind="stable").head(limit)
    points = gpd.GeoSeries(largest.geometry.representative_point(), crs=largest.crs).to_crs(WGS84)
    lat = np.round(points.y.to_numpy(), DECIMALS)
    lon = np.round(points.x.to_numpy(), DECIMALS)
    names = [escape_html(name) for name in largest["name"]]
    areas = [escape_html(format_area(area)) for area in largest["area_m2"]]
    return [[float(a), float(b), n, s] for a, b, n, s in zip(lat, lon, names, areas, strict=True)]


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


def prepare_display(
    data: MapData,
    *,
    tolerance_m: float = 2.0,
    context_tolerance_m: float = 10.0,
    max_rooftops: int = MAX_ROOFTOPS,
) -> DisplayData:
    """Simplify, reproject, round and escape the map data for the browser.

    Parameters
    ----------
    data
        Sites and context layers in the working metric CRS.
    tolerance_m
        Simplification tolerance for site polygons. [m]
    context_tolerance_m
        Simplification tolerance for context layers. [m]
    max_rooftops
        Most rooftops sent, largest first. [count]
    """
    sites = data.sites
    polygons: dict[str, gpd.GeoDataFrame] = {}
    vertices = 0
    for kind in POLYGON_KINDS:
        subset = sites[sites["kind"] == kind]
        if subset.empty:
            continue
        shown = simplify_for_display(subset, tolerance_m=tolerance_m, columns=("site_id", "name", "area_m2")).pipe(
            _escaped_sites
        )
        polygons[kind] = shown
        vertices += int(shapely.get_num_coordinates(shown.geometry.to_numpy()).sum())
    rooftops = sites[sites["kind"] == "rooftop"]
    rows = _rooftop_rows(rooftops, max_rooftops)
    vertices += len(rows)
    context: list[DisplayLayer] = []
    for item in data.context:
        if item.frame.empty:
            continue
        cols = ("name",) if "name" in item.frame.columns else ()
        shown = simplify_for_display(item.frame, tolerance_m=context_tolerance_m, columns=cols)
        if "name" in shown.columns:
            shown["name"] = shown["name"].map(escape_html)
        count = int(shapely.get_num_coordinates(shown.geometry.to_numpy()).sum())
        vertices += count
        geom_type = _geom_type(shown)
        role_index = sum(1 for c in context if c.layer.role == item.layer.role)
        style = layer_style(item.layer.role, role_index, geom_type)
        context.append(DisplayLayer(item.layer, shown, count, geom_type, style))
    site_frames = [*polygons.values()]
    if rows:
        lat = [r[0] for r in rows]
        lon = [r[1] for r in rows]
        site_frames.append(gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=WGS84))
    bounds = _bounds(site_frames) or _bounds([c.frame for c in context])
    return DisplayData(
        polygons=polygons,
        rooftops=rows,
        rooftops_total=len(rooftops),
        context=tuple(context),
        bounds=bounds,
        vertices=vertices,
    )


def find_site(sites: gpd.GeoDataFrame, lat: float, lon: float, *, tolerance_m: float = 25.0) -> str | None:
    """The ``site_id`` of the site at a clicked point, or ``None``.

    A polygon that contains the point wins (the smallest, when several do);
    otherwise the nearest site within ``tolerance_m`` (rooftop points, thin
    polygons).

    Parameters
    ----------
    sites
        Candidate sites in a metric CRS.
    lat, lon
        The clicked point. [degrees, EPSG:4326]
    tolerance_m
        Largest distance from the point to a site. [m]
    """
    if sites.empty or sites.crs is None:
        return None
    x, y = transformer(WGS84, sites.crs).transform(lon, lat)
    point = shapely.Point(x, y)
    hits = sites.sindex.query(point, predicate="intersects")
    if len(hits):
        candidates = sites.iloc[hits]
        best = candidates.geometry.area.to_numpy().argmin()
        return str(candidates["site_id"].iloc[int(best)])
    near = sites.sindex.query(point.buffer(tolerance_m))
    if not len(near):
        return None
    candidates = sites.iloc[near]
    distances = candidates.geometry.distance(point).to_numpy()
    best = int(distances.argmin())
    if distances[best] > tolerance_m:
        return None
    return str(candidates["site_id"].iloc[best])


def legend_html(data: DisplayData, lang: str) -> str:
    """The legend as HTML: one swatch per site kind present, then the context layers."""
    rows = []
    kinds = [*data.polygons, *(["rooftop"] if data.rooftops else [])]
    for kind in kinds:
        colour = KIND_COLORS[kind]
        shape = "border-radius:50%;" if kind == "rooftop" else ""
        rows.append(
            f'<div><span style="display:inline-block;width:12px;height:12px;margin-right:6px;{shape}'
            f'background:{colour};opacity:.8"></span>{escape_html(t("kind." + kind, lang))}</div>'
        )
    for item in data.context:
        colour = item.style["color"]
        if item.geom_type == "line":
            swatch = f"height:0;margin:0 6px 3px 0;border-top:2px solid {colour}"
        else:
            fill = f"{colour}4d" if item.style.get("fill", True) else "transparent"  # 4d: 30 % alpha
            swatch = f"height:10px;margin-right:6px;border:1.5px solid {colour};background:{fill}"
        rows.append(
            f'<div><span style="display:inline-block;width:12px;{swatch}"></span>'
            f"{escape_html(item.layer.title.get(lang))}</div>"
        )
    title = escape_html(t("map.legend", lang))
    return (
        '<div class="gisplan-legend" style="background:rgba(255,255,255,.9);padding:6px 8px;'
        f'border-radius:4px;font:12px/1.5 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)"><b>{title}</b>'
        + "".join(rows)
        + "</div>"
    )


def build_map(
    data: DisplayData,
    *,
    lang: str,
    basemap: str = "none",
    base_url: str = DEFAULT_BASE_URL,
) -> Any:
    """Make the folium map: sites by kind, context layers, layer control, legend.

    Parameters
    ----------
    data
        Output of :func:`prepare_display` (EPSG:4326, escaped).
    lang
        Interface language for layer names and the legend.
    basemap
        ``"osm"`` for OpenStreetMap tiles (needs internet), ``"none"`` for a plain
        background that works offline.
    base_url
        URL path of ``static/vendor`` (see :func:`gisplan.app.assets.base_url_for`).

    Returns
    -------
    folium.Map
        With every script and stylesheet pointing at the local copies.
    """
    import folium
    from folium.plugins import FastMarkerCluster

    from gisplan.app.legend import Legend

    m = folium.Map(location=[50.0, 14.0], zoom_start=8, tiles=None, control_scale=True)
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
    for item in data.context:
        _add_context(m, item, lang)
    for kind, frame in data.polygons.items():
        _add_sites(m, kind, frame, lang)
    if data.rooftops:
        FastMarkerCluster(  # type: ignore[no-untyped-call]
            data.rooftops, callback=_ROOFTOP_CALLBACK, name=escape_html(t("kind.rooftop", lang)), chunkedLoading=True
        ).add_to(m)
    Legend(legend_html(data, lang)).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    if data.bounds:
        m.fit_bounds(data.bounds)
    return localize(m, base_url=base_url)


def _add_sites(m: Any, kind: str, frame: gpd.GeoDataFrame, lang: str) -> None:
    import folium

    colour = KIND_COLORS[kind]
    style = {"color": colour, "weight": 1.5, "fillColor": colour, "fillOpacity": 0.45}
    group = folium.FeatureGroup(name=escape_html(t("kind." + kind, lang)), show=True)
    folium.GeoJson(
        frame,
        name=kind,
        style_function=lambda _feature: style,
        highlight_function=lambda _feature: {"weight": 3, "fillOpacity": 0.65},
        marker=folium.CircleMarker(radius=6, color=colour, fill=True, fill_opacity=0.7),
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "area"],
            aliases=[escape_html(t("col.name", lang)), escape_html(t("col.area_m2", lang))],
        ),
    ).add_to(group)
    group.add_to(m)


def _add_context(m: Any, item: DisplayLayer, lang: str) -> None:
    import folium

    style = item.style
    group = folium.FeatureGroup(name=escape_html(item.layer.title.get(lang)), show=item.show)
    has_name = bool("name" in item.frame.columns and item.frame["name"].astype(bool).any())
    folium.GeoJson(
        item.frame,
        name=item.layer.id,
        style_function=lambda _feature: style,
        marker=folium.CircleMarker(radius=4, color=style["color"], fill=True, fill_opacity=0.9),
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False) if has_name else None,
        interactive=has_name,
    ).add_to(group)
    group.add_to(m)
