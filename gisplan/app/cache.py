"""Cached loaders for the Map page (Streamlit's ``st.cache_data`` / ``st.cache_resource``).

``st.cache_data`` cannot hash a GeoDataFrame or a store, so the loaders are keyed on
plain values: the catalogue and data folders plus
:func:`~gisplan.app.mapdata.data_revision` (size and modification time of every
catalogue and source file) for the context layers; the database URL, the profile
and the store's revision (:meth:`gisplan.store.Store.revision`, the last audit
id, which grows with every write) for the sites. An edit anywhere in the store
therefore reloads the site index on the next run. Cached values are shared by all
users, so nothing per-user may be cached here: every user may read every site.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from gisplan import settings
from gisplan.app import auth
from gisplan.app.filters import BoolArray, funding_mask
from gisplan.app.mapdata import (
    ContextData,
    data_revision,
    load_context,
    load_site_index,
    municipalities,
    scored_profiles,
)
from gisplan.app.mapview import DisplayLayer, prepare_context


@st.cache_data(show_spinner=False, max_entries=4)
def _context(
    layers_dir: str, data_dir: str, revision: tuple[tuple[str, int, int], ...]
) -> tuple[ContextData, tuple[DisplayLayer, ...]]:
    del revision  # only part of the cache key
    data = load_context(Path(layers_dir), Path(data_dir))
    return data, prepare_context(data)


def context() -> tuple[ContextData, tuple[DisplayLayer, ...]]:
    """Context layers (working CRS) and their browser form (EPSG:4326, simplified, escaped).

    Raises
    ------
    ConfigError
        If a ``GISPLAN_*`` setting is invalid or the catalogue folder is missing.
    """
    current = settings.get()
    revision = data_revision(current.layers_dir, current.data_dir)
    return _context(str(current.layers_dir), str(current.data_dir), revision)


@st.cache_data(show_spinner=False, max_entries=8)
def profiles(url: str, revision: int) -> list[str]:
    """Profiles the store holds scores for."""
    del url, revision  # cache key
    return scored_profiles(auth.get_store())


@st.cache_data(show_spinner=False, max_entries=8)
def municipality_table(url: str, revision: int) -> pd.DataFrame:
    """Code, name and population of the municipality communities."""
    del url, revision  # cache key
    return municipalities(auth.get_store())


@st.cache_resource(show_spinner=False, max_entries=8)
def site_index(url: str, profile: str, revision: int) -> pd.DataFrame:
    """The site index of ``profile`` (:func:`gisplan.app.mapdata.load_site_index`).

    Cached as a resource: every session shares the same frame without copying it
    (about 20 MB at 100,000 sites), so callers must never modify it.
    """
    del url, revision  # cache key
    return load_site_index(auth.get_store(), profile)


@st.cache_data(show_spinner=False, max_entries=8)
def calls(url: str, revision: int) -> list[dict[str, Any]]:
    """The store's funding calls: ``code``, ``title`` (cs/en) and the catalogue entry (``rules``)."""
    del url, revision  # cache key
    out = []
    for call in auth.get_store().funding_calls():
        rules = dict(call.rules or {})
        title = rules.get("title") if isinstance(rules.get("title"), dict) else {}
        out.append({"code": call.code, "title": {"cs": call.name, **(title or {})}, "rules": rules})
    return out


@st.cache_data(show_spinner=False, max_entries=32)
def eligible(url: str, profile: str, revision: int, *, code: str, include_unknown: bool, today: dt.date) -> BoolArray:
    """Which sites of the index of ``profile`` the matcher finds eligible for call ``code``.

    Computed once per call, profile, store revision and day (about 1.5 s for
    100,000 sites), so changing other filters stays fast.
    """
    from gisplan.funding import FundingCall, Place, PlaceLookup

    index = site_index(url, profile, revision)
    found = next((c for c in calls(url, revision) if c["code"] == code), None)
    if found is None:
        return np.zeros(len(index), dtype=bool)
    call = FundingCall.model_validate(found["rules"])
    table = municipality_table(url, revision)
    pops = pd.to_numeric(table["population"], errors="coerce")
    populations = {str(c): float(p) for c, p in zip(table["code"], pops, strict=True) if pd.notna(p)}
    regions = {c.code: c.region_code for c in auth.get_store().communities("municipality") if c.code}
    places = PlaceLookup({str(k): Place(str(k), region=v) for k, v in regions.items()})
    return funding_mask(
        index, call, include_unknown=include_unknown, populations=populations, places=places, today=today
    )
