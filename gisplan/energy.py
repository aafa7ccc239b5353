"""PV energy estimates: installable capacity, specific yield, output and impact.

Screening-grade, explainable numbers with their units and sources:

- **capacity** [kWp]: usable roof area × module power density for rooftops,
  usable ground area × MWp/ha for ground sites;
- **specific yield** [kWh/kWp/yr]: from an irradiation raster (GHI, tilted
  irradiation or PVOUT) and a performance ratio, or, without a raster, from
  pvlib's clear-sky, decomposition, transposition and PVWatts models;
- **output** [MWh/yr], **avoided emissions** [tCO2/yr] and the number of
  **households** whose yearly consumption the output equals.

Every assumption sits in :class:`EnergyParams`, with its source.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from gisplan.errors import InputError

FloatArray = NDArray[np.float64]
IrradiationKind = Literal["ghi", "gti", "pvout"]


@dataclass(frozen=True)
class EnergyParams:
    """Assumptions of the energy estimate.

    Attributes
    ----------
    module_density_kwp_m2
        Peak power per m² of usable roof [kWp/m²]. Default 0.20: current
        crystalline modules reach about 20–22 % efficiency, i.e. 200–220 Wp/m²
        of module area (e.g. 400–440 Wp in 1.95 m²; Fraunhofer ISE,
        "Photovoltaics Report", 2024).
    ground_density_mwp_ha
        Peak power per hectare of usable ground [MWp/ha]. Default 0.8: fixed
        tilted arrays in Central Europe take 0.6–1.0 MWp/ha; the older US rule
        of thumb of 5 acres per MW (EPA RE-Powering America's Land) gives
        0.5 MWp/ha.
    performance_ratio
        Share of the in-plane irradiation turned into AC energy (temperature,
        soiling, cables, inverter) [0–1]. Default 0.80; well-run systems reach
        0.75–0.85 (IEA PVPS Task 13, "Performance and reliability of PV
        systems", 2014, PR of European systems).
    tilt_gain
        In-plane over horizontal irradiation for a tilted array [–]. Default
        1.15: PVGIS gives about 1.13–1.18 for south-facing modules at the
        optimal 35–38° tilt around 50° N. Used when the raster holds GHI.
    irradiation_kind
        What the irradiation raster holds: ``ghi`` (global horizontal, kWh/m²/yr),
        ``gti`` (global tilted, kWh/m²/yr) or ``pvout`` (specific yield, kWh/kWp/yr,
        as in the Global Solar Atlas).
    grid_emission_t_mwh
        CO2 avoided per MWh of PV output [tCO2/MWh]. Default 0.45: the
        carbon intensity of Czech electricity generation was about
        0.42–0.50 tCO2/MWh in 2022–2023 (EEA indicator "Greenhouse gas
        emission intensity of electricity generation", and Ember data for
        Czechia). Reporting methods differ (marginal vs average, MPO/ERÚ
        factors for audits): set the factor your report requires.
    household_mwh_yr
        Yearly electricity use of a household without electric heating
        [MWh/yr]. Default 3.0: ERÚ's yearly reports put typical Czech
        households on the D02d tariff at about 2.5–3.5 MWh/yr, in line with
        ČSÚ's ENERGO 2021 household survey.
    annual_ghi_kwh_m2
        Horizontal irradiation used by the pvlib fallback [kWh/m²/yr]. Default
        1,100: about the Czech mean (Global Solar Atlas, Solargis, long-term
        average 1994–2018: roughly 1,050–1,200 across the country).
    tilt_deg, azimuth_deg
        Module tilt from horizontal [°] and azimuth [°, 180 = south] of the
        pvlib fallback.
    system_losses
        DC and AC losses of the pvlib fallback besides temperature [0–1].
        Default 0.14, the PVGIS default.
    """

    module_density_kwp_m2: float = 0.20
    ground_density_mwp_ha: float = 0.8
    performance_ratio: float = 0.80
    tilt_gain: float = 1.15
    irradiation_kind: IrradiationKind = "ghi"
    grid_emission_t_mwh: float = 0.45
    household_mwh_yr: float = 3.0
    annual_ghi_kwh_m2: float = 1100.0
    tilt_deg: float = 35.0
    azimuth_deg: float = 180.0
    system_losses: float = 0.14

    def __post_init__(self) -> None:
        problems = []
        positive = (
            "module_density_kwp_m2",
            "ground_density_mwp_ha",
            "tilt_gain",
            "household_mwh_yr",
            "annual_ghi_kwh_m2",
        )
        problems += [f"{name} must be > 0" for name in positive if not getattr(self, name) > 0]
        if not 0 < self.performance_ratio <= 1:
            problems.append("performance_ratio must be in (0, 1]")
        if not 0 <= self.system_losses < 1:
            problems.append("system_losses must be in [0, 1)")
        if self.grid_emission_t_mwh < 0:
            problems.append("grid_emission_t_mwh must be >= 0")
        if self.irradiation_kind not in ("ghi", "gti", "pvout"):
            problems.append("irradiation_kind must be ghi, gti or pvout")
        if problems:
            msg = "invalid EnergyParams: " + "; ".join(problems)
            raise InputError(msg)


def capacity_kwp(usable_area_m2: ArrayLike, kinds: ArrayLike, params: EnergyParams | None = None) -> FloatArray:
    """Installable peak power of each site [kWp].

    Parameters
    ----------
    usable_area_m2
        Usable area [m²] (see :func:`gisplan.criteria.geometry.usable_area`).
    kinds
        Site kind: ``rooftop`` uses the module density, any other kind the
        ground density.
    params
        Assumptions; defaults on :class:`EnergyParams`.
    """
    p = params or EnergyParams()
    area = np.nan_to_num(np.asarray(usable_area_m2, dtype=np.float64))
    roof = np.asarray(kinds, dtype=object) == "rooftop"
    ground_kwp = area / 10_000.0 * p.ground_density_mwp_ha * 1000.0
    return np.where(roof, area * p.module_density_kwp_m2, ground_kwp)


def yield_from_irradiation(irradiation: ArrayLike, params: EnergyParams | None = None) -> FloatArray:
    """Specific yield from irradiation [kWh/kWp/yr].

    ``ghi``: GHI [kWh/m²/yr] × tilt gain × PR; ``gti``: GTI × PR; ``pvout``:
    the value itself. Dividing by the 1 kW/m² of standard test conditions turns
    kWh/m² into kWh/kWp.
    """
    p = params or EnergyParams()
    irr = np.asarray(irradiation, dtype=np.float64)
    if p.irradiation_kind == "pvout":
        return irr
    gain = p.tilt_gain if p.irradiation_kind == "ghi" else 1.0
    return irr * gain * p.performance_ratio


@lru_cache(maxsize=256)
def _pvlib_yield(lat: float, lon: float, p: EnergyParams) -> float:
    import pvlib

    times = pd.date_range("2023-01-01", "2024-01-01", freq="1h", inclusive="left", tz="UTC")
    location = pvlib.location.Location(lat, lon)
    sun = location.get_solarposition(times)
    clear = location.get_clearsky(times, model="ineichen", solar_position=sun)
    # one clear-sky index scales the clear-sky year to the expected yearly GHI
    ghi = clear["ghi"] * (p.annual_ghi_kwh_m2 * 1000.0 / clear["ghi"].sum())
    parts = pvlib.irradiance.erbs(ghi, sun["zenith"], times)
    poa = pvlib.irradiance.get_total_irradiance(
        p.tilt_deg,
        p.azimuth_deg,
        sun["apparent_zenith"],
        sun["azimuth"],
        parts["dni"],
        ghi,
        parts["dhi"],
        dni_extra=pvlib.irradiance.get_extra_radiation(times),
        model="haydavies",
    )["poa_global"].fillna(0.0)
    # mean Czech air temperature about 9 °C (ČHMÚ), warmer by day; 1 m/s wind
    cell = pvlib.temperature.faiman(poa, temp_air=12.0, wind_speed=1.0)
    dc = pvlib.pvsystem.pvwatts_dc(poa, cell, pdc0=1.0, gamma_pdc=-0.004)
    return float(dc.clip(lower=0.0).sum() * (1.0 - p.system_losses))  # Wh/Wp = kWh/kWp


def yield_pvlib(latitude: ArrayLike, longitude: ArrayLike, params: EnergyParams | None = None) -> FloatArray:
    """Specific yield from pvlib's models when no irradiation raster is given [kWh/kWp/yr].

    An hourly year of Ineichen clear-sky irradiance (with pvlib's Linke
    turbidity climatology) is scaled to ``annual_ghi_kwh_m2``, split into
    direct and diffuse (Erbs), transposed to the module plane (Hay–Davies),
    heated (Faiman) and converted (PVWatts, −0.4 %/K), less
    ``system_losses``. Locations are rounded to 0.25° and cached.

    Parameters
    ----------
    latitude, longitude
        Site locations in EPSG:4326 [degrees].
    params
        Assumptions; defaults on :class:`EnergyParams`.
    """
    p = params or EnergyParams()
    lat = np.round(np.asarray(latitude, dtype=np.float64) * 4.0) / 4.0
    lon = np.round(np.asarray(longitude, dtype=np.float64) * 4.0) / 4.0
    out = np.full(lat.shape, np.nan)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return out
    keys, inverse = np.unique(np.column_stack([lat[ok], lon[ok]]), axis=0, return_inverse=True)
    with warnings.catch_warnings():
        # pvlib 0.16 uses DatetimeIndex.dayofyear, which pandas 3 deprecates
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        values = np.array([_pvlib_yield(float(a), float(b), p) for a, b in keys])
    out[ok] = values[inverse.ravel()]
    return out


def estimate(
    usable_area_m2: ArrayLike,
    kinds: ArrayLike,
    specific_yield: ArrayLike,
    params: EnergyParams | None = None,
) -> pd.DataFrame:
    """Capacity, output and impact of each site.

    Parameters
    ----------
    usable_area_m2
        Usable area [m²].
    kinds
        Site kinds (``rooftop`` or a ground kind).
    specific_yield
        Specific yield [kWh/kWp/yr], from :func:`yield_from_irradiation` or
        :func:`yield_pvlib`.
    params
        Assumptions; defaults on :class:`EnergyParams`.

    Returns
    -------
    pandas.DataFrame
        ``capacity_kwp`` [kWp], ``yield_kwh_kwp_yr`` [kWh/kWp/yr],
        ``energy_mwh_yr`` [MWh/yr], ``co2_t_yr`` [tCO2/yr] and ``households``
        [households whose yearly consumption the output equals].
    """
    p = params or EnergyParams()
    cap = capacity_kwp(usable_area_m2, kinds, p)
    spec = np.asarray(specific_yield, dtype=np.float64) * np.ones_like(cap)
    energy = cap * np.nan_to_num(spec) / 1000.0
    return pd.DataFrame(
        {
            "capacity_kwp": cap,
            "yield_kwh_kwp_yr": spec,
            "energy_mwh_yr": energy,
            "co2_t_yr": energy * p.grid_emission_t_mwh,
            "households": energy / p.household_mwh_yr,
        }
    )


__all__ = ["EnergyParams", "capacity_kwp", "estimate", "yield_from_irradiation", "yield_pvlib"]
