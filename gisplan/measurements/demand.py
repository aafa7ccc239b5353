"""Demand near a site: buildings and people within a radius, for community energy.

A building counts when its representative point lies within the radius of the
site's geometry (a site inside a village counts the whole village around it).
Population comes from a per-building column, which
:func:`allocate_population` can fill from municipal totals: each building
belongs to one municipality, and each municipality's population is shared
among its own dwellings only, so the totals are preserved.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from gisplan.errors import CRSError, InputError
from gisplan.measurements import as_geometry_array, check_metric
from gisplan.measurements._coverage import weighted_bincount

logger = logging.getLogger("gisplan.measurements")

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


#: RÚIAN ``ZpusobVyuzitiKod`` values of dwellings (ČÚZK code list "Způsob využití stavebního
#: objektu"): 2 zemědělská usedlost, 3 objekt k bydlení, 6 bytový dům, 7 rodinný dům.
RUIAN_RESIDENTIAL_CODES = frozenset({2, 3, 6, 7})
#: OSM ``building`` values of dwellings (https://wiki.openstreetmap.org/wiki/Key:building).
OSM_RESIDENTIAL = frozenset(
    {"house", "residential", "apartments", "detached", "semidetached_house", "terrace", "bungalow", "farm", "dormitory"}
)
#: Floor-count columns tried in order when ``floors_column="auto"`` (RÚIAN, OSM ``building:levels``).
FLOORS_COLUMNS = ("pocet_podlazi", "PocetPodlazi", "building_levels", "building:levels")
#: Least share of a municipality that the buildings layer must reach (its buildings' convex hull
#: grown by :data:`LAYER_MARGIN_M`) before that municipality's population is shared among them.
#: On the Děčany RÚIAN buildings: Děčany 0.71, the neighbour Třebívlice, which catches one
#: Děčany barn in its generalised boundary, 0.12.
MIN_LAYER_COVERAGE = 0.5
#: Margin around the buildings layer's convex hull when measuring its coverage [m].
LAYER_MARGIN_M = 500.0


def assign_municipality(buildings: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame) -> np.ndarray:
    """Position (in ``municipalities``) of the one municipality of each building; -1 for none.

    A building belongs to the municipality containing its representative point
    (:func:`shapely.point_on_surface`); where boundaries overlap and several contain it, to the
    one holding the largest part of its footprint (then the first listed).
    """
    _same_crs(buildings, municipalities, "the municipalities")
    geoms = as_geometry_array(buildings.geometry)
    polys = as_geometry_array(municipalities.geometry)
    points = shapely.point_on_surface(geoms)
    out = np.full(len(geoms), -1, dtype=np.int64)
    valid = ~(shapely.is_missing(points) | shapely.is_empty(points))
    if not valid.any() or len(polys) == 0:
        return out
    tree = shapely.STRtree(polys)
    building, muni = tree.query(np.where(valid, points, None), predicate="intersects")
    if not len(building):
        return out
    overlap = np.zeros(len(building))
    multi = np.bincount(building, minlength=len(geoms))[building] > 1
    if multi.any():
        overlap[multi] = shapely.area(shapely.intersection(geoms[building[multi]], polys[muni[multi]]))
    order = np.lexsort((muni, -overlap, building))
    building, muni = building[order], muni[order]
    first = np.concatenate([[True], building[1:] != building[:-1]])
    out[building[first]] = muni[first]
    return out


def _layer_coverage(buildings: np.ndarray, polys: np.ndarray, wanted: np.ndarray, margin_m: float) -> np.ndarray:
    """Share of each wanted municipality inside the buildings' convex hull grown by ``margin_m`` [0–1]."""
    share = np.zeros(len(polys))
    if not wanted.any():
        return share
    hull = shapely.buffer(shapely.convex_hull(shapely.union_all(shapely.point_on_surface(buildings))), margin_m)
    chosen = polys[wanted]
    with np.errstate(invalid="ignore", divide="ignore"):
        share[wanted] = np.nan_to_num(shapely.area(shapely.intersection(chosen, hull)) / shapely.area(chosen))
    return share


def _residential(buildings: gpd.GeoDataFrame) -> np.ndarray | None:
    """Known dwellings from RÚIAN use codes or OSM ``building`` values; None if neither is there."""
    for column in ("zpusob_vyuziti_kod", "ZpusobVyuzitiKod"):
        if column in buildings.columns:
            codes = pd.to_numeric(buildings[column], errors="coerce")
            return np.asarray(codes.isin(RUIAN_RESIDENTIAL_CODES).to_numpy(), dtype=bool)
    if "building" in buildings.columns:
        values = buildings["building"].astype("string").str.strip().str.lower()
        return np.asarray(values.isin(OSM_RESIDENTIAL).to_numpy(dtype=bool, na_value=False), dtype=bool)
    return None


def _floors(buildings: gpd.GeoDataFrame, floors_column: str | None) -> np.ndarray:
    column = floors_column
    if floors_column == "auto":
        column = next((c for c in FLOORS_COLUMNS if c in buildings.columns), None)
    if not column or column not in buildings.columns:
        return np.ones(len(buildings))
    floors = pd.to_numeric(buildings[column], errors="coerce").fillna(1.0).clip(lower=1.0)
    return np.asarray(floors.to_numpy(dtype=float), dtype=float)


def allocate_population(
    buildings: gpd.GeoDataFrame,
    municipalities: gpd.GeoDataFrame,
    *,
    population_column: str = "pocet_obyv",
    residential: pd.Series | None = None,
    floors_column: str | None = "auto",
    min_layer_coverage: float = MIN_LAYER_COVERAGE,
    layer_margin_m: float = LAYER_MARGIN_M,
) -> pd.Series:
    """Share each municipality's population among its own buildings (dasymetric).

    Each building belongs to exactly one municipality (:func:`assign_municipality`). Within
    it, the population goes to the dwellings first, in proportion to their residential floor
    area (footprint [m²] × floors, 1 floor when unknown); a municipality without a known
    dwelling shares it over all its buildings, and one whose buildings have no footprint,
    equally. The buildings of a municipality therefore receive exactly its population, never
    more. A rough, explainable estimate for community-energy screening, not a census.

    A municipality that the buildings layer barely reaches (less than ``min_layer_coverage``
    of it within ``layer_margin_m`` of the layer's convex hull) gets no allocation: its few
    buildings in the layer are a neighbour's caught by a generalised boundary, or the edge of
    an extract, and would otherwise take in its whole population.

    Parameters
    ----------
    buildings
        Footprints (or points) in the working metric CRS.
    municipalities
        Polygons in the same CRS with ``population_column`` [inhabitants].
    population_column
        Column of ``municipalities`` with the population [inhabitants].
    residential
        Boolean per building (dwelling or not); default from RÚIAN ``zpusob_vyuziti_kod``
        (2, 3, 6, 7) or OSM ``building`` (house, apartments…), else every building.
    floors_column
        Column with the number of floors; ``"auto"`` tries RÚIAN ``pocet_podlazi`` and OSM
        ``building_levels``; None counts one floor each.
    min_layer_coverage
        Least share of a municipality the buildings layer must reach [0–1].
    layer_margin_m
        Margin around the layer's convex hull for that share [m].

    Returns
    -------
    pandas.Series
        ``population`` per building [inhabitants]: 0 for the non-dwellings of a municipality
        with dwellings; NaN (not available) outside every municipality, or in a municipality
        the layer barely reaches, or without a population.
    """
    if population_column not in municipalities.columns:
        msg = (
            f"the municipality layer has no population column {population_column!r}; "
            f"it has {list(municipalities.columns)}"
        )
        raise InputError(msg)
    owner = assign_municipality(buildings, municipalities)
    geoms = as_geometry_array(buildings.geometry)
    polys = as_geometry_array(municipalities.geometry)
    population = pd.to_numeric(municipalities[population_column], errors="coerce").to_numpy(dtype=float)
    used = np.zeros(len(polys), dtype=bool)
    used[owner[owner >= 0]] = True
    coverage = _layer_coverage(geoms, polys, used, layer_margin_m)
    for position in np.flatnonzero(used & (coverage < min_layer_coverage)):
        logger.info(
            "population of municipality %s not allocated: the buildings layer reaches only %.0f %% of it",
            municipalities.index[position],
            100 * coverage[position],
        )
    allocated = (owner >= 0) & np.isin(owner, np.flatnonzero(used & (coverage >= min_layer_coverage)))
    allocated &= np.isfinite(population[np.maximum(owner, 0)])
    dwelling = residential.to_numpy(dtype=bool) if residential is not None else _residential(buildings)
    floor_area = np.nan_to_num(shapely.area(geoms)) * _floors(buildings, floors_column)
    out = np.full(len(geoms), np.nan)
    key = np.where(allocated, owner, -1)
    has_dwelling = np.zeros(len(polys) + 1, dtype=bool)
    if dwelling is not None:
        np.logical_or.at(has_dwelling, key[allocated], dwelling[allocated])
    eligible = allocated & (~has_dwelling[key] | (dwelling if dwelling is not None else True))
    weight = np.where(eligible, floor_area, 0.0)
    total = np.bincount(key[allocated], weights=weight[allocated], minlength=len(polys))
    count = np.bincount(key[allocated], weights=eligible[allocated].astype(float), minlength=len(polys))
    safe = np.maximum(owner, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total[safe] > 0, weight / total[safe], np.where(eligible, 1.0 / count[safe], 0.0))
    out[allocated] = share[allocated] * population[safe[allocated]]
    return pd.Series(out, index=buildings.index, name="population")


__all__ = ["allocate_population", "assign_municipality", "demand_within"]
