from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from gisplan import crs
from gisplan.errors import CRSError, MissingCRSError


def test_czech_data_gets_krovak() -> None:
    # Děčany, Ústecký kraj
    assert crs.working_crs_for_bounds(14.0, 50.4, 14.1, 50.5).to_epsg() == 5514


def test_other_regions_get_utm() -> None:
    assert crs.working_crs_for_bounds(9.5, 47.05, 9.6, 47.25).to_epsg() == 32632  # Liechtenstein
    assert crs.working_crs_for_bounds(19.0, 47.4, 19.1, 47.5).to_epsg() == 32634  # Budapest
    assert crs.working_crs_for_bounds(-1.2, 53.4, -1.0, 53.6).to_epsg() == 32630  # Doncaster


def test_setting_wins_and_must_be_metric(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISPLAN_WORKING_CRS", "EPSG:3035")
    assert crs.working_crs_for_bounds(14.0, 50.4, 14.1, 50.5).to_epsg() == 3035
    monkeypatch.setenv("GISPLAN_WORKING_CRS", "EPSG:4326")
    with pytest.raises(CRSError, match="not a metric"):
        crs.working_crs_for_bounds(14.0, 50.4, 14.1, 50.5)


def test_to_working_reprojects_and_refuses_missing_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(14.05, 50.45)], crs="EPSG:4326")
    out = crs.to_working(gdf)
    assert out.crs.to_epsg() == 5514
    x, y = out.geometry.iloc[0].x, out.geometry.iloc[0].y
    assert -800_000 < x < -700_000 and -1_050_000 < y < -950_000
    with pytest.raises(MissingCRSError, match="no coordinate reference system"):
        crs.to_working(gpd.GeoDataFrame(geometry=[Point(0, 0)]))


def test_transformer_is_xy_and_cached() -> None:
    t = crs.transformer("EPSG:4326", "EPSG:5514")
    x, y = t.transform(14.05, 50.45)  # lon, lat in, easting, northing out
    assert x < 0 and y < 0
    assert crs.transformer("EPSG:4326", "EPSG:5514") is t
    with pytest.raises(CRSError, match="EPSG:5514"):
        crs.parse_crs("EPSG:99999999")
