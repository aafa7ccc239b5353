"""Criteria: pure, vectorised measurements of candidate sites.

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


def as_geometry_array(geoms: object) -> GeomArray:
    """A plain numpy object array of shapely geometries."""
    return np.asarray(getattr(geoms, "values", geoms), dtype=object)
