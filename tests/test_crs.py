"""Working CRS: chosen to fit the extent, areas true, fit metric input kept."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point

from gisplan import crs, score
from gisplan.errors import CRSError, MissingCRSError
from gisplan.measurements.geometry import site_area
from gisplan.profiles import Profile

GEOD = Geod(ellps="WGS84")
#: One hectare's side in latitude [degrees].
SIDE_DEG = 100.0 / 111_320.0


def squares(lon: np.ndarray, lat: np.ndarray) -> list[shapely.Polygon]:
    """About 1 ha squares with their south-west corner at lon/lat [degrees], densified for Geod."""
    return [
        shapely.segmentize(shapely.box(x, y, x + SIDE_DEG / np.cos(np.radians(y)), y + SIDE_DEG), SIDE_DEG / 20)
        for x, y in zip(lon, lat, strict=True)
    ]


def us_sites() -> gpd.GeoDataFrame:
    """20 squares from California to Maine."""
    lon = np.linspace(-122.3, -68.8, 20)
    lat = 38.0 + 8.0 * np.sin(np.linspace(0.0, 3.0, 20))  # 38° N in California to 45° N in Maine
    return gpd.GeoDataFrame({"kind": ["brownfield"] * 20}, geometry=squares(lon, lat), crs="EPSG:4326")


def europe_sites() -> gpd.GeoDataFrame:
    """20 squares from Lisbon to Finland."""
    lon = np.linspace(-9.1, 25.5, 20)
    lat = np.linspace(38.7, 62.0, 20)
    return gpd.GeoDataFrame({"kind": ["brownfield"] * 20}, geometry=squares(lon, lat), crs="EPSG:4326")


def geod_area(geoms: gpd.GeoSeries) -> np.ndarray:
    return np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in geoms])


def bounds_of(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    west, south, east, north = gdf.total_bounds
    return float(west), float(south), float(east), float(north)


# ---------------------------------------------------------------- the choice


def test_czech_data_gets_krovak() -> None:
    # Děčany, Ústecký kraj; and the whole of Czechia
    assert crs.working_crs_for_bounds(14.0, 50.4, 14.1, 50.5).to_epsg() == 5514
    assert crs.working_crs_for_bounds(*crs.CZECH_BBOX).to_epsg() == 5514


def test_other_regions_get_utm() -> None:
    assert crs.working_crs_for_bounds(9.5, 47.05, 9.6, 47.25).to_epsg() == 32632  # Liechtenstein
    assert crs.working_crs_for_bounds(19.0, 47.4, 19.1, 47.5).to_epsg() == 32634  # Budapest
    assert crs.working_crs_for_bounds(-1.2, 53.4, -1.0, 53.6).to_epsg() == 32630  # Doncaster
    assert crs.working_crs_for_bounds(-80.5, 35.5, -79.0, 36.5).to_epsg() == 32617  # Greensboro region
    assert crs.working_crs_for_bounds(150.9, -34.0, 151.3, -33.7).to_epsg() == 32756  # Sydney


def test_data_straddling_a_zone_boundary_get_the_zone_of_their_centre() -> None:
    # Padua to Venice, 11.8°–12.4° E: the old rule took the westernmost zone (32), whose edge is 12° E
    assert crs.working_crs_for_bounds(11.8, 45.3, 12.4, 45.6).to_epsg() == 32633


def test_utm_only_while_the_data_fit_the_zone() -> None:
    # at the equator 3.5° from the central meridian is the limit of PLANAR_TOLERANCE
    assert crs.working_crs_for_bounds(-78.0, -1.0, -75.5, 1.0).to_epsg() == 32618  # zone 18: 78–72° W
    wide = crs.working_crs_for_bounds(-80.0, -1.0, -70.0, 1.0)
    assert wide.to_epsg() is None
    assert "LAEA" in wide.name
    assert crs.distortion(wide, -80.0, -1.0, -70.0, 1.0).planar


def test_a_region_across_zones_gets_a_centred_equal_area_crs() -> None:
    # North Carolina to New Jersey spans UTM zones 17 and 18
    chosen = crs.working_crs_for_bounds(-80.0, 35.0, -74.0, 40.5)
    assert chosen.to_epsg() is None and chosen.is_projected and crs.is_metric(chosen)
    found = crs.distortion(chosen, -80.0, 35.0, -74.0, 40.5)
    assert found.area < 1e-8
    assert found.planar  # so distances need no geodesic correction


def test_continents_get_their_equal_area_crs() -> None:
    assert crs.working_crs_for_bounds(*bounds_of(us_sites())).to_epsg() == 5070
    assert crs.working_crs_for_bounds(*bounds_of(europe_sites())).to_epsg() == 3035
    # centred in Czechia but reaching Portugal and Finland: no Krovak
    assert crs.working_crs_for_bounds(-9.0, 38.0, 25.0, 62.0).to_epsg() == 3035
    # elsewhere a LAEA centred on the data: all of Australia
    australia = crs.working_crs_for_bounds(113.0, -39.0, 154.0, -10.0)
    assert "LAEA" in australia.name and crs.distortion(australia, 113.0, -39.0, 154.0, -10.0).area < 1e-8


def test_antimeridian_and_poles_do_not_break_the_choice() -> None:
    fiji = crs.working_crs_for_bounds(177.0, -19.0, -179.0, -16.0)  # west > east: across 180°
    assert crs.is_metric(fiji)
    assert crs.distortion(fiji, 177.0, -19.0, -179.0, -16.0).planar
    svalbard = crs.working_crs_for_bounds(10.0, 84.5, 30.0, 86.0)  # beyond UTM
    assert "LAEA" in svalbard.name


def test_setting_wins_and_must_be_metric(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISPLAN_WORKING_CRS", "EPSG:3035")
    assert crs.working_crs_for_bounds(14.0, 50.4, 14.1, 50.5).to_epsg() == 3035
    assert crs.to_working(us_sites().to_crs(5070)).crs.to_epsg() == 3035  # asked for: even a fit input moves
    monkeypatch.setenv("GISPLAN_WORKING_CRS", "EPSG:4326")
    with pytest.raises(CRSError, match="not a metric"):
        crs.working_crs_for_bounds(14.0, 50.4, 14.1, 50.5)


# ---------------------------------------------------------------- metric input


def test_a_fit_metric_input_stays_as_it_is() -> None:
    albers = us_sites().to_crs(5070)
    assert crs.to_working(albers) is albers
    assert crs.working_crs_for(albers).to_epsg() == 5070
    small = gpd.GeoDataFrame(geometry=[shapely.box(1_500_000, 1_500_000, 1_500_100, 1_500_100)], crs=5070)
    assert crs.to_working(small).crs.to_epsg() == 5070  # one UTM zone would fit, but 5070 is kept
    krovak = gpd.GeoDataFrame(geometry=[shapely.box(-750_000, -1_000_000, -749_900, -999_900)], crs=5514)
    assert crs.to_working(krovak) is krovak


def test_a_metric_input_that_distorts_areas_is_reprojected() -> None:
    # Web Mercator in Czechia: areas x2.4
    mercator = gpd.GeoDataFrame(geometry=[Point(14.05, 50.45)], crs=4326).to_crs(3857)
    assert crs.to_working(mercator).crs.to_epsg() == 5514
    # the whole US in UTM zone 17, as an east-coast file might ship it
    assert crs.to_working(us_sites().to_crs(32617)).crs.to_epsg() == 5070


def test_score_keeps_an_albers_input_and_reprojects_lon_lat() -> None:
    profile = Profile.model_validate(
        {
            "name": "tiny",
            "version": "1",
            "title": {"cs": "Malý", "en": "Tiny"},
            "site_kinds": ["brownfield"],
            "measures": [],
            "criteria": [{"column": "area_m2", "weight": 1, "ramp": {"bad": 0, "good": 20_000}}],
        }
    )
    truth = geod_area(us_sites().geometry)
    assert score(us_sites().to_crs(5070), profile).crs.to_epsg() == 5070
    for given in (us_sites(), us_sites().to_crs(3857)):  # lon/lat, and Web Mercator (areas x1.7 in it)
        out = score(given, profile)
        assert out.crs.to_epsg() == 5070
        assert out["area_m2"].to_numpy() == pytest.approx(truth, rel=1e-6)


# ---------------------------------------------------------------- areas


@pytest.mark.parametrize("make", [us_sites, europe_sites], ids=["us", "europe"])
def test_areas_across_a_continent_are_true(make: object) -> None:
    lonlat = make()  # type: ignore[operator]
    truth = geod_area(lonlat.geometry)
    working = crs.to_working(lonlat)
    area = site_area(working)["area_m2"].to_numpy()
    assert np.max(np.abs(area / truth - 1.0)) < 0.005  # the acceptance; in fact < 1e-6
    assert np.max(np.abs(area / truth - 1.0)) < 1e-6
    # the old rule's westernmost UTM zone is off by far more than that
    west = bounds_of(lonlat)[0]
    zone = crs.parse_crs(32600 + int((west + 180) // 6) + 1)
    old = site_area(lonlat.to_crs(zone))["area_m2"].to_numpy()
    assert np.max(np.abs(old / truth - 1.0)) > 0.05


def test_areas_in_a_chosen_utm_zone_are_true_within_the_tolerance() -> None:
    # 3.4° either side of 75° W at the equator, the worst place for a UTM zone
    lon = np.array([-78.4, -75.0, -71.6])
    gdf = gpd.GeoDataFrame(geometry=squares(lon, np.zeros(3)), crs=4326)
    working = crs.to_working(gdf)
    assert working.crs.to_epsg() == 32618
    ratio = site_area(working)["area_m2"].to_numpy() / geod_area(gdf.geometry)
    assert np.max(np.abs(ratio - 1.0)) < 2 * crs.PLANAR_TOLERANCE + 1e-4


# ---------------------------------------------------------------- helpers


def test_to_working_reprojects_and_refuses_missing_crs() -> None:
    gdf = gpd.GeoDataFrame(geometry=[Point(14.05, 50.45)], crs="EPSG:4326")
    out = crs.to_working(gdf)
    assert out.crs.to_epsg() == 5514
    x, y = out.geometry.iloc[0].x, out.geometry.iloc[0].y
    assert -800_000 < x < -700_000 and -1_050_000 < y < -950_000
    with pytest.raises(MissingCRSError, match="no coordinate reference system"):
        crs.to_working(gpd.GeoDataFrame(geometry=[Point(0, 0)]))


def test_needs_geodesic_only_where_planar_lengths_are_off() -> None:
    # Czechia in Krovak, a town in its UTM zone: no; Europe in EPSG:3035: yes
    assert not crs.needs_geodesic(5514, -900_000, -1_230_000, -430_000, -930_000)
    assert not crs.needs_geodesic(32633, 400_000, 5_500_000, 420_000, 5_520_000)
    x0, y0, x1, y1 = europe_sites().to_crs(3035).total_bounds
    assert crs.needs_geodesic(3035, x0, y0, x1, y1)
    # toy coordinates at Krovak's origin: nothing to go back to, planar lengths stay
    assert not crs.needs_geodesic(5514, 0, 0, 1000, 1000)


def test_transformer_is_xy_and_cached() -> None:
    t = crs.transformer("EPSG:4326", "EPSG:5514")
    x, y = t.transform(14.05, 50.45)  # lon, lat in, easting, northing out
    assert x < 0 and y < 0
    assert crs.transformer("EPSG:4326", "EPSG:5514") is t
    with pytest.raises(CRSError, match="EPSG:5514"):
        crs.parse_crs("EPSG:99999999")
