"""Energy estimates: arithmetic, cited defaults, the Czech sanity ranges, yield provenance
and the GHI->yield model against hourly simulations of pvlib's bundled TMY files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gisplan import _solar, energy
from gisplan.catalogue import Catalogue, Region
from gisplan.energy import (
    CHECKED_AREA,
    EnergyParams,
    SolarRegion,
    capacity_kwp,
    estimate,
    specific_yield,
    yield_from_irradiation,
    yield_pvlib,
)
from gisplan.errors import InputError
from gisplan.measurements.geometry import usable_area
from gisplan.profiles import Profile
from gisplan.scoring import score


def test_rooftop_capacity_is_area_times_module_density() -> None:
    assert capacity_kwp([48.0], ["rooftop"]).tolist() == pytest.approx([9.6])
    assert capacity_kwp([48.0], ["rooftop"], EnergyParams(module_density_kwp_m2=0.22)).tolist() == pytest.approx(
        [10.56]
    )


def test_two_hectare_ground_site_gets_the_epa_screening_density() -> None:
    # was 0.8 MWp/ha (1,600 kWp on 2 ha) with no reference; issue 12 point 6: the EPA RE-Powering
    # screening rule of 4.5 acres/MW (0.55 MWp/ha) is the default now, and a profile may set its own
    side = np.sqrt(20_000.0)
    site = gpd.GeoDataFrame({"kind": ["brownfield"]}, geometry=[shapely.box(0, 0, side, side)], crs="EPSG:5514")
    mwp = capacity_kwp(usable_area(site), ["brownfield"])[0] / 1000.0
    assert 0.6 <= mwp <= 1.1
    assert capacity_kwp([20_000.0], ["municipal_land"])[0] == pytest.approx(1100.0)
    # 4.5 acres per MW, the EPA records' Estimated_ = acres / 4.5
    assert capacity_kwp([4.5 * 4046.8564224], ["brownfield"])[0] == pytest.approx(1000.0, rel=0.01)


def test_profile_density_and_cap_and_params_overriding_them() -> None:
    area = [20_000.0, 200_000.0, 100.0]
    kinds = ["brownfield", "brownfield", "rooftop"]
    profiled = capacity_kwp(area, kinds, ground_density_mwp_ha=0.4, max_capacity_kwp=5000.0)
    assert profiled.tolist() == pytest.approx([800.0, 5000.0, 20.0])  # the 8 MWp site is capped
    given = capacity_kwp(area, kinds, EnergyParams(ground_density_mwp_ha=0.5), ground_density_mwp_ha=0.4)
    assert given[0] == pytest.approx(1000.0)
    assert np.isnan(capacity_kwp([np.nan], ["brownfield"])[0])  # no area: no capacity, not 0


@pytest.mark.parametrize("ghi", [1000.0, 1100.0, 1200.0])
def test_yield_from_czech_ghi_is_in_the_czech_range(ghi: float) -> None:
    spec = yield_from_irradiation([ghi])[0]
    assert spec == pytest.approx(ghi * 1.15 * 0.80)
    assert 900 <= spec <= 1200


def test_yield_kinds() -> None:
    assert yield_from_irradiation([1200.0], EnergyParams(irradiation_kind="gti"))[0] == pytest.approx(960.0)
    assert yield_from_irradiation([1050.0], EnergyParams(irradiation_kind="pvout"))[0] == 1050.0


def test_pvlib_yield_for_czech_locations() -> None:
    # Prague and Ostrava (lat, lon in degrees); one clear-sky year each
    spec = yield_pvlib([50.08, 49.84], [14.42, 18.29])
    assert ((spec >= 900) & (spec <= 1200)).all()
    brighter = yield_pvlib([50.08], [14.42], EnergyParams(annual_ghi_kwh_m2=1200.0))[0]
    assert brighter > spec[0]


CZECH_TOWNS = {"Praha": (50.08, 14.42), "Ústí nad Labem": (50.66, 14.03), "Ostrava": (49.83, 18.29)}


@pytest.mark.parametrize("town", list(CZECH_TOWNS))
def test_fallback_in_czech_towns_is_within_950_to_1100(town: str) -> None:
    lat, lon = CZECH_TOWNS[town]
    out = specific_yield([lat], [lon]).iloc[0]
    assert out["yield_source"] == "fallback_clearsky"
    assert 950 <= out["yield_kwh_kwp_yr"] <= 1100
    assert 950 <= out["yield_ghi_kwh_m2_yr"] <= 1150  # the atlases give 1,050-1,100 kWh/m2/yr
    assert "calibrated default" in out["yield_note"]


def test_fallback_depends_on_the_location() -> None:
    # a sunnier, lower-latitude box must give more than the north of Czechia, at the same clearness
    params = EnergyParams(clearness=0.66)
    north, south = yield_pvlib([50.9, 43.0], [14.5, 14.5], params)
    assert south > north * 1.1


def test_florida_without_a_region_value_is_not_available_with_a_reason() -> None:
    tampa = specific_yield([27.95], [-82.46]).iloc[0]
    assert tampa["yield_source"] == "not_available"
    assert np.isnan(tampa["yield_kwh_kwp_yr"])
    assert tampa["yield_note"].startswith("outside_checked_area:")
    assert "declare region.annual_ghi_kwh_m2" in tampa["yield_note"]
    assert str(CHECKED_AREA) in tampa["yield_note"]


def test_florida_with_a_region_value_gets_a_number() -> None:
    florida = SolarRegion(annual_ghi_kwh_m2=1780.0, bbox_deg=(-88.0, 24.0, -79.5, 31.5), name="Florida")
    out = specific_yield([27.95, 50.08], [-82.46, 14.42], region=florida)
    assert out["yield_source"].tolist() == ["region", "fallback_clearsky"]  # Prague is outside its bbox
    assert 1350 <= out["yield_kwh_kwp_yr"].iloc[0] <= 1750
    assert "1,780" in out["yield_note"].iloc[0]
    clear = specific_yield([27.95], [-82.46], region=SolarRegion(clearness=0.75, name="Florida")).iloc[0]
    assert clear["yield_source"] == "fallback_clearsky"
    assert "declared by Florida" in clear["yield_note"]


def test_raster_values_win_and_gaps_fall_back() -> None:
    out = specific_yield([50.08, 50.08, 27.95], [14.42, 14.42, -82.46], irradiation=[1100.0, np.nan, np.nan])
    assert out["yield_source"].tolist() == ["irradiation_raster", "fallback_clearsky", "not_available"]
    assert out["yield_kwh_kwp_yr"].iloc[0] == pytest.approx(1100 * 1.15 * 0.80)
    unknown = specific_yield([np.nan], [np.nan]).iloc[0]
    assert unknown["yield_source"] == "not_available"
    assert unknown["yield_note"].startswith("no_location:")


def test_one_model_run_per_grid_cell() -> None:
    energy._cell.cache_clear()
    rng = np.random.default_rng(1)
    lat = rng.uniform(50.01, 50.49, 20_000)  # one 0.5-degree cell
    lon = rng.uniform(14.01, 14.49, 20_000)
    out = specific_yield(lat, lon)
    assert energy._cell.cache_info().misses == 1
    assert out["yield_kwh_kwp_yr"].nunique() == 1


def test_not_available_yield_gives_nan_output_but_keeps_capacity() -> None:
    out = estimate([20_000.0], ["brownfield"], [np.nan])
    assert out["capacity_kwp"].iloc[0] == pytest.approx(1100.0)
    for column in ("yield_kwh_kwp_yr", "energy_mwh_yr", "co2_t_yr", "households"):
        assert np.isnan(out[column].iloc[0]), column


# ------------------------------------------------------------------ the GHI->yield model against hourly TMY runs

PVLIB_DATA = Path(__import__("pvlib").__file__).parent / "data"


def _tmy(name: str) -> tuple[pd.DataFrame, dict[str, float]]:
    import pvlib

    if name.endswith(".tm2"):
        data, meta = pvlib.iotools.read_tmy2(PVLIB_DATA / name)
        data = data.rename(columns={"GHI": "ghi", "DNI": "dni", "DHI": "dhi"})
        # TMY2 stores temperature and wind speed in tenths
        data["temp_air"] = data["DryBulb"] / 10.0
        data["wind_speed"] = data["Wspd"] / 10.0
    else:
        data, meta = pvlib.iotools.read_tmy3(PVLIB_DATA / name)
    return data, meta


@pytest.mark.parametrize(
    ("name", "place"),
    [("723170TYA.CSV", "Greensboro NC"), ("12839.tm2", "Miami FL"), ("703165TY.csv", "Sand Point AK")],
)
def test_ghi_model_agrees_with_an_hourly_tmy_simulation_within_8_percent(name: str, place: str) -> None:
    import pvlib

    data, meta = _tmy(name)
    lat, lon = float(meta["latitude"]), float(meta["longitude"])
    # TMY values are sums over the hour ending at the stamp: the sun at mid-hour
    location = pvlib.location.Location(lat, lon, altitude=float(meta["altitude"]))
    sun = location.get_solarposition(data.index - pd.Timedelta("30min"))
    sun.index = data.index
    solar = pd.DataFrame(
        {
            "apparent_zenith": sun["apparent_zenith"],
            "azimuth": sun["azimuth"],
            "dni_extra": pvlib.irradiance.get_extra_radiation(data.index),
        }
    )
    system = _solar.System(_solar.optimal_tilt_deg(lat), _solar.equator_azimuth_deg(lat), 0.14, 12.0)
    hourly = _solar.simulate(
        data[["ghi", "dni", "dhi"]], solar, system, temp_air=data["temp_air"], wind_speed=data["wind_speed"]
    )
    annual_ghi = float(data["ghi"].sum()) / 1000.0
    region = SolarRegion(annual_ghi_kwh_m2=annual_ghi, name=place)
    out = specific_yield([lat], [lon], region=region, params=EnergyParams(grid_deg=0.01)).iloc[0]
    assert out["yield_source"] == "region"
    assert out["yield_kwh_kwp_yr"] == pytest.approx(hourly, rel=0.08), (place, out["yield_kwh_kwp_yr"], hourly)
    assert 700 <= hourly <= 1800  # a sane hourly run at all


# ------------------------------------------------------------------ scoring: provenance columns and the region


def _ground_profile(**energy_section: float | str) -> Profile:
    return Profile.model_validate(
        {
            "name": "tiny_ground",
            "version": "1",
            "title": {"cs": "Pozemní", "en": "Ground"},
            "site_kinds": ["brownfield"],
            "energy": energy_section,
            "criteria": [{"column": "area_m2", "weight": 1, "ramp": {"bad": 0, "good": 10_000}}],
        }
    )


def _sites(points_lonlat: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    boxes = [shapely.box(x - 0.001, y - 0.001, x + 0.001, y + 0.001) for x, y in points_lonlat]
    return gpd.GeoDataFrame({"kind": ["brownfield"] * len(boxes)}, geometry=boxes, crs="EPSG:4326")


def test_score_reports_yield_source_and_uses_the_catalogue_region() -> None:
    sites = _sites([(14.42, 50.08), (-82.46, 27.95)])  # Prague, Tampa
    bare = score(sites, _ground_profile(), catalogue=Catalogue(layers={}), layers={})
    assert bare["yield_source"].tolist() == ["fallback_clearsky", "not_available"]
    assert bare["yield_note"].iloc[1].startswith("outside_checked_area:")
    assert (bare["capacity_kwp"] > 0).all()  # capacity depends on area, not on sun
    assert bare[["energy_mwh_yr", "co2_t_yr", "households"]].iloc[1].isna().all()
    florida = Region(name="Florida", annual_ghi_kwh_m2=1780, bbox=(-88.0, 24.0, -79.5, 31.5), source="test value")
    declared = score(sites, _ground_profile(), catalogue=Catalogue(layers={}, region=florida), layers={})
    assert declared["yield_source"].tolist() == ["fallback_clearsky", "region"]
    assert declared["energy_mwh_yr"].iloc[1] > 0


def test_score_uses_the_profile_density_and_cap() -> None:
    sites = _sites([(14.42, 50.08)])
    plain = score(sites, _ground_profile(), catalogue=Catalogue(layers={}), layers={})
    dense = score(
        sites,
        _ground_profile(ground_density_mwp_ha=1.1, ground_density_reference="test: twice the default"),
        catalogue=Catalogue(layers={}),
        layers={},
    )
    assert dense["capacity_kwp"].iloc[0] == pytest.approx(2 * plain["capacity_kwp"].iloc[0])
    capped = score(
        sites,
        _ground_profile(max_capacity_kwp=100, max_capacity_reference="test: connection limit"),
        catalogue=Catalogue(layers={}),
        layers={},
    )
    assert capped["capacity_kwp"].iloc[0] == pytest.approx(100.0)


def test_estimate_output_co2_and_households() -> None:
    out = estimate([50.0, 20_000.0], ["rooftop", "brownfield"], [1000.0, 1050.0]).iloc[0]
    assert out["capacity_kwp"] == pytest.approx(10.0)
    assert out["energy_mwh_yr"] == pytest.approx(10.0)
    assert out["co2_t_yr"] == pytest.approx(4.5)
    assert out["households"] == pytest.approx(10.0 / 3.0)


def test_invalid_params_are_listed() -> None:
    with pytest.raises(InputError, match=r"performance_ratio.*grid_emission_t_mwh"):
        EnergyParams(performance_ratio=1.5, grid_emission_t_mwh=-1)
