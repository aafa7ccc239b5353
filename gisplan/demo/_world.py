"""Generating the whole demo region in memory, part by part, in dependency order."""

from __future__ import annotations

import time
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gisplan.demo._brownfields import make_brownfields, register_table
from gisplan.demo._buildings import make_buildings
from gisplan.demo._common import CRS, ProgressFn, round_geoms
from gisplan.demo._grid import make_grid
from gisplan.demo._nature import make_protected_areas
from gisplan.demo._parcels import make_parcels
from gisplan.demo._roads import make_roads
from gisplan.demo._settlements import make_settlements
from gisplan.demo._terrain import Terrain, ghi_kwh_m2_yr, make_terrain, slope_deg


@dataclass(frozen=True)
class DemoRegion:
    """Every layer of the demo region; vectors in EPSG:5514."""

    seed: int
    terrain: Terrain
    municipalities: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    power_lines: gpd.GeoDataFrame
    substations: gpd.GeoDataFrame
    protected_areas: gpd.GeoDataFrame
    flood_zones: gpd.GeoDataFrame
    rivers: gpd.GeoDataFrame
    brownfields: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    parcels: gpd.GeoDataFrame
    slope_deg: NDArray[np.float32]
    ghi_kwh_m2_yr: NDArray[np.float32]

    def register(self) -> pd.DataFrame:
        """The brownfield register table (with a ``wkt`` column)."""
        return register_table(self.brownfields)

    def vectors(self) -> dict[str, gpd.GeoDataFrame]:
        """The vector layers by output key (see ``_catalogue.FILES``)."""
        return {
            "municipalities": self.municipalities,
            "buildings": self.buildings,
            "parcels": self.parcels,
            "roads": self.roads,
            "power_lines": self.power_lines,
            "substations": self.substations,
            "protected_areas": self.protected_areas,
            "flood_zones": self.flood_zones,
            "rivers": self.rivers,
        }


def _water(terrain: Terrain) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    flood = gpd.GeoDataFrame(
        {
            "kod": [f"DEMO-Q100-{k + 1:02d}" for k in range(len(terrain.flood_q100))],
            "nazev": [f"Záplavové území Q100 – {terrain.river_name}"] * len(terrain.flood_q100),
            "typ": "Q100",
            "tok": terrain.river_name,
            "rozloha_ha": [round(p.area / 10_000.0, 2) for p in terrain.flood_q100],
        },
        geometry=terrain.flood_q100,
        crs=CRS,
    )
    rivers = gpd.GeoDataFrame(
        {
            "kod": ["DEMO-W01", "DEMO-W02"],
            "nazev": [terrain.river_name, terrain.stream_name],
            "typ": ["river", "stream"],
        },
        geometry=[terrain.river, terrain.stream],
        crs=CRS,
    )
    rivers.insert(len(rivers.columns) - 1, "delka_m", np.round(rivers.length, 1))
    return flood, rivers


def generate(seed: int, *, scale: float = 1.0, progress: ProgressFn | None = None) -> DemoRegion:
    """Generate the demo region for ``seed`` in memory.

    ``scale`` (0 < scale <= 1) thins buildings and parcels for quick test builds.
    """
    say = progress or (lambda _msg: None)
    start = time.perf_counter()

    def step(msg: str) -> None:
        say(f"{msg} ({time.perf_counter() - start:.1f} s)")

    terrain = make_terrain(seed)
    step(f"terrain: DEM {terrain.dem_m.shape[1]}x{terrain.dem_m.shape[0]} cells, river {terrain.river_name}")
    st = make_settlements(seed, terrain)
    step(f"settlements: {len(st)} municipalities, {int(st.population.sum()):,} inhabitants")
    roads = make_roads(seed, st)
    lines, substations = make_grid(seed, st)
    protected = make_protected_areas(seed, terrain, st)
    step(f"roads {len(roads)}, power lines {len(lines)}, protected areas {len(protected)}")
    brownfields = make_brownfields(
        seed, st, terrain=terrain, roads=roads, grid=(lines, substations), protected=protected
    )
    step(f"brownfields: {len(brownfields)}")
    obstacles = np.asarray([terrain.river, terrain.stream, *brownfields.geometry, *substations.geometry], dtype=object)
    buildings = make_buildings(seed, st, roads, obstacles, scale=scale)
    step(f"buildings: {len(buildings):,}")
    parcels = make_parcels(seed, st, roads, buildings, obstacles, scale=scale)
    step(f"municipal parcels: {len(parcels)}")
    flood, rivers = _water(terrain)
    slope = slope_deg(terrain.dem_m)
    ghi = ghi_kwh_m2_yr(seed, terrain.dem_m)
    step("rasters: slope, GHI")
    municipalities = st.municipalities.copy()
    municipalities["geometry"] = round_geoms(municipalities.geometry.values)
    return DemoRegion(
        seed=seed,
        terrain=terrain,
        municipalities=municipalities,
        roads=roads,
        power_lines=lines,
        substations=substations,
        protected_areas=protected,
        flood_zones=flood,
        rivers=rivers,
        brownfields=brownfields,
        buildings=buildings,
        parcels=parcels,
        slope_deg=slope,
        ghi_kwh_m2_yr=ghi,
    )
