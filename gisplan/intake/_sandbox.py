"""Parse an upload in a child process with time and memory limits.

The child (:mod:`gisplan.intake._worker`) runs as ``python -I`` with a minimal
environment, caps its own address space, CPU time and output size, and has
only one GDAL driver registered (every other driver is in ``GDAL_SKIP``). The
parent waits with a wall-clock timeout and kills it when that runs out. A crash,
a limit or a GDAL failure in the child becomes a clear refusal here; the app
process never parses hostile bytes itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gisplan.intake import _worker
from gisplan.intake._sniff import driver_of
from gisplan.intake._types import MB, IntakeLimits, reject

if TYPE_CHECKING:
    import pyarrow as pa

_WORKER = Path(_worker.__file__).resolve()
#: Environment variables the child keeps; everything else (credentials, GDAL options) is dropped.
_KEPT_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "PROJ_DATA", "PROJ_LIB", "GDAL_DATA")


@dataclass(frozen=True)
class RawLayer:
    """What the child read: attributes, ``__wkb`` and ``__row`` columns, and the declared CRS."""

    table: pa.Table
    crs_wkt: str | None
    layer: str | None


def _all_drivers() -> list[str]:
    import pyogrio

    return sorted(str(d) for d in pyogrio.list_drivers())


def child_env(driver: str, workdir: Path) -> dict[str, str]:
    """The child's environment: a few locale/data variables, one GDAL driver, no network, one thread."""
    env = {k: os.environ[k] for k in _KEPT_ENV if k in os.environ}
    env.update(
        {
            "HOME": str(workdir),
            "TMPDIR": str(workdir),
            "GDAL_SKIP": ",".join(d for d in _all_drivers() if d != driver),
            "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".gisplan-no-network",
            "GDAL_HTTP_TIMEOUT": "1",
            "OGR_SQLITE_JOURNAL": "OFF",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "GDAL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def _scrub(text: str, path: Path, label: str) -> str:
    """Messages name the upload, never our private temp paths."""
    workdir = path.parent
    for variant in (str(path), str(path.with_suffix("")), str(workdir)):
        text = text.replace(variant, label)
    return text


def parse_in_child(
    path: Path, kind: str, *, label: str, layer: str | None, crs: str | None, limits: IntakeLimits
) -> RawLayer:
    """Read the layer of a checked file in a limited child process.

    Parameters
    ----------
    path
        The file, under a name we chose, in a private folder (the child writes its answer there).
    kind
        ``geojson``, ``shapefile``, ``gpkg``, ``kml`` or ``csv``.
    label
        How messages name the upload.
    layer
        The layer of a multi-layer file.
    crs
        The CRS the user chose (CSV only: it decides how coordinates are read).
    limits
        Time, memory, feature and vertex caps.

    Raises
    ------
    UploadRejectedError
        ``parse_limits`` when the child ran out of time or memory or was killed, ``parse_failed``
        when the file cannot be read, and the child's own refusals (``choose_layer``,
        ``too_many_features``, ``too_many_vertices``, ``crs_missing``…).
    """
    import pyarrow as pa

    workdir = path.parent
    request = {
        "path": str(path),
        "kind": kind,
        "driver": driver_of(kind),
        "layer": layer,
        "crs": crs,
        "memory_mb": limits.memory_mb,
        "cpu_s": limits.cpu_s,
        "max_output_mb": max(64, int(4 * limits.max_upload_bytes() / MB)),
        "max_features": limits.max_features,
        "max_vertices": limits.max_vertices,
        "max_vertices_per_feature": limits.max_vertices_per_feature,
    }
    request_path = workdir / "request.json"
    request_path.write_text(json.dumps(request), encoding="utf-8")
    try:
        proc = subprocess.run(
            [sys.executable, "-I", str(_WORKER), str(request_path)],
            env=child_env(driver_of(kind), workdir),
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=limits.timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        msg = f"{label}: reading it took longer than {limits.timeout_s:.0f} s; upload a smaller or simpler file"
        raise reject(msg, "parse_limits") from exc
    answer_path = workdir / "result.json"
    if not answer_path.is_file():
        stderr = _scrub(proc.stderr.decode("utf-8", "replace").strip(), path, label)
        last = stderr.splitlines()[-1] if stderr else f"exit code {proc.returncode}"
        msg = (
            f"{label}: reading it stopped before the end ({last[:300]}); it may exceed the memory "
            f"({limits.memory_mb} MB) or time ({limits.cpu_s} s) limits, or be damaged. Upload a smaller or "
            "re-exported file"
        )
        raise reject(msg, "parse_limits")
    answer: dict[str, Any] = json.loads(answer_path.read_text(encoding="utf-8"))
    if not answer.get("ok"):
        text = _scrub(str(answer.get("message", "")), path, label)
        raise reject(f"{label}: {text}", str(answer["reason"]), choices=tuple(answer.get("choices") or ()))
    with pa.OSFile(str(workdir / "result.arrow"), "rb") as source:
        table = pa.ipc.open_file(source).read_all()
    return RawLayer(table=table, crs_wkt=answer.get("crs"), layer=answer.get("layer"))


__all__ = ["RawLayer", "child_env", "parse_in_child"]
