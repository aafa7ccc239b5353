"""Measurements: pure, vectorised measurements of candidate sites (a profile's `criteria:` score them).

Every function takes sites as a GeoDataFrame (or a shapely array) in the
working metric CRS, plus parameters, and returns a Series or DataFrame indexed
like the sites. Column names carry their unit (``area_m2``,
``dist_substation_m``, ``ghi_mean_kwh_m2_yr``, ``protected_share``).

===============  =================================================================
module           measures
===============  =================================================================
``geometry``     area, perimeter, compactness, usable area
``raster``       coverage-weighted zonal statistics of any raster (exact)
``proximity``    distance to the nearest feature of a layer
``overlay``      share of each site covered by an exclusion layer
``admin``        municipality holding the largest share of each site
``demand``       buildings and population within a radius
===============  =================================================================
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pyproj import CRS

from gisplan.crs import is_metric, parse_crs
from gisplan.errors import CRSError

GeomArray = NDArray[np.object_]


def check_metric(crs: object, what: str) -> CRS:
    """Return ``crs`` as a pyproj CRS, or raise if it is missing or not metric.

    Raises
    ------
    CRSError
        If ``crs`` is None or not a projected CRS in metres.
    """
    if crs is None:
        msg = f"{what} has no CRS; reproject it to the working CRS first (gisplan.crs.to_working)"
        raise CRSError(msg)
    parsed = parse_crs(crs)
    if not is_metric(parsed):
        msg = f"{what} is in {parsed.to_string()}, not a metric CRS; reproject it with gisplan.crs.to_working"
        raise CRSError(msg)
    return parsed


def spatial_order(bounds: NDArray[np.float64], bits: int = 16) -> NDArray[np.int64]:
    """Positions that sort geometries along a Z-order (Morton) curve of their box centres.

    Consecutive geometries then lie close together, so chunks of them query
    small parts of a spatial index and stay in cache. Empty geometries (NaN
    bounds) go first.

    Parameters
    ----------
    bounds
        ``shapely.bounds`` of the geometries, ``(n, 4)``. [CRS units]
    bits
        Grid resolution per axis of the curve (2**bits cells).
    """
    cx = np.nan_to_num((bounds[:, 0] + bounds[:, 2]) / 2)
    cy = np.nan_to_num((bounds[:, 1] + bounds[:, 3]) / 2)
    cells = float(2**bits - 1)

    def spread(v: NDArray[np.float64]) -> NDArray[np.uint64]:
        if not len(v):
            return np.zeros(0, dtype=np.uint64)
        lo, span = float(v.min()), max(float(np.ptp(v)), 1e-9)
        out = np.clip((v - lo) / span * cells, 0.0, cells).astype(np.uint64)
        for shift, mask in (
            (16, 0x0000FFFF0000FFFF),
            (8, 0x00FF00FF00FF00FF),
            (4, 0x0F0F0F0F0F0F0F0F),
            (2, 0x3333333333333333),
            (1, 0x5555555555555555),
        ):
            out = (out | (out << np.uint64(shift))) & np.uint64(mask)
        return out

    return np.argsort(spread(cx) | (spread(cy) << np.uint64(1)), kind="stable").astype(np.int64)


def as_geometry_array(geoms: object) -> GeomArray:
    """A plain numpy object array of shapely geometries."""
    return np.asarray(getattr(geoms, "values", geoms), dtype=object)
