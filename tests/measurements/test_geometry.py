"""Area, shape and usable area."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
import shapely

from gisplan.errors import CRSError, InputError
from gisplan.measurements.geometry import (
    AREA_UNITS,
    UsableAreaParams,
    declared_source,
    resolve_area,
    roof_type,
    shape_metrics,
    site_area,
    usable_area,
)

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


def test_a_point_takes_its_declared_area_and_has_no_shape() -> None:
    sites = gpd.GeoDataFrame(
        {
            "kind": ["brownfield", "brownfield", "rooftop", "brownfield"],
            "area_m2": [40_000.0, 5.0, 200.0, None],
            "area_source": ["declared:hectares[ha]", "declared:x[m2]", "declared:x[m2]", "not_available"],
            "roof_shape": [None, None, "flat", None],
        },
        geometry=[shapely.Point(0, 0), shapely.box(0, 0, 100, 100), shapely.Point(5, 5), shapely.Point(9, 9)],
        crs=CRS,
    )
    areas = site_area(sites)
    # the polygon's own area wins over a declared one
    assert areas["area_m2"].tolist()[:3] == pytest.approx([40_000.0, 10_000.0, 200.0])
    assert areas["area_source"].tolist() == ["declared:hectares[ha]", "geometry", "declared:x[m2]", "not_available"]
    shape = shape_metrics(sites)
    assert shape["perimeter_m"].isna().tolist() == [True, False, True, True]
    assert shape["compactness"].isna().tolist() == [True, False, True, True]
    usable = usable_area(sites)
    # a 200 m square keeps (200 - 2 x 10 m setback)² of its 40,000 m²; a flat roof 0.6 of its area
    assert usable.tolist()[:3] == pytest.approx([180.0 * 180.0, 80.0 * 80.0, 120.0])
    assert math.isnan(usable.iloc[3])  # never 0 for an area that is not known


def test_a_hand_built_point_frame_counts_area_m2_as_declared() -> None:
    sites = gpd.GeoDataFrame({"area_m2": [2_500.0, 0.0]}, geometry=[shapely.Point(0, 0)] * 2, crs=CRS)
    out = site_area(sites)
    assert out["area_source"].tolist() == ["declared:area_m2[m2]", "not_available"]
    assert math.isnan(out["area_m2"].iloc[1])


def test_resolve_area_and_units() -> None:
    area, source = resolve_area([0.0, 50.0, float("nan")], [4_046.8564224, 7.0, float("nan")], "declared:Acres[acres]")
    assert area[:2].tolist() == pytest.approx([4_046.8564224, 50.0])
    assert source.tolist() == ["declared:Acres[acres]", "geometry", "not_available"]
    assert AREA_UNITS["acres"] == pytest.approx(4_046.856_422_4)
    with pytest.raises(InputError, match="unknown area unit"):
        declared_source("plocha", "sq_ft")
