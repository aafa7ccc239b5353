"""An input format added from outside gisplan: ``.pts`` text files of ``id|lon|lat`` lines after a ``PTS1`` line."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import shapely

import gisplan.sources
from gisplan.formats import InputFormat, ReadRequest, register_format, unregister_format

NAME = "pts"
MAGIC = b"PTS1|"


def read_pts(path: Path, request: ReadRequest) -> gpd.GeoDataFrame:
    """Canonical sites from a ``.pts`` file (points in EPSG:4326)."""
    rows = [line.split("|") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    frame = gpd.GeoDataFrame(
        {"ref": [r[0] for r in rows]},
        geometry=[shapely.Point(float(r[1]), float(r[2])) for r in rows],
        crs="EPSG:4326",
    )
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / f"{path.stem}.geojson"
        frame.to_file(copy, driver="GeoJSON")
        return gisplan.sources.read(
            copy,
            format="vector",
            kind=request.kind,
            columns={"source_id": "ref", "name": "ref"},
            working_crs=request.working_crs,
            source_name=request.source_name or "pts",
        )


FORMAT = InputFormat(
    NAME,
    read_pts,
    "pipe-separated points (test plugin)",
    suffixes=(".pts",),
    magic=lambda head: head.startswith(MAGIC),
    fixed_crs="EPSG:4326",
    default_kind="brownfield",
    where=False,
    upload_driver="CSV",
)


def register() -> None:
    """Register the format."""
    register_format(FORMAT)


def unregister() -> None:
    """Forget it again."""
    unregister_format(NAME)
