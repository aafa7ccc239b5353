"""Geometry helpers of the generator."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from gisplan.demo._common import (
    EXTENT,
    SmoothField,
    blob,
    keep_apart,
    polygon_site,
    rectangles,
    rng_for,
    warp,
)


def test_rectangles_have_the_asked_sides_and_direction() -> None:
    polys = rectangles(
        np.array([0.0, 100.0]), np.array([0.0, 50.0]), np.array([20.0, 10.0]), np.array([10.0, 4.0]),
        np.array([0.0, math.pi / 4]),
    )  # fmt: skip
    assert polys[0].equals(shapely.box(-10, -5, 10, 5))
    assert polys[1].area == pytest.approx(40.0, abs=0.05)  # corners are rounded to 1 cm
    assert shapely.centroid(polys[1]).x == pytest.approx(100.0)
    x, y = shapely.get_coordinates(polys[1])[0] - (100.0, 50.0)
    assert math.degrees(math.atan2(y, x)) == pytest.approx(45.0 + math.degrees(math.atan(2 / 5)), abs=0.1)


@pytest.mark.parametrize("area", [3_000.0, 250_000.0])
def test_blob_and_site_have_exact_area(area: float) -> None:
    rng = np.random.default_rng(1)
    for make in (blob, polygon_site):
        poly = make(rng, 5.0, 7.0, area)
        assert poly.is_valid
        assert poly.area == pytest.approx(area, rel=1e-3)
        assert poly.contains(shapely.Point(5.0, 7.0)) or make is polygon_site


def test_keep_apart_keeps_the_earlier_of_two_overlapping() -> None:
    boxes = np.array(
        [shapely.box(0, 0, 10, 10), shapely.box(5, 5, 15, 15), shapely.box(12, 0, 20, 4), shapely.box(30, 0, 40, 10)]
    )
    assert keep_apart(boxes).tolist() == [True, False, True, True]
    road = np.array([shapely.LineString([(35, -5), (35, 20)])])
    assert keep_apart(boxes, obstacles=road, clearance_m=1.0, mutual=False).tolist() == [True, True, True, False]
    assert keep_apart(boxes[[0, 2]], clearance_m=2.5).tolist() == [True, False]


def test_warp_keeps_shared_edges_and_the_box_edge() -> None:
    rng = rng_for(1, "test")
    fields = (SmoothField(rng, 1000.0, 150.0), SmoothField(rng, 1000.0, 150.0))
    x0, y0, x1, y1 = EXTENT
    mid = (x0 + x1) / 2
    halves = np.array([shapely.box(x0, y0, mid, y1), shapely.box(mid, y0, x1, y1)])
    bent = warp(halves, fields)
    assert not bent[0].equals(halves[0])
    assert bent[0].intersection(bent[1]).area < 1.0
    assert abs(shapely.union_all(bent).area - (x1 - x0) * (y1 - y0)) < 1.0


def test_random_streams_are_independent_and_repeatable() -> None:
    assert rng_for(1, "a").random() == rng_for(1, "a").random()
    assert rng_for(1, "a").random() != rng_for(1, "b").random()
    assert rng_for(1, "a").random() != rng_for(2, "a").random()
