"""Protected areas: part of a protected landscape area (CHKO), Natura 2000 sites
(EVL along the river and on the volcanic hills, one bird area) and small nature
reserves. All names are invented.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely import ops

from gisplan.demo._common import CRS, SIZE_M, XMIN, YMAX, YMIN, blob, extent_box, rng_for, round_geoms
from gisplan.demo._names import genitive
from gisplan.demo._settlements import Settlements
from gisplan.demo._terrain import DEM_CELL_M, Terrain

CATEGORIES = {
    "CHKO": ("protected landscape area", False),
    "EVL": ("Natura 2000 site of community importance", True),
    "PO": ("Natura 2000 special protection area", True),
    "PR": ("nature reserve", False),
    "PP": ("nature monument", False),
}
_HILLS = ("Kamenný vrch", "Holý vrch", "Bukový kopec", "Ostrý", "Spálený vrch")
_SMALL = ("Na Skalce", "Višňová stráň", "Liščí stráň", "Mokřad pod hrází", "Bučina", "Jalovcové stráně")


def _hill_tops(terrain: Terrain, count: int) -> list[tuple[float, float]]:
    """The highest points of the eastern half, at least 2.5 km apart."""
    dem = terrain.dem_m.astype(float).copy()
    n = dem.shape[0]
    dem[:, : int(n * 0.45)] = -np.inf
    rows, cols = np.mgrid[0:n, 0:n]
    tops = []
    for _ in range(count):
        r, c = np.unravel_index(int(np.argmax(dem)), dem.shape)
        x, y = XMIN + (c + 0.5) * DEM_CELL_M, YMAX - (r + 0.5) * DEM_CELL_M
        tops.append((float(x), float(y)))
        dem[np.hypot(rows - r, cols - c) * DEM_CELL_M < 2500.0] = -np.inf
    return tops


def make_protected_areas(seed: int, terrain: Terrain, st: Settlements) -> gpd.GeoDataFrame:
    """Generate protected areas (EPSG:5514), clipped to the demo box.

    Columns: ``kod``, ``nazev``, ``kategorie`` (CHKO, EVL, PO, PR, PP),
    ``kategorie_en``, ``natura2000``, ``rozloha_ha``.
    """
    rng = rng_for(seed, "nature")
    items: list[tuple[str, str, shapely.Geometry]] = []
    chko = blob(rng, XMIN - rng.uniform(1500, 3000), YMAX + rng.uniform(1000, 2500), 2.6e8, roughness=0.3)
    items.append(("CHKO", "CHKO Podkrušnohorské vrchy", chko))
    river = terrain.river
    start = rng.uniform(0.15, 0.45) * river.length
    reach = ops.substring(river, start, start + rng.uniform(3500.0, 5500.0))
    items.append(("EVL", f"EVL Niva {genitive(terrain.river_name)}", reach.buffer(230.0, quad_segs=6)))
    for k, (x, y) in enumerate(_hill_tops(terrain, 2)):
        items.append(("EVL", f"EVL {_HILLS[k]}", blob(rng, x, y, rng.uniform(0.8e6, 2.2e6), roughness=0.4)))
    spa_x, spa_y = XMIN + rng.uniform(0.55, 0.8) * SIZE_M, YMIN + rng.uniform(0.05, 0.2) * SIZE_M
    items.append(("PO", "PO Jižní mokřady", blob(rng, spa_x, spa_y, rng.uniform(8e6, 1.3e7), roughness=0.35)))
    zones = shapely.union_all(st.zones).buffer(150.0)
    placed = 0
    while placed < 4:
        x, y = XMIN + rng.uniform(1000, SIZE_M - 1000), YMIN + rng.uniform(1000, SIZE_M - 1000)
        poly = blob(rng, x, y, rng.uniform(5e4, 4e5), roughness=0.45)
        if poly.intersects(zones) or poly.distance(river) < 100.0:
            continue
        cat = "PR" if placed % 2 == 0 else "PP"
        items.append((cat, f"{cat} {_SMALL[placed]}", poly))
        placed += 1
    box = extent_box()
    geoms = [round_geoms(shapely.intersection(g, box)) for _, _, g in items]
    return gpd.GeoDataFrame(
        {
            "kod": [f"DEMO-PA{k + 1:02d}" for k in range(len(items))],
            "nazev": [name for _, name, _ in items],
            "kategorie": [cat for cat, _, _ in items],
            "kategorie_en": [CATEGORIES[cat][0] for cat, _, _ in items],
            "natura2000": [CATEGORIES[cat][1] for cat, _, _ in items],
            "rozloha_ha": np.round(shapely.area(np.asarray(geoms, dtype=object)) / 10_000.0, 2),
        },
        geometry=geoms,
        crs=CRS,
    )
