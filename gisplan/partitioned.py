"""Score very many sites in spatial partitions, streamed to partitioned GeoParquet, in process or on Dask.

One-process :func:`gisplan.scoring.score` holds every site, criterion and
breakdown at once (about 3.4 GiB for 1M rooftops). :func:`score_partitioned`
bounds that working memory:

1. the sites are put in the working CRS chosen for the WHOLE input
   (:func:`gisplan.crs.to_working`), ordered along a Hilbert curve over their
   extent and cut into partitions by an estimated memory budget
   (:func:`site_bytes`, :func:`plan_partitions`), not by count;
2. each partition is scored by the same :func:`~gisplan.scoring.score` core on
   the pieces of the vector context layers near it: the features whose boxes
   meet the partition's box grown by the largest radius of the profile's
   measures on that layer (:func:`layer_reach`). The pieces carry the whole
   layer's extent (:data:`gisplan.measures.EXTENT_ATTR`), so coverage is
   judged against the whole layer. Rasters are read by window anyway;
3. each partition is written as it finishes, to ``part-NNNNN.parquet``
   (GeoParquet) in the output folder, with a ``manifest.json`` listing the
   finished partitions and a content hash of their inputs (sites, profile,
   layers, parameters). A rerun skips every partition whose hash is recorded
   and whose file exists, so none is scored twice into the output; on request
   one GeoPackage is then assembled by a single writer (:func:`assemble_geopackage`).

The partitions run on ``dask.distributed`` (a ``LocalCluster`` with one worker
per core by default, or the scheduler at a given address; the context layers
are scattered once per worker with ``broadcast=True``), or in this process one
after the other (``engine="local"``, for small runs and tests). The
partitioned output can be read lazily with ``dask_geopandas.read_parquet``.

Results equal one-process scoring, site by site. One known limit: a
proximity measure without a radius needs its whole layer in every partition,
and where the working CRS is not planar over the data (an equal-area CRS over
a continent) the planar-or-geodesic choice of
:func:`gisplan.measurements.proximity.nearest_distance` is made per partition.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gisplan._site_memory import SCORING_BYTES_PER_SITE, site_bytes
from gisplan.errors import InputError, PartitionError

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan._partition_stream import Prepare
    from gisplan.catalogue import Catalogue
    from gisplan.energy import EnergyParams
    from gisplan.measurements.geometry import UsableAreaParams
    from gisplan.measures import LayerInput, Resolved
    from gisplan.profiles import Profile

log = logging.getLogger(__name__)

ENGINES = ("dask", "local")
MANIFEST = "manifest.json"
MANIFEST_FORMAT = "gisplan-partitioned/1"
#: Default memory budget of one partition's scoring [MiB]: about 70k rooftops.
DEFAULT_PARTITION_MB = 256
#: Share of the available memory one-process scoring may plan to use before ``gisplan score`` goes partitioned.
MEMORY_SHARE = 0.5

FloatArray = np.ndarray[tuple[int, ...], np.dtype[np.float64]]
IntArray = np.ndarray[tuple[int, ...], np.dtype[np.int64]]


# ---------------------------------------------------------------- planning (pure)


def plan_partitions(sites: gpd.GeoDataFrame, budget_bytes: float) -> list[IntArray]:
    """Row positions of each partition: neighbours along a Hilbert curve, each within ``budget_bytes``.

    Sites are ordered by the Hilbert distance of their bounding-box centres
    over the sites' extent (geometries in any one CRS); sites without a
    geometry come last. A partition closes before its estimated memory
    (:func:`site_bytes`) passes ``budget_bytes`` (a single site larger than
    the budget makes a partition alone). Positions within a partition keep the
    input order.
    """
    if budget_bytes <= 0:
        msg = f"the partition memory budget must be > 0 bytes, not {budget_bytes}"
        raise InputError(msg)
    n = len(sites)
    if n == 0:
        return []
    geoms = sites.geometry
    placed = (geoms.notna() & ~geoms.is_empty).to_numpy(dtype=bool)
    key = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    if placed.any():
        valid = geoms[placed]
        key[placed] = valid.hilbert_distance(total_bounds=valid.total_bounds, level=16).to_numpy(dtype=np.int64)
    order = np.argsort(key, kind="stable")
    size = site_bytes(sites)[order]
    start = np.cumsum(size) - size
    label = np.floor(start / budget_bytes).astype(np.int64)
    _, first = np.unique(label, return_index=True)
    return [np.sort(part).astype(np.int64) for part in np.split(order, first[1:])]


def layer_reach(profile: Profile) -> dict[str, float]:
    """Per vector layer slot, how far from a site its features still matter [m]; ``inf`` for the whole layer.

    The largest ``radius_m`` of the measures on the slot; a proximity
    measure without a radius needs every feature. Overlay and admin measures
    need only the features that touch the sites (0).
    """
    from gisplan.profiles import ProximityMeasure

    out: dict[str, float] = {}
    for measure in profile.measures:
        radius = getattr(measure, "radius_m", None)
        reach = float(radius) if radius else 0.0
        if isinstance(measure, ProximityMeasure) and radius is None:
            reach = float("inf")
        out[measure.layer] = max(out.get(measure.layer, 0.0), reach)
    return out


def layer_piece(
    layer: gpd.GeoDataFrame, bbox: tuple[float, float, float, float] | None, reach_m: float
) -> gpd.GeoDataFrame:
    """The features of ``layer`` whose boxes meet ``bbox`` grown by ``reach_m``, carrying the whole layer's extent.

    ``layer`` and ``bbox`` are in the working metric CRS [m]. The piece keeps
    the layer's row order and has ``attrs[EXTENT_ATTR]`` set to the whole
    layer's total bounds (see :func:`gisplan.measures.layer_covers`).
    """
    import shapely

    from gisplan.measures import EXTENT_ATTR

    geoms = layer.geometry
    whole = not (len(geoms) == 0 or bool(geoms.is_empty.all()))
    extent = layer.attrs.get(EXTENT_ATTR) or (tuple(float(v) for v in geoms.total_bounds) if whole else None)
    if np.isinf(reach_m):
        piece = layer.copy(deep=False)
    elif bbox is None:
        piece = layer.iloc[:0].copy()
    else:
        minx, miny, maxx, maxy = bbox
        box = shapely.box(minx - reach_m, miny - reach_m, maxx + reach_m, maxy + reach_m)
        piece = layer.iloc[np.sort(layer.sindex.query(box))].copy(deep=False)
    piece.attrs = {**layer.attrs, EXTENT_ATTR: extent} if extent is not None else dict(layer.attrs)
    return piece


# ---------------------------------------------------------------- memory rule of `gisplan score`


def available_memory_bytes() -> int:
    """Memory available to new processes [bytes]: ``MemAvailable`` of ``/proc/meminfo``, else physical pages."""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def needs_partitions(n_sites: int, *, available_bytes: int | None = None, bytes_per_site: float | None = None) -> bool:
    """Whether one-process scoring of ``n_sites`` would plan to use more than :data:`MEMORY_SHARE` of the memory.

    The estimate is ``n_sites`` × ``bytes_per_site`` (default: a rooftop,
    ``SCORING_BYTES_PER_SITE`` plus 2 × 450 bytes, about 3.9 kB) against
    ``available_bytes`` (default :func:`available_memory_bytes`).
    """
    per_site = bytes_per_site if bytes_per_site is not None else SCORING_BYTES_PER_SITE + 900.0
    available = available_bytes if available_bytes is not None else available_memory_bytes()
    return n_sites * per_site > MEMORY_SHARE * available


# ---------------------------------------------------------------- one partition (runs in a worker)


@dataclass(frozen=True)
class _Shared:
    """What every partition needs: sent once per worker."""

    profile: Profile
    catalogue: Catalogue | Path | None
    layers: dict[str, LayerInput]
    reach: dict[str, float]
    energy: EnergyParams | None
    usable: UsableAreaParams | None
    language: str | None
    before_partition: Callable[[int], None] | None


@dataclass(frozen=True)
class _Task:
    index: int
    shard: Path
    target: Path
    input_hash: str
    bbox: tuple[float, float, float, float] | None


def _score_partition(task: _Task, shared: _Shared) -> dict[str, Any]:
    """Score one partition's shard and write it as GeoParquet; return its counts (runs in a worker)."""
    import geopandas as gpd

    from gisplan.scoring import score

    t0 = time.perf_counter()
    if shared.before_partition is not None:
        shared.before_partition(task.index)
    if task.shard.is_dir():  # streamed from a file (gisplan._partition_stream)
        from gisplan._partition_stream import read_shard

        sites = read_shard(task.shard)
    else:
        sites = pickle.loads(task.shard.read_bytes())  # noqa: S301  (a shard this run wrote, see score_partitioned)
    layers: dict[str, LayerInput] = {}
    features: dict[str, int] = {}
    for slot, value in shared.layers.items():
        if isinstance(value, gpd.GeoDataFrame):
            piece = layer_piece(value, task.bbox, shared.reach.get(slot, 0.0))
            features[slot] = len(piece)
            layers[slot] = piece
        else:
            layers[slot] = value
    scored = score(
        sites,
        shared.profile,
        catalogue=shared.catalogue,
        layers=layers,
        energy=shared.energy,
        usable=shared.usable,
        language=shared.language,
    )
    partial = task.target.with_name(task.target.name + ".partial")
    scored.to_parquet(partial)
    partial.replace(task.target)  # atomic: a killed worker leaves no half-written partition in the output
    kept = ~scored["excluded"].to_numpy(dtype=bool)
    return {
        "rows": len(scored),
        "kept": int(kept.sum()),
        "capacity_kwp_kept": float(np.nansum(scored["capacity_kwp"].to_numpy(dtype=float)[kept])),
        "features": features,
        "seconds": round(time.perf_counter() - t0, 3),
        "worker_pid": os.getpid(),
    }


# ---------------------------------------------------------------- the driver


@dataclass(frozen=True)
class PartitionEvent:
    """A partition finished (``done``), was already in the output (``skipped``) or ``failed``."""

    index: int
    total: int
    status: str
    rows: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class PartitionOptions:
    """How :func:`score_partitioned` runs and writes.

    Attributes
    ----------
    out_dir
        Folder of the partitioned GeoParquet output and its ``manifest.json``.
    engine
        ``dask`` (default) or ``local`` (in this process, one partition after another).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); default a new ``LocalCluster``.
    workers
        Workers of the new ``LocalCluster`` [count]; default one per CPU.
    processes
        Whether the ``LocalCluster``'s workers are processes (default) or threads of this process.
    partition_mb
        Memory budget of one partition's scoring [MiB].
    geopackage
        Also assemble one GeoPackage (layer ``sites``) here from the partitions, by a single writer.
    progress
        Called in this process with each :class:`PartitionEvent`.
    before_partition
        Called in the worker with the partition number before it is scored (tests inject failures here).
    """

    out_dir: Path
    engine: str = "dask"
    scheduler: str | None = None
    workers: int | None = None
    processes: bool = True
    partition_mb: float = DEFAULT_PARTITION_MB
    geopackage: Path | None = None
    progress: Callable[[PartitionEvent], None] | None = None
    before_partition: Callable[[int], None] | None = None


@dataclass
class PartitionedResult:
    """What a partitioned run wrote."""

    out_dir: Path
    files: list[Path]
    rows: int
    kept: int
    capacity_kwp_kept: float
    scored: list[int] = field(default_factory=list)
    """Partitions scored in this run (the others were in the output already)."""
    features: dict[int, dict[str, int]] = field(default_factory=dict)
    """Per partition scored in this run, the features of each vector layer it read."""
    geopackage: Path | None = None


def _fingerprint(shared: _Shared) -> str:
    """Hash of everything but the sites that decides a partition's scores."""
    import gisplan
    from gisplan.measures import Raster

    digest = hashlib.sha256()
    digest.update(f"{gisplan.__version__}|{shared.profile.model_dump_json()}|{shared.language}".encode())
    digest.update(f"{shared.energy!r}|{shared.usable!r}|{shared.catalogue!r}".encode())
    for slot in sorted(shared.layers):
        value = shared.layers[slot]
        digest.update(slot.encode())
        source = value.source if isinstance(value, Raster) else value
        if isinstance(source, (str, Path)):
            stat = Path(source).stat()
            digest.update(f"{source}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        else:
            digest.update(pickle.dumps(source, protocol=5))
    return digest.hexdigest()


def _shared_layers(profile: Profile, resolved: Mapping[str, Resolved]) -> dict[str, LayerInput]:
    """The resolved layers to send to workers: populations allocated on the WHOLE building layers first."""
    import geopandas as gpd

    from gisplan.measures import Raster, _population
    from gisplan.profiles import DemandMeasure

    out = dict(resolved)
    for measure in profile.measures:
        value = out.get(measure.layer)
        if isinstance(measure, DemandMeasure) and isinstance(value, gpd.GeoDataFrame):
            out[measure.layer] = _population(value, measure, out, profile)
    return {slot: v for slot, v in out.items() if isinstance(v, (gpd.GeoDataFrame, Raster))}


def _read_manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        log.warning("%s is unreadable; every partition is scored again", path)
        return {}
    return data if data.get("format") == MANIFEST_FORMAT else {}


def _write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    partial = out_dir / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    partial.replace(out_dir / MANIFEST)


def _shared(  # noqa: PLR0917  (the parameters of score_partitioned, passed on)
    prof: Profile,
    working: object,
    options: PartitionOptions,
    catalogue: Catalogue | Path | None,
    layers: Mapping[str, LayerInput] | None,
    energy: EnergyParams | None,
    usable: UsableAreaParams | None,
    language: str | None,
) -> _Shared:
    """What every partition needs, with the context layers resolved in the ``working`` CRS."""
    from gisplan.measures import resolve_layers

    resolved = resolve_layers(prof, working, layers=layers, catalogue=catalogue)
    return _Shared(
        prof,
        catalogue,
        _shared_layers(prof, resolved),
        layer_reach(prof),
        energy,
        usable,
        language,
        options.before_partition,
    )


def _input_folder(out_dir: Path) -> Path:
    """``out_dir/_input``, private to the user running it.

    The shards there are read back by this run's workers only (pickles, or
    GeoParquet pieces); every run rewrites each one before any task reads it.
    """
    folder = out_dir / "_input"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def _drop_shard(shard: Path) -> None:
    if shard.is_dir():
        shutil.rmtree(shard, ignore_errors=True)
    else:
        shard.unlink(missing_ok=True)


def _write_shards(sites: gpd.GeoDataFrame, parts: list[IntArray], out_dir: Path, fingerprint: str) -> list[_Task]:
    """Write each partition's sites to ``_input/`` and return its task, with the hash of its inputs."""
    folder = _input_folder(out_dir)
    tasks = []
    for i, positions in enumerate(parts):
        part = sites.iloc[positions]
        data = pickle.dumps(part, protocol=5)
        shard = folder / f"part-{i:05d}.pickle"
        shard.write_bytes(data)
        geoms = part.geometry[part.geometry.notna() & ~part.geometry.is_empty]
        bbox = tuple(float(v) for v in geoms.total_bounds) if len(geoms) else None
        input_hash = hashlib.sha256(fingerprint.encode() + data).hexdigest()
        target = out_dir / f"part-{i:05d}.parquet"
        tasks.append(_Task(i, shard, target, input_hash, bbox))  # type: ignore[arg-type]
    return tasks


def score_partitioned(
    sites: gpd.GeoDataFrame | str | Path,
    profile: str | Path | Profile = "rooftop_pv",
    *,
    options: PartitionOptions,
    sites_layer: str | None = None,
    prepare: Prepare | None = None,
    id_column: str | None = None,
    catalogue: Catalogue | Path | None = None,
    layers: Mapping[str, LayerInput] | None = None,
    energy: EnergyParams | None = None,
    usable: UsableAreaParams | None = None,
    language: str | None = None,
) -> PartitionedResult:
    """Score ``sites`` partition by partition into ``options.out_dir``; parameters as :func:`gisplan.scoring.score`.

    ``sites`` is a GeoDataFrame, or a vector file (GeoPackage, GeoParquet,
    any format GDAL reads; ``sites_layer`` names its layer) that is then read
    twice in batches and never whole (:mod:`gisplan._partition_stream`): the
    way to score more sites than fit in memory. For a file, ``prepare`` turns
    each batch as read into the sites to score in the working CRS it is given
    (the CLI passes a gisplan sites file's checks), and ``id_column`` must be
    unique over the whole file.

    Returns
    -------
    PartitionedResult
        The partition files (GeoParquet, in the working CRS chosen for the
        whole input, the columns of :func:`~gisplan.scoring.score`) and counts.

    Raises
    ------
    PartitionError
        When some partitions failed; the others are written and recorded, and
        the same call again scores only what is missing.
    """
    from gisplan.crs import to_working
    from gisplan.profiles import Profile, load_profile

    if options.engine not in ENGINES:
        msg = f"engine must be one of {list(ENGINES)}, not {options.engine!r}"
        raise InputError(msg)
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    out_dir = Path(options.out_dir)
    budget = options.partition_mb * 2**20
    if isinstance(sites, (str, Path)):
        from gisplan import _partition_stream as stream

        source = Path(sites)
        if not source.exists():
            msg = f"the sites file {source} does not exist; check the path"
            raise InputError(msg)
        planned = stream.plan(source, sites_layer, budget, id_column=id_column)
        out_dir.mkdir(parents=True, exist_ok=True)
        shared = _shared(prof, planned.working, options, catalogue, layers, energy, usable, language)
        folder = _input_folder(out_dir)
        shards = stream.write_shards(source, sites_layer, folder, planned, _fingerprint(shared), prepare=prepare)
        tasks = [
            _Task(s.index, s.folder, out_dir / f"part-{s.index:05d}.parquet", s.input_hash, s.bbox) for s in shards
        ]
        return _run(tasks, shared, options, out_dir)
    if sites.crs is None:
        msg = "the sites have no CRS; set one (gdf.set_crs) or read them with gisplan.sources.read"
        raise InputError(msg)
    if len(sites) == 0:
        msg = "there are no sites to score; check the sites file or layer"
        raise InputError(msg)
    out_dir.mkdir(parents=True, exist_ok=True)
    working = to_working(sites)  # one CRS for the whole input, never one per partition
    shared = _shared(prof, working.crs, options, catalogue, layers, energy, usable, language)
    parts = plan_partitions(working, budget)
    tasks = _write_shards(working, parts, out_dir, _fingerprint(shared))
    del working
    return _run(tasks, shared, options, out_dir)


def _run(tasks: list[_Task], shared: _Shared, options: PartitionOptions, out_dir: Path) -> PartitionedResult:
    old = {int(k): v for k, v in _read_manifest(out_dir).get("partitions", {}).items()}
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "profile": shared.profile.name,
        "profile_version": shared.profile.version,
        "partitions": {},
    }
    planned = {t.target.name for t in tasks}
    for stale in out_dir.glob("part-*.parquet"):
        if stale.name not in planned:
            stale.unlink()  # a partition of an earlier plan: its sites are in this plan's partitions
    result = PartitionedResult(out_dir, [t.target for t in tasks], 0, 0, 0.0)
    total = len(tasks)
    todo = _resume(tasks, old, manifest, result, options)
    _write_manifest(out_dir, manifest)
    failed: dict[int, str] = {}

    def finished(task: _Task, stats: dict[str, Any] | None, error: BaseException | None) -> None:
        entry: dict[str, Any] = {"file": task.target.name, "input_hash": task.input_hash, "bbox": task.bbox}
        if error is not None:
            failed[task.index] = f"{type(error).__name__}: {error}"
            entry |= {"status": "failed", "error": failed[task.index]}
            log.error("partition %d/%d failed: %s", task.index + 1, total, failed[task.index])
            _report(options, PartitionEvent(task.index, total, "failed", error=failed[task.index]))
        else:
            assert stats is not None
            entry |= {"status": "done", **stats}
            result.scored.append(task.index)
            result.features[task.index] = stats["features"]
            _count(result, stats)
            _drop_shard(task.shard)
            _report(options, PartitionEvent(task.index, total, "done", stats["rows"], stats["seconds"]))
        manifest["partitions"][str(task.index)] = entry
        _write_manifest(out_dir, manifest)  # the driver is the manifest's only writer

    if options.engine == "local":
        _run_local(todo, shared, finished)
    elif todo:
        from gisplan._dask import run_on_dask

        run_on_dask(_score_partition, todo, shared, options, finished)
    if failed:
        lines = "; ".join(f"partition {i}: {why}" for i, why in sorted(failed.items()))
        msg = (
            f"{len(failed)} of {total} partitions failed ({lines}); the other partitions are in {out_dir}; "
            "run the same command again to score only the missing ones"
        )
        raise PartitionError(msg, failed=failed)
    for shard in (out_dir / "_input").glob("part-*"):
        _drop_shard(shard)
    if options.geopackage is not None:
        result.geopackage = assemble_geopackage(result.files, options.geopackage)
    return result


def _resume(
    tasks: list[_Task],
    old: Mapping[int, dict[str, Any]],
    manifest: dict[str, Any],
    result: PartitionedResult,
    options: PartitionOptions,
) -> list[_Task]:
    """The tasks still to run: those not recorded done with the same input hash and an existing file."""
    todo = []
    for task in tasks:
        entry = old.get(task.index, {})
        if entry.get("input_hash") == task.input_hash and entry.get("status") == "done" and task.target.exists():
            manifest["partitions"][str(task.index)] = entry
            _count(result, entry)
            _drop_shard(task.shard)
            _report(options, PartitionEvent(task.index, len(tasks), "skipped", entry.get("rows", 0)))
        else:
            todo.append(task)
    return todo


def _run_local(
    tasks: list[_Task],
    shared: _Shared,
    finished: Callable[[_Task, dict[str, Any] | None, BaseException | None], None],
) -> None:
    """Score the partitions one after the other in this process."""
    for task in tasks:
        try:
            stats = _score_partition(task, shared)
        except Exception as exc:  # reported per partition, raised together by the caller
            finished(task, None, exc)
        else:
            finished(task, stats, None)


def _count(result: PartitionedResult, stats: Mapping[str, Any]) -> None:
    result.rows += int(stats.get("rows", 0))
    result.kept += int(stats.get("kept", 0))
    result.capacity_kwp_kept += float(stats.get("capacity_kwp_kept", 0.0))


def _report(options: PartitionOptions, event: PartitionEvent) -> None:
    if options.progress is not None:
        options.progress(event)


def assemble_geopackage(files: list[Path], path: Path) -> Path:
    """Append the partition files, in order, into one GeoPackage (layer ``sites``), one partition in memory at a time.

    Returns
    -------
    pathlib.Path
        The GeoPackage written (replaced when it existed).
    """
    import geopandas as gpd
    import pyogrio

    from gisplan.scoring import write_scored

    target = Path(path)
    partial = target.with_name(target.stem + ".partial.gpkg")
    partial.unlink(missing_ok=True)
    for i, file in enumerate(files):
        part = gpd.read_parquet(file)
        if i == 0:
            write_scored(part, partial)
        else:
            pyogrio.write_dataframe(part, partial, layer="sites", driver="GPKG", use_arrow=True, append=True)
    partial.replace(target)
    return target


def read_partitioned(out_dir: Path) -> gpd.GeoDataFrame:
    """All partitions of ``out_dir`` in one GeoDataFrame (partition order), for checks and small outputs."""
    import geopandas as gpd
    import pandas as pd

    files = sorted(Path(out_dir).glob("part-*.parquet"))
    if not files:
        msg = f"{out_dir} holds no part-*.parquet files; run gisplan score --partitioned --out-dir {out_dir}"
        raise InputError(msg)
    frames = [gpd.read_parquet(f) for f in files]
    return gpd.GeoDataFrame(pd.concat(frames), crs=frames[0].crs)


__all__ = [
    "DEFAULT_PARTITION_MB",
    "PartitionEvent",
    "PartitionOptions",
    "PartitionedResult",
    "assemble_geopackage",
    "available_memory_bytes",
    "layer_piece",
    "layer_reach",
    "needs_partitions",
    "plan_partitions",
    "read_partitioned",
    "score_partitioned",
    "site_bytes",
]
