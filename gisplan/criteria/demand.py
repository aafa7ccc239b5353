"""Demand near a site: buildings and people within a radius, for community energy.

A building counts when its representative point lies within the radius of the
site's geometry (a site inside a village counts the whole village around it).
Population comes from a per-building column, which
:func:`allocate_population` can fill from municipal totals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from gisplan.criteria import as_geometry_array, check_metric
from gisplan.criteria._coverage import weighted_bincount
from gisplan.errors import CRSError, InputError

if TYPE_CHECKING:
    import geopandas as gpd

#: Sites per pass; each pass holds every (site, building) pair within the radius.
CHUNK_SIZE = 20_000


def _same_crs(sites: gpd.GeoDataFrame | gpd.GeoSeries, other: gpd.GeoDataFrame, what: str) -> None:
    crs = check_metric(sites.crs, "the sites")
    if other.crs is None or check_metric(other.crs, what) != crs:
        msg = f"{what} are in {other.crs}, the sites in {crs.to_string()}; reproject them to the working CRS"
        raise CRSError(msg)


def _anchors(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A point of each geometry and the largest distance from it to any vertex [m].

    Since the anchor lies on the geometry, ``d(p, geom) <= d(p, anchor)``; since every
    point of the geometry lies within ``reach`` of the anchor,
    ``d(p, geom) >= d(p, anchor) - reach``.
    """
    anchor = shapely.point_on_surface(geoms)
    ax, ay = shapely.get_x(anchor), shapely.get_y(anchor)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    reach = np.zeros(len(geoms))
    if len(owner):
        np.maximum.at(reach, owner, np.hypot(coords[:, 0] - ax[owner], coords[:, 1] - ay[owner]))
    return np.column_stack([ax, ay]), reach


def _count_within(
    geoms: np.ndarray, points: np.ndarray, pop: np.ndarray, radius_m: float, chunk_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Buildings and population within ``radius_m`` of each geometry, exactly.

    Candidate pairs come from a bounding-box query; the distance to the site's anchor
    settles most of them (surely in, or surely out), and GEOS decides only the thin ring
    in between, where ``radius < d(p, anchor) <= radius + reach``.
    """
    counts = np.zeros(len(geoms))
    people = np.zeros(len(geoms))
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any() or len(points) == 0:
        return counts, people
    tree = shapely.STRtree(points)
    px, py = shapely.get_x(points), shapely.get_y(points)
    anchor, reach = _anchors(np.asarray(np.where(present, geoms, np.asarray(None, dtype=object)), dtype=object))
    bounds = shapely.bounds(geoms)
    for start in range(0, len(geoms), chunk_size):
        stop = min(start + chunk_size, len(geoms))
        b = bounds[start:stop]
        boxes = shapely.box(b[:, 0] - radius_m, b[:, 1] - radius_m, b[:, 2] + radius_m, b[:, 3] + radius_m)
        boxes = np.where(present[start:stop], boxes, None)
        local, building = tree.query(boxes)
        site = local + start
        d = np.hypot(px[building] - anchor[site, 0], py[building] - anchor[site, 1])
        inside = d <= radius_m
        ring = ~inside & (d <= radius_m + reach[site] + 1e-6)
        if ring.any():
            inside[ring] = shapely.dwithin(geoms[site[ring]], points[building[ring]], radius_m)
        counts[start:stop] = np.bincount(local[inside], minlength=stop - start)
        people[start:stop] = weighted_bincount(local[inside], pop[building[inside]], stop - start)
    return counts, people


def demand_within(
    sites: gpd.GeoDataFrame | gpd.GeoSeries,
    buildings: gpd.GeoDataFrame,
    *,
    radius_m: float,
    population_column: str | None = "population",
    chunk_size: int = CHUNK_SIZE,
) -> pd.DataFrame:
    """Buildings and population within ``radius_m`` of each site.

    Parameters
    ----------
    sites
        Sites in the working metric CRS.
    buildings
        Building footprints or points in the same CRS.
    radius_m
        Search radius from the site's edge [m].
    population_column
        Per-building population [inhabitants]; None, or a missing column, gives
        no population output.
    chunk_size
        Sites per pass.

    Returns
    -------
    pandas.DataFrame
        ``buildings_within_{r}m`` [count] and, with a population column,
        ``population_within_{r}m`` [inhabitants], where ``r`` is the radius
        in whole metres.
    """
    if radius_m < 0:
        msg = f"radius_m must be >= 0, not {radius_m}"
        raise InputError(msg)
    _same_crs(sites, buildings, "the buildings")
    geoms = as_geometry_array(sites.geometry)
    points = shapely.point_on_surface(as_geometry_array(buildings.geometry))
    points = np.asarray(
        np.where(shapely.is_empty(points) | shapely.is_missing(points), np.asarray(None, dtype=object), points),
        dtype=object,
    )
    with_pop = population_column is not None and population_column in buildings.columns
    pop = (
        pd.to_numeric(buildings[population_column], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        if with_pop and population_column is not None
        else np.zeros(len(buildings))
    )
    counts, people = _count_within(geoms, points, pop, radius_m, chunk_size)
    r = f"{radius_m:.0f}"
    out = pd.DataFrame({f"buildings_within_{r}m": counts.astype(np.int64)}, index=sites.index)
    if with_pop:
        out[f"population_within_{r}m"] = people
    return out


def allocate_population(
    buildings: gpd.GeoDataFrame,
    municipalities: gpd.GeoDataFrame,
    *,
    population_column: str = "pocet_obyv",
    residential: pd.Series | None = None,
    floors_column: str | None = None,
) -> pd.Series:
    """Share each municipality's population among its residential buildings.

    Each building gets the municipality's population in proportion to its
    floor area (footprint [m²] × floors, 1 floor when unknown). A rough,
    explainable estimate for community-energy screening, not a census.

    Parameters
    ----------
    buildings
        Footprints in the working metric CRS.
    municipalities
        Polygons in the same CRS with ``population_column`` [inhabitants] and
        the code/name columns :func:`gisplan.criteria.admin.municipality` needs.
    residential
        Boolean per building; default all buildings.
    floors_column
        Column with the number of floors (e.g. RÚIAN ``PocetPodlazi``).

    Returns
    -------
    pandas.Series
        ``population`` per building [inhabitants]; 0 outside every municipality.
    """
    from gisplan.criteria.admin import municipality

    _same_crs(buildings, municipalities, "the municipalities")
    found = municipality(buildings, municipalities, population_column=population_column)
    floors = (
        pd.to_numeric(buildings[floors_column], errors="coerce").fillna(1.0).clip(lower=1.0).to_numpy(dtype=float)
        if floors_column and floors_column in buildings.columns
        else np.ones(len(buildings))
    )
    weight = shapely.area(as_geometry_array(buildings.geometry)) * floors
    if residential is not None:
        weight = weight * residential.to_numpy(dtype=bool)
    code = found["municipality_code"].fillna("").to_numpy(dtype=object)
    total = pd.Series(weight).groupby(code).transform("sum").to_numpy(dtype=float)
    popn = found["municipality_population"].fillna(0.0).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where((total > 0) & (code != ""), weight / total, 0.0)
    return pd.Series(share * popn, index=buildings.index, name="population")


__all__ = ["allocate_population", "demand_within"]
