"""Terrain of the demo region: rivers, DEM, Q100 flood zones, slope and GHI.

The landscape imitates the basin west of Bílina: a river valley at 210-235 m
a.s.l. crossing from west to east, a few volcanic cones of the České středohoří
type in the east, and the foothills of the Krušné hory rising to about 780 m in
the north-west. All grids are north-up in EPSG:5514.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from rasterio import features
from rasterio.transform import Affine, from_origin
from scipy.spatial import cKDTree

from gisplan.demo._common import (
    SIZE_M,
    XMAX,
    XMIN,
    YMAX,
    YMIN,
    FloatArray,
    SmoothField,
    extent_box,
    rng_for,
    round_geoms,
)
from gisplan.demo._names import river_name

DEM_CELL_M = 50.0
GHI_CELL_M = 100.0
#: Mean sun elevation weighting the terrain effect on irradiation [deg]; roughly
#: the irradiance-weighted annual mean at 50.5 N.
_SUN_ELEVATION_DEG = 35.0


@dataclass(frozen=True)
class Terrain:
    """The generated terrain; arrays are north-up grids over the demo box."""

    dem_m: NDArray[np.float32]
    """Elevation [m a.s.l.] on a 50 m grid."""
    river: shapely.LineString
    river_name: str
    stream: shapely.LineString
    stream_name: str
    floodplain_halfwidth_m: FloatArray
    """Half-width of the flat valley floor at each DEM column [m]."""
    flood_q100: list[shapely.Polygon]

    @property
    def dem_transform(self) -> Affine:
        """Affine transform of the DEM grid (EPSG:5514)."""
        return from_origin(XMIN, YMAX, DEM_CELL_M, DEM_CELL_M)

    def elevation_at(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """DEM elevation of the cells holding points (x, y) [m a.s.l.]."""
        n = self.dem_m.shape[0]
        col = np.clip(((np.asarray(x) - XMIN) // DEM_CELL_M).astype(int), 0, n - 1)
        row = np.clip(((YMAX - np.asarray(y)) // DEM_CELL_M).astype(int), 0, n - 1)
        return np.asarray(self.dem_m[row, col], dtype=float)


def _river_line(rng: np.random.Generator) -> shapely.LineString:
    """A meandering river entering in the west and leaving in the east."""
    x = np.linspace(XMIN - 300.0, XMAX + 300.0, 121)
    t = (x - XMIN) / SIZE_M
    y0, y1 = YMIN + rng.uniform(0.30, 0.40) * SIZE_M, YMIN + rng.uniform(0.48, 0.58) * SIZE_M
    y = y0 + (y1 - y0) * t
    for amp, wave in (
        (rng.uniform(400, 700), rng.uniform(5000, 8000)),
        (rng.uniform(100, 220), rng.uniform(1500, 2400)),
    ):
        y += amp * np.sin(2 * math.pi * x / wave + rng.uniform(0, 2 * math.pi))
    return shapely.LineString(np.round(np.column_stack([x, y]), 2))


def _stream_line(rng: np.random.Generator, river: shapely.LineString) -> shapely.LineString:
    """A brook from the north-western hills down into the river."""
    sx = XMIN + rng.uniform(0.30, 0.45) * SIZE_M
    start = shapely.Point(sx, YMAX + 100.0)
    mouth = river.interpolate(river.project(shapely.Point(sx + rng.uniform(1500, 3000), YMIN)))
    n = 60
    t = np.linspace(0.0, 1.0, n)
    x = start.x + (mouth.x - start.x) * t
    y = start.y + (mouth.y - start.y) * t
    wiggle = np.sin(math.pi * t) * (
        rng.uniform(150, 300) * np.sin(2 * math.pi * t * rng.uniform(1.5, 2.5) + rng.uniform(0, 6))
    )
    x = x + wiggle
    return shapely.LineString(np.round(np.column_stack([x, y]), 2))


def _grid_xy(cell: float) -> tuple[FloatArray, FloatArray]:
    n = round(SIZE_M / cell)
    xs = XMIN + cell * (np.arange(n) + 0.5)
    ys = YMAX - cell * (np.arange(n) + 0.5)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy


def _base_relief(rng: np.random.Generator, gx: FloatArray, gy: FloatArray) -> FloatArray:
    u = (gx - XMIN) / SIZE_M
    v = (gy - YMIN) / SIZE_M
    ridge = np.clip((0.55 * v + 0.45 * (1.0 - u) - 0.5) / 0.5, 0.0, 1.0)
    z = 238.0 + 500.0 * ridge**1.7
    for _ in range(int(rng.integers(4, 7))):
        cx = XMIN + rng.uniform(0.45, 0.95) * SIZE_M
        cy = YMIN + rng.uniform(0.05, 0.95) * SIZE_M
        height, sigma = rng.uniform(90.0, 270.0), rng.uniform(350.0, 800.0)
        z += height * np.exp(-((gx - cx) ** 2 + (gy - cy) ** 2) / (2.0 * sigma**2))
    z += SmoothField(rng, 2500.0, 16.0)(gx, gy) + SmoothField(rng, 600.0, 3.5)(gx, gy)
    return np.asarray(z, dtype=float)


def _flood_polygons(mask: NDArray[np.bool_]) -> list[shapely.Polygon]:
    transform = from_origin(XMIN, YMAX, DEM_CELL_M, DEM_CELL_M)
    shapes = features.shapes(mask.astype(np.uint8), mask=mask, transform=transform)
    polys = [shapely.geometry.shape(geom) for geom, _ in shapes]
    if not polys:
        return []
    merged = shapely.union_all(polys)
    # round off the 50 m stair steps of the grid
    smooth = merged.simplify(40.0).buffer(-30.0, quad_segs=6).buffer(60.0, quad_segs=6).buffer(-30.0, quad_segs=6)
    smooth = smooth.simplify(3.0)
    smooth = shapely.intersection(smooth, extent_box())
    parts = [p for p in shapely.get_parts(smooth) if isinstance(p, shapely.Polygon) and p.area >= 30_000.0]
    parts.sort(key=lambda p: (p.bounds[0], p.bounds[1]))
    return [round_geoms(p) for p in parts]


def _near_line(line: shapely.LineString, gx: FloatArray, gy: FloatArray, *, reach_m: float) -> FloatArray:
    """Distance [m] from each grid point to ``line``, capped at ``reach_m``.

    Uses a KD-tree on the line densified to 5 m (exact to about a metre); the
    cap keeps the tree search short, and nothing here cares about distances
    beyond it.
    """
    xy = shapely.get_coordinates(shapely.segmentize(line, 5.0))
    dist, _ = cKDTree(xy).query(np.column_stack([gx.ravel(), gy.ravel()]), distance_upper_bound=reach_m)
    return np.asarray(np.minimum(dist, reach_m), dtype=float).reshape(gx.shape)


def make_terrain(seed: int) -> Terrain:
    """Generate rivers, DEM and Q100 zones for ``seed``."""
    rng = rng_for(seed, "terrain")
    river = _river_line(rng)
    stream = _stream_line(rng, river)
    gx, gy = _grid_xy(DEM_CELL_M)
    base = _base_relief(rng, gx, gy)

    dist = _near_line(river, gx, gy, reach_m=2500.0)
    level = 234.0 - 24.0 * (gx - XMIN) / SIZE_M  # the river flows east, as x grows
    phase = rng.uniform(0, 2 * math.pi)
    halfwidth = 280.0 + 170.0 * np.sin(2 * math.pi * gx / 6500.0 + phase)
    bumps = SmoothField(rng, 900.0, 0.45)(gx, gy)
    edge = level + 2.4 + bumps
    inner = level + 2.4 * dist / halfwidth + bumps
    t = np.clip((dist - halfwidth) / 1400.0, 0.0, 1.0)
    outer = edge + (np.maximum(base, edge) - edge) * (t * t * (3.0 - 2.0 * t))
    z = np.where(dist <= halfwidth, inner, outer)

    stream_dist = _near_line(stream, gx, gy, reach_m=1200.0)
    carve = 28.0 * np.exp(-((stream_dist / 260.0) ** 2))
    z = np.maximum(z - carve, np.minimum(z, level + 3.0))

    flood = (dist < 1.3 * halfwidth) & (z < level + 2.0)
    clipped_river = shapely.intersection(river, extent_box())
    clipped_stream = shapely.intersection(stream, extent_box())
    return Terrain(
        dem_m=np.round(z, 1).astype(np.float32),
        river=round_geoms(clipped_river),
        river_name=river_name(rng),
        stream=round_geoms(clipped_stream),
        stream_name=river_name(rng),
        floodplain_halfwidth_m=halfwidth[0],
        flood_q100=_flood_polygons(flood),
    )


def slope_deg(dem_m: NDArray[np.float32], cell_m: float = DEM_CELL_M) -> NDArray[np.float32]:
    """Terrain slope [degrees] of a DEM [m] with square cells of ``cell_m`` [m]."""
    d_row, d_col = np.gradient(dem_m.astype(float), cell_m)
    slope = np.degrees(np.arctan(np.hypot(d_row, d_col)))
    return np.asarray(np.round(slope, 2), dtype=np.float32)


def ghi_kwh_m2_yr(seed: int, dem_m: NDArray[np.float32]) -> NDArray[np.float32]:
    """Annual global horizontal irradiation [kWh/m²/yr] on a 100 m grid.

    A smooth regional field of about 1,080-1,110 kWh/m²/yr (the range the Global
    Solar Atlas shows for the Most-Bílina basin), lower on the cloudier hills,
    plus the effect of slope and aspect for a sun at a mean elevation of 35°.
    Values are squeezed smoothly into 1,000-1,200 with ``tanh``.
    """
    rng = rng_for(seed, "ghi")
    factor = round(GHI_CELL_M / DEM_CELL_M)
    n = dem_m.shape[0] // factor
    z = dem_m.astype(float).reshape(n, factor, n, factor).mean(axis=(1, 3))
    d_row, d_col = np.gradient(z, GHI_CELL_M)
    dz_dx, dz_dy = d_col, -d_row  # rows run southwards
    norm = np.sqrt(dz_dx**2 + dz_dy**2 + 1.0)
    sun = math.radians(_SUN_ELEVATION_DEG)
    # unit normal (-dz/dx, -dz/dy, 1)/norm against a sun vector from the south (0, -cos, sin)
    cos_incidence = (dz_dy * math.cos(sun) + math.sin(sun)) / norm
    aspect_gain = 1.0 + 0.22 * (np.clip(cos_incidence, 0.0, None) / math.sin(sun) - 1.0)
    gx, gy = _grid_xy(GHI_CELL_M)
    regional = 1100.0 + 10.0 * (gx - XMIN) / SIZE_M + SmoothField(rng, 4000.0, 7.0)(gx, gy)
    raw = (regional - 0.10 * (z - 230.0)) * aspect_gain
    ghi = 1100.0 + 100.0 * np.tanh((raw - 1100.0) / 100.0)
    return np.asarray(np.round(ghi, 1), dtype=np.float32)
