"""The hourly PV model behind :mod:`gisplan.energy`'s yields without a raster.

Two steps, both pvlib:

1. :func:`synthetic_year` makes an hourly year of GHI, DNI and DHI at a
   location from nothing but its annual GHI: Ineichen clear-sky irradiance
   with pvlib's bundled Linke turbidity climatology and altitude, scaled to the
   annual total, and split into beam and diffuse by the *monthly* clearness
   index with Page's correlation.
2. :func:`simulate` turns hourly irradiance into specific yield with the chain
   of a PVWatts-like system: Hay–Davies transposition, the physical (Fresnel)
   incidence-angle loss on the beam, the Faiman cell temperature, PVWatts DC and
   flat system losses.

``simulate`` is the *same* chain the tests feed with measured hourly TMY data
(pvlib's Greensboro, Miami and Sand Point files) to check step 1.

Everything here is pure and hashable-in, float-out; :mod:`gisplan.energy`
caches it per grid cell.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Module tilt and azimuth come from :func:`optimal_tilt_deg`; the rest is fixed.
ALBEDO = 0.2
"""Ground reflectance [–]: grass and bare soil, the usual PVGIS/PVsyst default."""
WIND_SPEED_M_S = 1.0
"""Wind speed at module height for the cell temperature [m/s]: a calm, conservative value."""
GAMMA_PDC = -0.004
"""Power temperature coefficient [1/K]: crystalline silicon, −0.35 to −0.47 %/K on data sheets."""


@dataclass(frozen=True)
class System:
    """The PV system the model simulates.

    Attributes
    ----------
    tilt_deg
        Module tilt from horizontal [°].
    azimuth_deg
        Module azimuth [°, 180 = south].
    system_losses
        DC and AC losses besides temperature and incidence angle [0–1].
    air_temperature_c
        Air temperature for the cell temperature where no hourly one is given [°C].
    """

    tilt_deg: float
    azimuth_deg: float
    system_losses: float
    air_temperature_c: float


def optimal_tilt_deg(latitude: float) -> float:
    """Yield-optimal fixed tilt at a latitude [°].

    The polynomial fit of Jacobson & Jadhav (2018), "World estimates of PV
    optimal tilt angles and ratios of sunlight incident upon tilted and tracked
    PV panels relative to horizontal panels", Solar Energy 169, 55–66, for the
    northern hemisphere, mirrored for the southern one: 35.5° at 50° N, about
    PVGIS's optimum for Prague.
    """
    phi = min(abs(latitude), 65.0)
    return float(1.3793 + phi * (1.2011 + phi * (-0.014404 + phi * 0.000080509)))


def equator_azimuth_deg(latitude: float) -> float:
    """Azimuth facing the equator [°]: 180 (south) north of it, 0 (north) south of it."""
    return 180.0 if latitude >= 0 else 0.0


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        # pvlib 0.16 uses DatetimeIndex.dayofyear, which pandas 3 deprecates
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@dataclass(frozen=True)
class ClearYear:
    """An hourly clear-sky year at one location (index: hours of 2023, UTC)."""

    times: pd.DatetimeIndex
    zenith: pd.Series
    apparent_zenith: pd.Series
    azimuth: pd.Series
    ghi: pd.Series
    dni: pd.Series
    dni_extra: pd.Series

    @property
    def annual_ghi_kwh_m2(self) -> float:
        """Clear-sky annual GHI [kWh/m²/yr]."""
        return float(self.ghi.sum()) / 1000.0


def clear_year(latitude: float, longitude: float) -> ClearYear:
    """Hourly Ineichen clear-sky irradiance for a year at a location.

    The Linke turbidity comes from pvlib's monthly climatology
    (``LinkeTurbidities.h5``, Remund et al. 2003, via
    :func:`pvlib.clearsky.lookup_linke_turbidity`) and the altitude from
    pvlib's ``Altitude.h5``, both read by :class:`pvlib.location.Location`.
    """
    import pvlib

    with _quiet():
        times = pd.date_range("2023-01-01", "2024-01-01", freq="1h", inclusive="left", tz="UTC")
        # mid-hour sun, as in hourly irradiation sums
        location = pvlib.location.Location(latitude, longitude)
        sun = location.get_solarposition(times + pd.Timedelta("30min"), method="ephemeris")
        sun.index = times
        dni_extra = pvlib.irradiance.get_extra_radiation(times)
        clear = location.get_clearsky(times, model="ineichen", solar_position=sun, dni_extra=dni_extra)
    return ClearYear(
        times=times,
        zenith=sun["zenith"],
        apparent_zenith=sun["apparent_zenith"],
        azimuth=sun["azimuth"],
        ghi=clear["ghi"].fillna(0.0),
        dni=clear["dni"].fillna(0.0),
        dni_extra=dni_extra,
    )


def page_diffuse_fraction(clearness_index: NDArray[np.float64]) -> NDArray[np.float64]:
    """Monthly diffuse fraction from the monthly clearness index [–].

    Page (1961), as given by Duffie & Beckman, "Solar Engineering of Thermal
    Processes", 4th ed., eq. 2.12.1 discussion: ``Hd/H = 1.00 − 1.13 K̄T``,
    kept within 0.15–1. ``K̄T`` is the month's horizontal irradiation over the
    extraterrestrial one.
    """
    return np.asarray(np.clip(1.0 - 1.13 * clearness_index, 0.15, 1.0), dtype=np.float64)


def synthetic_year(year: ClearYear, annual_ghi_kwh_m2: float) -> pd.DataFrame:
    """Hourly GHI, DNI and DHI [W/m²] with the given annual GHI [kWh/m²/yr].

    Every hour keeps the clear-sky shape; the clear-sky index is one number for
    the year. Each month's diffuse share follows from its clearness index
    (:func:`page_diffuse_fraction`); the beam keeps the clear-sky beam's hourly
    shape and the diffuse the clear-sky global's.
    """
    scale = annual_ghi_kwh_m2 * 1000.0 / max(float(year.ghi.sum()), 1e-9)
    ghi = year.ghi * scale
    cosz = np.cos(np.radians(year.zenith)).clip(lower=0.0)
    month = year.times.month
    extra_h = (year.dni_extra * cosz).groupby(month).transform("sum")
    ghi_m = ghi.groupby(month).transform("sum")
    kd = page_diffuse_fraction((ghi_m / extra_h.where(extra_h > 0)).fillna(0.0).to_numpy())
    beam_cs_m = (year.dni * cosz).groupby(month).transform("sum")
    ghi_cs_m = year.ghi.groupby(month).transform("sum")
    dni = (year.dni * ((1.0 - kd) * ghi_m / beam_cs_m.where(beam_cs_m > 0))).fillna(0.0)
    dhi = (year.ghi * (kd * ghi_m / ghi_cs_m.where(ghi_cs_m > 0))).fillna(0.0)
    return pd.DataFrame({"ghi": dni * cosz + dhi, "dni": dni, "dhi": dhi}, index=year.times)


def simulate(
    irradiance: pd.DataFrame,
    solar: pd.DataFrame,
    system: System,
    *,
    temp_air: pd.Series | float | None = None,
    wind_speed: pd.Series | float = WIND_SPEED_M_S,
) -> float:
    """Specific yield of an hourly year [kWh/kWp/yr].

    Parameters
    ----------
    irradiance
        Hourly ``ghi``, ``dni``, ``dhi`` [W/m²].
    solar
        ``apparent_zenith``, ``azimuth`` [°] and ``dni_extra`` [W/m²] on the same index.
    system
        The system.
    temp_air
        Air temperature [°C], hourly or constant; default ``system.air_temperature_c``.
    wind_speed
        Wind speed [m/s].

    Notes
    -----
    Hay–Davies transposition with albedo :data:`ALBEDO`; the physical
    incidence-angle model on the beam only, with PVWatts v5's glass (n 1.526,
    K 4 /m, L 2 mm; Dobos 2014, NREL/TP-6A20-62641); Faiman cell temperature
    (pvlib defaults, u0 25, u1 6.84); PVWatts DC with :data:`GAMMA_PDC`; then
    ``system.system_losses``. 1 kWp at 1 kW/m², so Wh/Wp is kWh/kWp.
    """
    import pvlib

    with _quiet():
        parts = pvlib.irradiance.get_total_irradiance(
            system.tilt_deg,
            system.azimuth_deg,
            solar["apparent_zenith"],
            solar["azimuth"],
            irradiance["dni"],
            irradiance["ghi"],
            irradiance["dhi"],
            dni_extra=solar["dni_extra"],
            albedo=ALBEDO,
            model="haydavies",
        ).fillna(0.0)
        aoi = pvlib.irradiance.aoi(system.tilt_deg, system.azimuth_deg, solar["apparent_zenith"], solar["azimuth"])
        effective = parts["poa_direct"] * pvlib.iam.physical(aoi).fillna(0.0) + parts["poa_diffuse"]
        air = system.air_temperature_c if temp_air is None else temp_air
        cell = pvlib.temperature.faiman(effective, temp_air=air, wind_speed=wind_speed)
        dc = pvlib.pvsystem.pvwatts_dc(effective, cell, pdc0=1.0, gamma_pdc=GAMMA_PDC)
    return float(np.clip(np.asarray(dc, dtype=np.float64), 0.0, None).sum() * (1.0 - system.system_losses))


def modelled_yield(year: ClearYear, annual_ghi_kwh_m2: float, system: System) -> float:
    """Specific yield from an annual GHI at the year's location [kWh/kWp/yr]."""
    irradiance = synthetic_year(year, annual_ghi_kwh_m2)
    solar = pd.DataFrame(
        {"apparent_zenith": year.apparent_zenith, "azimuth": year.azimuth, "dni_extra": year.dni_extra},
        index=year.times,
    )
    return simulate(irradiance, solar, system)


__all__ = [
    "ClearYear",
    "System",
    "clear_year",
    "equator_azimuth_deg",
    "modelled_yield",
    "optimal_tilt_deg",
    "page_diffuse_fraction",
    "simulate",
    "synthetic_year",
]
