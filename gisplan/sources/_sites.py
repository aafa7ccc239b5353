"""Files gisplan wrote itself: canonical sites read back with their kind, ids and attributes.

``gisplan read FILE --out sites.gpkg`` writes canonical sites (``site_id``,
``kind``, ``name``, ``source``, ``source_id``, ``area_m2``, ``area_source`` and
the source attributes). Reading that file as any other vector file would give
every feature a new id (``sites:1``…) and no kind, and push the canonical
columns aside as ``site_id_src``…; scoring it would then differ from scoring the
source, and ingesting it would duplicate every site. So a vector layer that
carries the canonical id columns is taken as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan.catalogue import SITE_KINDS
from gisplan.errors import InputError, Problem
from gisplan.sources._common import problems_error, target_crs

if TYPE_CHECKING:
    import geopandas as gpd

#: A vector layer with all of these columns is a canonical sites file (written by ``gisplan read`` or ``score``).
SITES_MARKER = ("site_id", "kind", "source", "source_id")
MAX_SHOWN = 20


def is_sites_frame(frame: pd.DataFrame) -> bool:
    """True if ``frame`` carries the canonical id columns of a sites file."""
    return all(column in frame.columns for column in SITES_MARKER)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _check(frame: pd.DataFrame, label: str) -> None:
    """Every site has an id, a source id and a known kind (or none); ids are unique."""
    problems: list[Problem] = []
    for row, value in frame["site_id"].items():
        if _text(value) is None:
            problems.append(Problem(label, f"feature {row}, field site_id", "is empty"))
    for row, value in frame["kind"].items():
        kind = _text(value)
        if kind is not None and kind not in SITE_KINDS:
            problems.append(Problem(label, f"feature {row}, field kind", f"{kind!r} is not one of {SITE_KINDS}"))
    ids = frame["site_id"].map(_text)
    for dup in sorted(set(ids[ids.duplicated() & ids.notna()])):
        problems.append(Problem(label, "field site_id", f"{dup!r} occurs more than once"))
    if problems:
        shown = problems[:MAX_SHOWN]
        msg = (
            f"{label}: a sites file (it has columns {', '.join(SITES_MARKER)}) with {len(problems)} problem(s); "
            "fix them, or rename those columns to read the file as plain features"
        )
        raise problems_error(msg, shown)


def read_sites_frame(
    raw: gpd.GeoDataFrame, *, label: str, kind: str | None, working_crs: object | None
) -> gpd.GeoDataFrame:
    """Canonical sites from a sites file, keeping ``site_id``, ``kind``, ``source``, ``source_id`` and attributes.

    Parameters
    ----------
    raw
        The layer as read, with a declared CRS.
    label
        File (and layer) named in error messages.
    kind
        Site kind for every site, overriding the file's ``kind``; ``None`` keeps it.
    working_crs
        Metric CRS of the result; ``None`` picks one from the data as for any file.

    Returns
    -------
    geopandas.GeoDataFrame
        The sites in the working CRS; ``area_m2`` [m²] is a polygon's area in that CRS, and a
        point's declared area (``area_source`` ``declared:…``) as the file gives it.
    """
    import geopandas as gpd

    from gisplan.measurements.geometry import site_area

    _check(raw, label)
    target = target_crs(raw, working_crs, label=label)
    moved = raw.crs is not None and raw.crs != target
    out = raw.to_crs(target) if moved else raw.copy()
    for column in ("site_id", "source", "source_id"):
        out[column] = [_text(v) for v in out[column]]
    if out["source_id"].isna().any() or out["source"].isna().any():
        rows = [str(i) for i in out.index[out["source_id"].isna() | out["source"].isna()][:10]]
        msg = f"{label}: sites without source or source_id (features {', '.join(rows)}); fill them or drop the rows"
        raise InputError(msg)
    out["kind"] = [kind] * len(out) if kind is not None else [_text(v) for v in out["kind"]]
    if "name" not in out.columns:
        out["name"] = None
    areas = site_area(out)  # a polygon's area in the working CRS; a point's declared area is kept
    out["area_m2"], out["area_source"] = areas["area_m2"], areas["area_source"]
    front = ["site_id", "kind", "name", "source", "source_id", "area_m2", "area_source"]
    rest = [c for c in out.columns if c not in front and c != out.geometry.name]
    frame = pd.DataFrame(out[front + rest])
    return gpd.GeoDataFrame(frame, geometry=out.geometry.to_numpy(), crs=target).reset_index(drop=True)


def sites_batch_reader(
    source: str | Path, *, layer: str | None = None, kind: str | None = None
) -> Callable[[gpd.GeoDataFrame, object], gpd.GeoDataFrame] | None:
    """For a sites file gisplan wrote: what :func:`read_sites_frame` does, batch by batch; else ``None``.

    The function takes one batch of the layer as read and the working CRS
    chosen for the whole file, and returns the canonical sites, index kept
    (ids are checked within the batch; the caller checks them over the file).
    Formats other than a vector layer with :data:`SITES_MARKER` columns return
    ``None``: they are read whole, through :func:`gisplan.sources.read`.
    """
    import pyogrio

    from gisplan.sources._common import check_path, file_label

    path = check_path(source)
    try:
        fields = set(pyogrio.read_info(path, layer=layer)["fields"])
    except Exception:  # not a file GDAL opens as vectors: the whole-file readers say what is wrong
        return None
    if not set(SITES_MARKER) <= fields:
        return None
    label = file_label(path, layer)

    def prepare(raw: gpd.GeoDataFrame, working_crs: object) -> gpd.GeoDataFrame:
        sites = read_sites_frame(raw, label=label, kind=kind, working_crs=working_crs)
        sites.index = raw.index  # the rows' positions in the file
        return sites

    return prepare


__all__ = ["SITES_MARKER", "is_sites_frame", "read_sites_frame", "sites_batch_reader"]
