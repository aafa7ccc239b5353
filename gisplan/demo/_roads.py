"""The road network: a primary road through the town, secondary and tertiary
roads between settlements, and residential streets inside them.

Links between settlements follow the Delaunay triangulation of the centres: its
minimum spanning tree keeps every village connected, and some shorter extra
edges close loops. Lines are bent by a smooth field with their ends pinned, so
roads meet exactly at the village centres.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay

from gisplan.demo._common import (
    CRS,
    SIZE_M,
    XMAX,
    XMIN,
    YMAX,
    YMIN,
    SmoothField,
    rng_for,
    round_geoms,
)
from gisplan.demo._settlements import Settlements

ROAD_CLASSES = ("primary", "secondary", "tertiary", "residential")
Link = tuple[tuple[float, float], tuple[float, float], str]


def _bend(
    start: tuple[float, float],
    end: tuple[float, float],
    fields: tuple[SmoothField, SmoothField],
    *,
    step_m: float = 60.0,
    pin_end: bool = True,
) -> shapely.LineString:
    """A line from ``start`` to ``end`` bent by ``fields``; the start (and end) stay put."""
    length = math.hypot(end[0] - start[0], end[1] - start[1])
    n = max(2, math.ceil(length / step_m) + 1)
    t = np.linspace(0.0, 1.0, n)
    x = start[0] + (end[0] - start[0]) * t
    y = start[1] + (end[1] - start[1]) * t
    weight = np.sin(math.pi * t) if pin_end else np.sin(0.5 * math.pi * t)
    bx = x + weight * fields[0](x, y)
    by = y + weight * fields[1](x, y)
    return shapely.LineString(np.round(np.column_stack([bx, by]), 2))


def _edge_point(rng: np.random.Generator, side: str, near: float) -> tuple[float, float]:
    along = float(np.clip(near + rng.uniform(-2500.0, 2500.0), 1500.0, SIZE_M - 1500.0))
    return {
        "W": (XMIN, YMIN + along),
        "E": (XMAX, YMIN + along),
        "N": (XMIN + along, YMAX),
        "S": (XMIN + along, YMIN),
    }[side]


def _links(rng: np.random.Generator, st: Settlements) -> list[Link]:
    """Between-settlement links with their class; index 0 is the town."""
    pts = np.column_stack([st.x, st.y])
    tri = Delaunay(pts)
    edges: set[tuple[int, int]] = set()
    for simplex in tri.simplices:
        for a, b in ((0, 1), (1, 2), (0, 2)):
            i, j = sorted((int(simplex[a]), int(simplex[b])))
            edges.add((i, j))
    ordered = sorted(edges)
    lengths = np.array([math.dist(pts[i], pts[j]) for i, j in ordered])
    graph = coo_matrix((lengths, ([i for i, _ in ordered], [j for _, j in ordered])), shape=(len(st), len(st)))
    mst = minimum_spanning_tree(graph).tocoo()
    tree_edges = {(min(int(i), int(j)), max(int(i), int(j))) for i, j in zip(mst.row, mst.col, strict=True)}
    town = (float(st.x[0]), float(st.y[0]))
    links: list[Link] = []
    for side in ("W", "E"):
        links.append((town, _edge_point(rng, side, town[1] - YMIN), "primary"))
    links.append((town, _edge_point(rng, "N", town[0] - XMIN), "secondary"))
    for (i, j), length in zip(ordered, lengths, strict=True):
        in_tree = (i, j) in tree_edges
        if not in_tree and (length > 4200.0 or rng.random() < 0.45):
            continue
        cls = "secondary" if i == 0 else "tertiary"
        links.append(((float(st.x[i]), float(st.y[i])), (float(st.x[j]), float(st.y[j])), cls))
    for i in range(1, len(st)):
        gaps = {"W": st.x[i] - XMIN, "E": XMAX - st.x[i], "S": st.y[i] - YMIN, "N": YMAX - st.y[i]}
        side = min(gaps, key=lambda k: gaps[k])
        if gaps[side] < 2600.0 and rng.random() < 0.6:
            along = st.y[i] - YMIN if side in "WE" else st.x[i] - XMIN
            end = _edge_point(rng, side, float(along))
            links.append(((float(st.x[i]), float(st.y[i])), end, "tertiary"))
    return links


def _directions(st: Settlements, i: int, links: list[Link]) -> list[float]:
    """Angles [rad] of the links leaving settlement ``i``."""
    centre = (float(st.x[i]), float(st.y[i]))
    out = []
    for a, b, _ in links:
        if a == centre:
            out.append(math.atan2(b[1] - a[1], b[0] - a[0]))
        elif b == centre:
            out.append(math.atan2(a[1] - b[1], a[0] - b[0]))
    return out


def _angle_gap(a: float, others: list[float]) -> float:
    return min((abs((a - o + math.pi) % (2 * math.pi) - math.pi) for o in others), default=math.pi)


def _village_streets(
    rng: np.random.Generator, st: Settlements, i: int, links: list[Link], fields: tuple[SmoothField, SmoothField]
) -> list[shapely.LineString]:
    """Spurs from the village green, plus cross streets in the larger villages."""
    cx, cy, radius = float(st.x[i]), float(st.y[i]), float(st.radius_m[i])
    taken = _directions(st, i, links)
    axes = list(taken)
    streets: list[shapely.LineString] = []
    for _ in range(int(np.clip(round(st.population[i] / 170), 2, 12))):
        for _try in range(12):
            angle = rng.uniform(0, 2 * math.pi)
            if _angle_gap(angle, taken) > math.radians(28):
                break
        taken.append(angle)
        axes.append(angle)
        length = radius * rng.uniform(0.6, 1.05)
        end = (cx + length * math.cos(angle), cy + length * math.sin(angle))
        streets.append(_bend((cx, cy), end, fields, step_m=30.0, pin_end=False))
    if st.population[i] > 900:
        for angle in axes:
            dist = 130.0
            while dist < 0.9 * radius:
                if rng.random() < 0.5:
                    px, py = cx + dist * math.cos(angle), cy + dist * math.sin(angle)
                    half = rng.uniform(70.0, max(80.0, 0.45 * radius))
                    dx, dy = -math.sin(angle) * half, math.cos(angle) * half
                    streets.append(_bend((px - dx, py - dy), (px + dx, py + dy), fields, step_m=30.0))
                dist += rng.uniform(110.0, 170.0)
    return streets


def _town_grid(rng: np.random.Generator, st: Settlements, i: int) -> list[shapely.LineString]:
    """A rotated block grid of 110-140 m inside the town's built-up area."""
    cx, cy, radius = float(st.x[i]), float(st.y[i]), float(st.radius_m[i])
    angle = rng.uniform(0, math.pi / 2)
    spacing = rng.uniform(110.0, 140.0)
    offsets = np.arange(-radius, radius + spacing, spacing)
    lines = []
    for rot in (angle, angle + math.pi / 2):
        ux, uy = math.cos(rot), math.sin(rot)
        for off in offsets:
            px, py = cx - uy * off, cy + ux * off
            lines.append(
                shapely.LineString([(px - ux * radius, py - uy * radius), (px + ux * radius, py + uy * radius)])
            )
    return lines


def make_roads(seed: int, st: Settlements) -> gpd.GeoDataFrame:
    """Generate the road network (EPSG:5514) with columns ``kod``, ``trida``, ``cislo``, ``delka_m``."""
    rng = rng_for(seed, "roads")
    links = _links(rng, st)
    wide = (SmoothField(rng, 1600.0, 130.0), SmoothField(rng, 1600.0, 130.0))
    local = (SmoothField(rng, 350.0, 14.0), SmoothField(rng, 350.0, 14.0))
    geoms: list[shapely.LineString] = []
    classes: list[str] = []
    numbers: list[str] = []
    counters = {"primary": 0, "secondary": 0, "tertiary": 0}
    for start, end, cls in links:
        geoms.append(_bend(start, end, wide))
        classes.append(cls)
        counters[cls] += 1
        # invented route numbers outside the real ranges of Czech roads
        numbers.append(
            {"primary": "I/99", "secondary": f"II/9{counters[cls]:02d}", "tertiary": f"III/9{counters[cls]:04d}"}[cls]
        )
    for i in range(len(st)):
        zone = shapely.buffer(st.zones[i], 40.0)
        streets = _town_grid(rng, st, i) if st.is_town[i] else _village_streets(rng, st, i, links, local)
        for line in streets:
            for part in shapely.get_parts(shapely.intersection(line, zone)):
                if isinstance(part, shapely.LineString) and part.length > 40.0:
                    geoms.append(round_geoms(part))
                    classes.append("residential")
                    numbers.append("")
    lengths = np.round(shapely.length(np.asarray(geoms, dtype=object)), 1)
    return gpd.GeoDataFrame(
        {
            "kod": [f"DEMO-R{k + 1:05d}" for k in range(len(geoms))],
            "trida": classes,
            "cislo": numbers,
            "delka_m": lengths,
        },
        geometry=geoms,
        crs=CRS,
    )
