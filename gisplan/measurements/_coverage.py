"""Exact cell coverage of polygons on a north-up raster grid (numpy kernel).

For each polygon and each raster cell it touches, the kernel gives the area of
the polygon inside the cell, as a fraction of the cell area, exactly (up to
floating point). It is the same quantity exactextract computes, found here with
Green's theorem instead of a boundary walk, so that it vectorises over millions
of polygons at once:

The area of a polygon P inside the cell ``[j, j+1) x [i, i+1)`` (grid units,
``u`` = column, ``v`` = row) equals ``-∮ G(v) H(u) du`` along the positively
oriented boundary, with ``G(v) = clamp(v, i, i+1) - i`` and ``H`` the indicator
of the column. Each edge is cut at column lines into pieces; a piece adds an
exact, closed-form term to the cells of the rows it crosses and a constant
``-du`` to every cell above it in its column (added with a segmented cumulative
sum). Polygons inside a single cell skip all of this: their coverage is their
area divided by the cell area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from gisplan.errors import InputError

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

#: Coverage below this fraction of a cell is treated as touching only [cell fraction].
MIN_COVERAGE = 1e-9


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid.

    Attributes
    ----------
    x0, y0
        Coordinates of the top-left corner of the raster. [CRS units]
    dx, dy
        Cell width and height, both positive. [CRS units]
    height, width
        Number of rows and columns.
    """

    x0: float
    y0: float
    dx: float
    dy: float
    height: int
    width: int

    @classmethod
    def from_transform(cls, transform: object, height: int, width: int) -> Grid:
        """Build a grid from a rasterio/affine ``Affine`` transform.

        Raises
        ------
        InputError
            If the raster is rotated or not north-up.
        """
        a, b, c, d, e, f = (float(getattr(transform, k)) for k in "abcdef")
        if b != 0.0 or d != 0.0 or a <= 0.0 or e >= 0.0:
            msg = f"raster transform {transform!r} is rotated or not north-up; warp it to a north-up grid first"
            raise InputError(msg)
        return cls(x0=c, y0=f, dx=a, dy=-e, height=int(height), width=int(width))

    @property
    def cell_area(self) -> float:
        """Area of one cell. [CRS units squared]"""
        return self.dx * self.dy


@dataclass(frozen=True)
class Coverage:
    """Cells touched by each geometry and how much of each is covered.

    Attributes
    ----------
    owner
        Position of the geometry in the input array.
    row, col
        Cell indices in the grid (may lie outside it).
    weight
        Covered fraction of the cell [0–1]; 1 for a point sampling its cell.
    """

    owner: IntArray
    row: IntArray
    col: IntArray
    weight: FloatArray


def weighted_bincount(index: IntArray, weights: FloatArray, length: int) -> FloatArray:
    """``np.bincount`` with weights, typed as float64."""
    return np.asarray(np.bincount(index, weights=weights, minlength=length), dtype=np.float64)


def _mean_clamp(ta: FloatArray, tb: FloatArray) -> FloatArray:
    """Mean of ``clamp(t, 0, 1)`` for t linear from ``ta`` to ``tb``."""

    def phi(t: FloatArray) -> FloatArray:
        # antiderivative of clamp(t, 0, 1)
        return np.where(t <= 0.0, 0.0, np.where(t >= 1.0, t - 0.5, 0.5 * t * t))

    diff = tb - ta
    flat = np.abs(diff) < 1e-7
    safe = np.where(flat, 1.0, diff)
    exact = (phi(tb) - phi(ta)) / safe
    return np.where(flat, np.clip(0.5 * (ta + tb), 0.0, 1.0), exact)


def _segment_ranges(start: IntArray, count: IntArray) -> tuple[IntArray, IntArray]:
    """For segments of ``count`` items: (segment of each item, position in its segment)."""
    seg = np.repeat(np.arange(len(count), dtype=np.int64), count)
    offsets = np.cumsum(count) - count
    pos = np.arange(int(count.sum()), dtype=np.int64) - offsets[seg]
    return seg, start[seg] + pos


def _column_pieces(
    ua: FloatArray, ub: FloatArray, va: FloatArray, vb: FloatArray, epart: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, IntArray, IntArray]:
    """Cut edges at column lines: (v at start, v at end, signed du, column, part) per piece."""
    slope = (vb - va) / (ub - ua)
    lo, hi = np.minimum(ua, ub), np.maximum(ua, ub)
    cstart = np.floor(lo).astype(np.int64)
    cend = np.maximum(cstart, np.ceil(hi).astype(np.int64) - 1)
    edge, col = _segment_ranges(cstart, cend - cstart + 1)
    pua = np.clip(ua[edge], col, col + 1)
    pub = np.clip(ub[edge], col, col + 1)
    pva = va[edge] + (pua - ua[edge]) * slope[edge]
    pvb = va[edge] + (pub - ua[edge]) * slope[edge]
    du = pub - pua
    ppart = epart[edge]
    nonzero = du != 0.0
    return pva[nonzero], pvb[nonzero], du[nonzero], col[nonzero], ppart[nonzero]


def _rings(parts: NDArray[np.object_]) -> tuple[FloatArray, IntArray, IntArray, NDArray[np.bool_]]:
    """Ring coordinates: (xy, ring of each vertex, part of each ring, ring to walk backwards).

    The kernel needs exteriors clockwise and holes counter-clockwise in x/y
    (positively oriented once rows grow southwards). Rather than re-orient the
    geometries, the rings with the other orientation are flagged, from the sign
    of their shoelace area.
    """
    if not shapely.get_num_interior_rings(parts).any():
        xy, coord_ring = shapely.get_coordinates(parts, return_index=True)
        ring_part = np.arange(len(parts), dtype=np.int64)
        exterior = np.ones(len(parts), dtype=bool)
    else:
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        xy, coord_ring = shapely.get_coordinates(rings, return_index=True)
        exterior = np.concatenate([[True], ring_part[1:] != ring_part[:-1]])
    same = coord_ring[:-1] == coord_ring[1:]
    x, y = xy[:, 0] - xy[0, 0], xy[:, 1] - xy[0, 1]  # shifted for precision; areas do not change
    cross = (x[:-1] * y[1:] - x[1:] * y[:-1])[same]
    counter_clockwise = weighted_bincount(coord_ring[:-1][same], cross, len(exterior)) > 0
    return xy, coord_ring, ring_part, np.where(exterior, counter_clockwise, ~counter_clockwise)


def _column_suffix_sums(deposit: FloatArray, nr: IntArray, ncol: IntArray) -> FloatArray:
    """Per cell, the sum of ``deposit`` from that cell to the end of its column.

    Cells are laid out part by part, column by column, ``nr`` rows per column of
    a part. Each column is summed on its own (grouped by its length), so a
    polygon's coverage does not depend, even in the last bit, on which other
    polygons share its chunk (a prefix sum over the whole chunk would).
    """
    length = np.repeat(nr, ncol)
    start = np.cumsum(length) - length
    out = np.empty_like(deposit)
    for rows in np.unique(length):
        idx = start[length == rows][:, None] + np.arange(rows, dtype=np.int64)[None, :]
        out[idx] = np.cumsum(deposit[idx][:, ::-1], axis=1)[:, ::-1]
    return out


def _multi_cell_coverage(parts: NDArray[np.object_], grid: Grid) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """Coverage of polygons spanning several cells: (part, row, col, weight)."""
    xy, coord_ring, ring_part, flip = _rings(parts)
    u = (xy[:, 0] - grid.x0) / grid.dx
    v = (grid.y0 - xy[:, 1]) / grid.dy
    bounds = shapely.bounds(parts)
    c0 = np.floor((bounds[:, 0] - grid.x0) / grid.dx).astype(np.int64)
    c1 = np.maximum(c0, np.ceil((bounds[:, 2] - grid.x0) / grid.dx).astype(np.int64) - 1)
    r0 = np.floor((grid.y0 - bounds[:, 3]) / grid.dy).astype(np.int64)
    r1 = np.maximum(r0, np.ceil((grid.y0 - bounds[:, 1]) / grid.dy).astype(np.int64) - 1)
    nr = r1 - r0 + 1
    ncell = nr * (c1 - c0 + 1)
    offset = np.cumsum(ncell) - ncell
    total = int(ncell.sum())

    # edges, without those parallel to the v axis (they add nothing to ∮ … du)
    same_ring = coord_ring[:-1] == coord_ring[1:]
    ua, ub, va, vb = u[:-1][same_ring], u[1:][same_ring], v[:-1][same_ring], v[1:][same_ring]
    ering = coord_ring[:-1][same_ring]
    keep = ua != ub
    ua, ub, va, vb, ering = ua[keep], ub[keep], va[keep], vb[keep], ering[keep]
    # a ring with the wrong orientation is walked backwards: swap its edge ends
    back = flip[ering]
    ua, ub = np.where(back, ub, ua), np.where(back, ua, ub)
    va, vb = np.where(back, vb, va), np.where(back, va, vb)
    pva, pvb, du, col, ppart = _column_pieces(ua, ub, va, vb, ring_part[ering])
    col = np.clip(col, c0[ppart], c1[ppart])
    colbase = offset[ppart] + (col - c0[ppart]) * nr[ppart]

    # exact terms in the rows each piece crosses
    vlo, vhi = np.minimum(pva, pvb), np.maximum(pva, pvb)
    rstart = np.floor(vlo).astype(np.int64)
    rend = np.maximum(rstart, np.ceil(vhi).astype(np.int64) - 1)
    piece, row = _segment_ranges(rstart, rend - rstart + 1)
    term = -du[piece] * _mean_clamp(pva[piece] - row, pvb[piece] - row)
    pp = ppart[piece]
    row = np.clip(row, r0[pp], r1[pp])
    cover = weighted_bincount(colbase[piece] + row - r0[pp], term, total)

    # constant -du for every cell above the piece: deposit, then sum from each cell to the end of its column
    above = rstart - 1 >= r0[ppart]
    deposit = weighted_bincount(colbase[above] + rstart[above] - 1 - r0[ppart[above]], -du[above], total)
    cover += _column_suffix_sums(deposit, nr, c1 - c0 + 1)
    cell_part = np.repeat(np.arange(len(parts), dtype=np.int64), ncell)
    local = np.arange(total, dtype=np.int64) - offset[cell_part]
    lrow = local % nr[cell_part]
    return cell_part, r0[cell_part] + lrow, c0[cell_part] + local // nr[cell_part], cover


def _parts(geoms: NDArray[np.object_]) -> tuple[NDArray[np.object_], IntArray, NDArray[np.bool_], NDArray[np.bool_]]:
    """Single parts, their owner, and which are polygons and which points (other types become points)."""
    kind = shapely.get_type_id(geoms)
    if np.isin(kind, (shapely.GeometryType.POLYGON.value, shapely.GeometryType.POINT.value)).all():
        parts, owner = geoms, np.arange(len(geoms), dtype=np.int64)  # nothing to explode
    else:
        parts, owner = shapely.get_parts(geoms, return_index=True)
        kind = shapely.get_type_id(parts)
    is_poly = kind == shapely.GeometryType.POLYGON.value
    is_point = kind == shapely.GeometryType.POINT.value
    other = ~(is_poly | is_point)
    if other.any():
        parts = parts.copy()
        parts[other] = shapely.point_on_surface(parts[other])
        is_point = is_point | other
    return parts, owner, is_poly, is_point


def cell_coverage(geoms: NDArray[np.object_], grid: Grid) -> Coverage:
    """Exact coverage of each geometry on each grid cell it touches.

    Parameters
    ----------
    geoms
        Shapely geometries in the grid's CRS. Polygons and multipolygons are
        covered exactly; points sample the cell they fall in; other geometry
        types sample the cell of a point on their surface. Empty and missing
        geometries touch no cell.
    grid
        The raster grid.

    Returns
    -------
    Coverage
        One entry per (geometry, cell) pair, sorted by geometry.
    """
    geoms = np.asarray(geoms, dtype=object)
    parts, owner, is_poly, is_point = _parts(geoms)
    owners: list[IntArray] = []
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    weights: list[FloatArray] = []

    pts = parts[is_point]
    if len(pts):
        x, y = shapely.get_x(pts), shapely.get_y(pts)
        owners.append(owner[is_point])
        cols.append(np.floor((x - grid.x0) / grid.dx).astype(np.int64))
        rows.append(np.floor((grid.y0 - y) / grid.dy).astype(np.int64))
        weights.append(np.ones(len(pts)))

    polys = parts[is_poly]
    powner = owner[is_poly]
    if len(polys):
        bounds = shapely.bounds(polys)
        c0 = np.floor((bounds[:, 0] - grid.x0) / grid.dx).astype(np.int64)
        c1 = np.ceil((bounds[:, 2] - grid.x0) / grid.dx).astype(np.int64) - 1
        r0 = np.floor((grid.y0 - bounds[:, 3]) / grid.dy).astype(np.int64)
        r1 = np.ceil((grid.y0 - bounds[:, 1]) / grid.dy).astype(np.int64) - 1
        single = (c1 <= c0) & (r1 <= r0)
        if single.any():
            owners.append(powner[single])
            rows.append(r0[single])
            cols.append(c0[single])
            weights.append(shapely.area(polys[single]) / grid.cell_area)
        multi = ~single
        if multi.any():
            part, row, col, cover = _multi_cell_coverage(polys[multi], grid)
            touched = cover > MIN_COVERAGE
            owners.append(powner[multi][part[touched]])
            rows.append(row[touched])
            cols.append(col[touched])
            weights.append(np.minimum(cover[touched], 1.0))

    if not owners:
        empty_i = np.zeros(0, dtype=np.int64)
        return Coverage(empty_i, empty_i, empty_i, np.zeros(0))
    own = np.concatenate(owners)
    order = np.argsort(own, kind="stable")
    return Coverage(
        owner=own[order],
        row=np.concatenate(rows)[order],
        col=np.concatenate(cols)[order],
        weight=np.concatenate(weights)[order],
    )
