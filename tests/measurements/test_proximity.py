"""Nearest distance: hand-computed cases and agreement with a brute-force search."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from gisplan.crs import PLANAR_TOLERANCE, to_working
from gisplan.errors import CRSError, InputError
from gisplan.measurements.proximity import nearest_distance

CRS = "EPSG:5514"


def frame(*geoms: shapely.Geometry, crs: str = CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs)


def test_site_exactly_250_m_from_a_substation() -> None:
    site = frame(shapely.box(-100, 0, 0, 100))
    substations = frame(shapely.Point(250, 50), shapely.Point(900, 900))
    out = nearest_distance(site, substations, name="substation")
    assert out.name == "dist_substation_m"
    assert out.iloc[0] == pytest.approx(250.0)


def test_distance_to_a_long_line_is_measured_to_its_interior() -> None:
    # the nearest point of the road is far from its vertices, which lie 5 km away
    road = frame(shapely.LineString([(-5000, 300), (5000, 300)]))
    out = nearest_distance(frame(shapely.box(0, 0, 10, 10)), road, name="road", densify_m=10_000)
    assert out.iloc[0] == pytest.approx(290.0)


def test_touching_crossing_and_inside_are_zero() -> None:
    sites = frame(shapely.box(0, 0, 10, 10), shapely.box(100, 100, 110, 110), shapely.Point(1000, 1000))
    layer = frame(
        shapely.LineString([(-5, 5), (20, 5)]),  # crosses site 0
        shapely.box(90, 90, 200, 200),  # holds site 1
        shapely.box(0, 500, 5000, 5000),  # holds the point
    )
    assert nearest_distance(sites, layer, name="x").tolist() == [0.0, 0.0, 0.0]


def test_search_radius_gives_nan_beyond_it() -> None:
    sites = frame(shapely.box(0, 0, 10, 10), shapely.box(0, 1000, 10, 1010))
    substations = frame(shapely.Point(0, -150))
    out = nearest_distance(sites, substations, name="substation", radius_m=200)
    assert out.iloc[0] == pytest.approx(150.0)
    assert np.isnan(out.iloc[1])


def test_empty_layer_gives_nan() -> None:
    out = nearest_distance(frame(shapely.box(0, 0, 1, 1)), frame(), name="road")
    assert np.isnan(out.iloc[0])


def test_matches_brute_force_on_random_data() -> None:
    rng = np.random.default_rng(11)
    xy = rng.uniform(0, 5000, (400, 2))
    sites = frame(*shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + rng.uniform(1, 40, 400), xy[:, 1] + 12))
    walks = rng.normal(0, 120, (15, 12, 2)).cumsum(axis=1) + rng.uniform(0, 5000, (15, 1, 2))
    roads = frame(*shapely.linestrings(walks), shapely.Point(2500, 2500).buffer(300))
    out = nearest_distance(sites, roads, name="road", densify_m=37.0).to_numpy()
    expected = np.array([min(shapely.distance(s, r) for r in roads.geometry) for s in sites.geometry])
    assert out == pytest.approx(expected, abs=1e-9)


def test_layer_in_another_crs_is_refused() -> None:
    with pytest.raises(CRSError, match="reproject"):
        nearest_distance(frame(shapely.box(0, 0, 1, 1)), frame(shapely.Point(14, 50), crs="EPSG:4326"), name="x")
    with pytest.raises(InputError, match="radius_m"):
        nearest_distance(frame(shapely.box(0, 0, 1, 1)), frame(shapely.Point(1, 1)), name="x", radius_m=-1)


def test_nearest_to_the_box_centre_is_not_always_nearest_to_the_site() -> None:
    # an L-shaped roof: its box centre (50, 50) lies outside it, 2 m from segment A but 40 m from the roof;
    # segment B is 71 m from the centre and 5 m from the roof
    roof = shapely.union(shapely.box(0, 0, 100, 10), shapely.box(0, 0, 10, 100))
    segments = frame(shapely.LineString([(50, 52), (52, 52)]), shapely.LineString([(105, 5), (106, 5)]))
    out = nearest_distance(frame(roof), segments, name="road", radius_m=500)
    assert out.iloc[0] == pytest.approx(5.0)
    assert nearest_distance(frame(roof), segments.iloc[:1], name="road").iloc[0] == pytest.approx(40.0)


# ---------------------------------------------------------------- true distances across a continent

GEOD = Geod(ellps="WGS84")
SIDE_DEG = 100.0 / 111_320.0  # one hectare's side in latitude [degrees]


def lonlat_squares(lon: np.ndarray, lat: np.ndarray) -> gpd.GeoDataFrame:
    """About 1 ha squares centred on lon/lat [degrees], in EPSG:4326."""
    half_y = SIDE_DEG / 2
    half_x = half_y / np.cos(np.radians(lat))
    return frame(*shapely.box(lon - half_x, lat - half_y, lon + half_x, lat + half_y), crs="EPSG:4326")


def geodesic_to_site(site: shapely.Geometry, feature: shapely.Geometry) -> float:
    """Shortest geodesic distance [m] between the boundary of a lon/lat site and a feature's vertices,
    on boundaries sampled every ~0.5 m."""
    edge = shapely.get_coordinates(shapely.segmentize(site.boundary, SIDE_DEG / 200))
    ends = shapely.get_coordinates(feature)
    i, j = np.meshgrid(np.arange(len(edge)), np.arange(len(ends)), indexing="ij")
    _, _, dist = GEOD.inv(edge[i.ravel(), 0], edge[i.ravel(), 1], ends[j.ravel(), 0], ends[j.ravel(), 1])
    return float(np.min(dist))


def continent(lon: np.ndarray, lat: np.ndarray, seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, np.ndarray]:
    """Sites at lon/lat, and for each a substation 1–30 km away on a random bearing; the true distances."""
    rng = np.random.default_rng(seed)
    sites = lonlat_squares(lon, lat)
    sx, sy, _ = GEOD.fwd(lon, lat, rng.uniform(0, 360, len(lon)), rng.uniform(1_000, 30_000, len(lon)))
    substations = frame(*shapely.points(sx, sy), crs="EPSG:4326")
    truth = np.array([geodesic_to_site(s, p) for s, p in zip(sites.geometry, substations.geometry, strict=True)])
    return sites, substations, truth


US = (np.linspace(-122.3, -68.8, 20), 38.0 + 8.0 * np.sin(np.linspace(0.0, 3.0, 20)))  # California to Maine
EUROPE = (np.linspace(-9.1, 25.5, 20), np.linspace(38.7, 62.0, 20))  # Lisbon to Finland


@pytest.mark.parametrize(("where", "epsg"), [(US, 5070), (EUROPE, 3035)], ids=["us", "europe"])
def test_distances_across_a_continent_are_geodesic(where: tuple[np.ndarray, np.ndarray], epsg: int) -> None:
    sites, substations, truth = continent(*where, seed=epsg)
    working = to_working(sites)
    assert working.crs.to_epsg() == epsg
    layer = substations.to_crs(working.crs)
    out = nearest_distance(working, layer, name="substation").to_numpy()
    assert np.max(np.abs(out / truth - 1.0)) < 0.01  # the acceptance; in fact within 0.1 %
    assert np.max(np.abs(out / truth - 1.0)) < 0.001
    # planar distances in the same CRS are off by up to 0.5–1 %: the correction is what makes them true
    planar = shapely.distance(working.geometry.to_numpy(), layer.geometry.to_numpy())
    assert np.max(np.abs(planar / truth - 1.0)) > 0.003


def test_radius_applies_to_the_geodesic_distance() -> None:
    # Lisbon in EPSG:3035: towards the south-east planar lengths there are 1.3 % longer than true ones
    lon, lat = np.array([-9.14, 25.0]), np.array([38.72, 62.0])
    lonlat = lonlat_squares(lon, lat)
    sites = to_working(lonlat)
    assert sites.crs.to_epsg() == 3035
    _, south, east, _ = lonlat.geometry.iloc[0].bounds
    sx, sy, _ = GEOD.fwd(east, south, 135.0, 10_000.0)  # 10 km south-east of the south-east corner
    assert geodesic_to_site(lonlat.geometry.iloc[0], shapely.Point(sx, sy)) == pytest.approx(10_000.0, abs=0.01)
    substation = frame(shapely.Point(sx, sy), crs="EPSG:4326").to_crs(sites.crs)
    planar = float(shapely.distance(sites.geometry.iloc[0], substation.geometry.iloc[0]))
    assert planar > 10_100.0
    near = nearest_distance(sites, substation, name="substation", radius_m=10_050)
    assert near.iloc[0] == pytest.approx(10_000.0, abs=0.01)
    assert np.isnan(near.iloc[1])
    assert nearest_distance(sites, substation, name="substation", radius_m=9_950).isna().all()


def test_lines_and_polygons_across_a_continent() -> None:
    # a power line and a protected area near Helsinki, sites in Lisbon and Helsinki, all in EPSG:3035
    sites = to_working(lonlat_squares(np.array([-9.14, 24.94]), np.array([38.72, 60.17])))
    line = shapely.segmentize(shapely.LineString([(24.80, 60.25), (25.10, 60.26)]), 0.001)
    area = shapely.box(24.93, 60.17, 24.96, 60.19)  # holds the Helsinki site's north half
    layer = frame(line, area, crs="EPSG:4326").to_crs(sites.crs)
    out = nearest_distance(sites, layer, name="grid")
    assert out.iloc[1] == 0.0
    lisbon = geodesic_to_site(lonlat_squares(np.array([-9.14]), np.array([38.72])).geometry.iloc[0], line)
    assert out.iloc[0] == pytest.approx(lisbon, rel=1e-3)
    only_line = nearest_distance(sites, layer.iloc[:1], name="grid").iloc[1]
    helsinki = geodesic_to_site(lonlat_squares(np.array([24.94]), np.array([60.17])).geometry.iloc[0], line)
    assert only_line == pytest.approx(helsinki, rel=5e-3)  # the line's vertices are ~55 m apart


def test_a_local_crs_keeps_planar_distances() -> None:
    # Děčany in Krovak: no correction, the planar distance is the answer, and it is true within 0.05 %
    lonlat = lonlat_squares(np.array([14.05]), np.array([50.45]))
    sites = to_working(lonlat)
    assert sites.crs.to_epsg() == 5514
    sx, sy, _ = GEOD.fwd(14.05, 50.45, 70.0, 1_234.5)
    substation = frame(shapely.Point(sx, sy), crs="EPSG:4326").to_crs(sites.crs)
    out = nearest_distance(sites, substation, name="substation").iloc[0]
    assert out == shapely.distance(sites.geometry.iloc[0], substation.geometry.iloc[0])
    assert out == pytest.approx(geodesic_to_site(lonlat.geometry.iloc[0], shapely.Point(sx, sy)), rel=5e-4)


@settings(max_examples=30, deadline=None)
@given(
    lon=st.floats(-10.0, 30.0),
    lat=st.floats(36.0, 66.0),
    bearing=st.floats(0.0, 360.0),
    metres=st.floats(200.0, 50_000.0),
)
def test_distance_in_epsg3035_is_geodesic_anywhere_in_europe(
    lon: float, lat: float, bearing: float, metres: float
) -> None:
    site = lonlat_squares(np.array([lon]), np.array([lat]))
    sx, sy, _ = GEOD.fwd(lon, lat, bearing, metres)
    point = shapely.Point(sx, sy)
    truth = geodesic_to_site(site.geometry.iloc[0], point)
    working = to_working(site, "EPSG:3035")
    out = nearest_distance(working, frame(point, crs="EPSG:4326").to_crs(3035), name="x").iloc[0]
    # short distances in a small box may stay planar: true within PLANAR_TOLERANCE (0.15 %), far inside 1 %
    assert out == pytest.approx(truth, rel=PLANAR_TOLERANCE + 5e-4, abs=0.05)
