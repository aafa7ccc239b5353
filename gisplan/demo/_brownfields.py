"""Brownfields of the demo region, as a Czech brownfield register
(``docs/cz_brownfields_schema.md``, ``format: cz-brownfields``).

Former JZD farms sit at village edges, factories by the town and the river,
spoil heaps and pits of the coal basin in open land, barracks in the fields and
small civic buildings inside villages. Some sites are placed on purpose near a
power line, in a protected area or in the Q100 flood zone, so that every
scoring rule has something to act on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplan.demo._common import CRS, EXTENT, SIZE_M, XMIN, YMIN, blob, polygon_site, rng_for
from gisplan.demo._settlements import Settlements, municipality_of
from gisplan.demo._terrain import Terrain

#: Column order of the register CSV, as in docs/cz_brownfields_schema.md.
REGISTER_COLUMNS = (
    "kod", "nazev", "kod_obce", "obec", "vymera_m2", "puvodni_vyuziti", "vlastnictvi", "kontaminace",
    "elektrina", "voda", "kanalizace", "plyn", "prijezd", "stav", "wkt",
)  # fmt: skip
PREVIOUS_USES = ("prumysl", "zemedelstvi", "tezba", "armada", "bydleni", "obcanska_vybavenost", "jine")
OWNERSHIPS = ("obec", "jiny_verejny", "soukrome", "smisene", "nezname")
CONTAMINATION = ("zadna_znama", "podezreni", "potvrzena", "sanovana")
UTILITY_VALUES = ("ano", "ne", "nevime")
UTILITIES = ("elektrina", "voda", "kanalizace", "plyn", "prijezd")


@dataclass(frozen=True)
class _Kind:
    use: str
    area_ha: tuple[float, float]
    names: tuple[str, ...]
    states: tuple[str, ...]
    owners: tuple[float, float, float, float, float]  # weights of OWNERSHIPS
    dirt: tuple[float, float, float, float]  # weights of CONTAMINATION
    services: float  # chance that a utility is on site


_KINDS = {
    "farm": _Kind(
        "zemedelstvi", (0.5, 6.0),
        ("Bývalý areál JZD", "Bývalý kravín", "Bývalá drůbežárna", "Zemědělský areál", "Bývalý statek"),
        ("chátrající objekty", "částečně využívané sklady", "ruiny bez střech", "prázdné haly"),
        (0.15, 0.05, 0.55, 0.15, 0.10), (0.45, 0.45, 0.05, 0.05), 0.7,
    ),
    "factory": _Kind(
        "prumysl", (0.8, 20.0),
        ("Areál bývalé cihelny", "Bývalá sklárna", "Areál bývalé textilky", "Bývalý pivovar",
         "Bývalá strojírna", "Bývalá porcelánka", "Bývalé chemické závody", "Bývalá pila"),
        ("opuštěné haly", "demolice provedena", "částečně pronajato", "havarijní stav"),
        (0.15, 0.10, 0.55, 0.10, 0.10), (0.15, 0.45, 0.30, 0.10), 0.85,
    ),
    "mine": _Kind(
        "tezba", (8.0, 60.0),
        ("Výsypka bývalého lomu", "Bývalý hlubinný důl", "Odkaliště", "Halda bývalého dolu", "Bývalý povrchový lom"),
        ("rekultivace nezahájena", "rekultivace zahájena", "sukcese náletových dřevin", "holá výsypka"),
        (0.05, 0.50, 0.35, 0.05, 0.05), (0.10, 0.35, 0.35, 0.20), 0.25,
    ),
    "barracks": _Kind(
        "armada", (4.0, 25.0),
        ("Bývalá kasárna", "Bývalý vojenský sklad"),
        ("opuštěné budovy", "částečně demolováno"),
        (0.50, 0.40, 0.05, 0.05, 0.00), (0.20, 0.50, 0.25, 0.05), 0.8,
    ),
    "civic": _Kind(
        "obcanska_vybavenost", (0.3, 1.5),
        ("Stará škola", "Bývalé kino", "Kulturní dům", "Bývalá mateřská škola", "Bývalá sokolovna"),
        ("prázdná budova", "havarijní stav", "nevyužívaný objekt"),
        (0.75, 0.10, 0.10, 0.05, 0.00), (0.80, 0.15, 0.00, 0.05), 0.95,
    ),
    "housing": _Kind(
        "bydleni", (0.3, 1.2),
        ("Rozpadlé bytové domy", "Bývalá ubytovna"),
        ("neobydleno", "ruiny"),
        (0.30, 0.00, 0.50, 0.10, 0.10), (0.80, 0.20, 0.00, 0.00), 0.9,
    ),
    "other": _Kind(
        "jine", (0.5, 8.0),
        ("Bývalé nákladové nádraží", "Bývalá skládka", "Areál bývalé ČSAD", "Bývalá čerpací stanice"),
        ("nevyužíváno", "zarostlá plocha", "částečně zpevněné plochy"),
        (0.30, 0.30, 0.30, 0.05, 0.05), (0.20, 0.50, 0.25, 0.05), 0.6,
    ),
}  # fmt: skip

#: (kind, placement) for each site; placements: edge, inside, town, open, flood, grid, protected.
_PLAN = (
    [("farm", "edge")] * 11 + [("farm", "grid")] * 2 + [("factory", "town")] * 4 + [("factory", "flood")] * 3
    + [("factory", "grid")] * 2 + [("mine", "open")] * 3 + [("mine", "protected")] * 2 + [("mine", "grid")]
    + [("barracks", "open"), ("barracks", "protected")] + [("civic", "inside")] * 6 + [("housing", "inside")] * 3
    + [("other", "flood"), ("other", "open"), ("other", "grid"), ("other", "edge"), ("other", "town")]
)  # fmt: skip


@dataclass(frozen=True)
class _Context:
    st: Settlements
    terrain: Terrain
    roads: gpd.GeoDataFrame
    lines: gpd.GeoDataFrame
    protected: gpd.GeoDataFrame


def _in_box(rng: np.random.Generator, margin: float) -> tuple[float, float]:
    return XMIN + rng.uniform(margin, SIZE_M - margin), YMIN + rng.uniform(margin, SIZE_M - margin)


def _centre(rng: np.random.Generator, placement: str, radius: float, ctx: _Context) -> tuple[float, float]:
    """A candidate centre [m] for a site of about ``radius`` [m] under ``placement``."""
    st = ctx.st
    if placement in {"edge", "inside", "town"}:
        weights = st.population / st.population.sum()
        i = 0 if placement == "town" else int(rng.choice(len(st), p=weights))
        spread = {
            "edge": st.radius_m[i] + rng.uniform(30.0, 220.0) + radius,
            "inside": st.radius_m[i] * rng.uniform(0.25, 0.7),
            "town": st.radius_m[i] * rng.uniform(0.8, 1.1) + radius,
        }[placement]
        angle = rng.uniform(0, 2 * math.pi)
        return float(st.x[i] + spread * math.cos(angle)), float(st.y[i] + spread * math.sin(angle))
    if placement == "flood":
        river = ctx.terrain.river
        p = river.interpolate(rng.uniform(0.05, 0.95) * river.length)
        side = rng.choice([-1.0, 1.0])
        return float(p.x), float(p.y + side * (radius + rng.uniform(40.0, 120.0)))
    if placement == "grid":
        line = ctx.lines.geometry.iloc[int(rng.integers(len(ctx.lines)))]
        p = line.interpolate(rng.uniform(0.1, 0.9) * line.length)
        angle = rng.uniform(0, 2 * math.pi)
        off = radius + rng.uniform(40.0, 220.0)
        return float(p.x + off * math.cos(angle)), float(p.y + off * math.sin(angle))
    if placement == "protected":
        areas = ctx.protected[ctx.protected["kategorie"].isin(["CHKO", "PO", "EVL"])].geometry
        area = areas.iloc[int(rng.integers(len(areas)))]
        x0, y0, x1, y1 = area.bounds
        for _ in range(200):
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if area.contains(shapely.Point(x, y)):
                return float(x), float(y)
    return _in_box(rng, 800.0)


@dataclass(frozen=True)
class _Obstacles:
    main_roads: shapely.STRtree
    streets: shapely.STRtree
    zones: shapely.Geometry
    inner_box: shapely.Polygon
    protected: shapely.Geometry


def _fits(poly: shapely.Polygon, placement: str, placed: list[shapely.Polygon], ctx: _Context, obs: _Obstacles) -> bool:
    """Inside the box, apart from other sites, the river and main roads, and where ``placement`` wants it."""
    if not obs.inner_box.contains(poly) or any(poly.distance(p) < 40.0 for p in placed):
        return False
    if poly.distance(ctx.terrain.river) < 25.0 or obs.main_roads.query(poly, predicate="dwithin", distance=10.0).size:
        return False
    if placement == "inside":
        return not obs.streets.query(poly, predicate="dwithin", distance=6.0).size
    if placement == "open":
        return bool(poly.distance(obs.zones) > 400.0)
    if placement == "protected" and not obs.protected.contains(poly):
        return False
    return not poly.intersects(obs.zones)


def _attributes(rng: np.random.Generator, kind: _Kind, placement: str) -> dict[str, str]:
    row = {
        "puvodni_vyuziti": kind.use,
        "vlastnictvi": str(rng.choice(OWNERSHIPS, p=np.array(kind.owners) / sum(kind.owners))),
        "kontaminace": str(rng.choice(CONTAMINATION, p=np.array(kind.dirt) / sum(kind.dirt))),
        "stav": str(rng.choice(kind.states)),
    }
    for utility in UTILITIES:
        chance = min(0.97, kind.services + (0.15 if placement in {"grid", "inside", "town"} else 0.0))
        if utility == "prijezd":
            chance = max(chance, 0.85)
        roll = rng.random()
        row[utility] = "nevime" if roll > 0.93 else ("ano" if rng.random() < chance else "ne")
    # a register is never complete: leave a few optional cells blank
    for column in ("kontaminace", "plyn", "vlastnictvi"):
        if rng.random() < 0.06:
            row[column] = ""
    return row


def make_brownfields(
    seed: int,
    st: Settlements,
    *,
    terrain: Terrain,
    roads: gpd.GeoDataFrame,
    grid: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    protected: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Generate the brownfield register (EPSG:5514 polygons plus the register columns).

    The frame has the columns of :data:`REGISTER_COLUMNS` except ``wkt``, and a
    geometry; :func:`register_table` turns it into the CSV table.
    """
    rng = rng_for(seed, "brownfields")
    ctx = _Context(st, terrain, roads, grid[0], protected)
    is_main = roads["trida"] != "residential"
    obstacles = _Obstacles(
        main_roads=shapely.STRtree(np.asarray(roads.geometry[is_main].values, dtype=object)),
        streets=shapely.STRtree(np.asarray(roads.geometry[~is_main].values, dtype=object)),
        zones=shapely.union_all(st.zones),
        inner_box=shapely.box(EXTENT[0] + 50, EXTENT[1] + 50, EXTENT[2] - 50, EXTENT[3] - 50),
        protected=shapely.union_all(protected.geometry.values),
    )
    placed: list[shapely.Polygon] = []
    rows: list[dict[str, object]] = []
    plan = list(_PLAN)
    # one very large spoil heap and one tiny old school are always there
    plan[0:0] = [("mine", "open"), ("civic", "inside")]
    fixed_ha = {0: 58.0, 1: 0.32}
    for k, (kind_name, placement) in enumerate(plan):
        kind = _KINDS[kind_name]
        low, high = kind.area_ha
        area_ha = fixed_ha.get(k) or math.exp(rng.uniform(math.log(low), math.log(high)))
        shape: Callable[..., shapely.Polygon] = blob if kind_name == "mine" else polygon_site
        for attempt in range(400):
            if attempt and attempt % 80 == 0:
                area_ha = max(0.3, area_ha * 0.8)
            radius = math.sqrt(area_ha * 10_000.0 / math.pi)
            cx, cy = _centre(rng, placement, radius, ctx)
            poly = shape(rng, cx, cy, area_ha * 10_000.0)
            if _fits(poly, placement, placed, ctx, obstacles):
                break
        else:
            continue
        placed.append(poly)
        rows.append({"kind": kind_name, "placement": placement, **_attributes(rng, kind, placement)})
    geoms = np.asarray(placed, dtype=object)
    codes, names = municipality_of(st, geoms)
    frame = gpd.GeoDataFrame(rows, geometry=list(geoms), crs=CRS)
    frame.insert(0, "kod", [f"DEMO-BF-{k + 1:04d}" for k in range(len(frame))])
    frame.insert(1, "nazev", _site_names(rng, frame["kind"].tolist(), names))
    frame.insert(2, "kod_obce", codes)
    frame.insert(3, "obec", names)
    frame.insert(4, "vymera_m2", np.round(shapely.area(geoms)).astype(np.int64))
    return frame.drop(columns=["kind", "placement"])


def _site_names(rng: np.random.Generator, kinds: list[str], villages: list[str]) -> list[str]:
    out: list[str] = []
    for kind_name, village in zip(kinds, villages, strict=True):
        base = f"{rng.choice(_KINDS[kind_name].names)} {village}"
        name, n = base, 2
        while name in out:
            name, n = f"{base} {n}", n + 1
        out.append(name)
    return out


def register_table(brownfields: gpd.GeoDataFrame) -> pd.DataFrame:
    """The register as a plain table with a ``wkt`` column (EPSG:5514, 2 decimals)."""
    table = pd.DataFrame(brownfields.drop(columns="geometry"))
    table["wkt"] = shapely.to_wkt(
        np.asarray(brownfields.geometry.values, dtype=object), rounding_precision=2, trim=True
    )
    return table[list(REGISTER_COLUMNS)]
