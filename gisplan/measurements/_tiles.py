"""Overlap areas between sites and labelled polygons, via polygons cut into tiles.

Large polygons (protected areas, municipalities) are cut into square tiles, so
that each piece is small, its bounding box tight, and a prepared
``contains_properly`` answers most sites at once: a site wholly inside a piece
overlaps it with its whole area. Only sites that cross a piece's boundary need
an exact intersection. This is exact, and hundreds of times faster than
``geopandas.overlay`` (see STACK-FACTS, "Exclusion share").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from gisplan.measurements._coverage import FloatArray, IntArray, weighted_bincount

#: Side of the tiles polygons are cut into. [m]
TILE_M = 1000.0


@dataclass(frozen=True)
class Overlaps:
    """Area of each (site, label) overlap.

    Attributes
    ----------
    site, label
        Site position and polygon label; each pair appears once.
    area
        Overlap area [CRS units squared]; for a site without area (a point),
        1 when the point lies in or on the polygon.
    """

    site: IntArray
    label: IntArray
    area: FloatArray


def tile_pieces(
    polygons: NDArray[np.object_], labels: IntArray, tile_m: float = TILE_M
) -> tuple[NDArray[np.object_], IntArray]:
    """Cut labelled polygons into pieces no larger than a tile; return (pieces, labels)."""
    if len(polygons) == 0:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    polygons = shapely.make_valid(polygons)
    bounds = shapely.bounds(polygons)
    gx0 = np.floor(bounds[:, 0] / tile_m).astype(np.int64)
    gx1 = np.floor(bounds[:, 2] / tile_m).astype(np.int64)
    gy0 = np.floor(bounds[:, 1] / tile_m).astype(np.int64)
    gy1 = np.floor(bounds[:, 3] / tile_m).astype(np.int64)
    nx, ny = gx1 - gx0 + 1, gy1 - gy0 + 1
    count = nx * ny
    owner = np.repeat(np.arange(len(polygons), dtype=np.int64), count)
    local = np.arange(int(count.sum()), dtype=np.int64) - (np.cumsum(count) - count)[owner]
    tx = gx0[owner] + local % nx[owner]
    ty = gy0[owner] + local // nx[owner]
    tiles = shapely.box(tx * tile_m, ty * tile_m, (tx + 1) * tile_m, (ty + 1) * tile_m)
    pieces = polygons[owner]
    cut = (count > 1)[owner]
    pieces[cut] = shapely.intersection(pieces[cut], tiles[cut])
    parts, part_owner = shapely.get_parts(pieces, return_index=True)
    keep = (shapely.get_dimensions(parts) == 2) & ~shapely.is_empty(parts)
    return parts[keep], labels[owner[part_owner[keep]]]


def overlaps(sites: NDArray[np.object_], pieces: NDArray[np.object_], piece_labels: IntArray) -> Overlaps:
    """Overlap areas of sites with labelled, tiled pieces (see :func:`tile_pieces`)."""
    empty = Overlaps(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if len(pieces) == 0 or len(sites) == 0:
        return empty
    shapely.prepare(pieces)
    tree = shapely.STRtree(pieces)
    site_idx, piece_idx = tree.query(sites)
    if len(site_idx) == 0:
        return empty
    cand_sites = sites[site_idx]
    cand_pieces = pieces[piece_idx]
    site_area = shapely.area(sites)
    has_area = site_area[site_idx] > 0
    inside = shapely.contains_properly(cand_pieces, cand_sites)
    area = np.where(inside, np.where(has_area, site_area[site_idx], 1.0), 0.0)
    rest = np.flatnonzero(~inside)
    if len(rest):
        hit = shapely.intersects(cand_pieces[rest], cand_sites[rest])
        rest = rest[hit]
        with_area = has_area[rest]
        area[rest[~with_area]] = 1.0
        part = rest[with_area]
        area[part] = shapely.area(shapely.intersection(cand_sites[part], cand_pieces[part]))
    keep = area > 0
    site_idx, label, area = site_idx[keep], piece_labels[piece_idx[keep]], area[keep]
    if len(site_idx) == 0:
        return empty
    n_labels = int(label.max()) + 1
    key = site_idx.astype(np.int64) * n_labels + label
    uniq, inverse = np.unique(key, return_inverse=True)
    sums = weighted_bincount(inverse, area, len(uniq))
    has_point_hit = np.zeros(len(uniq), dtype=bool)
    point_pair = ~has_area[keep]
    has_point_hit[inverse[point_pair]] = True
    sums[has_point_hit] = 1.0  # a point lies in a label or not, however many pieces it touches
    return Overlaps(site=uniq // n_labels, label=uniq % n_labels, area=sums)
