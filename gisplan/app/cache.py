"""Cached loaders for the pages (Streamlit's ``st.cache_data``).

``st.cache_data`` cannot hash a GeoDataFrame argument, so the loaders are keyed
on the catalogue and data folders plus :func:`~gisplan.app.mapdata.data_revision`
(size and modification time of every catalogue and source file): rebuilding the
demo or editing a layer file invalidates the cache. Cached values are shared by
all users, so nothing per-user may be cached here.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from gisplan import settings
from gisplan.app.mapdata import MapData, data_revision, load_map_data
from gisplan.app.mapview import DisplayData, prepare_display


@st.cache_data(show_spinner=False, max_entries=4)
def _load(layers_dir: str, data_dir: str, revision: tuple[tuple[str, int, int], ...]) -> tuple[MapData, DisplayData]:
    del revision  # only part of the cache key
    data = load_map_data(Path(layers_dir), Path(data_dir))
    return data, prepare_display(data)


def map_data() -> tuple[MapData, DisplayData]:
    """Sites and context layers (working CRS) and their browser form (EPSG:4326).

    Raises
    ------
    ConfigError
        If a ``GISPLAN_*`` setting is invalid or the catalogue folder is missing.
    """
    current = settings.get()
    revision = data_revision(current.layers_dir, current.data_dir)
    return _load(str(current.layers_dir), str(current.data_dir), revision)
