"""The built-in measure types, registered like any other (:mod:`gisplan.measure_registry`).

Their config models live in :mod:`gisplan.profiles` (``RasterMeasure``…); their
run functions call :mod:`gisplan.measurements`. The cost ranks order them dearest
first: rasters, nearest distances, the admin measure, demand, overlays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gisplan.errors import InputError
from gisplan.measure_registry import MeasureContext, register_measure
from gisplan.measures import Raster, allocated_population, vector_layer
from gisplan.profiles import AdminMeasure, DemandMeasure, OverlayMeasure, ProximityMeasure, RasterMeasure

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd


def run_raster(sites: gpd.GeoDataFrame, measure: RasterMeasure, layer: Any, context: MeasureContext) -> pd.DataFrame:
    """Coverage-weighted zonal statistics of a raster slot."""
    if not isinstance(layer, Raster):
        msg = f"layer {measure.layer!r} must be a raster for measure {measure.name!r}"
        raise InputError(msg)
    from gisplan.measurements.raster import zonal_stats

    return zonal_stats(
        sites,
        layer.source,
        name=measure.name,
        unit=measure.unit,
        stats=measure.stats,
        percentile=measure.percentile,
        band=layer.band if measure.band == 1 else measure.band,
    )


def run_proximity(
    sites: gpd.GeoDataFrame,
    measure: ProximityMeasure,
    layer: Any,
    context: MeasureContext,
) -> pd.DataFrame:
    """Distance to the nearest feature of a vector slot."""
    from gisplan.measurements.proximity import nearest_distance

    return nearest_distance(
        sites, vector_layer(measure.layer, layer), name=measure.name, radius_m=measure.radius_m
    ).to_frame()


def run_overlay(sites: gpd.GeoDataFrame, measure: OverlayMeasure, layer: Any, context: MeasureContext) -> pd.DataFrame:
    """Share of each site covered by a vector slot."""
    from gisplan.measurements.overlay import overlay_share

    return overlay_share(sites, vector_layer(measure.layer, layer), name=measure.name).to_frame()


def run_admin(sites: gpd.GeoDataFrame, measure: AdminMeasure, layer: Any, context: MeasureContext) -> pd.DataFrame:
    """The municipality holding the largest share of each site."""
    from gisplan.measurements.admin import municipality

    return municipality(
        sites,
        vector_layer(measure.layer, layer),
        code_column=measure.code_column,
        name_column=measure.name_column,
        population_column=measure.population_column,
    )


def run_demand(sites: gpd.GeoDataFrame, measure: DemandMeasure, layer: Any, context: MeasureContext) -> pd.DataFrame:
    """Buildings and people within the measure's radius."""
    from gisplan.measurements.demand import demand_within

    buildings = allocated_population(vector_layer(measure.layer, layer), measure, context)
    return demand_within(sites, buildings, radius_m=measure.radius_m, population_column=measure.population_column)


register_measure("raster", RasterMeasure, run_raster, cost_rank=0)
register_measure("proximity", ProximityMeasure, run_proximity, cost_rank=1)
register_measure("overlay", OverlayMeasure, run_overlay, cost_rank=4)
register_measure("admin", AdminMeasure, run_admin, cost_rank=2)
register_measure("demand", DemandMeasure, run_demand, cost_rank=3)

__all__ = ["run_admin", "run_demand", "run_overlay", "run_proximity", "run_raster"]
