"""How much memory scoring a site takes: what partitions are sized by (:mod:`gisplan.partitioned`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd

#: Bytes per site, one value per row.
FloatArray = np.ndarray[tuple[int, ...], np.dtype[np.float64]]

#: Working memory of one-process scoring per site beyond the site's own data [bytes]: 1M synthetic rooftops
#: of about 450 input bytes each peaked at 3.4 GiB (issue 15), i.e. about 3,600 bytes per site in all.
SCORING_BYTES_PER_SITE = 3_000


def site_bytes(sites: gpd.GeoDataFrame) -> FloatArray:
    """Estimated peak memory of scoring each site [bytes].

    The site's own data (16 bytes per coordinate plus about 100 bytes of
    geometry object, and its attributes) counted twice, as the scored frame
    copies them, plus :data:`SCORING_BYTES_PER_SITE` for criteria, breakdown
    and output columns. A partition of polygons with many vertices so holds
    fewer sites than one of simple rooftops.
    """
    import shapely

    coords = shapely.get_num_coordinates(np.asarray(sites.geometry.values, dtype=object)).astype(np.float64)
    attributes = sites.drop(columns=sites.geometry.name).memory_usage(deep=True, index=True)
    per_row = float(attributes.sum()) / max(len(sites), 1)
    return np.asarray(2.0 * (16.0 * coords + 100.0 + per_row) + SCORING_BYTES_PER_SITE, dtype=np.float64)


__all__ = ["SCORING_BYTES_PER_SITE", "site_bytes"]
