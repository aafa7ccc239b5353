"""The Map page's search box: find a site by name or address, open its card or move the map to it.

The matching is :mod:`gisplan.app.sitesearch` (plain Python); this module holds the
cached search table and the widgets. The table is built once per store, profile
and sites revision (about 1 s for 100,000 sites) and shared by every session:
every user may read every site, and it holds nothing per user.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from gisplan.app import auth, cache, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.app.sitesearch import find_sites, load_addresses, search_table

#: Widget key of the search box.
SEARCH_KEY = "map_search"
#: Matches listed under the box. [count]
SHOWN = 10
#: Session-state key of the action chosen on a match, set by the button's callback.
_CHOSEN = "map_search_chosen"


@dataclass(frozen=True)
class SearchAction:
    """What the user asked for on a match: ``open`` its card or ``zoom`` the map to it."""

    action: str
    site_id: str


@st.cache_resource(show_spinner=False, max_entries=8)
def _table(url: str, profile: str, sites: str, rows: int) -> pd.DataFrame:
    del url, sites, rows  # cache key
    store = auth.get_store()
    index = cache.site_index(store.url, profile, store.map_revision())
    return search_table(index, load_addresses(store), cache.municipality_table(store.url, store.map_revision()))


def _score_text(row: pd.Series, lang: str) -> str:
    if bool(row["excluded"]):
        return t("map.excluded", lang)
    score = pd.to_numeric(row["score"], errors="coerce")
    return t("map.search_no_score", lang) if pd.isna(score) else f"{float(score):.0f}"


@shell.callback
def _choose(action: str, site_id: str) -> None:
    st.session_state[_CHOSEN] = SearchAction(action, site_id)


def search_panel(index: pd.DataFrame, profile: str, lang: str) -> SearchAction | None:
    """Draw the search box and its matches; the action the user chose, if any.

    The buttons record the choice in a callback, which runs before the script:
    a rerun that interrupts this run (the map reporting its bounds, say) then
    cannot swallow the click, as it could with the button's return value.
    """
    chosen: SearchAction | None = st.session_state.pop(_CHOSEN, None)
    if chosen is not None and chosen.action == "open":
        return chosen
    query = st.text_input(
        t("map.search", lang), key=SEARCH_KEY, placeholder=t("map.search_placeholder", lang), max_chars=200
    ).strip()
    if not query:
        return chosen
    store = auth.get_store()
    table = _table(store.url, profile, store.map_revision().sites, len(index))
    if len(table) != len(index):  # the index was read again in between: rebuild for it
        _table.clear()
        table = _table(store.url, profile, store.map_revision().sites, len(index))
    found = find_sites(index, table, query, limit=SHOWN)
    matching = int(found.attrs.get("matching", len(found)))
    if matching == 0:
        st.info(t("map.search_none", lang))
        return chosen
    st.caption(t("map.search_found", lang, shown=len(found), matching=matching))
    for i, (_, row) in enumerate(found.iterrows()):
        text, open_col, zoom_col = st.columns([6, 1, 1], vertical_alignment="center")
        address = row["address"] if isinstance(row["address"], str) and row["address"] != row["name"] else ""
        parts = [f"**{escape_markdown(str(row['name']))}**"]
        if address:
            parts.append(escape_markdown(address))
        parts += [t(f"kind.{row['kind']}", lang), f"{t('col.score', lang)}: {_score_text(row, lang)}"]
        text.markdown(" · ".join(parts))
        site_id = str(row["site_id"])
        open_col.button(
            t("map.search_open", lang), key=f"map_search_open_{i}", on_click=_choose, args=("open", site_id)
        )
        zoom_col.button(
            t("map.search_zoom", lang), key=f"map_search_zoom_{i}", on_click=_choose, args=("zoom", site_id)
        )
    return chosen


__all__ = ["SEARCH_KEY", "SHOWN", "SearchAction", "search_panel"]
