"""Size and shape of sites, and the area a PV array could use.

All lengths in metres and areas in square metres: the sites must be in the
working metric CRS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from gisplan.criteria import as_geometry_array, check_metric
from gisplan.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

#: OSM ``roof:shape`` values (mapped to the column ``roof_shape``) that mean a flat roof.
FLAT_ROOF_SHAPES = frozenset({"flat"})
#: OSM ``roof:shape`` values of pitched roofs.
PITCHED_ROOF_SHAPES = frozenset(
    {"gabled", "hipped", "half-hipped", "pyramidal", "skillion", "mansard", "gambrel", "saltbox", "side_hipped"}
)
ROOF_TYPES = ("flat", "pitched", "unknown")


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
        ``area_m2`` [m²], ``perimeter_m`` [m] and ``compactness``: the
        Polsby–Popper ratio 4πA/P² [0–1], 1 for a circle, 0.785 for a square,
        near 0 for a thin strip; NaN for sites without area.
    """
    check_metric(sites.crs, "the sites")
    geoms = as_geometry_array(sites.geometry)
    area = shapely.area(geoms)
    perimeter = shapely.length(geoms)
    with np.errstate(invalid="ignore", divide="ignore"):
        compact = np.where(perimeter > 0, 4.0 * np.pi * area / (perimeter * perimeter), np.nan)
    return pd.DataFrame(
        {"area_m2": area, "perimeter_m": perimeter, "compactness": np.clip(compact, 0.0, 1.0)}, index=sites.index
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
        ``usable_area_m2`` [m²], never more than the site's area.
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
    area = shapely.area(geoms)
    out = np.zeros(len(sites))
    roof = kinds == "rooftop"
    if roof.any():
        types = roof_type(sites, p.roof_type_column).to_numpy()[roof]
        share = np.select([types == "flat", types == "pitched"], [p.roof_share["flat"], p.roof_share["pitched"]])
        share = np.where(types == "unknown", p.roof_share["unknown"], share)
        net = np.maximum(area[roof] - p.roof_edge_margin_m * shapely.length(geoms[roof]), 0.0) * share
        out[roof] = np.where(net >= p.min_roof_array_m2, net, 0.0)
    ground = ~roof
    if ground.any():
        if p.ground_setback_m > 0:
            out[ground] = shapely.area(shapely.buffer(geoms[ground], -p.ground_setback_m, quad_segs=4))
        else:
            out[ground] = area[ground]
    return pd.Series(np.minimum(out, area), index=sites.index, name="usable_area_m2")


__all__ = ["UsableAreaParams", "roof_type", "shape_metrics", "usable_area"]
