"""The electricity grid: 110 kV lines, 110/22 kV substations and 22 kV feeders.

Overhead lines run straight between angle towers, so each line is a polyline of
a few straight legs. 22 kV feeders form a tree (minimum spanning tree) from the
substations to every village.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import cdist

from gisplan.demo._common import CRS, SIZE_M, XMAX, XMIN, YMAX, YMIN, rectangles, rng_for
from gisplan.demo._settlements import Settlements

Point = tuple[float, float]


def _legs(rng: np.random.Generator, start: Point, end: Point, *, bends: int, spread: float) -> shapely.LineString:
    """A straight-legged line with ``bends`` angle towers offset by up to ``spread`` of its length."""
    sx, sy = start
    ex, ey = end
    length = math.hypot(ex - sx, ey - sy)
    nx, ny = -(ey - sy) / length, (ex - sx) / length
    pts = [start]
    for k in range(1, bends + 1):
        t = k / (bends + 1) + rng.uniform(-0.08, 0.08)
        off = rng.normal(0.0, spread) * length
        pts.append((sx + (ex - sx) * t + nx * off, sy + (ey - sy) * t + ny * off))
    pts.append(end)
    return shapely.LineString(np.round(np.array(pts), 2))


def _substation_site(rng: np.random.Generator, st: Settlements, i: int) -> Point:
    angle = rng.uniform(0, 2 * math.pi)
    dist = float(st.radius_m[i]) + rng.uniform(250.0, 500.0)
    x = float(np.clip(st.x[i] + dist * math.cos(angle), XMIN + 300, XMAX - 300))
    y = float(np.clip(st.y[i] + dist * math.sin(angle), YMIN + 300, YMAX - 300))
    return round(x, 2), round(y, 2)


def make_grid(seed: int, st: Settlements) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Generate power lines and substations (EPSG:5514).

    Returns
    -------
    lines
        Columns ``kod``, ``nazev``, ``voltage_kv`` (110 or 22), ``provozovatel``, ``delka_m``.
    substations
        Polygons with ``kod``, ``nazev``, ``voltage_kv`` (highest voltage), ``napeti`` and
        ``vykon_mva`` (installed transformer power [MVA]).
    """
    rng = rng_for(seed, "grid")
    big_village = 1 + int(np.argmax(st.population[1:]))
    hubs = [0, big_village]
    sites = [_substation_site(rng, st, i) for i in hubs]
    s0, s1 = sites
    edge_w = (XMIN, YMIN + rng.uniform(0.55, 0.85) * SIZE_M)
    edge_e = (XMAX, YMIN + rng.uniform(0.15, 0.45) * SIZE_M)
    transit = ((XMIN + rng.uniform(0.15, 0.35) * SIZE_M, YMAX), (XMIN + rng.uniform(0.2, 0.45) * SIZE_M, YMIN))
    hv = [
        _legs(rng, edge_w, s0, bends=3, spread=0.05),
        _legs(rng, s0, edge_e, bends=3, spread=0.05),
        _legs(rng, s0, s1, bends=2, spread=0.05),
        _legs(rng, transit[0], transit[1], bends=4, spread=0.03),
    ]
    nodes = np.vstack([np.array(sites), np.column_stack([st.x, st.y])])
    dist = cdist(nodes, nodes)
    dist[0, 1] = dist[1, 0] = 1e-6  # the two substations count as one source
    tree = minimum_spanning_tree(dist).tocoo()
    mv = [
        _legs(rng, tuple(nodes[a]), tuple(nodes[b]), bends=2, spread=0.04)
        for a, b in sorted(zip(tree.row.tolist(), tree.col.tolist(), strict=True))
        if {a, b} != {0, 1}
    ]
    lines = gpd.GeoDataFrame(
        {
            "kod": [f"DEMO-V{k + 1:03d}" for k in range(len(hv) + len(mv))],
            "nazev": [f"V{990 + k}" for k in range(len(hv))] + [f"VN {900 + k}" for k in range(len(mv))],
            "voltage_kv": np.array([110] * len(hv) + [22] * len(mv), dtype=np.int32),
            "provozovatel": "Demo distribuce (synthetic)",
        },
        geometry=hv + mv,
        crs=CRS,
    )
    lines.insert(len(lines.columns) - 1, "delka_m", np.round(lines.length, 1))
    xy = np.array(sites)
    polys = rectangles(xy[:, 0], xy[:, 1], np.array([95.0, 70.0]), np.array([70.0, 55.0]), rng.uniform(0, math.pi, 2))
    substations = gpd.GeoDataFrame(
        {
            "kod": ["DEMO-TR01", "DEMO-TR02"],
            "nazev": [f"TR {st.names[i]}" for i in hubs],
            "voltage_kv": np.array([110, 110], dtype=np.int32),
            "napeti": ["110/22 kV", "110/22 kV"],
            "vykon_mva": np.array([80.0, 40.0]),
        },
        geometry=list(polys),
        crs=CRS,
    )
    return lines, substations
