"""A synthetic region for the scoring benchmark: rooftops in clustered villages, rasters and context layers.

``build(n, folder)`` writes, in S-JTSK / Krovak East North (EPSG:5514) around a place in Czechia:

- ``sites.gpkg``: ``n`` rooftops (rotated rectangles of 6–25 m × 6–15 m, a few large barns) in villages of
  about 500 roofs, with the canonical columns;
- ``ghi_25m.tif``: global horizontal irradiation on a 25 m grid [kWh/m²/yr], 1,020–1,180;
- ``slope_10m.tif``: terrain slope on a 10 m grid [°], 0–25;
- ``context.gpkg``: ``roads`` (streets in each village and roads between neighbouring villages),
  ``substations`` (points, one per ~20 villages), ``protected_areas`` (overlapping blobs) and
  ``municipalities`` (one Voronoi cell per village, with ``kod_obce``, ``nazev_obce``, ``pocet_obyv``).

Everything is deterministic for a given ``n`` and seed. Run ``python benchmarks/synthetic.py 10000 /tmp/x``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import shapely
from affine import Affine
from scipy.spatial import cKDTree

CRS = "EPSG:5514"
#: South-west corner of the region [m, EPSG:5514]: near Litoměřice.
X0, Y0 = -760_000.0, -1_000_000.0
ROOFS_PER_VILLAGE = 500
VILLAGE_SPACING_M = 2_000.0


def _region(n: int) -> tuple[np.ndarray, float]:
    """Village centres and the side of the square region [m]."""
    villages = max(4, n // ROOFS_PER_VILLAGE)
    side_n = int(np.ceil(np.sqrt(villages)))
    side = side_n * VILLAGE_SPACING_M
    rng = np.random.default_rng(1)
    gx, gy = np.meshgrid(np.arange(side_n), np.arange(side_n))
    centres = np.column_stack([gx.ravel(), gy.ravel()])[:villages] * VILLAGE_SPACING_M + VILLAGE_SPACING_M / 2
    centres = centres + rng.uniform(-500, 500, centres.shape)
    return centres + np.array([X0, Y0]), side


def _rooftops(n: int, centres: np.ndarray) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(2)
    village = rng.integers(0, len(centres), n)
    offset = rng.normal(0, 220, (n, 2))
    cx, cy = centres[village, 0] + offset[:, 0], centres[village, 1] + offset[:, 1]
    w = rng.uniform(6, 25, n)
    h = rng.uniform(6, 15, n)
    barns = rng.random(n) < 0.03
    w[barns] *= 3
    h[barns] *= 2
    angle = rng.uniform(0, np.pi, n)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
    local_x = corners[None, :, 0] * w[:, None]
    local_y = corners[None, :, 1] * h[:, None]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    coords = np.stack([cx[:, None] + local_x * cos - local_y * sin, cy[:, None] + local_x * sin + local_y * cos], -1)
    ids = np.arange(n).astype(str)
    roof_shape = np.where(rng.random(n) < 0.3, "flat", "gabled")
    return gpd.GeoDataFrame(
        {
            "site_id": np.char.add("bench:", ids),
            "kind": "rooftop",
            "name": None,
            "source": "bench",
            "source_id": ids,
            "roof_shape": roof_shape,
        },
        geometry=shapely.polygons(coords),
        crs=CRS,
    )


def _roads(centres: np.ndarray) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    streets = rng.normal(0, 45, (len(centres), 8, 16, 2)).cumsum(axis=2) + centres[:, None, None, :]
    lines = list(shapely.linestrings(streets.reshape(-1, 16, 2)))
    _, nearest = cKDTree(centres).query(centres, k=min(3, len(centres)))
    pairs = {tuple(sorted((i, int(j)))) for i, row in enumerate(nearest) for j in row[1:]}
    links = [shapely.LineString([centres[a], centres[b]]) for a, b in sorted(pairs)]
    geoms = shapely.segmentize(np.array(lines + links, dtype=object), 100.0)
    return gpd.GeoDataFrame({"kind": ["street"] * len(lines) + ["road"] * len(links)}, geometry=geoms, crs=CRS)


def _municipalities(centres: np.ndarray, side: float) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(4)
    box = shapely.box(X0, Y0, X0 + side, Y0 + side)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=box))
    cells = shapely.segmentize(shapely.intersection(cells, box), 50.0)
    n = len(cells)
    return gpd.GeoDataFrame(
        {
            "kod_obce": (500_000 + np.arange(n)).astype(str),
            "nazev_obce": [f"Obec {i}" for i in range(n)],
            "pocet_obyv": rng.integers(150, 3_000, n),
        },
        geometry=cells,
        crs=CRS,
    )


def _protected(side: float, n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(5)
    count = max(3, n // 25_000)
    centres = rng.uniform(0, side, (count, 2)) + np.array([X0, Y0])
    blobs = shapely.buffer(shapely.points(centres), rng.uniform(400, 3_000, count), quad_segs=16)
    blobs = np.array(
        [
            shapely.affinity.scale(b, xfact=f, yfact=1 / f)
            for b, f in zip(blobs, rng.uniform(0.6, 1.6, count), strict=True)
        ]
    )
    return gpd.GeoDataFrame({"kod": np.arange(count).astype(str)}, geometry=blobs, crs=CRS)


def _substations(centres: np.ndarray) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(6)
    pick = rng.choice(len(centres), max(2, len(centres) // 20), replace=False)
    points = centres[pick] + rng.uniform(-800, 800, (len(pick), 2))
    return gpd.GeoDataFrame({"kod": pick.astype(str)}, geometry=shapely.points(points), crs=CRS)


def _write_raster(path: Path, side: float, cell: float, field: str) -> None:
    size = int(np.ceil(side / cell))
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "float32",
        "crs": CRS,
        "transform": Affine(cell, 0, X0, 0, -cell, Y0 + size * cell),
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "nodata": -9999.0,
    }
    x = X0 + (np.arange(size) + 0.5) * cell
    with rasterio.open(path, "w", **profile) as dst:
        for row0 in range(0, size, 1024):
            rows = np.arange(row0, min(size, row0 + 1024))
            y = (Y0 + size * cell - (rows + 0.5) * cell)[:, None]
            if field == "ghi":
                values = 1100 + 60 * np.sin((y - Y0) / 15_000) + 20 * np.cos((x - X0) / 7_000)
            else:
                values = np.clip(
                    8 + 7 * np.sin((x - X0) / 900) * np.cos((y - Y0) / 1_300) + 5 * np.sin((x + y) / 2_500), 0, 25
                )
            window = rasterio.windows.Window(0, row0, size, len(rows))
            dst.write(np.broadcast_to(values, (len(rows), size)).astype("float32"), 1, window=window)


def build(n: int, folder: Path) -> dict[str, Path]:
    """Write the region for ``n`` rooftops into ``folder`` (reused when already there)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "sites": folder / "sites.gpkg",
        "context": folder / "context.gpkg",
        "ghi": folder / "ghi_25m.tif",
        "slope": folder / "slope_10m.tif",
    }
    stamp = folder / "built.json"
    if stamp.exists() and all(p.exists() for p in paths.values()):
        return paths
    t0 = time.perf_counter()
    centres, side = _region(n)
    pyogrio.write_dataframe(_rooftops(n, centres), paths["sites"], layer="sites", use_arrow=True)
    for name, frame in (
        ("roads", _roads(centres)),
        ("substations", _substations(centres)),
        ("protected_areas", _protected(side, n)),
        ("municipalities", _municipalities(centres, side)),
    ):
        pyogrio.write_dataframe(frame, paths["context"], layer=name, use_arrow=True)
    _write_raster(paths["ghi"], side, 25.0, "ghi")
    _write_raster(paths["slope"], side, 10.0, "slope")
    info = {"n": n, "villages": len(centres), "side_km": side / 1000, "build_s": round(time.perf_counter() - t0, 1)}
    stamp.write_text(json.dumps(info), encoding="utf-8")
    return paths


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/gisplan-bench/{count}")
    print(build(count, out))
