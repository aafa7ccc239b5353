"""Prepare the Map page once per server process, before the first user reaches it.

The first Map page after login used to pay for everything at once: importing
folium, streamlit-folium, geopandas and the page modules (about 2 s), reading
the site index from the store, reading and simplifying the context layers,
validating the scoring profiles, and Jinja's first use of folium's templates.
None of that depends on the user, so :func:`start` does it in a background
thread as soon as the first session runs the app (the login page), while the
user types their name and password. Everything lands in the caches every
session shares (:mod:`gisplan.app.cache`, keyed on the store's sites revision
and the catalogue files), so the first map after login only filters and draws.

``GISPLAN_WARMUP=0`` turns it off: then the first Map page prepares everything
itself, as before (the baseline of ``benchmarks/bench_first_map.py``).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time

from gisplan import settings
from gisplan.errors import GisplanError

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_thread: threading.Thread | None = None
#: Modules the Map page needs, imported ahead (the heavy ones first). Not
#: ``streamlit_folium``: it declares its Streamlit component when imported, and
#: Streamlit registers a component only from a thread that runs a script (imported
#: here, the map would answer 404); with folium loaded, the page imports it in
#: a few milliseconds.
MODULES = (
    "geopandas",
    "folium",
    "folium.plugins",
    "gisplan.app.mapsites",
    "gisplan.app.tables",
    "gisplan.app.pages.map_page",
)


def start() -> threading.Thread | None:
    """Start the warm-up once per process (later calls return the same thread); None when turned off."""
    global _thread  # noqa: PLW0603 - one warm-up per server process
    try:
        enabled = settings.get().warmup
    except GisplanError:
        return None  # the page reports invalid settings itself
    if not enabled:
        return None
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=warm, name="gisplan-warmup", daemon=True)
            _thread.start()
        return _thread


def warm() -> dict[str, float]:
    """Import the Map page and fill the shared caches for the default view; never raises.

    Returns
    -------
    dict
        Seconds each step took, by name (logged too); a step that failed is left out
        and logged, and the page then does that step itself.
    """
    timings: dict[str, float] = {}
    for name, step in (("imports", _imports), ("store", _store), ("context", _context), ("map", _first_map)):
        started = time.perf_counter()
        try:
            step()
        except Exception:  # a warm-up must never take the server down
            _log.exception("warm-up step %s failed; the Map page will do it itself", name)
            continue
        timings[name] = time.perf_counter() - started
    _log.info("Map page warmed up: %s", ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    return timings


def _imports() -> None:
    for module in MODULES:
        importlib.import_module(module)


def _store() -> None:
    from gisplan.app import auth, cache

    store = auth.get_store()
    revision = store.map_revision()
    names = cache.profiles(store.url, revision)
    cache.municipality_table(store.url, revision)
    cache.calls(store.url, revision)
    cache.profile_catalogue()
    if names:  # the profile the page's selectbox starts on
        cache.site_index(store.url, names[0], revision)


def _context() -> None:
    from gisplan.app import cache

    cache.context()


def _first_map() -> None:
    """Make and render one whole map, so folium's and Jinja's first-use costs are paid here."""
    import numpy as np

    from gisplan.app import auth, cache
    from gisplan.app.i18n import UI_LANGUAGES
    from gisplan.app.mapsites import site_layers, view_sites
    from gisplan.app.mapview import build_map, folding_layer_control

    store = auth.get_store()
    revision = store.map_revision()
    names = cache.profiles(store.url, revision)
    _, context = cache.context()
    lang = UI_LANGUAGES[0]
    m = build_map(context, lang=lang)
    if names:
        index = cache.site_index(store.url, names[0], revision)
        drawn = view_sites(store, index, np.ones(len(index), dtype=bool), None, zoom=10.0, lang=lang, limit=50)
        for group in site_layers(drawn.features, lang):
            group.add_to(m)
    folding_layer_control().add_to(m)
    m.get_root().render()


__all__ = ["MODULES", "start", "warm"]
