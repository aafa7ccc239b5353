"""Shared pieces of the demo generator: extent, random streams and geometry helpers.

All coordinates are EPSG:5514 (S-JTSK / Krovak East North) [m].
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import ndimage

CRS = "EPSG:5514"
#: The demo box (xmin, ymin, xmax, ymax) in EPSG:5514 [m]: 20 x 20 km west of Bílina, Ústecký kraj.
#: Its centre (-780000, -990000) is at about 13.80 E, 50.51 N.
EXTENT = (-790_000.0, -1_000_000.0, -770_000.0, -980_000.0)
XMIN, YMIN, XMAX, YMAX = EXTENT
SIZE_M = XMAX - XMIN
DEFAULT_SEED = 2026

FloatArray = NDArray[np.float64]
GeomArray = NDArray[np.object_]


def rng_for(seed: int, part: str) -> np.random.Generator:
    """An independent random stream for one part of the generator.

    Each part gets its own stream, so changing how one part draws numbers does
    not shift the others. ``crc32`` is used because ``hash()`` of a str varies
    between processes.
    """
    return np.random.default_rng([seed, zlib.crc32(part.encode("utf-8"))])


def extent_box() -> shapely.Polygon:
    """The demo box as a polygon in EPSG:5514."""
    return shapely.box(*EXTENT)


def round_geoms(geoms: Any, decimals: int = 2) -> Any:
    """Round every coordinate to ``decimals`` [m] so output is byte-stable."""
    return shapely.transform(geoms, lambda xy: np.round(xy, decimals))


def rectangles(cx: FloatArray, cy: FloatArray, length: FloatArray, width: FloatArray, angle: FloatArray) -> GeomArray:
    """Rotated rectangles, vectorised.

    Parameters
    ----------
    cx, cy
        Centres in EPSG:5514. [m]
    length
        Side along ``angle``. [m]
    width
        Side across ``angle``. [m]
    angle
        Direction of the long side, counter-clockwise from east. [rad]
    """
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    half_l, half_w = (length / 2.0)[:, None], (width / 2.0)[:, None]
    du = np.hstack([half_l, -half_l, -half_l, half_l])
    dv = np.hstack([half_w, half_w, -half_w, -half_w])
    x = cx[:, None] + du * cos - dv * sin
    y = cy[:, None] + du * sin + dv * cos
    coords = np.round(np.stack([x, y], axis=2), 2)
    return np.asarray(shapely.polygons(coords), dtype=object)


def blob(rng: np.random.Generator, cx: float, cy: float, area_m2: float, *, roughness: float = 0.25) -> shapely.Polygon:
    """A smooth star-shaped polygon of exactly ``area_m2`` [m²] around (cx, cy).

    The radius is a low-order Fourier series in the angle, so the outline looks
    like a natural area rather than a circle.
    """
    n = 48
    theta = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
    radius = np.ones(n)
    for k in (2, 3, 5):
        radius += roughness / k * rng.normal() * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    radius = np.clip(radius, 0.35, None)
    ring = np.column_stack([cx + radius * np.cos(theta), cy + radius * np.sin(theta)])
    poly = shapely.Polygon(ring)
    factor = math.sqrt(area_m2 / poly.area)
    ring = np.column_stack([cx + factor * radius * np.cos(theta), cy + factor * radius * np.sin(theta)])
    return shapely.Polygon(np.round(ring, 2))


def polygon_site(
    rng: np.random.Generator, cx: float, cy: float, area_m2: float, *, angle: float | None = None
) -> shapely.Polygon:
    """An irregular, mostly right-angled site outline of exactly ``area_m2`` [m²].

    A rotated rectangle with one or two corners cut or notched, scaled to the
    area, as former factories and farm yards look on a cadastral map.
    """
    aspect = rng.uniform(1.0, 2.6)
    width = math.sqrt(area_m2 / aspect)
    length = width * aspect
    hx, hy = length / 2.0, width / 2.0
    # counter-clockwise from the cut top-right corner
    cut_l, cut_w = rng.uniform(0.15, 0.4) * length, rng.uniform(0.15, 0.4) * width
    pts = [(hx, hy - cut_w), (hx - cut_l, hy), (-hx, hy)]
    if rng.random() < 0.6:
        nx, ny = rng.uniform(0.2, 0.45) * length, rng.uniform(0.2, 0.45) * width
        pts += [(-hx, -hy + ny), (-hx + nx, -hy + ny), (-hx + nx, -hy)]
    else:
        pts.append((-hx, -hy))
    pts.append((hx, -hy))
    ring = np.array(pts, dtype=float)
    poly = shapely.Polygon(ring)
    factor = math.sqrt(area_m2 / poly.area)
    theta = rng.uniform(0, math.pi) if angle is None else angle
    cos, sin = math.cos(theta), math.sin(theta)
    x = cx + factor * (ring[:, 0] * cos - ring[:, 1] * sin)
    y = cy + factor * (ring[:, 0] * sin + ring[:, 1] * cos)
    return shapely.Polygon(np.round(np.column_stack([x, y]), 2))


class SmoothField:
    """A smooth random scalar field over the demo box (with margin).

    Random normal values on a coarse grid of spacing ``wavelength_m`` [m],
    interpolated with cubic splines; the result has standard deviation of
    roughly ``amplitude``.
    """

    def __init__(self, rng: np.random.Generator, wavelength_m: float, amplitude: float) -> None:
        self.step = wavelength_m
        self.margin = 2.0 * wavelength_m
        n = math.ceil((SIZE_M + 2.0 * self.margin) / wavelength_m) + 1
        self.values = rng.normal(size=(n, n)) * amplitude
        # spline coefficients once, instead of on every call
        self._coeffs = ndimage.spline_filter(self.values, order=3, output=np.float64, mode="nearest")

    def __call__(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """The field at (x, y) in EPSG:5514 [m]."""
        col = (np.asarray(x, dtype=float) - XMIN + self.margin) / self.step
        row = (YMAX + self.margin - np.asarray(y, dtype=float)) / self.step
        out = ndimage.map_coordinates(
            self._coeffs, [row.ravel(), col.ravel()], order=3, mode="nearest", prefilter=False
        )
        return np.asarray(out, dtype=float).reshape(np.shape(col))


def edge_damping(x: FloatArray, y: FloatArray, width_m: float = 400.0) -> FloatArray:
    """0 on the box edge, rising smoothly to 1 at ``width_m`` [m] inside it."""
    d = np.minimum.reduce([x - XMIN, XMAX - x, y - YMIN, YMAX - y])
    t = np.clip(d / width_m, 0.0, 1.0)
    return np.asarray(t * t * (3.0 - 2.0 * t), dtype=float)


def warp(geoms: Any, fields: tuple[SmoothField, SmoothField], *, segment_m: float = 100.0) -> Any:
    """Bend geometries by a smooth displacement field, keeping the box edge fixed.

    The same input coordinate always moves to the same place, so polygons that
    share an edge (a tiling) still share it afterwards.
    """
    fx, fy = fields

    def move(xy: FloatArray) -> FloatArray:
        x, y = xy[:, 0], xy[:, 1]
        damp = edge_damping(x, y)
        moved = np.column_stack([x + damp * fx(x, y), y + damp * fy(x, y)])
        return np.asarray(np.round(moved, 2), dtype=float)

    return shapely.transform(shapely.segmentize(geoms, segment_m), move)


def keep_apart(
    candidates: GeomArray, *, obstacles: GeomArray | None = None, clearance_m: float = 0.0, mutual: bool = True
) -> NDArray[np.bool_]:
    """Which candidates to keep: not within ``clearance_m`` of an obstacle or an earlier kept candidate.

    Candidates are taken in order (earlier wins), so put the important ones first.
    """
    keep = np.ones(len(candidates), dtype=bool)
    if len(candidates) == 0:
        return keep
    if obstacles is not None and len(obstacles):
        tree = shapely.STRtree(obstacles)
        hit, _ = tree.query(candidates, predicate="dwithin", distance=clearance_m)
        keep[np.unique(hit)] = False
    if mutual:
        tree = shapely.STRtree(candidates)
        left, right = tree.query(candidates, predicate="dwithin", distance=max(clearance_m, 0.5))
        pairs = left < right
        left, right = left[pairs], right[pairs]
        order = np.lexsort((left, right))
        for i, j in zip(left[order].tolist(), right[order].tolist(), strict=True):
            if keep[i] and keep[j]:
                keep[j] = False
    return keep


ProgressFn = Callable[[str], None]
