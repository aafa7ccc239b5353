"""The Map page: candidate sites from the store, filtered, coloured by score, with a results table.

Each run:

1. reads the map's last view and click from ``st.session_state[MAP_KEY]`` (set by
   ``st_folium`` before the run: ``bounds``, ``zoom``, ``last_object_clicked``);
2. filters the cached site index of the chosen profile in memory
   (:mod:`gisplan.app.filters`) and keeps the best :data:`~gisplan.app.filters.MAX_SITES_SHOWN`
   matching sites in the view box;
3. reads the geometries of only the sites drawn as polygons, and sends the sites
   as feature groups (:mod:`gisplan.app.mapsites`) to a base map whose script
   does not change, so the map is never reloaded;
4. shows the same sites in the table.

The search box above the map (:mod:`gisplan.app.mapsearch`) finds a site by name
or address and opens its card or moves the map to it.

Clicking a site on the map or a table row selects it
(``st.session_state["selected_site_id"]``) and opens the Site page. Changing
the municipality filter moves the map to the matching sites.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from gisplan import settings
from gisplan.app import auth, cache, shell
from gisplan.app.assets import base_url_for
from gisplan.app.filters import (
    EXCLUDED_MODES,
    BBox,
    MapFilters,
    ViewSelection,
    extent,
    filter_mask,
    zoom_to_fit,
)
from gisplan.app.i18n import t
from gisplan.app.mapsearch import search_panel
from gisplan.app.mapsites import MapView, find_clicked, site_layers, view_sites
from gisplan.app.mapview import build_map, folding_layer_control
from gisplan.app.tables import show_table
from gisplan.crs import WGS84, transformer
from gisplan.errors import GisplanError
from gisplan.store import Status, Store

#: Session-state key of the selected site (read by the Site page).
SELECTED = shell.SELECTED_SITE
#: Widget key of the map; stable so the iframe is not remounted on reruns.
MAP_KEY = "site_map"
MAP_HEIGHT = 560
#: What the map reports back; each change reruns the page.
RETURNED = ["last_object_clicked", "bounds", "zoom"]
#: Widget keys of the filters.
KEYS = {
    "profile": "map_profile",
    "kinds": "map_kinds",
    "municipalities": "map_municipalities",
    "score": "map_score",
    "statuses": "map_statuses",
    "call": "map_call",
    "call_unknown": "map_call_unknown",
    "excluded": "map_excluded",
}
_TABLE_KEY = "map_site_table"
_TABLE_IDS = "map_table_ids"
_LAST_CLICK = "map_last_click"
_FITTED_FOR = "map_fitted_for"
_PICKED = "map_picked"
_NO_SITE = "map_no_site_here"
#: Session-state key: the map was sent to the browser in this session. The first time, the results
#: table waits for the map's report of its view (the next run), so that its data-grid script does
#: not compete with Leaflet drawing the sites.
_MAP_SENT = "map_sent_once"
_DEFAULT_ZOOM = 12.0
#: Ground shown around a site the search moves the map to. [m]
_ZOOM_MARGIN_M = 120.0


@dataclass(frozen=True)
class View:
    """The map view a run works with: view box [m, working CRS], zoom, and a move to send to the map."""

    bbox: BBox | None
    zoom: float
    center: tuple[float, float] | None = None
    set_zoom: int | None = None


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    auth.require_role(shell.EVERYONE, lang)
    _finish_opening(lang)
    st.title(t("map.heading", lang))
    try:
        store = auth.get_store()
        current = settings.get()
        revision = store.revision()
        names = cache.profiles(store.url, revision)
    except GisplanError as exc:
        st.error(t("map.store_failed", lang))
        st.code(str(exc), language=None)
        return
    if not names:
        st.warning(t("map.store_empty", lang))
        return
    filters = _filter_panel(store, revision, names, lang)
    index = cache.site_index(store.url, filters.profile, revision)
    eligible = None
    if filters.funding_call is not None:
        eligible = cache.eligible(
            store.url,
            filters.profile,
            revision,
            code=filters.funding_call,
            include_unknown=filters.include_unknown,
            today=dt.date.today(),
        )
    mask = filter_mask(index, filters, eligible=eligible)
    action = search_panel(index, filters.profile, lang)
    if action is not None and action.action == "open":
        _open_site(action.site_id, lang)
    zoom_to = action.site_id if action is not None and action.action == "zoom" else None
    view = _zoomed(index, mask, zoom_to, store.srid, lang) if zoom_to else None
    view = view or _view(index, mask, filters, store.srid)
    drawn = view_sites(store, index, mask, view.bbox, zoom=view.zoom, lang=lang)
    _handle_click(drawn, view, store.srid, lang)
    # GISPLAN_OFFLINE forbids network access, tiles included
    basemap = "none" if current.offline else current.basemap
    first_map = not st.session_state.get(_MAP_SENT)
    _show_map(drawn, view, basemap=basemap, lang=lang)
    st.session_state[_MAP_SENT] = True
    _captions(drawn.selection, filters, basemap, lang)
    if first_map:
        st.subheader(t("table.heading", lang))
        st.caption(t("table.after_map", lang))
        return
    _show_table(drawn.selection, cache.municipality_table(store.url, revision), lang)


# ------------------------------------------------------------------------------------ filters
def _profile_titles(lang: str) -> dict[str, str]:
    try:
        return {name: profile.title.get(lang) for name, profile in cache.profile_catalogue().items()}
    except GisplanError:
        return {}


def _profile_kinds(name: str) -> tuple[str, ...]:
    try:
        return tuple(cache.profile_catalogue()[name].site_kinds)
    except (GisplanError, KeyError):
        return ("rooftop", "brownfield", "municipal_land")


def _prune(key: str, options: list[str]) -> None:
    """Drop remembered choices that are no longer options (e.g. kinds of another profile)."""
    chosen = st.session_state.get(key)
    if isinstance(chosen, list):
        st.session_state[key] = [c for c in chosen if c in options]


def _filter_panel(store: Store, revision: int, names: list[str], lang: str) -> MapFilters:
    side = st.sidebar
    side.subheader(t("map.filters", lang))
    titles = _profile_titles(lang)
    profile = str(
        side.selectbox(t("filter.profile", lang), names, format_func=lambda n: titles.get(n, n), key=KEYS["profile"])
    )
    kinds = list(_profile_kinds(profile))
    _prune(KEYS["kinds"], kinds)
    chosen_kinds = side.multiselect(
        t("filter.kinds", lang),
        kinds,
        format_func=lambda k: t(f"kind.{k}", lang),
        key=KEYS["kinds"],
        placeholder=t("filter.all", lang),
    )
    table = cache.municipality_table(store.url, revision)
    labels = dict(zip(table["code"], table["name"], strict=True))
    _prune(KEYS["municipalities"], list(labels))
    chosen_munis = side.multiselect(
        t("filter.municipalities", lang),
        list(labels),
        format_func=lambda code: f"{labels.get(code, code)} ({code})",
        key=KEYS["municipalities"],
        placeholder=t("filter.all", lang),
    )
    low, high = side.slider(t("filter.score", lang), 0, 100, (0, 100), key=KEYS["score"])
    statuses = side.multiselect(
        t("filter.statuses", lang),
        [s.value for s in Status],
        format_func=lambda s: t(f"status.{s}", lang),
        key=KEYS["statuses"],
        placeholder=t("filter.all", lang),
    )
    calls = cache.calls(store.url, revision)
    call_titles = {c["code"]: str(c["title"].get(lang) or c["title"].get("cs") or c["code"]) for c in calls}
    call = side.selectbox(
        t("filter.call", lang),
        ["", *call_titles],
        format_func=lambda code: call_titles.get(code, t("filter.call_none", lang)),
        key=KEYS["call"],
    )
    unknown = side.checkbox(t("filter.call_unknown", lang), key=KEYS["call_unknown"], disabled=not call)
    excluded = side.radio(
        t("filter.excluded", lang),
        list(EXCLUDED_MODES),
        format_func=lambda mode: t(f"filter.excluded_{mode}", lang),
        key=KEYS["excluded"],
        horizontal=True,
    )
    return MapFilters(
        profile=profile,
        kinds=tuple(chosen_kinds),
        municipalities=tuple(str(c) for c in chosen_munis),
        score_min=float(low),
        score_max=float(high),
        statuses=tuple(statuses),
        funding_call=str(call) if call else None,
        include_unknown=bool(unknown and call),
        excluded=str(excluded),
    )


# --------------------------------------------------------------------------------------- view
def _bbox_of(bounds: Any, srid: int) -> BBox | None:
    """``st_folium``'s ``bounds`` (south-west and north-east corners) as a box in the working CRS."""
    try:
        south, west = float(bounds["_southWest"]["lat"]), float(bounds["_southWest"]["lng"])
        north, east = float(bounds["_northEast"]["lat"]), float(bounds["_northEast"]["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    if not south < north or not west < east:
        return None
    xs, ys = transformer(WGS84, f"EPSG:{srid}").transform([west, east, west, east], [south, south, north, north])
    return (min(xs), min(ys), max(xs), max(ys))


def _view(index: pd.DataFrame, mask: Any, filters: MapFilters, srid: int) -> View:
    """The view box and zoom of this run; after a change of the municipality filter, a move to its sites."""
    state = st.session_state.get(MAP_KEY) or {}
    zoom = state.get("zoom") if isinstance(state, dict) else None
    bbox = _bbox_of(state.get("bounds"), srid) if isinstance(state, dict) else None
    seen = st.session_state.get(_FITTED_FOR)
    st.session_state[_FITTED_FOR] = filters.municipalities
    box = extent(index, mask)
    if seen is None or seen == filters.municipalities or box is None:
        if zoom is None and box is not None:
            zoom = zoom_to_fit(box, _mean_lat(index, mask))
        return View(bbox=bbox, zoom=float(zoom or _DEFAULT_ZOOM))
    # the municipality filter changed: show its sites
    lat = _mean_lat(index, mask)
    fit = zoom_to_fit(box, lat)
    lon_c, lat_c = transformer(f"EPSG:{srid}", WGS84).transform((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    return View(bbox=box, zoom=float(fit), center=(float(lat_c), float(lon_c)), set_zoom=fit)


def _zoomed(index: pd.DataFrame, mask: Any, site_id: str, srid: int, lang: str) -> View | None:
    """A move to one site found by the search, with :data:`_ZOOM_MARGIN_M` around it; None if it has no place."""
    where = np.flatnonzero(index["site_id"].to_numpy() == site_id)
    if not len(where):
        return None
    row = index.iloc[int(where[0])]
    box = tuple(float(row[c]) for c in ("minx", "miny", "maxx", "maxy"))
    if not all(np.isfinite(box)):
        st.info(t("map.search_no_place", lang))
        return None
    if not bool(np.asarray(mask)[int(where[0])]):
        st.info(t("map.search_hidden", lang))
    m = _ZOOM_MARGIN_M
    padded = (box[0] - m, box[1] - m, box[2] + m, box[3] + m)
    fit = zoom_to_fit(padded, float(row["lat"]))
    return View(bbox=padded, zoom=float(fit), center=(float(row["lat"]), float(row["lon"])), set_zoom=fit)


def _mean_lat(index: pd.DataFrame, mask: Any) -> float:
    lats = index.loc[mask, "lat"]
    return float(lats.mean()) if len(lats) else 50.0


def _handle_click(drawn: MapView, view: View, srid: int, lang: str) -> None:
    state = st.session_state.get(MAP_KEY) or {}
    click = state.get("last_object_clicked") if isinstance(state, dict) else None
    if not click or click == st.session_state.get(_LAST_CLICK):
        return
    st.session_state[_LAST_CLICK] = click
    try:
        lat, lon = float(click["lat"]), float(click["lng"])
    except (KeyError, TypeError, ValueError):
        return
    site_id = find_clicked(drawn.selection.rows, drawn.geoms, lat, lon, zoom=view.zoom, srid=srid)
    if site_id is None:
        st.session_state[_NO_SITE] = True
        return
    _open_site(site_id, lang)


def _open_site(site_id: str, lang: str) -> None:
    """Select the site and switch to the Site page."""
    st.session_state[SELECTED] = site_id
    st.session_state[shell.OPENING_SITE] = site_id
    st.switch_page(shell.st_page(shell.spec("site"), lang))


def _finish_opening(lang: str) -> None:
    """Go on to the card being opened when a rerun of this page overtook the switch to it.

    The map reports its view after it is drawn, and that rerun names this page;
    when it arrives just after "open card" (a slow map, a busy server), it
    stops the Site page's first run and would show the map again. The Site
    page clears the mark once drawn, and it is used once here, so a later visit
    to the map stays on the map.
    """
    opening = st.session_state.pop(shell.OPENING_SITE, None)
    if opening is not None and st.session_state.get(SELECTED) == opening:
        st.switch_page(shell.st_page(shell.spec("site"), lang))


# -------------------------------------------------------------------------------------- output
def _show_map(drawn: MapView, view: View, *, basemap: str, lang: str) -> None:
    from streamlit_folium import st_folium

    _, context = _context(lang)
    base_url = base_url_for(str(st.get_option("server.baseUrlPath") or ""))
    folium_map = build_map(context, lang=lang, basemap=basemap, base_url=base_url)
    st_folium(
        folium_map,
        key=MAP_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=RETURNED,
        feature_group_to_add=site_layers(drawn.features, lang),
        layer_control=folding_layer_control(),
        center=view.center,
        zoom=view.set_zoom,
    )
    if st.session_state.pop(_NO_SITE, False):
        st.info(t("card.none_here", lang))


def _context(lang: str) -> tuple[Any, Any]:
    try:
        data, display = cache.context()
    except GisplanError as exc:
        st.warning(t("map.context_failed", lang))
        st.code(str(exc), language=None)
        return None, ()
    problems = [*data.catalogue_problems, *data.missing_files, *data.failed]
    if problems:
        st.warning(t("map.context_failed", lang))
        with st.expander(f"{len(problems)} ×"):
            st.code("\n".join(str(p) for p in problems), language=None)
    return data, display


def _captions(selection: ViewSelection, filters: MapFilters, basemap: str, lang: str) -> None:
    if selection.matching == 0:
        st.info(t("map.no_match", lang))
    else:
        st.caption(
            t("map.shown", lang, shown=len(selection.rows), in_view=selection.in_view, matching=selection.matching)
        )
        if selection.in_view > len(selection.rows):
            st.caption(t("map.zoom_in", lang))
    if filters.funding_call is not None:
        st.caption(t("map.funding_matched", lang))
    if basemap == "osm":
        st.caption(t("map.osm_attribution", lang))
    st.caption(t("map.click_hint_store", lang))


def _table(selection: ViewSelection, municipalities: pd.DataFrame, lang: str) -> pd.DataFrame:
    rows = selection.rows
    names = dict(zip(municipalities["code"], municipalities["name"], strict=True))
    excluded = t("map.excluded", lang)
    return pd.DataFrame(
        {
            "site_id": rows["site_id"].astype(str).to_numpy(),
            t("col.name", lang): rows["name"].astype(str).to_numpy(),
            t("col.kind", lang): [t(f"kind.{kind}", lang) for kind in rows["kind"]],
            t("col.municipality", lang): [names.get(str(c), c) for c in rows["municipality_code"]],
            t("col.score", lang): [
                excluded if ex else (None if pd.isna(s) else round(float(s), 1))
                for s, ex in zip(rows["score"], rows["excluded"], strict=True)
            ],
            t("col.status", lang): [t(f"status.{s}", lang) for s in rows["status"]],
            t("col.area_m2", lang): rows["area_m2"].round(0).to_numpy(),
            t("col.completeness", lang): (100 * rows["completeness"]).round(0).to_numpy()
            if "completeness" in rows.columns
            else np.full(len(rows), np.nan),
        }
    )


@shell.callback
def _on_table_select() -> None:
    event = st.session_state.get(_TABLE_KEY)
    rows = event["selection"]["rows"] if event else []
    ids: list[str] = st.session_state.get(_TABLE_IDS, [])
    if rows and rows[0] < len(ids):
        st.session_state[_PICKED] = ids[rows[0]]


def _show_table(selection: ViewSelection, municipalities: pd.DataFrame, lang: str) -> None:
    picked = st.session_state.pop(_PICKED, None)
    if picked:
        _open_site(str(picked), lang)
    st.subheader(t("table.heading", lang))
    table = _table(selection, municipalities, lang)
    st.session_state[_TABLE_IDS] = table["site_id"].tolist()
    show_table(
        table.drop(columns=["site_id"]),
        key=_TABLE_KEY,
        on_select=_on_table_select,
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        column_config={t("col.area_m2", lang): st.column_config.NumberColumn(format="%.0f")},
        download="map_results",
    )
