"""What the Map page reads: sites from the store, context layers from the catalogue.

Plain Python without Streamlit.

- :func:`load_site_index`: one row per current site scored with a profile, without
  geometry (kind, name, municipality, status, area, score, exclusion, capacity,
  bounding box and centre). About 0.5 s for 100,000 sites on SQLite; the app
  caches it per sites revision (:mod:`gisplan.store.revisions`), updates its status
  column after a status change (:func:`with_statuses`), and filters it in memory
  (:mod:`gisplan.app.filters`).
- :func:`load_geometries`: the geometries of the few sites actually drawn.
- :func:`load_context`: the context layers of the catalogue (municipalities,
  protected areas, flood zones, grid, roads); missing files and unreadable
  layers are collected, not raised, so the app can show what it has.
- :func:`data_revision`: the cache key of the catalogue files, because
  ``st.cache_data`` cannot hash a GeoDataFrame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gisplan import settings
from gisplan.catalogue import Layer, catalogue_files, validate_files
from gisplan.errors import GisplanError, Problem
from gisplan.store.queries import SITE_INDEX_COLUMNS

if TYPE_CHECKING:
    from gisplan.store import Store

#: Roles drawn as context behind the candidate sites, in drawing order.
CONTEXT_ROLES = ("admin", "context", "exclusion", "criterion")
#: Columns of the site index, in order.
INDEX_COLUMNS = SITE_INDEX_COLUMNS
_CHUNK = 500


@dataclass(frozen=True)
class MapLayer:
    """One context layer: its catalogue entry and features in the working CRS."""

    layer: Layer
    frame: gpd.GeoDataFrame


@dataclass(frozen=True)
class ContextData:
    """The context layers of the catalogue, and what could not be read."""

    context: tuple[MapLayer, ...] = ()
    missing_files: tuple[Problem, ...] = ()
    failed: tuple[Problem, ...] = ()
    catalogue_problems: tuple[Problem, ...] = ()
    layers: tuple[Layer, ...] = field(default=())


def _source_files(layer: Layer, data_dir: Path) -> list[Path]:
    src = layer.source
    names = [getattr(src, "path", None), getattr(src, "file", None), getattr(src, "polygon", None)]
    return [data_dir / name for name in names if name]


def data_revision(layers_dir: Path | None = None, data_dir: Path | None = None) -> tuple[tuple[str, int, int], ...]:
    """A key that changes whenever a catalogue file or a layer's data file changes.

    Returns
    -------
    tuple
        ``(path, size [bytes], modification time [ns])`` for every catalogue file and
        every source file it names; ``(-1, -1)`` for files that do not exist.
    """
    current = settings.get()
    layers_dir = layers_dir or current.layers_dir
    data_dir = data_dir or current.data_dir
    try:
        files = catalogue_files(layers_dir)
    except GisplanError:
        return ()
    catalogue, _ = validate_files(files)
    paths = [*files]
    for layer in catalogue.layers.values():
        paths.extend(_source_files(layer, data_dir))
    return file_revision(paths)


def file_revision(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime_ns) of each file, (path, -1, -1) for one that cannot be read: a cache key."""
    out = []
    for path in paths:
        try:
            stat = path.stat()
            out.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            out.append((str(path), -1, -1))
    return tuple(out)


def load_context(layers_dir: Path | None = None, data_dir: Path | None = None, *, crs: object = None) -> ContextData:
    """Read the context layers of the catalogue (roles in :data:`CONTEXT_ROLES`).

    Parameters
    ----------
    layers_dir, data_dir
        Catalogue and data folders; default from :func:`gisplan.settings.get`.
    crs
        Working CRS to read into; default the ``GISPLAN_WORKING_CRS`` setting, else
        the first layer's metric CRS (EPSG:5514 for Czech data).

    Returns
    -------
    ContextData
        Layers in drawing order, plus every missing file, unreadable layer and
        catalogue problem. Candidate and raster layers are not read here.

    Raises
    ------
    ConfigError
        If the catalogue folder does not exist.
    """
    from gisplan.sources import read_layer

    current = settings.get()
    layers_dir = layers_dir or current.layers_dir
    data_dir = data_dir or current.data_dir
    catalogue, problems = validate_files(catalogue_files(layers_dir))
    missing: list[Problem] = []
    failed: list[Problem] = []
    context: list[MapLayer] = []
    working: object = crs or current.working_crs
    for layer in catalogue.layers.values():
        if layer.kind != "vector" or layer.role not in CONTEXT_ROLES:
            continue
        absent = [p for p in _source_files(layer, data_dir) if not p.exists()]
        if absent:
            where = catalogue.files.get(layer.id, "")
            missing += [Problem(where, f"layer {layer.id}", f"{p} does not exist") for p in absent]
            continue
        try:
            frame = read_layer(layer, data_dir=data_dir, working_crs=str(working) if working else None)
        except GisplanError as exc:
            failed.append(Problem(catalogue.files.get(layer.id, ""), f"layer {layer.id}", str(exc)))
            continue
        if working is None and frame.crs is not None:
            working = frame.crs
        context.append(MapLayer(layer=layer, frame=frame))
    context.sort(key=lambda item: CONTEXT_ROLES.index(item.layer.role))
    return ContextData(
        context=tuple(context),
        missing_files=tuple(missing),
        failed=tuple(failed),
        catalogue_problems=tuple(problems),
        layers=tuple(catalogue.layers.values()),
    )


def scored_profiles(store: Store) -> list[str]:
    """Names of the profiles the store holds scores for, sorted."""
    from gisplan.store import queries

    return queries.scored_profiles(store)


def municipalities(store: Store) -> pd.DataFrame:
    """The municipality communities: ``code``, ``name``, ``population`` [inhabitants], sorted by name."""
    rows = [
        {"code": str(c.code), "name": c.name, "population": c.population}
        for c in store.communities("municipality")
        if c.code
    ]
    frame = pd.DataFrame(rows, columns=["code", "name", "population"])
    return frame.sort_values(["name", "code"], kind="stable").reset_index(drop=True)


def load_site_index(store: Store, profile: str) -> pd.DataFrame:
    """Every current (not end-dated) site scored with ``profile``, without geometry.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`INDEX_COLUMNS` (bounding box ``minx``…``maxy`` [m,
        working CRS of the store], ``score`` [0–100], ``capacity_kwp`` [kWp],
        ``completeness`` [0–1, NaN when not recorded]), plus
        ``x``/``y`` (bounding-box centre [m]) and ``lat``/``lon`` (the same point
        [degrees, EPSG:4326]). Sites without a geometry have NaN coordinates.
    """
    from gisplan.crs import WGS84, transformer
    from gisplan.store import queries

    rows = queries.site_index_rows(store, profile)
    index = pd.DataFrame.from_records(rows, columns=list(INDEX_COLUMNS))
    for column in ("area_m2", "minx", "miny", "maxx", "maxy", "score", "capacity_kwp", "completeness"):
        index[column] = pd.to_numeric(index[column], errors="coerce").astype(float)
    index["excluded"] = index["excluded"].fillna(False).astype(bool)
    index["status"] = index["status"].astype(status_dtype(index["status"].dropna().unique()))
    index["x"] = (index["minx"] + index["maxx"]) / 2
    index["y"] = (index["miny"] + index["maxy"]) / 2
    if len(index):
        lon, lat = transformer(f"EPSG:{store.srid}", WGS84).transform(index["x"].to_numpy(), index["y"].to_numpy())
        index["lon"], index["lat"] = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    else:
        index["lon"], index["lat"] = pd.Series(dtype=float), pd.Series(dtype=float)
    return index


def status_dtype(values: Iterable[str] = ()) -> pd.CategoricalDtype:
    """The status column's type: the workflow statuses (then any other value met), as categories."""
    from gisplan.store.permissions import Status

    known = [status.value for status in Status]
    return pd.CategoricalDtype([*known, *sorted({str(v) for v in values} - set(known))])


def with_statuses(index: pd.DataFrame, worked: Mapping[str, str], *, ids: pd.Index | None = None) -> pd.DataFrame:
    """``index`` with its status column set from ``worked`` (site id → status), every other site ``new``.

    ``worked`` is :meth:`gisplan.store.Store.worked_statuses`: the statuses that are not
    ``new``. The status column is categorical, so the new one is an array of small
    codes (1 MB at 1M sites); the other columns are shared with ``index``, not copied
    (pandas copy-on-write). Ids of ``worked`` that are not in the index (end-dated, or
    not scored with this profile) are ignored. ``ids`` is ``pd.Index(index["site_id"])``,
    passed to reuse its hash table.
    """
    from gisplan.store.revisions import START_STATUS

    current = index["status"]
    dtype = current.dtype
    if not isinstance(dtype, pd.CategoricalDtype) or not set(worked.values()) <= set(dtype.categories):
        dtype = status_dtype([*current.astype(str), *worked.values()])
    lookup = {str(category): code for code, category in enumerate(dtype.categories)}
    codes = np.full(len(index), lookup[START_STATUS], dtype=np.int16)
    if worked:
        positions = (ids if ids is not None else pd.Index(index["site_id"])).get_indexer(pd.Index(list(worked)))
        found = positions >= 0
        codes[positions[found]] = np.asarray([lookup[v] for v in worked.values()], dtype=np.int16)[found]
    if current.dtype == dtype and np.array_equal(current.cat.codes.to_numpy(), codes):
        return index
    column = pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=index.index)
    return index.assign(status=column)


def load_geometries(store: Store, site_ids: Iterable[str]) -> gpd.GeoDataFrame:
    """The geometries of ``site_ids`` [working CRS of the store], as a frame indexed by site id."""
    from gisplan.store import queries

    ids = list(dict.fromkeys(str(i) for i in site_ids))
    found: dict[str, Any] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(queries.site_geometries(store, chunk))
    keep = [i for i in ids if found.get(i) is not None]
    index = pd.Index(keep, name="id")
    return gpd.GeoDataFrame(
        {"site_id": keep},
        geometry=gpd.GeoSeries([found[i] for i in keep], index=index, crs=f"EPSG:{store.srid}"),
        index=index,
    )


__all__ = [
    "CONTEXT_ROLES",
    "INDEX_COLUMNS",
    "ContextData",
    "MapLayer",
    "data_revision",
    "load_context",
    "load_geometries",
    "load_site_index",
    "municipalities",
    "scored_profiles",
    "status_dtype",
    "with_statuses",
]
