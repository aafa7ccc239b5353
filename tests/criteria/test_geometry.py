"""Area, shape and usable area."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
import shapely

from gisplan.criteria.geometry import UsableAreaParams, roof_type, shape_metrics, usable_area
from gisplan.errors import CRSError, InputError

CRS = "EPSG:5514"


def test_100m_square() -> None:
    out = shape_metrics(gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)], crs=CRS)).iloc[0]
    assert out["area_m2"] == pytest.approx(10_000.0)
    assert out["perimeter_m"] == pytest.approx(400.0)
    assert out["compactness"] == pytest.approx(math.pi / 4)


def test_rooftop_usable_area_by_roof_type() -> None:
    roofs = gpd.GeoDataFrame(
        {"kind": "rooftop", "roof_shape": ["flat", "gabled", None, "flat"]},
        geometry=[shapely.box(0, 0, 10, 10)] * 3 + [shapely.box(0, 0, 4, 4)],
        crs=CRS,
    )
    # (100 m² - 0.5 m x 40 m) = 80 m² times the share; the 4 m roof leaves 8 x 0.6 < 10 m²
    assert roof_type(roofs).tolist() == ["flat", "pitched", "unknown", "flat"]
    assert usable_area(roofs).tolist() == pytest.approx([48.0, 36.0, 40.0, 0.0])


def test_ground_site_net_of_setback() -> None:
    site = gpd.GeoDataFrame({"kind": ["brownfield"]}, geometry=[shapely.box(0, 0, 100, 100)], crs=CRS)
    assert usable_area(site).iloc[0] == pytest.approx(80.0 * 80.0)
    assert usable_area(site, UsableAreaParams(ground_setback_m=0)).iloc[0] == pytest.approx(10_000.0)


def test_errors() -> None:
    with pytest.raises(CRSError, match="not a metric CRS"):
        shape_metrics(gpd.GeoDataFrame(geometry=[shapely.box(14, 50, 14.1, 50.1)], crs="EPSG:4326"))
    with pytest.raises(InputError, match="kind"):
        usable_area(gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=CRS))
    with pytest.raises(InputError, match="roof_share"):
        UsableAreaParams(roof_share={"flat": 1.5, "pitched": 0.4, "unknown": 0.5})
