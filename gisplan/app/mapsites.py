"""The candidate sites of one map view, as the browser gets them, and clicks mapped back to sites.

Plain Python without Streamlit. The Map page picks the best-scoring matching
sites in the view (:func:`gisplan.app.filters.select_view`); this module turns
them into folium feature groups, one per site kind, coloured by score:

- zoomed out, every site is a circle at its centre (no geometry is read);
- from :data:`POLYGON_ZOOM` brownfields and municipal land are polygons, and from
  :data:`DETAIL_ZOOM` rooftops too, simplified to about half a screen pixel.

Every text is escaped with :func:`~gisplan.app.escape.escape_html` (folium
escapes nothing in tooltips). The groups go to ``st_folium`` as
``feature_group_to_add``, so a filter change or a pan replaces them without
reloading the map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplan.app.escape import escape_html
from gisplan.app.filters import MAX_SITES_SHOWN, BBox, BoolArray, ViewSelection, metres_per_pixel, select_view
from gisplan.app.i18n import t
from gisplan.app.mapdata import load_geometries
from gisplan.app.mapview import KIND_COLORS, feature_collection, format_area, score_color, simplify_for_display
from gisplan.crs import WGS84, transformer

if TYPE_CHECKING:
    from gisplan.store import Store

#: From this zoom brownfields and municipal land are drawn as polygons.
POLYGON_ZOOM = 13
#: From this zoom rooftops are drawn as polygons too.
DETAIL_ZOOM = 16
#: Kinds that are large enough to be polygons from :data:`POLYGON_ZOOM`.
LARGE_KINDS = frozenset({"brownfield", "municipal_land"})
#: A click this many screen pixels from a site still hits it. [px]
CLICK_TOLERANCE_PX = 10
#: Radius of the circle of a site drawn as a point. [px]
POINT_RADIUS_PX = 6


@dataclass(frozen=True)
class SiteFeatures:
    """One view's sites in EPSG:4326, by kind: polygons and points, escaped tooltip properties."""

    polygons: dict[str, gpd.GeoDataFrame]
    points: dict[str, gpd.GeoDataFrame]
    vertices: int
    """Coordinates sent to the browser. [count]"""

    @property
    def count(self) -> int:
        """Sites drawn. [count]"""
        return sum(len(f) for f in self.polygons.values()) + sum(len(f) for f in self.points.values())


def as_polygon(kind: str, zoom: float) -> bool:
    """True if sites of ``kind`` are drawn as polygons at ``zoom``."""
    return zoom >= DETAIL_ZOOM or (kind in LARGE_KINDS and zoom >= POLYGON_ZOOM)


def polygon_ids(rows: pd.DataFrame, zoom: float) -> list[str]:
    """The ids of the sites in ``rows`` that are drawn as polygons at ``zoom`` (their geometry is needed)."""
    kinds = rows["kind"].to_numpy()
    wanted = np.array([as_polygon(str(kind), zoom) for kind in kinds], dtype=bool) if len(rows) else np.array([])
    return [str(i) for i in rows["site_id"].to_numpy()[wanted.astype(bool)]] if len(rows) else []


def _completeness(rows: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
    if "completeness" not in rows.columns:
        return np.full(len(rows), np.nan)
    return np.asarray(pd.to_numeric(rows["completeness"], errors="coerce"), dtype=np.float64)


def _percent(share: float) -> str:
    """``75 %`` for a share of 0.75; empty when unknown."""
    return "" if not np.isfinite(share) else f"{100 * share:.0f} %"


def _properties(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    excluded_text = t("map.excluded", lang)
    scores = rows["score"].to_numpy(dtype=float, na_value=np.nan)
    excluded = rows["excluded"].to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "site_id": [escape_html(v) for v in rows["site_id"]],
            "name": [escape_html(v) for v in rows["name"]],
            "score": [
                escape_html(excluded_text if ex else ("" if not np.isfinite(s) else f"{s:.0f}"))
                for s, ex in zip(scores, excluded, strict=True)
            ],
            "area": [escape_html(format_area(v)) for v in rows["area_m2"]],
            "measured": [escape_html(_percent(v)) for v in _completeness(rows)],
            "fill": [score_color(s, bool(ex)) for s, ex in zip(scores, excluded, strict=True)],
        },
        index=rows.index,
    )


def prepare_sites(
    rows: pd.DataFrame, geoms: gpd.GeoDataFrame | None, *, zoom: float, lang: str, srid: int = 5514
) -> SiteFeatures:
    """Turn the drawn rows of the site index into browser features.

    Parameters
    ----------
    rows
        Site-index rows (:func:`gisplan.app.mapdata.load_site_index`), best first.
    geoms
        Geometries of :func:`polygon_ids` (:func:`gisplan.app.mapdata.load_geometries`), in
        the store's working CRS ``srid``; sites missing here are drawn as points.
    zoom
        Map zoom of the view.
    lang
        Interface language of the tooltip texts.
    srid
        EPSG code of the working CRS.
    """
    polygons: dict[str, gpd.GeoDataFrame] = {}
    points: dict[str, gpd.GeoDataFrame] = {}
    vertices = 0
    props = _properties(rows, lang)
    have = set() if geoms is None else set(geoms.index)
    lat = float(np.nanmean(rows["lat"])) if len(rows) else 50.0
    tolerance = max(metres_per_pixel(zoom, lat) / 2, 0.5)
    for kind in sorted(set(rows["kind"])):
        of_kind = (rows["kind"] == kind).to_numpy()
        drawn = np.array([as_polygon(str(kind), zoom) and sid in have for sid in rows["site_id"]], dtype=bool)
        as_shape = of_kind & drawn
        as_point = of_kind & ~drawn & rows["lat"].notna().to_numpy()
        if as_shape.any() and geoms is not None:
            ids = rows.loc[as_shape, "site_id"].to_numpy()
            frame = gpd.GeoDataFrame(
                props[as_shape].reset_index(drop=True),
                geometry=geoms.loc[ids].geometry.reset_index(drop=True),
                crs=f"EPSG:{srid}",
            )
            shown = simplify_for_display(frame, tolerance_m=tolerance, columns=tuple(props.columns))
            polygons[str(kind)] = shown
            vertices += int(shapely.get_num_coordinates(shown.geometry.to_numpy()).sum())
        if as_point.any():
            sub = rows[as_point]
            geometry = gpd.points_from_xy(np.round(sub["lon"], 5), np.round(sub["lat"], 5), crs=WGS84)
            points[str(kind)] = gpd.GeoDataFrame(props[as_point].reset_index(drop=True), geometry=geometry, crs=WGS84)
            vertices += int(as_point.sum())
    return SiteFeatures(polygons=polygons, points=points, vertices=vertices)


@dataclass(frozen=True)
class MapView:
    """What one run of the Map page draws: the chosen sites, the geometries read, the browser features."""

    selection: ViewSelection
    geoms: gpd.GeoDataFrame
    features: SiteFeatures


def view_sites(
    store: Store,
    index: pd.DataFrame,
    mask: BoolArray,
    bbox: BBox | None,
    *,
    zoom: float,
    lang: str,
    limit: int = MAX_SITES_SHOWN,
) -> MapView:
    """Pick the best matching sites in the view box, read the geometries they need, make the features.

    Parameters
    ----------
    store
        The store (geometries of the sites drawn as polygons).
    index
        The site index of the chosen profile.
    mask
        The matching rows (:func:`gisplan.app.filters.filter_mask`).
    bbox
        View box [m, working CRS]; None for everywhere.
    zoom
        Map zoom of the view.
    lang
        Interface language.
    limit
        Most sites drawn. [count]
    """
    selection = select_view(index, mask, bbox, limit=limit)
    geoms = load_geometries(store, polygon_ids(selection.rows, zoom))
    features = prepare_sites(selection.rows, geoms, zoom=zoom, lang=lang, srid=store.srid)
    return MapView(selection=selection, geoms=geoms, features=features)


def _style(feature: dict[str, Any], colour: str) -> dict[str, Any]:
    fill = feature["properties"]["fill"]
    return {"color": colour, "weight": 2, "fillColor": fill, "fillOpacity": 0.8, "opacity": 0.9}


def site_layers(features: SiteFeatures, lang: str) -> list[Any]:
    """One folium ``FeatureGroup`` per site kind, named in ``lang``; tooltips: name, score, area, completeness."""
    import folium

    groups = []
    aliases = [escape_html(t(key, lang)) for key in ("col.name", "col.score", "col.area_m2", "col.completeness")]
    for kind in KIND_COLORS:
        parts = [f for f in (features.polygons.get(kind), features.points.get(kind)) if f is not None and len(f)]
        if not parts:
            continue
        colour = KIND_COLORS[kind]
        group = folium.FeatureGroup(name=escape_html(t("kind." + kind, lang)), show=True)
        for frame in parts:
            folium.GeoJson(
                feature_collection(frame),
                style_function=lambda feature, colour=colour: _style(feature, colour),
                highlight_function=lambda _feature: {"weight": 4},
                marker=folium.CircleMarker(radius=POINT_RADIUS_PX, fill=True),
                tooltip=folium.GeoJsonTooltip(fields=["name", "score", "area", "measured"], aliases=aliases),
            ).add_to(group)
        groups.append(group)
    return groups


def find_clicked(
    rows: pd.DataFrame,
    geoms: gpd.GeoDataFrame | None,
    lat: float,
    lon: float,
    *,
    zoom: float,
    srid: int = 5514,
) -> str | None:
    """The id of the drawn site at a clicked point, or None.

    A drawn polygon that contains the point wins (the smallest, when several do);
    otherwise the nearest drawn site within :data:`CLICK_TOLERANCE_PX` screen
    pixels at ``zoom`` (sites drawn as circles are measured from their centre).

    Parameters
    ----------
    rows
        The rows drawn in the view (site index).
    geoms
        Geometries of the sites drawn as polygons [working CRS ``srid``].
    lat, lon
        The clicked point. [degrees, EPSG:4326]
    zoom
        Map zoom of the view.
    """
    if rows.empty:
        return None
    x, y = transformer(WGS84, f"EPSG:{srid}").transform(lon, lat)
    point = shapely.Point(x, y)
    tolerance = CLICK_TOLERANCE_PX * metres_per_pixel(zoom, lat)
    shapes = pd.Series(dtype=object)
    if geoms is not None and not geoms.empty:
        drawn = [i for i in polygon_ids(rows, zoom) if i in geoms.index]
        shapes = geoms.loc[drawn].geometry
        inside = shapes[shapes.contains(point)]
        if len(inside):
            return str(inside.area.idxmin())
    centres = rows[~rows["site_id"].isin(list(shapes.index))]
    best_id: str | None = None
    best = tolerance
    if len(shapes):
        distances = shapes.distance(point)
        if float(distances.min()) <= best:
            best, best_id = float(distances.min()), str(distances.idxmin())
    if len(centres):
        d = np.hypot(centres["x"].to_numpy(dtype=float) - x, centres["y"].to_numpy(dtype=float) - y)
        d = np.where(np.isfinite(d), d, np.inf)
        i = int(np.argmin(d))
        if d[i] <= best:
            best_id = str(centres["site_id"].iloc[i])
    return best_id


__all__ = [
    "CLICK_TOLERANCE_PX",
    "DETAIL_ZOOM",
    "POLYGON_ZOOM",
    "MapView",
    "SiteFeatures",
    "as_polygon",
    "find_clicked",
    "polygon_ids",
    "prepare_sites",
    "site_layers",
    "view_sites",
]
