"""Building footprints: attributes, sizes, no overlaps, off the roads."""

from __future__ import annotations

import numpy as np
import pyogrio
import shapely
from scipy.spatial import cKDTree

from gisplan.demo import EXTENT, DemoRegion
from gisplan.demo._buildings import BUILDING_TYPES, ROOF_TYPES, USES
from gisplan.demo._catalogue import FILES
from tests.demo.conftest import Built


def _sides(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rect = shapely.oriented_envelope(geoms)
    xy = shapely.get_coordinates(rect).reshape(len(geoms), 5, 2)
    a = np.hypot(*(xy[:, 1] - xy[:, 0]).T)
    b = np.hypot(*(xy[:, 2] - xy[:, 1]).T)
    return np.minimum(a, b), np.maximum(a, b)


def test_attributes_and_area(full_build: Built) -> None:
    b = pyogrio.read_dataframe(full_build.summary.out_dir / FILES["buildings"])
    assert set(b["building_type"]) == set(BUILDING_TYPES)
    assert set(b["roof_type"]) == set(ROOF_TYPES)
    assert set(b["building_use"]) <= set(USES)
    assert b["kod"].is_unique
    assert b["levels"].between(1, 8).all()
    np.testing.assert_allclose(b["area_m2"], b.area, atol=0.1)
    assert b.within(shapely.box(*EXTENT)).all()
    assert b.is_valid.all()
    share = b["building_type"].value_counts(normalize=True)
    assert share["residential"] > 0.75
    assert share["agricultural"] > 0.03
    # dwellings carry a house number, outbuildings none
    houses = b[b["building_use"] == "house"]
    assert houses["nazev"].str.contains(r" č\.p\. \d+$").all()
    assert (b.loc[b["building_use"] == "garage", "nazev"] == "").all()


def test_footprints_are_sized_like_their_use(small_region: DemoRegion) -> None:
    b = small_region.buildings
    geoms = np.asarray(b.geometry.values, dtype=object)
    short, long = _sides(geoms)
    house = (b["building_use"] == "house").to_numpy()
    assert short[house].min() >= 7.9 and long[house].max() <= 14.1
    halls = b["building_use"].isin(["industrial_hall", "warehouse"]).to_numpy()
    assert long[halls].min() >= 39.9
    assert b.loc[halls, "area_m2"].median() > 1_500
    blocks = (b["building_use"] == "apartment_block").to_numpy()
    assert b.loc[blocks, "levels"].min() >= 3


def test_no_overlaps_and_clear_of_roads_and_river(full_build: Built, small_region: DemoRegion) -> None:
    b = pyogrio.read_dataframe(full_build.summary.out_dir / FILES["buildings"])
    geoms = np.asarray(b.geometry.values, dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    assert (left == right).all()
    roads = pyogrio.read_dataframe(full_build.summary.out_dir / FILES["roads"])
    hit, _ = shapely.STRtree(geoms).query(
        np.asarray(roads.geometry.values, dtype=object), predicate="dwithin", distance=3.5
    )
    assert hit.size == 0
    rivers = pyogrio.read_dataframe(full_build.summary.out_dir / FILES["rivers"])
    assert shapely.distance(geoms, shapely.union_all(rivers.geometry.values)).min() > 8.0
    sites = np.asarray(small_region.brownfields.geometry.values, dtype=object)
    small = np.asarray(small_region.buildings.geometry.values, dtype=object)
    assert not shapely.STRtree(small).query(sites, predicate="intersects")[0].size


def test_buildings_cluster_in_villages(small_region: DemoRegion) -> None:
    b = small_region.buildings
    residential = b[b["building_use"] == "house"]
    centroids = np.asarray(residential.geometry.centroid.values, dtype=object)
    # clustered: nearest neighbours far closer than for the same number of points spread evenly
    xy = shapely.get_coordinates(centroids)
    nearest = cKDTree(xy).query(xy, k=2)[0][:, 1]
    even = 0.5 * np.sqrt((EXTENT[2] - EXTENT[0]) * (EXTENT[3] - EXTENT[1]) / len(xy))
    assert np.median(nearest) < even / 5
    # houses face their street: within 25 m of a road
    roads = shapely.union_all(small_region.roads.geometry.values)
    assert (shapely.distance(centroids, roads) < 25.0).mean() > 0.98
