"""The municipality with the largest share of each site."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gisplan.criteria.admin import municipality
from gisplan.errors import InputError

CRS = "EPSG:5514"


@pytest.fixture
def munis() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kod_obce": ["564729", "565555"], "nazev_obce": ["Děčany", "Sousední"], "pocet_obyv": [480, 1200]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
        crs=CRS,
    )


def test_largest_share_wins(munis: gpd.GeoDataFrame) -> None:
    sites = gpd.GeoDataFrame(geometry=[shapely.box(930, 100, 1030, 200), shapely.box(10, 10, 20, 20)], crs=CRS)
    out = municipality(sites, munis, tile_m=300.0)
    assert out["municipality_code"].tolist() == ["564729", "564729"]
    assert out["municipality_name"].iloc[0] == "Děčany"
    assert out["municipality_population"].tolist() == [480.0, 480.0]
    assert out["municipality_share"].tolist() == pytest.approx([0.7, 1.0])


def test_site_outside_every_municipality(munis: gpd.GeoDataFrame) -> None:
    out = municipality(gpd.GeoDataFrame(geometry=[shapely.box(5000, 0, 5010, 10)], crs=CRS), munis)
    assert out["municipality_code"].isna().all()
    assert np.isnan(out["municipality_population"].iloc[0])
    assert out["municipality_share"].iloc[0] == 0.0


def test_point_site(munis: gpd.GeoDataFrame) -> None:
    out = municipality(gpd.GeoDataFrame(geometry=[shapely.Point(1500, 500)], crs=CRS), munis)
    assert out["municipality_code"].iloc[0] == "565555"
    assert out["municipality_share"].iloc[0] == 1.0


def test_missing_columns_are_named(munis: gpd.GeoDataFrame) -> None:
    sites = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=CRS)
    with pytest.raises(InputError, match=r"lacks column\(s\) \['population'\]"):
        municipality(sites, munis, population_column="population")
    assert isinstance(municipality(sites, munis, population_column=None)["municipality_code"], pd.Series)
