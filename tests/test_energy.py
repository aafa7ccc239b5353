"""Energy estimates: arithmetic, cited defaults and the Czech sanity ranges."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan.criteria.geometry import usable_area
from gisplan.energy import EnergyParams, capacity_kwp, estimate, yield_from_irradiation, yield_pvlib
from gisplan.errors import InputError


def test_rooftop_capacity_is_area_times_module_density() -> None:
    assert capacity_kwp([48.0], ["rooftop"]).tolist() == pytest.approx([9.6])
    assert capacity_kwp([48.0], ["rooftop"], EnergyParams(module_density_kwp_m2=0.22)).tolist() == pytest.approx(
        [10.56]
    )


def test_two_hectare_ground_site_gets_0_8_to_2_5_mwp() -> None:
    side = np.sqrt(20_000.0)
    site = gpd.GeoDataFrame({"kind": ["brownfield"]}, geometry=[shapely.box(0, 0, side, side)], crs="EPSG:5514")
    mwp = capacity_kwp(usable_area(site), ["brownfield"])[0] / 1000.0
    assert 0.8 <= mwp <= 2.5
    assert capacity_kwp([20_000.0], ["municipal_land"])[0] == pytest.approx(1600.0)


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


def test_estimate_output_co2_and_households() -> None:
    out = estimate([50.0, 20_000.0], ["rooftop", "brownfield"], [1000.0, 1050.0]).iloc[0]
    assert out["capacity_kwp"] == pytest.approx(10.0)
    assert out["energy_mwh_yr"] == pytest.approx(10.0)
    assert out["co2_t_yr"] == pytest.approx(4.5)
    assert out["households"] == pytest.approx(10.0 / 3.0)


def test_invalid_params_are_listed() -> None:
    with pytest.raises(InputError, match=r"performance_ratio.*grid_emission_t_mwh"):
        EnergyParams(performance_ratio=1.5, grid_emission_t_mwh=-1)
