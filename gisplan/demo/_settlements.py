"""Villages, one small town, and the municipalities that tile the demo box.

Each municipality has one settlement at its centre. The boundaries are the
Voronoi cells of the centres, bent by a smooth displacement field so they look
drawn along fields and brooks rather than with a ruler; the cells still tile
the box exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    SmoothField,
    blob,
    extent_box,
    rng_for,
    warp,
)
from gisplan.demo._names import place_names
from gisplan.demo._terrain import Terrain

#: Synthetic municipality codes start here: real municipality codes run from 500011 to 599999, so 999xxx is never real.
CODE_BASE = 999_101


@dataclass(frozen=True)
class Settlements:
    """Settlement centres with their municipality; index ``i`` is the same everywhere."""

    names: list[str]
    codes: list[str]
    x: FloatArray
    y: FloatArray
    population: NDArray[np.int64]
    is_town: NDArray[np.bool_]
    radius_m: FloatArray
    """Radius of the built-up area [m]."""
    zones: GeomArray
    """Built-up area outlines (EPSG:5514)."""
    municipalities: gpd.GeoDataFrame

    def __len__(self) -> int:
        return len(self.names)


def _place_centres(rng: np.random.Generator, terrain: Terrain, count: int) -> tuple[FloatArray, FloatArray]:
    """Town first (on the river terrace, mid-box), then villages by rejection sampling."""
    tx = XMIN + rng.uniform(0.42, 0.58) * SIZE_M
    on_river = terrain.river.interpolate(terrain.river.project(shapely.Point(tx, YMIN)))
    col = min(int((on_river.x - XMIN) // 50.0), len(terrain.floodplain_halfwidth_m) - 1)
    ty = on_river.y + terrain.floodplain_halfwidth_m[col] + rng.uniform(950.0, 1150.0)
    xs, ys = [on_river.x], [ty]
    min_dist, attempts = 2500.0, 0
    while len(xs) < count:
        attempts += 1
        if attempts % 3000 == 0:
            min_dist *= 0.93
        x = XMIN + rng.uniform(700.0, SIZE_M - 700.0)
        y = YMIN + rng.uniform(700.0, SIZE_M - 700.0)
        if terrain.elevation_at(np.array([x]), np.array([y]))[0] > 470.0:
            continue
        col = min(int((x - XMIN) // 50.0), len(terrain.floodplain_halfwidth_m) - 1)
        if terrain.river.distance(shapely.Point(x, y)) < terrain.floodplain_halfwidth_m[col] + 200.0:
            continue
        gap = np.hypot(np.array(xs) - x, np.array(ys) - y)
        if gap[0] < min_dist + 900.0 or gap.min() < min_dist:
            continue
        xs.append(x)
        ys.append(y)
    return np.round(np.array(xs), 2), np.round(np.array(ys), 2)


def _populations(rng: np.random.Generator, count: int) -> NDArray[np.int64]:
    """Town of 8,500-11,500; villages log-normal within 200-4,800, 29,000-33,000 in all.

    The village total is fixed so every seed gets about the same number of
    buildings: some 75-85 inhabitants per km² outside the town, as in the
    rural parts of the Most and Teplice districts.
    """
    villages = rng.lognormal(math.log(650.0), 0.75, size=count - 1)
    total = rng.uniform(29_000.0, 33_000.0)
    for _ in range(5):
        villages = np.clip(villages * total / villages.sum(), 200, 4800)
    town = rng.uniform(8500, 11500)
    return np.round(np.concatenate([[town], villages])).astype(np.int64)


def _municipality_polygons(rng: np.random.Generator, x: FloatArray, y: FloatArray) -> GeomArray:
    box = extent_box()
    cells = shapely.voronoi_polygons(shapely.multipoints(np.column_stack([x, y])), extend_to=box, ordered=True)
    polys = np.asarray(shapely.intersection(shapely.get_parts(cells), box), dtype=object)
    coarse = (SmoothField(rng, 2400.0, 150.0), SmoothField(rng, 2400.0, 150.0))
    fine = (SmoothField(rng, 450.0, 18.0), SmoothField(rng, 450.0, 18.0))
    bent = warp(warp(polys, coarse, segment_m=80.0), fine, segment_m=80.0)
    return np.asarray(shapely.make_valid(bent), dtype=object)


def make_settlements(seed: int, terrain: Terrain) -> Settlements:
    """Generate 20-26 municipalities with their settlement for ``seed``."""
    rng = rng_for(seed, "settlements")
    count = int(rng.integers(20, 27))
    x, y = _place_centres(rng, terrain, count)
    population = _populations(rng, count)
    names = place_names(rng, count)
    is_town = np.zeros(count, dtype=bool)
    is_town[0] = True
    radius = np.round(95.0 * np.sqrt(population / 100.0) + 80.0, 1)
    zones = np.array(
        [blob(rng, float(x[i]), float(y[i]), math.pi * float(radius[i]) ** 2, roughness=0.35) for i in range(count)],
        dtype=object,
    )
    polygons = _municipality_polygons(rng, x, y)
    # codes ascend with the name, as real codes of a district roughly do
    order = sorted(range(count), key=lambda i: names[i])
    codes = [""] * count
    for rank, i in enumerate(order):
        codes[i] = str(CODE_BASE + rank)
    municipalities = gpd.GeoDataFrame(
        {
            "kod_obce": codes,
            "nazev_obce": names,
            "pocet_obyv": population,
            "status": np.where(is_town, "město", "obec"),
            "rozloha_ha": np.round(shapely.area(polygons) / 10_000.0, 2),
        },
        geometry=list(polygons),
        crs=CRS,
    )
    municipalities = municipalities.iloc[order].reset_index(drop=True)
    return Settlements(
        names=names,
        codes=codes,
        x=x,
        y=y,
        population=population,
        is_town=is_town,
        radius_m=radius,
        zones=zones,
        municipalities=municipalities,
    )


def municipality_of(settlements: Settlements, geoms: GeomArray) -> tuple[list[str], list[str]]:
    """Code and name of the municipality holding each geometry's representative point."""
    munis = settlements.municipalities
    points = shapely.point_on_surface(geoms)
    tree = shapely.STRtree(np.asarray(munis.geometry.values, dtype=object))
    src, hit = tree.query(points, predicate="within")
    found = np.full(len(geoms), -1)
    found[src] = hit
    if (found < 0).any():
        # a point on a shared boundary: take the nearest municipality
        missing = np.flatnonzero(found < 0)
        found[missing] = tree.nearest(points[missing])
    codes = munis["kod_obce"].to_numpy()[found].tolist()
    names = munis["nazev_obce"].to_numpy()[found].tolist()
    return [str(c) for c in codes], [str(n) for n in names]


__all__ = ["CODE_BASE", "Settlements", "make_settlements", "municipality_of"]
