"""The road network."""

from __future__ import annotations

import numpy as np
import shapely

from gisplan.demo import EXTENT, DemoRegion
from gisplan.demo._roads import ROAD_CLASSES


def test_classes_and_lengths(small_region: DemoRegion) -> None:
    roads = small_region.roads
    assert set(roads["trida"]) == set(ROAD_CLASSES)
    assert roads["kod"].is_unique
    assert (roads.geom_type == "LineString").all()
    np.testing.assert_allclose(roads["delka_m"], roads.length, atol=0.1)
    length = roads.groupby("trida")["delka_m"].sum()
    assert length["residential"] > length["primary"]
    assert roads.within(shapely.box(*EXTENT).buffer(0.01)).all()
    numbered = roads[roads["trida"] != "residential"]
    assert numbered["cislo"].str.fullmatch(r"I{1,3}/9\d*").all()


def test_main_roads_connect_every_municipality(small_region: DemoRegion) -> None:
    roads = small_region.roads
    main = roads[roads["trida"] != "residential"]
    # merge lines that touch into networks: one network must touch every municipality
    merged = shapely.get_parts(shapely.union_all(np.asarray(main.geometry.values, dtype=object)).buffer(0.5))
    biggest = max(merged, key=lambda g: g.area)
    assert all(biggest.intersects(g) for g in small_region.municipalities.geometry)
    # roads leave the box, as real roads would
    ring = shapely.box(*EXTENT).exterior
    assert sum(g.distance(ring) < 1.0 for g in main.geometry) >= 3
