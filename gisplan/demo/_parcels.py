"""Land parcels owned by the municipalities (candidates of kind ``municipal_land``).

Each municipality owns the building plots of its civic buildings (druh pozemku
13) and a scatter of fields, meadows, woods, ponds, gardens and "other areas"
around its village. Codes follow RÚIAN ``DruhPozemkuKod``: 2 orná půda,
5 zahrada, 7 trvalý travní porost, 10 lesní pozemek, 11 vodní plocha,
13 zastavěná plocha a nádvoří, 14 ostatní plocha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplan.demo._common import CRS, GeomArray, blob, polygon_site, rng_for, round_geoms
from gisplan.demo._settlements import Settlements

LAND_USE = {
    2: "orná půda",
    5: "zahrada",
    7: "trvalý travní porost",
    10: "lesní pozemek",
    11: "vodní plocha",
    13: "zastavěná plocha a nádvoří",
    14: "ostatní plocha",
}
#: code -> (weight, smallest and largest area [ha], distance band beyond the village edge [m])
_KINDS = {
    2: (0.25, (0.5, 4.0), (60.0, 1200.0)),
    5: (0.10, (0.03, 0.2), (-120.0, 30.0)),
    7: (0.20, (0.2, 2.0), (20.0, 900.0)),
    10: (0.12, (1.0, 8.0), (500.0, 2200.0)),
    11: (0.05, (0.1, 1.0), (40.0, 800.0)),
    14: (0.28, (0.05, 1.5), (-60.0, 400.0)),
}


@dataclass(frozen=True)
class _Obstacles:
    roads: shapely.STRtree
    buildings: shapely.STRtree
    other: shapely.STRtree


def _clear(poly: shapely.Geometry, obs: _Obstacles) -> bool:
    return not (
        obs.roads.query(poly, predicate="dwithin", distance=3.0).size
        or obs.buildings.query(poly, predicate="intersects").size
        or obs.other.query(poly, predicate="dwithin", distance=5.0).size
    )


def _land(
    rng: np.random.Generator, st: Settlements, i: int, count: int, obs: _Obstacles
) -> list[tuple[int, shapely.Polygon]]:
    """Up to ``count`` parcels of municipality ``i`` that fit in it and touch nothing."""
    muni = st.municipalities.set_index("kod_obce").geometry[st.codes[i]]
    codes = np.array(list(_KINDS))
    weights = np.array([k[0] for k in _KINDS.values()])
    out: list[tuple[int, shapely.Polygon]] = []
    for _ in range(count):
        code = int(rng.choice(codes, p=weights / weights.sum()))
        _, (low, high), (near, far) = _KINDS[code]
        for _attempt in range(30):
            area = math.exp(rng.uniform(math.log(low), math.log(high))) * 10_000.0
            angle = rng.uniform(0, 2 * math.pi)
            dist = float(st.radius_m[i]) + rng.uniform(near, far)
            cx, cy = float(st.x[i] + dist * math.cos(angle)), float(st.y[i] + dist * math.sin(angle))
            poly = blob(rng, cx, cy, area, roughness=0.3) if code in {10, 11} else polygon_site(rng, cx, cy, area)
            if muni.contains(poly) and _clear(poly, obs) and all(poly.distance(p) > 2.0 for _, p in out):
                out.append((code, poly))
                break
    return out


def make_parcels(
    seed: int,
    st: Settlements,
    roads: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    obstacles: GeomArray,
    *,
    scale: float = 1.0,
) -> gpd.GeoDataFrame:
    """Generate municipal parcels (EPSG:5514).

    Parameters
    ----------
    obstacles
        Geometries parcels keep 5 m away from (river, brownfields, substations).
    scale
        Thins the field parcels like the buildings (at least a quarter are kept).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``kod``, ``nazev``, ``kod_obce``, ``obec``, ``vlastnik``, ``parcelni_cislo``,
        ``kmenove_cislo``, ``pododdeleni_cisla``, ``druh_pozemku_kod``, ``druh_pozemku``, ``vymera_m2`` [m²].
    """
    rng = rng_for(seed, "parcels")
    civic = buildings[buildings["building_type"] == "civic"]
    others = np.asarray(buildings.geometry[buildings["building_type"] != "civic"].values, dtype=object)
    obs = _Obstacles(
        roads=shapely.STRtree(np.asarray(roads.geometry.values, dtype=object)),
        buildings=shapely.STRtree(others),
        other=shapely.STRtree(obstacles),
    )
    rows: list[dict[str, object]] = []
    geoms: list[shapely.Geometry] = []
    for i in range(len(st)):
        number = int(rng.integers(40, 400))
        plots = [(13, g) for g in civic.geometry[civic["kod_obce"] == st.codes[i]]]
        plots = [(13, _plot(g, obs, rng)) for _, g in plots]
        plots += _land(rng, st, i, round(rng.uniform(8, 22) * max(scale, 0.25)), obs)
        for code, poly in plots:
            number += int(rng.integers(1, 25))
            sub = int(rng.integers(1, 6)) if code != 13 and rng.random() < 0.3 else None
            label = f"st. {number}" if code == 13 else (f"{number}/{sub}" if sub else str(number))
            owner = ("Město " if st.is_town[i] else "Obec ") + st.names[i]
            rows.append(
                {
                    "nazev": f"{st.names[i]}, parc. č. {label}",
                    "kod_obce": st.codes[i],
                    "obec": st.names[i],
                    "vlastnik": owner,
                    "parcelni_cislo": label,
                    "kmenove_cislo": number,
                    "pododdeleni_cisla": sub,
                    "druh_pozemku_kod": code,
                    "druh_pozemku": LAND_USE[code],
                }
            )
            geoms.append(round_geoms(poly))
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)
    frame.insert(0, "kod", [f"DEMO-P{k + 1:05d}" for k in range(len(frame))])
    frame["kmenove_cislo"] = frame["kmenove_cislo"].astype(np.int32)
    frame["pododdeleni_cisla"] = pd.array(frame["pododdeleni_cisla"], dtype="Int32")
    frame["druh_pozemku_kod"] = frame["druh_pozemku_kod"].astype(np.int32)
    frame.insert(len(frame.columns) - 1, "vymera_m2", np.round(frame.area).astype(np.int64))
    return frame


def _plot(building: shapely.Polygon, obs: _Obstacles, rng: np.random.Generator) -> shapely.Polygon:
    """The building plot around a civic building: its footprint grown by a yard that stays off the roads."""
    for margin in (rng.uniform(4.0, 10.0), 2.0, 0.0):
        plot = building.buffer(margin, join_style="mitre")
        if margin == 0.0 or not obs.roads.query(plot, predicate="dwithin", distance=1.0).size:
            return plot
    return building
