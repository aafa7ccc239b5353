"""The Map page: candidate sites on a map, a results table and a minimal site card.

The data comes from the layer catalogue (``layers/*.yaml``) through
:mod:`gisplan.app.cache`; the map from :mod:`gisplan.app.mapview`. A click on
the map (``last_object_clicked``, the only value the map returns) or a
selected table row picks the site whose attributes show below.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from gisplan import settings
from gisplan.app import cache, shell
from gisplan.app.assets import base_url_for
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.app.mapdata import MUNICIPALITY, MapData
from gisplan.app.mapview import build_map, find_site, format_area
from gisplan.errors import GisplanError

#: Session-state keys.
SELECTED = "map_selected_site"
_LAST_CLICK = "map_last_click"
_TABLE_KEY = "map_site_table"
_TABLE_IDS = "map_table_ids"
#: Widget key of the map; stable so the iframe is not remounted on reruns.
MAP_KEY = "site_map"
MAP_HEIGHT = 560
_NOWHERE = ""  # a click that hit no site


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("map.heading", lang))
    try:
        data, display = cache.map_data()
        current = settings.get()
        # GISPLAN_OFFLINE forbids network access, tiles included
        basemap = "none" if current.offline else current.basemap
    except GisplanError as exc:
        st.error(t("data.catalogue_failed", lang))
        st.code(str(exc), language=None)
        return
    if not _report_problems(data, lang):
        return
    st.caption(_summary(data, lang))
    if display.rooftops_total > len(display.rooftops):
        st.caption(t("map.rooftops_shown", lang, shown=len(display.rooftops), total=display.rooftops_total))
    base_url = base_url_for(str(st.get_option("server.baseUrlPath") or ""))
    folium_map = build_map(display, lang=lang, basemap=basemap, base_url=base_url)
    _show_map(folium_map, data)
    if basemap == "osm":
        st.caption(t("map.osm_attribution", lang))
    st.caption(t("map.click_hint", lang))
    _show_card(data, lang)
    _show_table(data, lang)


def _report_problems(data: MapData, lang: str) -> bool:
    """Show missing files and unreadable layers; return False when there is nothing to map."""
    if data.catalogue_problems:
        st.warning(t("data.catalogue_failed", lang))
        with st.expander(f"{len(data.catalogue_problems)} ×"):
            st.code("\n".join(str(p) for p in data.catalogue_problems), language=None)
    if data.failed:
        st.warning(t("data.layer_failed", lang))
        with st.expander(f"{len(data.failed)} ×"):
            st.code("\n".join(str(p) for p in data.failed), language=None)
    if data.missing_files or not data.has_sites:
        st.warning(t("data.missing", lang) if data.missing_files or not data.layers else t("data.no_candidates", lang))
        if data.missing_files:
            st.caption(t("data.missing_files", lang))
            st.code("\n".join(p.message for p in data.missing_files), language=None)
    return data.has_sites


def _summary(data: MapData, lang: str) -> str:
    counts = data.sites["kind"].value_counts()
    return t(
        "map.summary",
        lang,
        sites=len(data.sites),
        brownfield=int(counts.get("brownfield", 0)),
        municipal_land=int(counts.get("municipal_land", 0)),
        rooftop=int(counts.get("rooftop", 0)),
    )


def _show_map(folium_map: Any, data: MapData) -> None:
    from streamlit_folium import st_folium

    out = st_folium(
        folium_map,
        key=MAP_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_object_clicked"],
    )
    click = (out or {}).get("last_object_clicked")
    if not click or click == st.session_state.get(_LAST_CLICK):
        return
    st.session_state[_LAST_CLICK] = click
    try:
        lat, lon = float(click["lat"]), float(click["lng"])
    except (KeyError, TypeError, ValueError):
        return
    site_id = find_site(data.sites, lat, lon)
    st.session_state[SELECTED] = site_id if site_id is not None else _NOWHERE


def _table(data: MapData, lang: str) -> pd.DataFrame:
    sites = data.sites
    municipality = sites[MUNICIPALITY] if MUNICIPALITY in sites.columns else pd.Series(None, index=sites.index)
    table = pd.DataFrame(
        {
            "site_id": sites["site_id"].astype(str),
            t("col.name", lang): sites["name"],
            t("col.kind", lang): sites["kind"].map(lambda kind: t(f"kind.{kind}", lang)),
            t("col.municipality", lang): municipality,
            t("col.area_m2", lang): pd.to_numeric(sites["area_m2"], errors="coerce").round(0),
        }
    )
    return table.sort_values(t("col.area_m2", lang), ascending=False, kind="stable").reset_index(drop=True)


def _on_table_select() -> None:
    event = st.session_state.get(_TABLE_KEY)
    rows = event["selection"]["rows"] if event else []
    ids: list[str] = st.session_state.get(_TABLE_IDS, [])
    if rows and rows[0] < len(ids):
        st.session_state[SELECTED] = ids[rows[0]]


def _show_table(data: MapData, lang: str) -> None:
    st.subheader(t("table.heading", lang))
    table = _table(data, lang)
    st.session_state[_TABLE_IDS] = table["site_id"].tolist()
    st.dataframe(
        table.drop(columns=["site_id"]),
        key=_TABLE_KEY,
        on_select=_on_table_select,
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        column_config={t("col.area_m2", lang): st.column_config.NumberColumn(format="%.0f")},
    )


_KNOWN_COLUMNS = frozenset(("name", "kind", "municipality", "area_m2", "source", "site_id"))


def _attributes(row: pd.Series[Any], lang: str) -> pd.DataFrame:
    """Name/value rows of every filled attribute; values as plain text (never markdown or HTML)."""
    values = []
    for key, value in row.items():
        if value is None or (isinstance(value, float) and pd.isna(value)) or str(value) == "":
            continue
        label = t(f"col.{key}", lang) if key in _KNOWN_COLUMNS else str(key)
        shown = format_area(value) if key == "area_m2" else str(value)
        values.append({t("card.attributes", lang): label, " ": shown})
    return pd.DataFrame(values)


def _show_card(data: MapData, lang: str) -> None:
    selected = st.session_state.get(SELECTED)
    if selected is None:
        return
    if selected == _NOWHERE:
        st.info(t("card.none_here", lang))
        return
    match = data.sites[data.sites["site_id"].astype(str) == selected]
    if match.empty:
        return
    row = match.iloc[0]
    st.subheader(t("card.heading", lang))
    st.markdown(f"#### {escape_markdown(row['name'])}")
    where = row.get(MUNICIPALITY)
    parts = [t(f"kind.{row['kind']}", lang), format_area(row["area_m2"]), *([str(where)] if where else [])]
    st.caption(" · ".join(escape_markdown(p) for p in parts if p))
    st.dataframe(_attributes(row.drop(labels=[data.sites.geometry.name]), lang), hide_index=True, width="stretch")
