"""The municipality holding the largest share of each site.

Municipality polygons are cut into tiles and prepared (see
:mod:`gisplan.measurements._tiles`); a site inside one piece is settled by a
prepared ``contains_properly``, and only sites on a boundary need exact
intersection areas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gisplan.errors import CRSError, InputError
from gisplan.measurements import as_geometry_array, check_metric
from gisplan.measurements._tiles import TILE_M, overlaps, tile_pieces

if TYPE_CHECKING:
    import geopandas as gpd

#: Column names of the municipality layer in RÚIAN/ČSÚ terms (see layers/demo.yaml).
CODE_COLUMN = "kod_obce"
NAME_COLUMN = "nazev_obce"
POPULATION_COLUMN = "pocet_obyv"


def municipality(
    sites: gpd.GeoDataFrame | gpd.GeoSeries,
    municipalities: gpd.GeoDataFrame,
    *,
    code_column: str = CODE_COLUMN,
    name_column: str = NAME_COLUMN,
    population_column: str | None = POPULATION_COLUMN,
    tile_m: float = TILE_M,
) -> pd.DataFrame:
    """The municipality that holds the largest share of each site.

    Parameters
    ----------
    sites
        Sites in the working metric CRS.
    municipalities
        Municipality polygons in the same CRS, with a code, a name and,
        optionally, a population column.
    code_column, name_column, population_column
        Their column names.
    tile_m
        Side of the tiles the polygons are cut into [m]; speed only.

    Returns
    -------
    pandas.DataFrame
        ``municipality_code`` (str), ``municipality_name`` (str),
        ``municipality_population`` [inhabitants] and ``municipality_share``:
        the share of the site inside that municipality [0–1]. Sites outside
        every municipality get missing values and share 0. Ties go to the
        municipality listed first.
    """
    crs = check_metric(sites.crs, "the sites")
    if municipalities.crs is None or check_metric(municipalities.crs, "the municipalities") != crs:
        msg = f"the municipalities are in {municipalities.crs}, the sites in {crs.to_string()}; reproject them"
        raise CRSError(msg)
    wanted = [code_column, name_column] + ([population_column] if population_column else [])
    missing = [c for c in wanted if c not in municipalities.columns]
    if missing:
        msg = (
            f"the municipality layer lacks column(s) {missing}; it has {list(municipalities.columns)}. "
            "Name the right columns with code_column=, name_column=, population_column="
        )
        raise InputError(msg)
    geoms = as_geometry_array(sites.geometry)
    polys = as_geometry_array(municipalities.geometry)
    # only the municipalities whose box meets a site's box are cut into tiles: a national
    # layer (6,279 obce) would otherwise be tiled whole for a few hundred sites
    import shapely

    extent = shapely.total_bounds(geoms) if len(geoms) else np.full(4, np.nan)
    if np.isfinite(extent).all():
        near = np.sort(shapely.STRtree(polys).query(shapely.box(*extent))).astype(np.int64)
    else:
        near = np.empty(0, dtype=np.int64)
    pieces, labels = tile_pieces(polys[near], near, tile_m)
    found = overlaps(geoms, pieces, labels)
    n = len(geoms)
    best = np.full(n, -1, dtype=np.int64)
    share = np.zeros(n)
    if len(found.site):
        # largest area first, then the lower label, per site
        order = np.lexsort((found.label, -found.area, found.site))
        site, label, area = found.site[order], found.label[order], found.area[order]
        first = np.concatenate([[True], site[1:] != site[:-1]])
        best[site[first]] = label[first]
        from shapely import area as shp_area

        site_area = shp_area(geoms[site[first]])
        share[site[first]] = np.where(site_area > 0, area[first] / np.where(site_area > 0, site_area, 1.0), 1.0)
    has = best >= 0
    code = pd.Series(pd.NA, index=sites.index, dtype="string")
    code[has] = municipalities[code_column].astype("string").to_numpy()[best[has]]
    name = pd.Series(pd.NA, index=sites.index, dtype="string")
    name[has] = municipalities[name_column].astype("string").to_numpy()[best[has]]
    population = np.full(n, np.nan)
    if population_column:
        pops = pd.to_numeric(municipalities[population_column], errors="coerce").to_numpy(dtype=float)
        population[has] = pops[best[has]]
    return pd.DataFrame(
        {
            "municipality_code": code,
            "municipality_name": name,
            "municipality_population": population,
            "municipality_share": np.clip(share, 0.0, 1.0),
        },
        index=sites.index,
    )


__all__ = ["municipality"]
