"""The municipality with the largest share of each site."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gisplan.errors import InputError
from gisplan.measurements.admin import municipality

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


def test_a_national_municipality_layer_gives_the_same_answer_as_the_local_part(shared_data: Path) -> None:
    """Děčany's 298 buildings against all 6,279 obce equal the answer against the obce around them."""
    import pyogrio

    obce = pyogrio.read_dataframe(shared_data / "admin_cz" / "admin_cz.gpkg", layer="obce").to_crs(5514)
    buildings = pyogrio.read_dataframe(
        shared_data / "ruian_cz" / "decany_564729_ruian2014.gpkg", layer="stavebni_objekty"
    )
    national = municipality(buildings, obce, population_column="pocet_obyv")
    x0, y0, x1, y1 = buildings.total_bounds
    near = obce.cx[x0 - 5000 : x1 + 5000, y0 - 5000 : y1 + 5000]
    assert 5 < len(near) < 100
    local = municipality(buildings, near, population_column="pocet_obyv")
    pd.testing.assert_frame_equal(national, local)
    assert (national["municipality_code"] == "564729").sum() == 297
