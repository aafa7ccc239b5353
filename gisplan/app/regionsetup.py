"""The Admin page's "Region setup": territories and MAS from uploads, and how the catalogue serves each profile.

The same library calls as ``gisplan territories load``, ``gisplan territories
communities`` and ``gisplan layers check``, behind forms:

- a boundary file (RÚIAN VFR ``.xml.gz``, GeoPackage, GeoJSON, zipped shapefile) with
  a code, name and population field becomes municipalities with okres and kraj
  (:func:`gisplan.territories.read_municipalities`, :func:`~gisplan.territories.czech_units`,
  :func:`~gisplan.territories.store_municipalities`);
- a CSV of member municipality codes becomes MAS territories and energy communities
  (:func:`gisplan.territories.read_communities_csv`, :func:`~gisplan.territories.store_communities`);
- a table shows, for each profile, which layer slots the catalogue fills, which the
  region declares not available and which are missing (:func:`gisplan.region.plan`).

Uploads are checked (type, size) before anything is read; each load is one store
transaction, so a failure leaves the store as it was. The pure parts
(:func:`check_upload`, :func:`slot_table`) need no Streamlit.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan.errors import InputError

if TYPE_CHECKING:
    from gisplan.catalogue import Catalogue
    from gisplan.profiles import Profile

#: File endings a territories upload may have (RÚIAN VFR is ``.xml.gz``).
TERRITORY_SUFFIXES = (".xml.gz", ".gpkg", ".geojson", ".json", ".zip")
#: File endings of the communities CSV.
CSV_SUFFIXES = (".csv", ".txt")
#: Largest communities CSV accepted (a few thousand member rows fit in far less). [MB]
CSV_LIMIT_MB = 2
#: Slot states in the order the table lists them.
SLOT_STATES = ("filled", "unavailable", "optional", "missing")


def check_upload(name: str, data: bytes, *, suffixes: tuple[str, ...], limit_mb: float) -> str:
    """The upload's file ending when it is allowed, not empty and within ``limit_mb``.

    Raises
    ------
    InputError
        Saying what is wrong with the file and what is accepted.
    """
    lowered = name.lower()
    suffix = next((s for s in sorted(suffixes, key=len, reverse=True) if lowered.endswith(s)), None)
    if suffix is None:
        msg = f"{name}: this kind of file is not accepted here; upload one of {', '.join(suffixes)}"
        raise InputError(msg)
    if not data:
        msg = f"{name} is empty; upload the file again"
        raise InputError(msg)
    size_mb = len(data) / (1024 * 1024)
    if size_mb > limit_mb:
        msg = (
            f"{name} is {size_mb:.1f} MB, more than the {limit_mb:g} MB allowed; "
            "cut it down (a --where filter on the command line), or raise GISPLAN_MAX_UPLOAD_MB"
        )
        raise InputError(msg)
    return suffix


def saved_upload(folder: Path, name: str, data: bytes, suffix: str) -> Path:
    """Write an upload into ``folder`` under a safe name that keeps its ending (readers sniff it)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", name[: -len(suffix)])[:80] or "upload"
    path = folder / f"{stem}{suffix}"
    path.write_bytes(data)
    return path


def slot_table(profiles: dict[str, Profile], catalogue: Catalogue) -> pd.DataFrame:
    """One row per profile and layer slot: ``profile``, ``runs``, ``slot``, ``state``, ``layer``, ``candidates``.

    ``state`` is ``filled``, ``unavailable`` (declared by the region), ``optional`` (none,
    not needed) or ``missing``; ``runs`` is whether ``gisplan region load`` would score
    the profile (candidates of its kinds, and no slot missing).
    """
    from gisplan.region import plan

    rows: list[dict[str, Any]] = []
    for name, item in plan(profiles, catalogue).items():
        candidates = ", ".join(item.candidates)
        rows.extend(
            {
                "profile": name,
                "runs": item.runnable,
                "slot": status.slot,
                "state": status.state,
                "layer": status.layer_id or "",
                "candidates": candidates,
            }
            for status in item.slots
        )
    return pd.DataFrame(rows, columns=["profile", "runs", "slot", "state", "layer", "candidates"])


#: Called with a step's name as the work goes on.
Step = Callable[[str], None]


def load_territories(
    store: Any,
    actor: int,
    path: Path,
    *,
    layer: str | None = None,
    where: str | None = None,
    admin: Path | None = None,
    region_code: str | None = None,
    step: Step | None = None,
) -> Any:
    """Read municipalities from ``path``, find okres and kraj, store them (as ``gisplan territories load``).

    Returns the :class:`gisplan.territories.TerritoryReport`.

    Raises
    ------
    GisplanError
        If the file cannot be read, holds no municipality or a code is bad; nothing is stored then.
    """
    from gisplan.territories import czech_units, read_municipalities, store_municipalities

    tell = step or (lambda _: None)
    tell("read")
    table = read_municipalities(path, layer=layer or None, where=where or None)
    if table.empty:
        msg = f"{path.name}: no municipalities{' match the filter' if where else ''}; check the file, layer and filter"
        raise InputError(msg)
    tell("units")
    table = czech_units(table, admin)
    if region_code:
        table["region_code"] = table["region_code"].fillna(region_code)
    tell("store")
    return store_municipalities(store, actor, table, source=path.name)


def load_communities(store: Any, actor: int, path: Path) -> Any:
    """Store the MAS and energy communities of the CSV ``path`` (as ``gisplan territories communities``)."""
    from gisplan.territories import read_communities_csv, store_communities

    specs = read_communities_csv(path)
    if not specs:
        msg = f"{path.name} has no rows; add one row per member municipality"
        raise InputError(msg)
    return store_communities(store, actor, specs)


def temp_folder() -> tempfile.TemporaryDirectory[str]:
    """A private temporary folder for one upload (removed when closed)."""
    return tempfile.TemporaryDirectory(prefix="gisplan_region_")


__all__ = [
    "CSV_LIMIT_MB",
    "CSV_SUFFIXES",
    "SLOT_STATES",
    "TERRITORY_SUFFIXES",
    "check_upload",
    "load_communities",
    "load_territories",
    "saved_upload",
    "slot_table",
    "temp_folder",
]
