"""Cached loaders for the Map page (Streamlit's ``st.cache_data`` / ``st.cache_resource``).

``st.cache_data`` cannot hash a GeoDataFrame or a store, so the loaders are keyed on
plain values: the catalogue and data folders plus
:func:`~gisplan.app.mapdata.data_revision` (size and modification time of every
catalogue and source file) for the context layers; the database URL, the profile
and the store's sites revision (:mod:`gisplan.store.revisions`, kept in the
database, replaced by writes to sites, scores, communities and funding calls) for
the sites. A note, a link or a user change reads nothing again; a status change
reads only the statuses that are not ``new`` and updates the cached index's status
column. Cached values are shared by all users, so nothing per-user may be cached
here: every user may read every site.

:mod:`gisplan.app.warmup` fills these caches once per server process, before the
first user reaches the Map page.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from gisplan import settings
from gisplan.app import auth
from gisplan.app.filters import BoolArray, funding_mask
from gisplan.app.mapdata import (
    ContextData,
    data_revision,
    file_revision,
    load_context,
    load_site_index,
    municipalities,
    scored_profiles,
    with_statuses,
)
from gisplan.app.mapview import DisplayLayer, prepare_context
from gisplan.store.revisions import MapRevision

if TYPE_CHECKING:
    from gisplan.profiles import Profile


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


@st.cache_resource(show_spinner=False, max_entries=4)
def _profile_catalogue(folder: str, revision: tuple[tuple[str, int, int], ...]) -> dict[str, Profile]:
    from gisplan.profiles import load_profiles

    del revision  # only part of the cache key
    return load_profiles(Path(folder))


def profile_catalogue() -> dict[str, Profile]:
    """The scoring profiles (:func:`gisplan.profiles.load_profiles`), read again only when a file changes.

    Shared by every session without copying: callers must not modify it.

    Raises
    ------
    ConfigError
        If the profiles folder is missing or a profile is invalid (not cached).
    """
    from gisplan.profiles import profile_files, profiles_dir

    folder = profiles_dir()
    return _profile_catalogue(str(folder), file_revision(profile_files(folder)))


def _sites_key(revision: object) -> str:
    """The sites revision token of ``revision``, or of the store now when it is a plain audit revision."""
    if isinstance(revision, MapRevision):
        return revision.sites
    return auth.get_store().map_revision().sites


@st.cache_data(show_spinner=False, max_entries=8)
def _profiles(url: str, sites: str) -> list[str]:
    del url, sites  # cache key
    return scored_profiles(auth.get_store())


def profiles(url: str, revision: object) -> list[str]:
    """Profiles the store holds scores for.

    ``revision`` is what the caller read: a :class:`~gisplan.store.revisions.MapRevision`
    (``store.map_revision()``) or the audit revision (``store.revision()``), in which case
    the sites revision is read here. Every loader below keys on the sites revision, so a
    note, a link or a status change reads nothing again.
    """
    return _profiles(url, _sites_key(revision))


@st.cache_data(show_spinner=False, max_entries=8)
def _municipality_table(url: str, sites: str) -> pd.DataFrame:
    del url, sites  # cache key
    return municipalities(auth.get_store())


def municipality_table(url: str, revision: object) -> pd.DataFrame:
    """Code, name and population of the municipality communities (``revision`` as for :func:`profiles`)."""
    return _municipality_table(url, _sites_key(revision))


@dataclass
class _HeldIndex:
    """A cached site index and the status revision its status column shows."""

    frame: pd.DataFrame
    statuses: tuple[int, int]
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: pd.Index | None = None


@st.cache_resource(show_spinner=False, max_entries=8)
def _site_index(url: str, profile: str, sites: str) -> _HeldIndex:
    del url, sites  # cache key
    store = auth.get_store()
    statuses = store.map_revision().statuses  # before the index: a move in between is applied on the next run
    return _HeldIndex(frame=load_site_index(store, profile), statuses=statuses)


def site_index(url: str, profile: str, revision: object) -> pd.DataFrame:
    """The site index of ``profile`` (:func:`gisplan.app.mapdata.load_site_index`).

    Read from the store once per sites revision (``revision`` as for :func:`profiles`)
    and shared by every session without copying (about 20 MB at 100,000 sites), so
    callers must never modify it. When the status revision moved (a status change,
    in this process or another), only the statuses are read again
    (:meth:`gisplan.store.Store.worked_statuses`) and the cached frame gets the new
    status column (:func:`gisplan.app.mapdata.with_statuses`; the other columns are
    shared, not copied).
    """
    store = auth.get_store()
    current = revision if isinstance(revision, MapRevision) else store.map_revision()
    held = _site_index(url, profile, current.sites)
    if held.statuses != current.statuses:
        with held.lock:
            if held.statuses != current.statuses:
                if held.ids is None:
                    held.ids = pd.Index(held.frame["site_id"])
                held.frame = with_statuses(held.frame, store.worked_statuses(), ids=held.ids)
                held.statuses = current.statuses
    return held.frame


@st.cache_data(show_spinner=False, max_entries=8)
def _calls(url: str, sites: str) -> list[dict[str, Any]]:
    del url, sites  # cache key
    out = []
    for call in auth.get_store().funding_calls():
        rules = dict(call.rules or {})
        title = rules.get("title") if isinstance(rules.get("title"), dict) else {}
        out.append({"code": call.code, "title": {"cs": call.name, **(title or {})}, "rules": rules})
    return out


def calls(url: str, revision: object) -> list[dict[str, Any]]:
    """The store's funding calls: ``code``, ``title`` (cs/en) and the catalogue entry (``rules``)."""
    return _calls(url, _sites_key(revision))


@st.cache_data(show_spinner=False, max_entries=32)
def _eligible(url: str, profile: str, sites: str, *, code: str, include_unknown: bool, today: dt.date) -> BoolArray:
    from gisplan.funding import FundingCall, Place, PlaceLookup

    held = _site_index(url, profile, sites)
    found = next((c for c in _calls(url, sites) if c["code"] == code), None)
    if found is None:
        return np.zeros(len(held.frame), dtype=bool)
    call = FundingCall.model_validate(found["rules"])
    table = _municipality_table(url, sites)
    pops = pd.to_numeric(table["population"], errors="coerce")
    populations = {str(c): float(p) for c, p in zip(table["code"], pops, strict=True) if pd.notna(p)}
    regions = {c.code: c.region_code for c in auth.get_store().communities("municipality") if c.code}
    places = PlaceLookup({str(k): Place(str(k), region=v) for k, v in regions.items()})
    return funding_mask(
        held.frame, call, include_unknown=include_unknown, populations=populations, places=places, today=today
    )


def eligible(
    url: str, profile: str, revision: object, *, code: str, include_unknown: bool, today: dt.date
) -> BoolArray:
    """Which sites of the index of ``profile`` the matcher finds eligible for call ``code``.

    Computed once per call, profile, sites revision and day (about 1.5 s for
    100,000 sites), so changing other filters, a note or a status change stays fast.
    The mask does not read statuses, so it fits the index whatever its status column.
    """
    return _eligible(url, profile, _sites_key(revision), code=code, include_unknown=include_unknown, today=today)
