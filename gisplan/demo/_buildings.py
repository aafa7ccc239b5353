"""Building footprints: houses along streets, outbuildings behind them, civic
buildings round the village green, farm complexes at village edges, an
industrial zone by the town and apartment blocks in the town centre.

Every footprint is a rectangle turned to its street. Candidates are generated
in bulk, then thinned so that no two buildings touch and none stands on a
road, in the river or on a brownfield (important buildings win).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from gisplan.demo._common import (
    CRS,
    SIZE_M,
    XMIN,
    YMIN,
    FloatArray,
    GeomArray,
    extent_box,
    keep_apart,
    rectangles,
    rng_for,
)
from gisplan.demo._settlements import Settlements, municipality_of

BUILDING_TYPES = ("residential", "agricultural", "industrial", "civic")
ROOF_TYPES = ("flat", "gable", "hip")
#: building_use -> (building_type, priority); lower priority wins when footprints collide.
USES: dict[str, tuple[str, int]] = {
    "town_hall": ("civic", 0), "church": ("civic", 0), "school": ("civic", 0), "shop": ("civic", 0),
    "gym": ("civic", 0), "fire_station": ("civic", 0), "health_centre": ("civic", 0), "office": ("civic", 0),
    "industrial_hall": ("industrial", 1), "warehouse": ("industrial", 1),
    "farm_hall": ("agricultural", 2), "storage": ("agricultural", 2),
    "apartment_block": ("residential", 3), "farmhouse": ("residential", 4), "house": ("residential", 4),
    "barn": ("agricultural", 5), "garage": ("residential", 5), "shed": ("residential", 5),
}  # fmt: skip
#: probabilities of flat / gable / hip roofs per use
_ROOFS: dict[str, tuple[float, float, float]] = {
    "house": (0.08, 0.70, 0.22), "farmhouse": (0.0, 0.85, 0.15), "apartment_block": (0.85, 0.15, 0.0),
    "garage": (0.60, 0.40, 0.0), "shed": (0.35, 0.65, 0.0), "barn": (0.0, 0.95, 0.05),
    "farm_hall": (0.15, 0.85, 0.0), "storage": (0.5, 0.5, 0.0), "industrial_hall": (0.75, 0.25, 0.0),
    "warehouse": (0.85, 0.15, 0.0), "church": (0.0, 1.0, 0.0), "town_hall": (0.0, 0.3, 0.7),
}  # fmt: skip
_CIVIC_ROOF = (0.3, 0.35, 0.35)
_ROAD_HALF_WIDTH = {"primary": 6.0, "secondary": 5.0, "tertiary": 4.5, "residential": 3.5}
_CIVIC_NAMES = {
    "town_hall": "Obecní úřad", "church": "Kostel", "school": "Základní škola", "shop": "Obchod",
    "gym": "Sokolovna", "fire_station": "Hasičská zbrojnice", "health_centre": "Zdravotní středisko",
    "office": "Úřad",
}  # fmt: skip


@dataclass
class _Batch:
    """Candidate footprints collected column-wise."""

    cx: list[FloatArray] = field(default_factory=list)
    cy: list[FloatArray] = field(default_factory=list)
    length: list[FloatArray] = field(default_factory=list)
    width: list[FloatArray] = field(default_factory=list)
    angle: list[FloatArray] = field(default_factory=list)
    use: list[NDArray[np.str_]] = field(default_factory=list)
    levels: list[NDArray[np.int64]] = field(default_factory=list)
    home: list[NDArray[np.int64]] = field(default_factory=list)

    def add(
        self, cx: FloatArray, cy: FloatArray, length: FloatArray, width: FloatArray, angle: FloatArray, **kw: object
    ) -> None:
        n = len(cx)
        self.cx.append(np.asarray(cx, dtype=float))
        self.cy.append(np.asarray(cy, dtype=float))
        self.length.append(np.asarray(length, dtype=float))
        self.width.append(np.asarray(width, dtype=float))
        self.angle.append(np.asarray(angle, dtype=float))
        self.use.append(np.broadcast_to(np.asarray(kw["use"], dtype=str), n).copy())
        self.levels.append(np.broadcast_to(np.asarray(kw["levels"], dtype=np.int64), n).copy())
        self.home.append(np.broadcast_to(np.asarray(kw["home"], dtype=np.int64), n).copy())

    def column(self, name: str) -> NDArray[np.generic]:
        parts: list[NDArray[np.generic]] = getattr(self, name)
        return np.concatenate(parts) if parts else np.array([])


def _frontage(st: Settlements, roads: gpd.GeoDataFrame) -> list[tuple[GeomArray, FloatArray]]:
    """Per settlement: the road pieces inside its built-up area and their half widths [m]."""
    geoms = np.asarray(roads.geometry.values, dtype=object)
    half = roads["trida"].map(_ROAD_HALF_WIDTH).to_numpy(dtype=float)
    tree = shapely.STRtree(geoms)
    out = []
    for i in range(len(st)):
        idx = tree.query(st.zones[i], predicate="intersects")
        pieces = shapely.intersection(geoms[idx], st.zones[i])
        parts, which = shapely.get_parts(pieces, return_index=True)
        is_line = shapely.get_type_id(parts) == 1
        out.append((np.asarray(parts[is_line], dtype=object), half[idx][which[is_line]]))
    return out


def _street_slots(
    rng: np.random.Generator, lines: GeomArray, half: FloatArray, spacing: float
) -> dict[str, FloatArray]:
    """Evenly spaced house slots on both sides of ``lines``: street point, direction and side."""
    lengths = shapely.length(lines)
    dist, line_idx, side = [], [], []
    for k, length in enumerate(lengths.tolist()):
        for s in (-1.0, 1.0):
            d = np.arange(rng.uniform(0.3, 1.0) * spacing, length - 4.0, spacing)
            d = d + rng.uniform(-0.15, 0.15, len(d)) * spacing
            dist.append(d)
            line_idx.append(np.full(len(d), k))
            side.append(np.full(len(d), s))
    d_all = np.clip(np.concatenate(dist), 0.0, None) if dist else np.array([])
    idx = np.concatenate(line_idx).astype(int) if line_idx else np.array([], dtype=int)
    rep = lines[idx]
    d0 = np.clip(d_all - 1.0, 0.0, None)
    d1 = np.minimum(d_all + 1.0, lengths[idx])
    p0, p1 = shapely.line_interpolate_point(rep, d0), shapely.line_interpolate_point(rep, d1)
    x0, y0 = shapely.get_x(p0), shapely.get_y(p0)
    x1, y1 = shapely.get_x(p1), shapely.get_y(p1)
    return {
        "x": (x0 + x1) / 2.0,
        "y": (y0 + y1) / 2.0,
        "angle": np.arctan2(y1 - y0, x1 - x0),
        "side": np.concatenate(side) if side else np.array([]),
        "half": half[idx],
    }


def _pick(rng: np.random.Generator, options: tuple[str, ...], weights: tuple[float, ...], n: int) -> NDArray[np.str_]:
    p = np.array(weights) / sum(weights)
    return np.asarray(rng.choice(np.array(options), size=n, p=p), dtype=str)


def _houses(rng: np.random.Generator, st: Settlements, i: int, front: tuple[GeomArray, FloatArray], b: _Batch) -> None:
    """Houses (and town apartment blocks) along the streets, with outbuildings behind them."""
    lines, half = front
    if len(lines) == 0:
        return
    pop = float(st.population[i])
    houses_needed = pop / 2.1 if not st.is_town[i] else 0.55 * pop / 2.8
    spacing = float(np.clip(2.0 * shapely.length(lines).sum() / max(houses_needed, 1.0), 15.0, 45.0))
    s = _street_slots(rng, lines, half, spacing)
    centre_gap = np.hypot(s["x"] - st.x[i], s["y"] - st.y[i])
    green = 150.0 if st.is_town[i] else 55.0
    keep = centre_gap > green
    s = {k: v[keep] for k, v in s.items()}
    centre_gap = centre_gap[keep]
    n = len(s["x"])
    core = centre_gap < 0.55 * st.radius_m[i]
    block = core & (rng.random(n) < 0.45) if st.is_town[i] else np.zeros(n, dtype=bool)
    # civic buildings take the slots facing the green (village) or random ones in the centre (town)
    civic_uses = _civic_uses(st, i)
    near = centre_gap < (0.55 * st.radius_m[i] if st.is_town[i] else green + 110.0)
    chosen = rng.permutation(np.flatnonzero(near))[: len(civic_uses)]
    use = np.where(block, "apartment_block", "house").astype(object)
    use[chosen] = civic_uses[: len(chosen)]
    civic = np.zeros(n, dtype=bool)
    civic[chosen] = True
    block &= ~civic
    big = 1.4 if st.is_town[i] else 1.0
    along = np.select(
        [block, civic], [rng.uniform(25.0, 60.0, n), rng.uniform(12.0, 22.0, n) * big], rng.uniform(8.0, 14.0, n)
    )
    depth = np.select(
        [block, civic], [rng.uniform(11.0, 13.0, n), rng.uniform(10.0, 16.0, n)], rng.uniform(8.0, 13.0, n)
    )
    setback = s["half"] + np.where(block | civic, rng.uniform(5.0, 14.0, n), rng.uniform(3.0, 9.0, n)) + depth / 2.0
    nx, ny = -np.sin(s["angle"]) * s["side"], np.cos(s["angle"]) * s["side"]
    angle = s["angle"] + np.radians(rng.normal(0.0, 2.0, n))
    levels = np.select(
        [block, civic],
        [rng.integers(3, 9, n), rng.integers(1, 3, n) + int(st.is_town[i])],
        rng.choice(np.array([1, 2, 3]), size=n, p=np.array([0.55, 0.40, 0.05])),
    )
    b.add(s["x"] + nx * setback, s["y"] + ny * setback, along, depth, angle, use=use.astype(str), levels=levels, home=i)
    # outbuildings: garages, sheds and barns in the yard behind each house
    rate = 0.8 if st.is_town[i] else 2.2
    count = np.where(block | civic, 0, np.minimum(rng.poisson(rate, n), 4))
    owner = np.repeat(np.arange(n), count)
    rank = np.concatenate([np.arange(c) for c in count]) if len(count) else np.array([], dtype=int)
    m = len(owner)
    kinds = ("garage", "shed") if st.is_town[i] else ("garage", "shed", "barn")
    weights = (0.6, 0.4) if st.is_town[i] else (0.3, 0.45, 0.25)
    use = _pick(rng, kinds, weights, m)
    size_l = np.select([use == "garage", use == "shed"], [3.5, rng.uniform(3.0, 5.5, m)], rng.uniform(12.0, 20.0, m))
    size_w = np.select([use == "garage", use == "shed"], [6.5, rng.uniform(3.0, 5.0, m)], rng.uniform(7.0, 10.0, m))
    back = setback[owner] + depth[owner] / 2.0 + rng.uniform(3.0, 10.0, m) + size_w / 2.0 + rank * 14.0
    shift = rng.uniform(-6.0, 6.0, m)
    tx, ty = np.cos(s["angle"][owner]), np.sin(s["angle"][owner])
    ox = s["x"][owner] + nx[owner] * back + tx * shift
    oy = s["y"][owner] + ny[owner] * back + ty * shift
    b.add(ox, oy, size_l, size_w, angle[owner] + np.radians(rng.normal(0, 3, m)), use=use, levels=1, home=i)


def _civic_uses(st: Settlements, i: int) -> list[str]:
    """Civic buildings a settlement of this size has."""
    pop = float(st.population[i])
    uses = ["town_hall", "church"]
    uses += ["shop"] if pop > 300 else []
    uses += ["school"] if pop > 500 else []
    uses += ["fire_station"] if pop > 250 else []
    uses += ["gym"] if pop > 1000 else []
    if st.is_town[i]:
        uses += ["school", "school", "health_centre", "office", "office", "shop", "shop", "shop", "gym", "church"]
    return uses


def _complex(rng: np.random.Generator, b: _Batch, centre: tuple[float, float], n: int, *, kind: str, home: int) -> None:
    """A farm yard or an industrial estate: parallel halls on a rough grid."""
    angle = rng.uniform(0, math.pi)
    if kind == "farm":
        length, width, gap_l, gap_w = rng.uniform(40.0, 90.0, n), rng.uniform(12.0, 20.0, n), 100.0, 35.0
        use = np.where(rng.random(n) < 0.8, "farm_hall", "storage")
    else:
        length, width, gap_l, gap_w = rng.uniform(40.0, 140.0, n), rng.uniform(25.0, 70.0, n), 160.0, 85.0
        use = np.where(rng.random(n) < 0.7, "industrial_hall", "warehouse")
    cols = max(1, round(math.sqrt(n / 2.0)))
    row, col = np.arange(n) // cols, np.arange(n) % cols
    u = (col - (cols - 1) / 2.0) * gap_l + rng.uniform(-5.0, 5.0, n)
    v = (row - row.max() / 2.0) * gap_w + rng.uniform(-3.0, 3.0, n)
    cx = centre[0] + u * math.cos(angle) - v * math.sin(angle)
    cy = centre[1] + u * math.sin(angle) + v * math.cos(angle)
    levels = np.where(use == "warehouse", 1, rng.integers(1, 3, n)) if kind != "farm" else np.ones(n, dtype=int)
    b.add(cx, cy, length, width, np.full(n, angle), use=use, levels=levels, home=home)


def _farms_and_industry(rng: np.random.Generator, st: Settlements, b: _Batch) -> None:
    for i in range(len(st)):
        away = rng.uniform(0, 2 * math.pi)
        dist = float(st.radius_m[i]) + rng.uniform(90.0, 250.0)
        centre = (float(st.x[i] + dist * math.cos(away)), float(st.y[i] + dist * math.sin(away)))
        if st.is_town[i]:
            for k in range(2):
                angle = away + math.pi * (k + 0.5)
                far = float(st.radius_m[i]) * rng.uniform(0.95, 1.25)
                spot = (float(st.x[i] + far * math.cos(angle)), float(st.y[i] + far * math.sin(angle)))
                _complex(rng, b, spot, int(rng.integers(12, 30)), kind="industry", home=i)
        elif rng.random() < 0.75:
            _complex(rng, b, centre, int(rng.integers(3, 11)), kind="farm", home=i)
        if not st.is_town[i] and st.population[i] > 1500:
            angle = away + math.pi
            spot = (float(st.x[i] + dist * math.cos(angle)), float(st.y[i] + dist * math.sin(angle)))
            _complex(rng, b, spot, int(rng.integers(2, 6)), kind="industry", home=i)
    # lone farmsteads in the fields
    for _ in range(18):
        x, y = XMIN + rng.uniform(500, SIZE_M - 500), YMIN + rng.uniform(500, SIZE_M - 500)
        angle = rng.uniform(0, math.pi)
        b.add(np.array([x]), np.array([y]), np.array([rng.uniform(14, 20)]), np.array([rng.uniform(9, 12)]),
              np.array([angle]), use="farmhouse", levels=np.array([rng.integers(1, 3)]), home=-1)  # fmt: skip
        n = int(rng.integers(1, 4))
        ox = x + rng.uniform(-40, 40, n)
        oy = y + rng.uniform(20, 45, n) * rng.choice(np.array([-1.0, 1.0]), n)
        b.add(ox, oy, rng.uniform(15, 35, n), rng.uniform(8, 14, n), np.full(n, angle), use="barn", levels=1, home=-1)


def make_buildings(
    seed: int,
    st: Settlements,
    roads: gpd.GeoDataFrame,
    obstacles: GeomArray,
    *,
    scale: float = 1.0,
) -> gpd.GeoDataFrame:
    """Generate building footprints (EPSG:5514).

    Parameters
    ----------
    obstacles
        Polygons and lines no building may touch (river, brownfields, substations).
    scale
        Share of the candidate buildings to keep, 0 < scale <= 1; 1 gives the full
        region of about 23,000 buildings, smaller values a quicker, sparser one.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``kod``, ``nazev``, ``kod_obce``, ``building_type``, ``building_use``,
        ``levels``, ``roof_type``, ``area_m2`` [m²].
    """
    rng = rng_for(seed, "buildings")
    b = _Batch()
    for i, front in enumerate(_frontage(st, roads)):
        _houses(rng, st, i, front, b)
    _farms_and_industry(rng, st, b)
    use = b.column("use").astype(str)
    priority = np.array([USES[u][1] for u in use])
    # thin first (cheap), then build only the footprints that may stay
    order = np.argsort(priority, kind="stable")
    order = order[rng.random(len(order)) < scale]
    polys = rectangles(*(b.column(c)[order].astype(float) for c in ("cx", "cy", "length", "width", "angle")))
    use, levels, home = use[order], b.column("levels")[order].astype(np.int64), b.column("home")[order]
    keep = shapely.within(polys, extent_box())
    road_geoms = np.asarray(roads.geometry.values, dtype=object)
    for clearance, mask in ((6.5, roads["trida"] != "residential"), (4.0, roads["trida"] == "residential")):
        keep[keep] = keep_apart(polys[keep], obstacles=road_geoms[mask.to_numpy()], clearance_m=clearance, mutual=False)
    keep[keep] = keep_apart(polys[keep], obstacles=obstacles, clearance_m=8.0, mutual=False)
    keep[keep] = keep_apart(polys[keep], clearance_m=1.0)
    polys, use, levels, home = polys[keep], use[keep], levels[keep], home[keep]
    codes, villages = municipality_of(st, polys)
    return gpd.GeoDataFrame(
        {
            "kod": [f"DEMO-B{k + 1:06d}" for k in range(len(polys))],
            "nazev": _names(use, villages, home),
            "kod_obce": codes,
            "building_type": [USES[u][0] for u in use],
            "building_use": use,
            "levels": levels.astype(np.int32),
            "roof_type": _roofs(rng, use),
            "area_m2": np.round(shapely.area(polys), 1),
        },
        geometry=list(polys),
        crs=CRS,
    )


def _roofs(rng: np.random.Generator, use: NDArray[np.str_]) -> NDArray[np.str_]:
    roll = rng.random(len(use))
    out = np.empty(len(use), dtype=object)
    for u in np.unique(use):
        flat, gable, _ = _ROOFS.get(str(u), _CIVIC_ROOF)
        sel = use == u
        out[sel] = np.where(roll[sel] < flat, "flat", np.where(roll[sel] < flat + gable, "gable", "hip"))
    return np.asarray(out, dtype=str)


def _names(use: NDArray[np.str_], villages: list[str], home: NDArray[np.generic]) -> list[str]:
    """House numbers (``č.p.``) per village for dwellings, names for civic and farm/industrial sites."""
    next_number: dict[str, int] = {}
    out = []
    for u, village, h in zip(use.tolist(), villages, home.tolist(), strict=True):
        if u in {"house", "apartment_block", "farmhouse"}:
            number = next_number.get(village, 1)
            next_number[village] = number + 1
            out.append(f"{village} č.p. {number}")
        elif u in _CIVIC_NAMES:
            out.append(f"{_CIVIC_NAMES[u]} {village}")
        elif u in {"farm_hall", "storage"}:
            out.append(f"Zemědělský areál {village}")
        elif u in {"industrial_hall", "warehouse"}:
            out.append(f"Průmyslová zóna {village}" if h >= 0 else "")
        else:
            out.append("")
    return out
