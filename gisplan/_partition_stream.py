"""Cut a sites FILE into partition shards without ever holding all its sites (for :mod:`gisplan.partitioned`).

:func:`gisplan.partitioned.score_partitioned` given a GeoDataFrame needs every
site in the driver's memory (about 1.2 GiB per million rooftops). Given a file,
it comes here instead, and the driver holds one batch of sites plus four
numbers per site:

1. **pass 1** reads the file in batches of :data:`BATCH_ROWS` features and keeps,
   per site, its bounding-box centre and its estimated scoring memory
   (:func:`gisplan._site_memory.site_bytes`), and the extent of all sites;
2. the working CRS is chosen for that extent, as
   :func:`gisplan.crs.working_crs_for` would for the whole frame; the sites are
   ordered along a Hilbert curve of their centres (in the file's CRS) and cut
   by the memory budget, as :func:`gisplan.partitioned.plan_partitions` does;
3. **pass 2** reads the batches again, puts each in the working CRS and
   appends each partition's rows to its shard folder (one GeoParquet piece per
   batch, in input order), with the hash of the pieces and the partition's
   bounding box in the working CRS.

The rows of a partition keep the file's order and carry their position in the
file as index, as the in-memory path's ``iloc`` does.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gisplan.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    from pyproj import CRS

#: Features read at once from the sites file [count]: about 50 MiB of rooftops.
BATCH_ROWS = 100_000

#: Turns one batch as read into the sites to score, in the given working CRS (e.g. a gisplan sites file's checks).
Prepare = Callable[["gpd.GeoDataFrame", "CRS"], "gpd.GeoDataFrame"]


@dataclass(frozen=True)
class Shard:
    """One partition's sites on disk: a folder of GeoParquet pieces in input order."""

    index: int
    folder: Path
    rows: int
    input_hash: str
    bbox: tuple[float, float, float, float] | None


def batches(path: Path, layer: str | None) -> Iterator[gpd.GeoDataFrame]:
    """The features of ``path`` in batches of :data:`BATCH_ROWS`, indexed by their position in the file.

    One sequential scan (``pyogrio.open_arrow``), each batch made into a
    GeoDataFrame as ``pyogrio.read_dataframe(..., use_arrow=True)`` makes the
    whole layer: the columns as Arrow converts them, WKB made into ``geometry``.
    """
    import pandas as pd
    import pyogrio

    start = 0
    with pyogrio.open_arrow(path, layer=layer, batch_size=BATCH_ROWS, use_pyarrow=True) as (meta, reader):
        geometry_name = meta["geometry_name"] or "wkb_geometry"
        for record_batch in reader:
            batch = _frame(record_batch.to_pandas(), geometry_name, meta["crs"])
            batch.index = pd.RangeIndex(start, start + len(batch))
            start += len(batch)
            yield batch


def _frame(df: pd.DataFrame, geometry_name: str, crs: object) -> gpd.GeoDataFrame:
    """A GeoDataFrame from one Arrow batch as pandas: the WKB column parsed into ``geometry``, last."""
    import geopandas as gpd
    import pandas as pd
    import pyarrow as pa
    import shapely

    wkb = df.pop(geometry_name)
    if isinstance(wkb.dtype, pd.ArrowDtype) and isinstance(wkb.dtype.pyarrow_dtype, pa.BaseExtensionType):
        values = pa.array(wkb.array).to_numpy(zero_copy_only=False)
    else:  # object, or an Arrow binary dtype whose missing values must become None for shapely
        values = wkb.astype(object).where(wkb.notna(), None).to_numpy()
    df["geometry"] = shapely.from_wkb(values)
    return gpd.GeoDataFrame(df, geometry="geometry", crs=crs)


@dataclass(frozen=True)
class Plan:
    """What pass 1 found: the working CRS, the partition of every row (by position in the file), the count."""

    working: CRS
    partition: np.ndarray
    count: int


def plan(path: Path, layer: str | None, budget_bytes: float, *, id_column: str | None = None) -> Plan:
    """Pass 1: read the file once and plan the partitions (see the module docstring).

    With ``id_column``, its values must be unique over the whole file (a batch
    can only check its own rows); they are compared by 64-bit hash, 8 bytes a site.
    """
    import pandas as pd
    import shapely

    from gisplan._site_memory import site_bytes
    from gisplan.crs import CZECH_BBOX, lonlat_bounds, working_crs_for_bounds

    if budget_bytes <= 0:
        msg = f"the partition memory budget must be > 0 bytes, not {budget_bytes}"
        raise InputError(msg)
    centres_x: list[np.ndarray] = []
    centres_y: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    source = None
    extent = np.array([np.inf, np.inf, -np.inf, -np.inf])
    for batch in batches(path, layer):
        if batch.crs is None:
            msg = f"{path} has no coordinate reference system; declare one (e.g. a .prj file) or convert it"
            raise InputError(msg)
        source = batch.crs
        bounds = shapely.bounds(np.asarray(batch.geometry.values, dtype=object))  # NaN for missing or empty
        centres_x.append((bounds[:, 0] + bounds[:, 2]) / 2.0)
        centres_y.append((bounds[:, 1] + bounds[:, 3]) / 2.0)
        sizes.append(site_bytes(batch))
        if id_column is not None and id_column in batch.columns:
            hashes.append(pd.util.hash_array(batch[id_column].astype(str).to_numpy(dtype=object)))
        extent = _grown(extent, bounds)
    if source is None:
        msg = f"{path} holds no sites; check the file or its layer"
        raise InputError(msg)
    if hashes:
        _check_unique(np.concatenate(hashes), path, str(id_column))
    cx, cy, size = np.concatenate(centres_x), np.concatenate(centres_y), np.concatenate(sizes)
    if not np.isinf(extent[0]):
        working = working_crs_for_bounds(*lonlat_bounds(source, *(float(v) for v in extent)), source=source)
    else:
        working = working_crs_for_bounds(*CZECH_BBOX)
    partition = _cut(cx, cy, size, tuple(float(v) for v in extent), budget_bytes)
    return Plan(working, partition, int(partition.max()) + 1)


def _grown(extent: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``extent`` (minx, miny, maxx, maxy) grown by the rows of ``bounds`` that are not NaN."""
    if np.isnan(bounds[:, 0]).all():
        return extent
    low = np.fmin(extent[:2], np.nanmin(bounds[:, :2], axis=0))
    return np.concatenate([low, np.fmax(extent[2:], np.nanmax(bounds[:, 2:], axis=0))])


def _check_unique(hashes: np.ndarray, path: Path, id_column: str) -> None:
    repeated = len(hashes) - len(np.unique(hashes))
    if repeated:
        msg = f"{path}: {repeated} {id_column} value(s) occur more than once in the file; make them unique"
        raise InputError(msg)


def _cut(cx: np.ndarray, cy: np.ndarray, size: np.ndarray, extent: tuple[float, ...], budget: float) -> np.ndarray:
    """The partition of each site: Hilbert order of the centres (NaN last), cut by the memory budget [bytes]."""
    import geopandas as gpd

    placed = ~np.isnan(cx)
    key = np.full(len(cx), np.iinfo(np.int64).max, dtype=np.int64)
    if placed.any():
        points = gpd.GeoSeries.from_xy(cx[placed], cy[placed])
        key[placed] = points.hilbert_distance(total_bounds=extent, level=16).to_numpy(dtype=np.int64)
    order = np.argsort(key, kind="stable")
    ordered = size[order]
    label = np.floor((np.cumsum(ordered) - ordered) / budget).astype(np.int64)
    _, first = np.unique(label, return_index=True)
    partition = np.empty(len(cx), dtype=np.int64)
    for number, part in enumerate(np.split(order, first[1:])):
        partition[part] = number
    return partition


def write_shards(
    path: Path,
    layer: str | None,
    folder: Path,
    planned: Plan,
    fingerprint: str,
    *,
    prepare: Prepare | None = None,
) -> list[Shard]:
    """Pass 2: each partition's rows, in the working CRS, as GeoParquet pieces under ``folder/part-NNNNN/``.

    ``prepare`` turns each batch as read into the sites to score, in the working
    CRS it is given (default: the batch reprojected); it must keep the index.
    """
    from pyproj import CRS

    working, partition, count = planned.working, planned.partition, planned.count
    folders = [folder / f"part-{i:05d}" for i in range(count)]
    for shard in folders:
        shutil.rmtree(shard, ignore_errors=True)
        shard.mkdir(parents=True)
    digests = [hashlib.sha256(fingerprint.encode()) for _ in range(count)]
    rows = np.zeros(count, dtype=np.int64)
    boxes = np.tile(np.array([np.inf, np.inf, -np.inf, -np.inf]), (count, 1))
    for number, read in enumerate(batches(path, layer)):
        if prepare is not None:
            batch = prepare(read, working)
        else:
            batch = read.to_crs(working) if CRS(read.crs) != working else read
        labels = partition[batch.index.to_numpy()]
        for i in np.unique(labels):
            piece = batch[labels == i]
            target = folders[i] / f"b-{number:05d}.parquet"
            piece.to_parquet(target)
            digests[i].update(target.read_bytes())
            rows[i] += len(piece)
            geoms = piece.geometry[piece.geometry.notna() & ~piece.geometry.is_empty]
            if len(geoms):
                low, high = geoms.total_bounds[:2], geoms.total_bounds[2:]
                boxes[i] = np.concatenate([np.fmin(boxes[i, :2], low), np.fmax(boxes[i, 2:], high)])
    shards = []
    for i in range(count):
        minx, miny, maxx, maxy = (float(v) for v in boxes[i])
        box = None if np.isinf(minx) else (minx, miny, maxx, maxy)
        shards.append(Shard(i, folders[i], int(rows[i]), digests[i].hexdigest(), box))
    return shards


def read_shard(folder: Path) -> gpd.GeoDataFrame:
    """A shard folder's pieces as one GeoDataFrame, in input order."""
    import geopandas as gpd
    import pandas as pd

    pieces = [gpd.read_parquet(p) for p in sorted(folder.glob("b-*.parquet"))]
    return gpd.GeoDataFrame(pd.concat(pieces), crs=pieces[0].crs) if len(pieces) > 1 else pieces[0]


__all__ = ["BATCH_ROWS", "Plan", "Prepare", "Shard", "batches", "plan", "read_shard", "write_shards"]
