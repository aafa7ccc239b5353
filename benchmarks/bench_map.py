"""Benchmark of the Map page's rerun after a filter change and after a note, with N sites in the store.

``python benchmarks/bench_map.py`` (default 100,000 sites in SQLite; the store is built
once in ``/tmp/gisplan-bench-map``) and ``python benchmarks/bench_map.py --backend postgis
--sites 1000000`` (a schema ``bench_map_<N>`` in the PostgreSQL test database,
``GISPLAN_TEST_DATABASE_URL``, built once with the bulk ingest) measure, in one process:

- **store**: building the store (a synthetic scored GeoPackage ingested with
  :func:`gisplan.workflows.ingest.ingest`), once;
- **index**: loading the site index of the profile (:func:`gisplan.app.mapdata.load_site_index`),
  which the app does once per store revision;
- **ours**: what one rerun of the Map page does after a filter change, for a series
  of changes at two views (the whole region, zoom 10, and a 6 × 6 km view at zoom
  14): filter the cached index, pick the best sites in the view, read the geometries
  drawn as polygons from the store, make the feature groups and the base map, and
  hand them to ``st_folium`` (run bare, which renders and serialises the map as in
  the app). Streamlit's own widget work is not included;
- **funding**: the funding-call filter, the first time for a call (the matcher runs
  for every site) and then cached;
- **baseline**: the naive page, which sends every matching site with its full
  geometry: one query of sites, scores and geometries, one ``folium.GeoJson`` with a
  tooltip, and ``st_folium``;
- **after a write** (``--repeats``, default 5, the median reported): a note, and a
  status change, on a site of the store, then the next rerun of the page with the app's
  caches (:mod:`gisplan.app.cache`, run outside Streamlit): reading the revisions, the
  cached index (after a status change: its status column updated) and the rerun itself.
  Against the page before the sites revision (``before``): every write moved the store
  revision, so the rerun read the whole site index again. A filter change is timed the
  same way, with the revision reads of each path.

Results go to ``benchmarks/results_map.json`` and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Streamlit run bare warns about the missing script context on every cache call and st_folium.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

PROFILE = "community_energy"
CRS = "EPSG:5514"
#: South-west corner of the synthetic region [m, EPSG:5514] (Ústecký kraj).
X0, Y0 = -800_000.0, -1_040_000.0
MUNICIPALITIES_PER_SIDE = 10
CELL_M = 5_000.0
REGION = "CZ042"


def _log(msg: str) -> None:
    print(f"[bench_map] {msg}", flush=True)


def synthetic_sites(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` scored sites in 100 municipalities of a 50 × 50 km region, in the columns of a scored GeoPackage.

    95 % rooftops (10–30 m rectangles) clustered around each village centre, 3 %
    municipal land and 2 % brownfields (60–400 m), scores 0–100, 30 % excluded.
    """
    rng = np.random.default_rng(seed)
    muni = rng.integers(0, MUNICIPALITIES_PER_SIDE**2, n)
    cx = X0 + (muni % MUNICIPALITIES_PER_SIDE + 0.5) * CELL_M
    cy = Y0 + (muni // MUNICIPALITIES_PER_SIDE + 0.5) * CELL_M
    x = cx + np.clip(rng.normal(0, 700, n), -2300, 2300)
    y = cy + np.clip(rng.normal(0, 700, n), -2300, 2300)
    draw = rng.random(n)
    kind = np.where(draw < 0.95, "rooftop", np.where(draw < 0.98, "municipal_land", "brownfield"))
    small = kind == "rooftop"
    w = np.where(small, rng.uniform(10, 30, n), rng.uniform(60, 400, n))
    h = np.where(small, rng.uniform(8, 20, n), rng.uniform(60, 300, n))
    geoms = shapely.box(x, y, x + w, y + h)
    excluded = rng.random(n) < 0.3
    score = np.where(excluded, 0.0, np.round(rng.uniform(1, 100, n), 3))
    ids = np.char.add("S", np.arange(n).astype(str))
    source = np.where(small, "bench_roofs", np.where(kind == "brownfield", "bench_brownfields", "bench_parcels"))
    capacity = np.round(w * h * 0.15, 2)
    frame = pd.DataFrame(
        {
            "site_id": np.char.add(np.char.add(source.astype(str), ":"), ids),
            "kind": kind,
            "name": np.char.add("Plocha ", ids),
            "source": source,
            "source_id": ids,
            "area_m2": np.round(w * h, 1),
            "profile": PROFILE,
            "profile_version": "1",
            "score": score,
            "excluded": excluded,
            "exclusion_reasons": np.where(excluded, '["too_small"]', "[]"),
            "handicaps": "[]",
            "breakdown": "[]",
            "capacity_kwp": capacity,
            "yield_kwh_kwp_yr": 1000.0,
            "energy_mwh_yr": capacity,
            "co2_t_yr": capacity * 0.45,
            "households": capacity / 3.5,
            "municipality_code": (990000 + muni).astype(str),
            "region_code": REGION,
        }
    )
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=CRS)


def _municipalities(store: Any) -> None:
    from gisplan.communities import add_municipalities
    from gisplan.store import SYSTEM

    codes = [str(990000 + i) for i in range(MUNICIPALITIES_PER_SIDE**2)]
    table = pd.DataFrame({"code": codes, "name": [f"Obec {c}" for c in codes], "population": 1000})
    add_municipalities(store, SYSTEM, table, region_code=REGION)


def build_store(n: int, folder: Path, *, backend: str = "sqlite", pg_url: str = "") -> tuple[str, float]:
    """A store with ``n`` scored sites and the municipalities; its URL and the build time [s] (0 when reused).

    SQLite: a file in ``folder``. PostGIS: the schema ``bench_map_<n>`` of the database at
    ``pg_url``, kept between runs (dropped and built again when it is not complete).
    """
    from gisplan.scoring import write_scored
    from gisplan.store import open_store
    from gisplan.workflows.ingest import ingest

    folder.mkdir(parents=True, exist_ok=True)
    if backend == "postgis":
        return _build_postgis(n, folder, pg_url)
    path = folder / f"store-{n}.sqlite"
    url = f"sqlite:///{path.as_posix()}"
    if path.exists():
        return url, 0.0
    start = time.perf_counter()
    work = folder / f"building-{n}.sqlite"
    work.unlink(missing_ok=True)
    store = open_store(f"sqlite:///{work.as_posix()}")
    try:
        gpkg = write_scored(synthetic_sites(n), folder / f"sites-{n}.gpkg")
        _log(f"ingesting {n:,} sites")
        report = ingest(store, gpkg, PROFILE)
        _log(str(report))
        _municipalities(store)
    finally:
        store.close()
    work.rename(path)
    return url, time.perf_counter() - start


def _build_postgis(n: int, folder: Path, pg_url: str) -> tuple[str, float]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from gisplan.scoring import write_scored
    from gisplan.store import migrate, open_store
    from gisplan.store.engine import make_engine
    from gisplan.workflows.ingest import ingest

    schema = f"bench_map_{n}"
    url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema},public"})
    url_text = url.render_as_string(hide_password=False)
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        done = conn.execute(
            text("SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND table_name = 'bench_done'"),
            {"s": schema},
        ).first()
    if done is not None:
        admin.dispose()
        return url_text, 0.0
    start = time.perf_counter()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url_text)
    migrate.upgrade(engine)
    engine.dispose()
    store = open_store(url_text, upgrade=False)
    try:
        gpkg = folder / f"sites-{n}.gpkg"
        if not gpkg.exists():
            write_scored(synthetic_sites(n), gpkg)
        _log(f"ingesting {n:,} sites into PostGIS ({schema})")
        ingest_start = time.perf_counter()
        report = ingest(store, gpkg, PROFILE)
        _log(f"{report} in {time.perf_counter() - ingest_start:.1f} s")
        _municipalities(store)
    finally:
        store.close()
    with admin.begin() as conn:
        conn.execute(text(f'CREATE TABLE "{schema}".bench_done (at timestamptz DEFAULT now())'))
    admin.dispose()
    return url_text, time.perf_counter() - start


def _time(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = work()
    return time.perf_counter() - start, out


def _bare_st_folium(folium_map: Any, **kwargs: Any) -> Any:
    """``st_folium`` outside a Streamlit run: it renders and serialises the map as in the app."""
    from streamlit_folium import st_folium

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return st_folium(folium_map, **kwargs)


def our_rerun(
    store: Any, index: pd.DataFrame, filters: Any, bbox: Any, zoom: float, eligible: Any = None
) -> dict[str, Any]:
    """One rerun of the Map page after a filter change (index already cached)."""
    import folium

    from gisplan.app.filters import filter_mask
    from gisplan.app.mapsites import site_layers, view_sites
    from gisplan.app.mapview import build_map

    mask = filter_mask(index, filters, eligible=eligible)
    drawn = view_sites(store, index, mask, bbox, zoom=zoom, lang="cs")
    groups = site_layers(drawn.features, "cs")
    base = build_map((), lang="cs", bounds=[[50.0, 13.5], [50.6, 14.3]])
    _bare_st_folium(
        base,
        key="site_map",
        returned_objects=["last_object_clicked", "bounds", "zoom"],
        feature_group_to_add=groups,
        layer_control=folium.LayerControl(collapsed=False),
    )
    return {"drawn": drawn.features.count, "vertices": drawn.features.vertices, "matching": drawn.selection.matching}


def naive_rerun(store: Any, score_min: float) -> dict[str, Any]:
    """The baseline: every matching site with its full geometry, as one GeoJson layer."""
    import folium
    from sqlalchemy import select

    from gisplan.app.escape import escape_html
    from gisplan.store.models import Site, SiteScore

    stmt = (
        select(Site.id, Site.name, Site.kind, Site.geom, SiteScore.score)
        .join(SiteScore, SiteScore.site_id == Site.id)
        .where(SiteScore.profile == PROFILE, SiteScore.excluded.is_(False), SiteScore.score >= score_min)
    )
    rows = store.read(lambda s: [tuple(r) for r in s.execute(stmt)])
    frame = gpd.GeoDataFrame(
        {
            "site_id": [r[0] for r in rows],
            "name": [escape_html(r[1]) for r in rows],
            "kind": [r[2] for r in rows],
            "score": [round(float(r[4]), 1) for r in rows],
        },
        geometry=[r[3] for r in rows],
        crs=CRS,
    ).to_crs("EPSG:4326")
    m = folium.Map(tiles=None, location=[50.3, 13.9], zoom_start=10)
    folium.GeoJson(frame, tooltip=folium.GeoJsonTooltip(fields=["name", "score"])).add_to(m)
    _bare_st_folium(m, key="site_map", returned_objects=["last_object_clicked"])
    return {"drawn": len(frame), "vertices": int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())}


def _app_caches(url: str) -> Any:
    """The app's cache module, outside Streamlit, on the store at ``url`` (as ``GISPLAN_DATABASE_URL``)."""
    import logging

    import streamlit as st

    os.environ["GISPLAN_DATABASE_URL"] = url
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    from gisplan.app import cache

    st.cache_data.clear()
    st.cache_resource.clear()
    return cache


def page_rerun(mode: str, filters: Any, view: tuple[Any, float]) -> dict[str, Any]:
    """One rerun as the page does it: read the revision, get the index, filter and draw.

    ``mode`` ``ours``: the sites and status revisions (:meth:`Store.map_revision`) and the
    app's caches. ``before``: the audit revision, which every write moves, so after a
    write the index is read again from the store (the page before the sites revision).
    """
    from gisplan.app import auth, cache
    from gisplan.app.mapdata import load_site_index

    store = auth.get_store()
    if mode == "ours":
        revision = store.map_revision()
        cache.profiles(store.url, revision)
        index = cache.site_index(store.url, PROFILE, revision)
    else:
        revision = store.revision()
        key = (store.url, revision)
        if _BEFORE_CACHE.get("key") != key:
            _BEFORE_CACHE.update(key=key, index=load_site_index(store, PROFILE))
        index = _BEFORE_CACHE["index"]
    return our_rerun(store, index, filters, *view)


_BEFORE_CACHE: dict[str, Any] = {}


def after_writes(url: str, repeats: int) -> dict[str, Any]:
    """Median rerun after a filter change, a note and a status change: ours against before."""
    from gisplan.app.filters import MapFilters
    from gisplan.store import SYSTEM

    _app_caches(url)
    from gisplan.app import auth

    store = auth.get_store()
    view = (None, 10.0)
    plain, stricter = MapFilters(PROFILE), MapFilters(PROFILE, score_min=50.0)
    site_ids = [str(i) for i in store.read(lambda s: _first_sites(s, 2 * repeats + 2))]
    known = {user.username: user.id for user, _ in store.users()}
    author = known.get("bench_admin") or store.add_user(SYSTEM, "bench_admin", "admin", password="bench-heslo-2026").id
    out: dict[str, Any] = {}
    for offset, mode in enumerate(("before", "ours")):
        times = _write_series(mode, (store, author), site_ids[offset::2][:repeats], (plain, stricter), view)
        for what, values in times.items():
            out[f"{mode}_{what}_median_s"] = round(statistics.median(values), 3)
            out[f"{mode}_{what}_s"] = [round(v, 3) for v in values]
            _log(f"{mode:<6} after a {what:<6} change: median {statistics.median(values):.3f} s of {len(values)}")
    for what in ("filter", "note", "status"):
        out[f"ratio_{what}"] = round(out[f"before_{what}_median_s"] / out[f"ours_{what}_median_s"], 1)
    return out


def _write_series(
    mode: str, writer: tuple[Any, int], site_ids: list[str], filters: tuple[Any, Any], view: tuple[Any, float]
) -> dict[str, list[float]]:
    """Reruns after a filter change, a note and a status change (one of each per site of ``site_ids``)."""
    store, author = writer
    plain, stricter = filters
    page_rerun(mode, plain, view)  # fill the caches
    times: dict[str, list[float]] = {"filter": [], "note": [], "status": []}
    for i, site_id in enumerate(site_ids):
        chosen = stricter if i % 2 == 0 else plain
        times["filter"].append(_time(lambda f=chosen: page_rerun(mode, f, view))[0])
        store.add_annotation(author, site_id, f"bench note {i}")
        times["note"].append(_time(lambda: page_rerun(mode, plain, view))[0])
        site = store.get_site(site_id)
        target = "screening" if site.status == "new" else "new"
        store.change_status(author, site_id, target, expected_version=site.version, reason="bench")
        times["status"].append(_time(lambda: page_rerun(mode, plain, view))[0])
    return times


def _first_sites(session: Any, n: int) -> list[str]:
    from sqlalchemy import select

    from gisplan.store.models import Site

    return list(session.scalars(select(Site.id).where(Site.end_date.is_(None)).order_by(Site.id).limit(n)))


def _filter_changes() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("profile default", {}),
        ("score >= 50", {"score_min": 50.0}),
        ("kind: brownfield + municipal land", {"kinds": ("brownfield", "municipal_land")}),
        ("municipality: 3 of 100", {"municipalities": ("990011", "990012", "990021")}),
        ("status: new", {"statuses": ("new",)}),
        ("excluded: all", {"excluded": "all"}),
        ("score 20-80, rooftops", {"score_min": 20.0, "score_max": 80.0, "kinds": ("rooftop",)}),
    ]


def _views() -> list[tuple[str, Any, float]]:
    return [
        ("whole region, zoom 10", None, 10.0),
        ("6 x 6 km village, zoom 14", (X0 + 19_500, Y0 + 19_500, X0 + 25_500, Y0 + 25_500), 14.0),
        ("1.5 x 1.5 km, zoom 16", (X0 + 21_750, Y0 + 21_750, X0 + 23_250, Y0 + 23_250), 16.0),
    ]


def run(
    n: int, folder: Path, *, baseline: bool, backend: str = "sqlite", pg_url: str = "", repeats: int = 5
) -> dict[str, Any]:
    """Build (or reuse) the store, then time ours and the baseline; return the results."""
    from gisplan.app.filters import MapFilters, funding_mask
    from gisplan.app.mapdata import load_site_index
    from gisplan.funding import load_calls
    from gisplan.store import open_store

    if backend == "postgis":
        from bench_ingest import postgis_problem

        problem = postgis_problem(pg_url)
        if problem:
            raise SystemExit(f"[bench_map] {problem}")
    url, build_s = build_store(n, folder, backend=backend, pg_url=pg_url)
    store = open_store(url)
    load_before = os.getloadavg()[0]
    index_s, index = _time(lambda: load_site_index(store, PROFILE))
    _log(f"site index of {len(index):,} sites loaded in {index_s:.2f} s")
    our_rerun(store, index, MapFilters(PROFILE), None, 10.0)  # warm-up: imports, first folium render
    ours: list[dict[str, Any]] = []
    for view_name, bbox, zoom in _views():
        for change, fields in _filter_changes():
            seconds, info = _time(
                lambda f=fields, b=bbox, z=zoom: our_rerun(store, index, MapFilters(PROFILE, **f), b, z)
            )
            ours.append({"view": view_name, "change": change, "seconds": round(seconds, 3), **info})
            _log(f"ours  {view_name:<26} {change:<36} {seconds:6.3f} s  {info}")
    calls = load_calls().calls
    # a national call for municipalities and communities: many sites are eligible or unknown
    call = calls["komuenerg"] if "komuenerg" in calls else next(iter(calls.values()))
    funding_first, eligible = _time(lambda: funding_mask(index, call, include_unknown=True))
    funding_filters = MapFilters(PROFILE, funding_call=call.id, include_unknown=True)
    funding_cached, funding_info = _time(lambda: our_rerun(store, index, funding_filters, None, 10.0, eligible))
    _log(
        f"funding filter ({call.id}): matcher over every site {funding_first:.2f} s (once per call), "
        f"then {funding_cached:.3f} s  {funding_info}"
    )
    writes = after_writes(url, repeats) if repeats else {}
    result: dict[str, Any] = {
        "sites": n,
        "backend": backend,
        "after_writes": writes,
        "store_build_s": round(build_s, 1),
        "index_load_s": round(index_s, 2),
        "ours": ours,
        "ours_median_s": round(statistics.median(r["seconds"] for r in ours), 3),
        "ours_max_s": round(max(r["seconds"] for r in ours), 3),
        "funding_first_s": round(funding_first, 2),
        "funding_cached_rerun_s": round(funding_cached, 3),
        "funding_call": call.id,
        "funding_matching": funding_info["matching"],
        "load_before": round(load_before, 1),
    }
    if baseline:
        seconds, info = _time(lambda: naive_rerun(store, 50.0))
        result["baseline"] = {"change": "score >= 50", "seconds": round(seconds, 2), **info}
        same = next(r for r in ours if r["change"] == "score >= 50" and r["view"].startswith("whole"))
        result["ratio"] = round(seconds / same["seconds"], 1)
        _log(f"naive {'send everything':<59} {seconds:6.2f} s  {info}  -> {result['ratio']}x")
    result["load_after"] = round(os.getloadavg()[0], 1)
    result["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    store.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100_000, help="sites in the store")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/gisplan-bench-map"), help="where the store is kept")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive page")
    parser.add_argument("--backend", choices=["sqlite", "postgis"], default="sqlite", help="where the store lives")
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "GISPLAN_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/gisplan_test"
        ),
        help="PostgreSQL database for --backend postgis (a schema bench_map_<N> is kept there)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="reruns after each kind of write (0: skip)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_map.json", help="results file")
    args = parser.parse_args()
    result = run(
        args.sites,
        args.folder,
        baseline=not args.no_baseline,
        backend=args.backend,
        pg_url=args.url,
        repeats=args.repeats,
    )
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    _log(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
