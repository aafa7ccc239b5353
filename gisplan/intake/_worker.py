"""The parsing child: reads one checked upload under time and memory limits.

Run by :mod:`gisplan.intake._sandbox` as ``python -I _worker.py REQUEST.json``
(a script, so importing it loads nothing of gisplan but what a CSV needs). It
sets its own resource limits first, registers only the one GDAL driver the
parent named (``GDAL_SKIP`` in its environment), reads the layer, counts
features and vertices against the caps, and writes

- ``result.arrow``: the attributes plus ``__wkb`` (geometry as WKB) and ``__row``
  (1-based feature or CSV row number), as an Arrow IPC file;
- ``result.json``: ``{"ok": true, "crs": WKT or null, "layer": ...}`` or
  ``{"ok": false, "reason": code, "message": text, "choices": [...]}``.

Nothing is returned by pickling: the parent only reads Arrow and JSON.
"""

from __future__ import annotations

import json
import math
import resource
import sys
from pathlib import Path
from typing import Any

MB = 1024 * 1024


class RefusalError(Exception):
    """A reason to stop, reported to the parent as ``{"ok": false}``."""

    def __init__(self, reason: str, message: str, choices: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.choices = choices


def set_limits(request: dict[str, Any]) -> None:
    """Cap address space, CPU time, written file size and core dumps of this process."""
    memory = int(request["memory_mb"]) * MB
    cpu = int(request["cpu_s"])
    fsize = int(request["max_output_mb"]) * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _check_counts(wkb: Any, request: dict[str, Any]) -> None:
    import numpy as np
    import shapely

    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    counts = shapely.get_num_coordinates(geoms)
    per_feature = int(request["max_vertices_per_feature"])
    if len(counts) and int(counts.max()) > per_feature:
        worst = int(np.argmax(counts))
        msg = (
            f"feature {worst + 1} has {int(counts[worst]):,} vertices, more than {per_feature:,}; "
            "simplify the shape (e.g. to 1 m) before uploading"
        )
        raise RefusalError("too_many_vertices", msg)
    total = int(counts.sum())
    if total > int(request["max_vertices"]):
        msg = f"the shapes have {total:,} vertices together, more than {int(request['max_vertices']):,}; simplify them"
        raise RefusalError("too_many_vertices", msg)


def _check_feature_count(n: int, request: dict[str, Any]) -> None:
    if n > int(request["max_features"]):
        msg = f"the layer holds {n:,} features, more than {int(request['max_features']):,}; upload fewer sites at once"
        raise RefusalError("too_many_features", msg)


def read_ogr(request: dict[str, Any]) -> tuple[Any, str | None, str | None]:
    """Read the layer with the one registered GDAL driver; return (Arrow table, CRS WKT, layer)."""
    import pyarrow as pa
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    path = request["path"]
    layer = request.get("layer")
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except (DataSourceError, DataLayerError) as exc:
        raise _gdal_refusal(exc, f"GDAL cannot read it as {request['driver']}") from exc
    if not layers:
        raise RefusalError("no_geometry", "the file holds no layer")
    if layer is None and len(layers) > 1:
        raise RefusalError(
            "choose_layer",
            f"the file has {len(layers)} layers ({', '.join(layers)}); choose one (--layer, layer=)",
            tuple(layers),
        )
    if layer is not None and layer not in layers:
        raise RefusalError(
            "choose_layer", f"there is no layer {layer!r}; the layers are: {', '.join(layers)}", tuple(layers)
        )
    chosen = layer or layers[0]
    try:
        info = pyogrio.read_info(path, layer=chosen)
        if info.get("driver") != request["driver"]:
            raise RefusalError("unknown_type", f"GDAL opened it as {info.get('driver')}, not {request['driver']}")
        _check_feature_count(int(info.get("features") or 0), request)
        meta, table = pyogrio.read_arrow(path, layer=chosen)
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise _gdal_refusal(exc, "GDAL cannot read the layer") from exc
    _check_feature_count(table.num_rows, request)
    geometry_name = meta.get("geometry_name") or "wkb_geometry"
    if geometry_name not in table.column_names:
        raise RefusalError("no_geometry", "the layer has no geometry column")
    wkb = table.column(geometry_name).combine_chunks()
    if isinstance(wkb.type, pa.ExtensionType):
        wkb = wkb.storage
    _check_counts(wkb.to_numpy(zero_copy_only=False), request)
    n = len(wkb)
    attrs = table.drop_columns([geometry_name])
    # built column by column: a table without attribute columns would have no rows
    table = pa.Table.from_arrays(
        [*(c.combine_chunks() for c in attrs.columns), wkb.cast(pa.binary()), pa.array(range(1, n + 1), pa.int64())],
        names=[*attrs.column_names, "__wkb", "__row"],
    )
    crs = meta.get("crs")
    wkt = None
    if crs:
        from pyproj import CRS

        wkt = CRS.from_user_input(crs).to_wkt()
    # GeoJSON and shapefile layers are named after the file, which is our own temp name
    return table, wkt, None if request["kind"] in ("geojson", "shapefile") else chosen


def read_csv(request: dict[str, Any]) -> tuple[Any, str | None, str | None]:
    """Read a CSV with lat/lon or WKT columns with gisplan's reader; return (Arrow table, CRS WKT, None)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import shapely

    from gisplan.errors import GisplanError, MissingCRSError
    from gisplan.sources import read_csv_points

    path = Path(request["path"])
    try:
        frame = read_csv_points(path, crs=request.get("crs"))
    except MissingCRSError as exc:
        # not lon/lat: infinite values, or another CRS the user must name
        frame = read_csv_points(path, crs="EPSG:4326")
        coords = shapely.get_coordinates(frame.geometry.to_numpy())
        if not np.isfinite(coords).all():
            raise RefusalError("bad_coordinates", "coordinates are infinite or not numbers") from exc
        raise RefusalError("crs_missing", str(exc)) from exc
    except GisplanError as exc:
        raise RefusalError("parse_failed", str(exc)) from exc
    _check_feature_count(len(frame), request)
    wkb = shapely.to_wkb(frame.geometry.to_numpy())
    _check_counts(wkb, request)
    attrs = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    attrs = attrs.map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
    plain = pa.Table.from_pandas(attrs.astype(object), preserve_index=False)
    table = pa.Table.from_arrays(
        [
            *(c.combine_chunks() for c in plain.columns),
            pa.array(list(wkb), type=pa.binary()),
            pa.array(list(frame.index), type=pa.int64()),
        ],
        names=[*plain.column_names, "__wkb", "__row"],
    )
    return table, frame.crs.to_wkt() if frame.crs is not None else None, None


def _gdal_refusal(exc: BaseException, what: str) -> RefusalError:
    if "too complex/large" in str(exc):
        # GDAL's GeoJSON reader caps one object's size in memory (OGR_GEOJSON_MAX_OBJ_SIZE, 200 MB)
        msg = "a feature is too large (too many vertices) to read; simplify the shapes before uploading"
        return RefusalError("too_many_vertices", msg)
    return RefusalError("parse_failed", f"{what} ({_first_line(exc)})")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__).split("; It might help")[0]


def run(request: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """Do the work of one request; return the JSON answer (the table is written to ``out_dir``)."""
    import pyarrow as pa

    try:
        if request["kind"] == "csv":
            table, wkt, layer = read_csv(request)
        else:
            table, wkt, layer = read_ogr(request)
    except RefusalError as refusal:
        return {"ok": False, "reason": refusal.reason, "message": refusal.message, "choices": list(refusal.choices)}
    with pa.OSFile(str(out_dir / "result.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return {"ok": True, "crs": wkt, "layer": layer, "rows": table.num_rows}


def main(argv: list[str]) -> int:
    """Entry point: ``_worker.py REQUEST.json``."""
    request_path = Path(argv[1])
    request = json.loads(request_path.read_text(encoding="utf-8"))
    set_limits(request)
    try:
        answer = run(request, request_path.parent)
    except MemoryError:
        limit = request["memory_mb"]
        answer = {
            "ok": False,
            "reason": "parse_limits",
            "message": f"reading it needed more than the {limit} MB allowed",
        }
    (request_path.parent / "result.json").write_text(json.dumps(answer), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
