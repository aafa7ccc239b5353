"""A measure type added from outside gisplan: how many features of a layer lie within a radius of each site."""

from __future__ import annotations

from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import Field

from gisplan.measure_registry import MeasureConfig, MeasureContext, register_measure, unregister_measure
from gisplan.measures import vector_layer

KEY = "count_within"


class CountWithinMeasure(MeasureConfig):
    """Features of ``layer`` within ``radius_m`` of each site (edge to feature)."""

    type: Literal["count_within"]
    name: str
    radius_m: float = Field(gt=0)

    def columns(self) -> dict[str, str]:
        return {f"{self.name}_within_{self.radius_m:.0f}m": "features"}


def run_count_within(
    sites: gpd.GeoDataFrame, measure: CountWithinMeasure, layer: Any, context: MeasureContext
) -> pd.DataFrame:
    """The count column for ``sites`` (working metric CRS)."""
    features = vector_layer(measure.layer, layer)
    grown = sites.geometry.buffer(measure.radius_m)
    left, right = features.sindex.query(grown.values, predicate="intersects")
    counts = np.bincount(left, minlength=len(sites)).astype(float)
    del right, context
    return pd.DataFrame({next(iter(measure.columns())): counts}, index=sites.index)


def register() -> None:
    """Register the measure type."""
    register_measure(KEY, CountWithinMeasure, run_count_within, cost_rank=4)


def unregister() -> None:
    """Forget it again."""
    unregister_measure(KEY)
