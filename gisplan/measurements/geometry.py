"""Size and shape of sites, and the area a PV array could use.

All lengths in metres and areas in square metres: the sites must be in the
working metric CRS.

A site's area comes from its geometry when it has one (a polygon), otherwise
from an area the source declares (a register point with ``hectares``, an EPA
screening point with ``Acres``). ``area_source`` says which: ``geometry``,
``declared:<field>[<unit>]`` (e.g. ``declared:hectares[ha]``) or
``not_available`` (a point or line with no declared area: its area, usable area
and capacity are NaN, never 0). Shape metrics (perimeter, compactness) exist
only for polygons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from gisplan.errors import InputError
from gisplan.measurements import as_geometry_array, check_metric

if TYPE_CHECKING:
    import geopandas as gpd

#: OSM ``roof:shape`` values (mapped to the column ``roof_shape``) that mean a flat roof.
FLAT_ROOF_SHAPES = frozenset({"flat"})
#: OSM ``roof:shape`` values of pitched roofs.
PITCHED_ROOF_SHAPES = frozenset(
    {"gabled", "hipped", "half-hipped", "pyramidal", "skillion", "mansard", "gambrel", "saltbox", "side_hipped"}
)
ROOF_TYPES = ("flat", "pitched", "unknown")

#: ``area_source`` of an area measured on the polygon.
AREA_GEOMETRY = "geometry"
#: ``area_source`` of a site with neither a polygon nor a declared area.
AREA_NOT_AVAILABLE = "not_available"
#: Prefix of the ``area_source`` of a declared area: ``declared:<field>[<unit>]``.
AREA_DECLARED = "declared"
#: Square metres per unit of a declared area. 1 international acre = 4,046.856 4224 m² (exact, 1959).
AREA_UNITS: dict[str, float] = {"m2": 1.0, "ha": 10_000.0, "acres": 4_046.856_422_4}


def declared_source(field_name: str, unit: str) -> str:
    """The ``area_source`` text of an area declared in ``field_name`` in ``unit`` (``declared:Acres[acres]``)."""
    if unit not in AREA_UNITS:
        msg = f"unknown area unit {unit!r} for field {field_name!r}; use one of {', '.join(AREA_UNITS)}"
        raise InputError(msg)
    return f"{AREA_DECLARED}:{field_name}[{unit}]"


def resolve_area(
    geometry_area_m2: ArrayLike,
    declared_m2: ArrayLike | None = None,
    declared_label: str | ArrayLike | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.object_]]:
    """Each site's area and where it comes from.

    Parameters
    ----------
    geometry_area_m2
        Area of the geometry in the working metric CRS [m²]; 0 (or NaN) for
        points, lines and missing geometries.
    declared_m2
        Area the source declares [m²]; NaN where it declares none.
    declared_label
        ``area_source`` of the declared areas (:func:`declared_source`), one
        for all or one per site.

    Returns
    -------
    tuple
        ``area_m2`` [m²]: the geometry's area where it is > 0, else the
        declared area where it is > 0, else NaN; and ``area_source``:
        ``geometry``, the declared label, or ``not_available``.
    """
    geom = np.asarray(geometry_area_m2, dtype=np.float64)
    n = geom.shape[0]
    declared = np.full(n, np.nan) if declared_m2 is None else np.asarray(declared_m2, dtype=np.float64)
    labels = np.broadcast_to(np.asarray(declared_label if declared_label is not None else "", dtype=object), (n,))
    has_geometry = np.nan_to_num(geom) > 0
    has_declared = ~has_geometry & (np.nan_to_num(declared) > 0)
    area = np.where(has_geometry, geom, np.where(has_declared, declared, np.nan))
    source = np.full(n, AREA_NOT_AVAILABLE, dtype=object)
    source[has_geometry] = AREA_GEOMETRY
    source[has_declared] = labels[has_declared]
    return area, source


def site_area(sites: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.DataFrame:
    """``area_m2`` [m²] and ``area_source`` of each site (see the module notes).

    A declared area is read from the sites' ``area_m2`` column where their
    ``area_source`` starts with ``declared``; frames without ``area_source``
    (built by hand) count a positive ``area_m2`` of a point as declared
    (``declared:area_m2[m2]``). Polygons always take their geometry's area in
    the working CRS.
    """
    check_metric(sites.crs, "the sites")
    geoms = as_geometry_array(sites.geometry)
    geometry_area = shapely.area(geoms)
    declared: NDArray[np.float64] | None = None
    labels: NDArray[np.object_] | str | None = None
    columns = getattr(sites, "columns", ())
    if "area_m2" in columns:
        given = pd.to_numeric(sites["area_m2"], errors="coerce").to_numpy(dtype=np.float64)
        if "area_source" in columns:
            text = sites["area_source"].astype("string").fillna("")
            is_declared = text.str.startswith(AREA_DECLARED).to_numpy(dtype=bool)
            declared = np.where(is_declared, given, np.nan)
            labels = text.to_numpy(dtype=object)
        else:
            declared, labels = given, declared_source("area_m2", "m2")
    area, source = resolve_area(geometry_area, declared, labels)
    return pd.DataFrame({"area_m2": area, "area_source": source}, index=sites.index)


def _default_roof_share() -> dict[str, float]:
    return {"flat": 0.6, "pitched": 0.45, "unknown": 0.5}


@dataclass(frozen=True)
class UsableAreaParams:
    """How much of a site a PV array can use.

    Attributes
    ----------
    roof_share
        Usable share of the roof area left after the edge margin, by roof type
        (``flat``, ``pitched``, ``unknown``) [0–1]. Defaults: flat 0.6 (rows
        tilted and spaced against self-shading), pitched 0.45 (mostly the
        faces turned towards the sun), unknown 0.5. They sit in the range of the
        IEA PVPS Task 7 estimate that the solar-architecturally suitable roof
        area is about 0.4 of the ground floor area (IEA-PVPS T7-4, 2002) and of
        NREL's finding that about a quarter of small-building roof area and
        more of large-building roof area is suitable (Gagnon et al. 2016,
        NREL/TP-6A20-65298). Tune them per region.
    roof_edge_margin_m
        Clear strip kept along the roof edge (fire access, wind loads) [m];
        the roof loses about ``margin × perimeter``.
    min_roof_array_m2
        Smaller usable areas count as 0 (fewer than about 5 modules) [m²].
    ground_setback_m
        Strip kept free along the boundary of a ground site (fence, access
        track, neighbours) [m]; a planning assumption.
    roof_type_column
        Column giving the roof type (``flat``/``pitched``/``unknown``) or the
        OSM roof shape; missing columns or values mean ``unknown``.
    """

    roof_share: Mapping[str, float] = field(default_factory=_default_roof_share)
    roof_edge_margin_m: float = 0.5
    min_roof_array_m2: float = 10.0
    ground_setback_m: float = 10.0
    roof_type_column: str = "roof_shape"

    def __post_init__(self) -> None:
        problems = [f"roof_share[{k!r}]={v} is not in 0–1" for k, v in self.roof_share.items() if not 0 <= v <= 1]
        problems += [f"roof_share lacks {t!r}" for t in ROOF_TYPES if t not in self.roof_share]
        for name in ("roof_edge_margin_m", "min_roof_array_m2", "ground_setback_m"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be >= 0")
        if problems:
            msg = "invalid UsableAreaParams: " + "; ".join(problems)
            raise InputError(msg)


def shape_metrics(sites: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.DataFrame:
    """Area, perimeter and compactness of each site.

    Returns
    -------
    pandas.DataFrame
        ``area_m2`` [m²] (:func:`site_area`: the polygon's, else a declared
        area, else NaN), ``perimeter_m`` [m] and ``compactness``: the
        Polsby–Popper ratio 4πA/P² [0–1], 1 for a circle, 0.785 for a square,
        near 0 for a thin strip. Perimeter and compactness are NaN for sites
        without a polygon (a point's declared area has no shape).
    """
    areas = site_area(sites)
    geoms = as_geometry_array(sites.geometry)
    polygon_area = shapely.area(geoms)
    is_polygon = np.nan_to_num(polygon_area) > 0
    perimeter = np.where(is_polygon, shapely.length(geoms), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        compact = np.where(is_polygon, 4.0 * np.pi * polygon_area / (perimeter * perimeter), np.nan)
    return pd.DataFrame(
        {"area_m2": areas["area_m2"].to_numpy(), "perimeter_m": perimeter, "compactness": np.clip(compact, 0.0, 1.0)},
        index=sites.index,
    )


def roof_type(sites: gpd.GeoDataFrame | pd.DataFrame, column: str = "roof_shape") -> pd.Series:
    """``flat``, ``pitched`` or ``unknown`` for each site, from a roof type or OSM roof-shape column."""
    if column not in sites.columns:
        return pd.Series("unknown", index=sites.index, name="roof_type", dtype=object)
    raw = sites[column].astype("string").str.strip().str.lower()
    out = np.full(len(sites), "unknown", dtype=object)
    out[raw.isin(FLAT_ROOF_SHAPES).to_numpy(dtype=bool, na_value=False)] = "flat"
    out[raw.isin(PITCHED_ROOF_SHAPES | {"pitched"}).to_numpy(dtype=bool, na_value=False)] = "pitched"
    return pd.Series(out, index=sites.index, name="roof_type")


def usable_area(
    sites: gpd.GeoDataFrame,
    params: UsableAreaParams | None = None,
    *,
    kind: str | None = None,
) -> pd.Series:
    """Area a PV array could use on each site.

    Rooftops: ``share(roof type) × (area − margin × perimeter)``, 0 below
    ``min_roof_array_m2``. Ground sites (brownfields, municipal land): the
    area left after a boundary setback (a negative buffer).

    A site with a declared area and no polygon (:func:`site_area`) gets the
    declared area times its kind's usable factor: for rooftops the roof-type
    share (no perimeter is known, so no edge margin); for ground sites the
    share a square of that area keeps after the setback,
    ``((√A − 2·setback) / √A)²``. A square is the most compact rectangle, so
    this is an upper bound of what the real outline keeps. A site with
    neither gets NaN.

    Parameters
    ----------
    sites
        Sites in the working metric CRS, with a ``kind`` column
        (``rooftop``, ``brownfield``, ``municipal_land``) unless ``kind`` is given.
    params
        The assumptions; defaults are documented on :class:`UsableAreaParams`.
    kind
        Site kind for all sites, overriding the column.

    Returns
    -------
    pandas.Series
        ``usable_area_m2`` [m²], never more than the site's area; NaN where
        the area is not available.
    """
    p = params or UsableAreaParams()
    check_metric(sites.crs, "the sites")
    if kind is not None:
        kinds = np.full(len(sites), kind, dtype=object)
    elif "kind" in sites.columns:
        kinds = sites["kind"].astype(object).to_numpy()
    else:
        msg = "the sites have no 'kind' column; pass kind='rooftop' (or brownfield, municipal_land)"
        raise InputError(msg)
    geoms = as_geometry_array(sites.geometry)
    areas = site_area(sites)
    area = areas["area_m2"].to_numpy(dtype=np.float64)
    polygon = (areas["area_source"] == AREA_GEOMETRY).to_numpy(dtype=bool)
    declared = ~polygon & np.isfinite(area)
    out = np.full(len(sites), np.nan)
    roof = kinds == "rooftop"
    types = roof_type(sites, p.roof_type_column).to_numpy()
    share = np.select([types == "flat", types == "pitched"], [p.roof_share["flat"], p.roof_share["pitched"]])
    share = np.where(types == "unknown", p.roof_share["unknown"], share)
    on_roof = roof & polygon
    if on_roof.any():
        net = np.maximum(area[on_roof] - p.roof_edge_margin_m * shapely.length(geoms[on_roof]), 0.0) * share[on_roof]
        out[on_roof] = net
    out[roof & declared] = area[roof & declared] * share[roof & declared]
    out[roof] = np.where(out[roof] >= p.min_roof_array_m2, out[roof], np.where(np.isnan(out[roof]), np.nan, 0.0))
    on_ground = ~roof & polygon
    if on_ground.any():
        if p.ground_setback_m > 0:
            out[on_ground] = shapely.area(shapely.buffer(geoms[on_ground], -p.ground_setback_m, quad_segs=4))
        else:
            out[on_ground] = area[on_ground]
    ground_declared = ~roof & declared
    out[ground_declared] = area[ground_declared] * _square_setback_share(area[ground_declared], p.ground_setback_m)
    return pd.Series(np.minimum(out, area), index=sites.index, name="usable_area_m2")


def _square_setback_share(area_m2: NDArray[np.float64], setback_m: float) -> NDArray[np.float64]:
    """Share of a square of ``area_m2`` [m²] left inside a ``setback_m`` [m] strip along its edge."""
    side = np.sqrt(area_m2)
    with np.errstate(invalid="ignore", divide="ignore"):
        kept = np.maximum(side - 2.0 * setback_m, 0.0) / side
    return np.asarray(np.nan_to_num(kept) ** 2, dtype=np.float64)


__all__ = [
    "AREA_DECLARED",
    "AREA_GEOMETRY",
    "AREA_NOT_AVAILABLE",
    "AREA_UNITS",
    "UsableAreaParams",
    "declared_source",
    "resolve_area",
    "roof_type",
    "shape_metrics",
    "site_area",
    "usable_area",
]
