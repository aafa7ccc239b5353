"""PV energy estimates: installable capacity, specific yield, output and impact.

Screening-grade, explainable numbers with their units and sources:

- **capacity** [kWp]: usable roof area × module power density for rooftops,
  usable ground area × the profile's ground density [MWp/ha] for ground sites,
  never above an optional per-site cap;
- **specific yield** [kWh/kWp/yr], with its provenance in ``yield_source``:

  ``irradiation_raster``
      the profile's irradiation column (GHI, tilted irradiation or PVOUT from
      a raster) and a performance ratio (:func:`yield_from_irradiation`);
  ``region``
      an annual GHI [kWh/m²/yr] the region declares in the layer catalogue,
      turned into yield by the hourly model of :mod:`gisplan._solar` at the
      site's location;
  ``fallback_clearsky``
      the same model fed with the site's clear-sky annual GHI (Ineichen,
      pvlib's Linke turbidity climatology) times a clearness: the region's, or
      :data:`DEFAULT_CLEARNESS`, which was calibrated only inside
      :data:`CHECKED_AREA`;
  ``not_available``
      none of these applies; ``yield_note`` says why, and yield, output,
      emissions and households are NaN (capacity stays: it depends on area,
      not on sun);

- **output** [MWh/yr], **avoided emissions** [tCO2/yr] and the number of
  **households** whose yearly consumption the output equals.

Every assumption sits in :class:`EnergyParams` or :class:`SolarRegion`, with
its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from gisplan.errors import InputError

if TYPE_CHECKING:
    from gisplan import _solar

FloatArray = NDArray[np.float64]
IrradiationKind = Literal["ghi", "gti", "pvout"]
YieldSource = Literal["irradiation_raster", "region", "fallback_clearsky", "not_available"]
YIELD_SOURCES: tuple[str, ...] = ("irradiation_raster", "region", "fallback_clearsky", "not_available")

DEFAULT_GROUND_DENSITY_MWP_HA = 0.55
"""Ground density when neither the call nor the profile gives one [MWp/ha].

The US EPA's RE-Powering America's Land screening (the ``Estimated_`` PV
capacity of its site records is acres / 4.5, i.e. 4.5 acres per MW ≈
0.55 MW/ha). NREL's survey of built plants (Ong et al. 2013, "Land-Use
Requirements for Solar Power Plants in the United States",
NREL/TP-6A20-56290) gives 5.5 acres/MWac of direct and 7.6 acres/MWac of
total area for fixed-tilt PV (0.45 and 0.33 MWac/ha); dense new European
plants reach 0.8–1.0 MWp/ha. A screening figure should not promise more than
a typical plant on the whole plot delivers.
"""


@dataclass(frozen=True)
class CheckedArea:
    """A lon/lat box where the default clearness was checked [degrees, EPSG:4326]."""

    name: str
    west: float
    south: float
    east: float
    north: float

    def contains(self, lat: FloatArray, lon: FloatArray) -> NDArray[np.bool_]:
        """Where (lat, lon) lies inside the box."""
        with np.errstate(invalid="ignore"):
            return np.asarray(
                (lat >= self.south) & (lat <= self.north) & (lon >= self.west) & (lon <= self.east), dtype=bool
            )

    def __str__(self) -> str:
        return f"{self.name}, {self.west:g}–{self.east:g}° E, {self.south:g}–{self.north:g}° N"


CHECKED_AREA = CheckedArea("Czechia and its borders", west=12.0, south=48.5, east=19.0, north=51.1)
"""Where :data:`DEFAULT_CLEARNESS` was calibrated and checked.

Czechia spans 12.09–18.86° E and 48.55–51.06° N; the box adds a thin rim of
Saxony, Bavaria, Austria, Slovakia and Polish Silesia, which have the same
climate. Outside it the default is not trusted: declare the region's GHI or
clearness in the catalogue.
"""

DEFAULT_CLEARNESS = 0.66
"""Annual GHI over clear-sky annual GHI inside :data:`CHECKED_AREA` [–].

Calibration: the long-term annual GHI of Prague (≈ 1,100 kWh/m²/yr),
Ústí nad Labem and Ostrava (≈ 1,050–1,070) in the Global Solar Atlas
(Solargis, 1994–2018) and PVGIS-SARAH, over the model's clear-sky annual GHI
at the same places (1,610, 1,565 and 1,511 kWh/m²/yr: Ineichen with pvlib's
Linke turbidity and altitude) gives 0.68–0.70. The model turns a given GHI
into about 5 % more yield than PVGIS does in Central Europe (one clearness for
the whole year puts too much beam into the cloudy winters, where tilt gains
most), so the default is set lower, at 0.66: the fallback then gives Prague
≈ 1,070, Ústí ≈ 1,040 and Ostrava ≈ 995 kWh/kWp/yr (checked in
``tests/test_energy.py``), close to PVGIS's optimally tilted
crystalline-silicon output with 14 % losses (about 1,000–1,070), and its GHI
(≈ 1,000–1,060 kWh/m²/yr) stays within 10 % of the atlases'. Values read
from the PVGIS and Global Solar Atlas maps; re-check them against a PVGIS
query for your sites when the figure matters.
"""


@dataclass(frozen=True)
class SolarRegion:
    """What a region declares about its sun (the catalogue's ``region:`` section).

    Attributes
    ----------
    annual_ghi_kwh_m2
        Long-term annual GHI [kWh/m²/yr], e.g. from PVGIS or the Global Solar
        Atlas for the region's centre.
    clearness
        Annual GHI over clear-sky annual GHI [–], for the location-aware fallback.
    bbox_deg
        ``(west, south, east, north)`` [degrees, EPSG:4326] where the values
        hold; ``None``: every site.
    name
        The region's name, for the notes.
    """

    annual_ghi_kwh_m2: float | None = None
    clearness: float | None = None
    bbox_deg: tuple[float, float, float, float] | None = None
    name: str = "region"

    def covers(self, lat: FloatArray, lon: FloatArray) -> NDArray[np.bool_]:
        """Where the region's values hold."""
        if self.bbox_deg is None:
            return np.ones(lat.shape, dtype=bool)
        west, south, east, north = self.bbox_deg
        return CheckedArea(self.name, west, south, east, north).contains(lat, lon)


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
        Peak power per hectare of usable ground [MWp/ha]. ``None`` (default):
        the profile's ``energy.ground_density_mwp_ha``, else
        :data:`DEFAULT_GROUND_DENSITY_MWP_HA` (0.55, the EPA screening rule).
    max_capacity_kwp
        Cap on each site's capacity [kWp]; ``None``: the profile's, else none.
    performance_ratio
        Share of the in-plane irradiation turned into AC energy (temperature,
        soiling, cables, inverter) [0–1]. Default 0.80; well-run systems reach
        0.75–0.85 (IEA PVPS Task 13, "Performance and reliability of PV
        systems", 2014, PR of European systems). Used with a raster.
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
        Annual GHI for every site without a raster value [kWh/m²/yr];
        overrides the region's. ``None`` (default): the region's, if any.
    clearness
        Clearness for the fallback [–]; overrides the region's and lifts the
        :data:`CHECKED_AREA` limit (you take responsibility for it). ``None``:
        the region's, else :data:`DEFAULT_CLEARNESS` inside the checked area.
    tilt_deg, azimuth_deg
        Module tilt from horizontal [°] and azimuth [°, 180 = south] of the
        model without a raster. ``None`` (default): the yield-optimal tilt at
        the site's latitude (Jacobson & Jadhav 2018) facing the equator.
    system_losses
        DC and AC losses of the model besides temperature and incidence angle
        [0–1]. Default 0.14, the PVGIS default.
    air_temperature_c
        Air temperature for the cell temperature of the model [°C]. Default
        12: the Czech annual mean is about 8–9 °C (ČHMÚ), warmer by day.
    grid_deg
        Size of the lon/lat grid cells on which the model runs once and is
        looked up [°]. Default 0.5 (about 55 × 35 km at 50° N): the yield from a
        given GHI changes by well under 1 % across a cell.
    """

    module_density_kwp_m2: float = 0.20
    ground_density_mwp_ha: float | None = None
    max_capacity_kwp: float | None = None
    performance_ratio: float = 0.80
    tilt_gain: float = 1.15
    irradiation_kind: IrradiationKind = "ghi"
    grid_emission_t_mwh: float = 0.45
    household_mwh_yr: float = 3.0
    annual_ghi_kwh_m2: float | None = None
    clearness: float | None = None
    tilt_deg: float | None = None
    azimuth_deg: float | None = None
    system_losses: float = 0.14
    air_temperature_c: float = 12.0
    grid_deg: float = 0.5

    def __post_init__(self) -> None:
        problems = []
        positive = ("module_density_kwp_m2", "tilt_gain", "household_mwh_yr", "grid_deg")
        optional_positive = ("ground_density_mwp_ha", "max_capacity_kwp", "annual_ghi_kwh_m2")
        problems += [f"{name} must be > 0" for name in positive if not getattr(self, name) > 0]
        problems += [
            f"{name} must be > 0"
            for name in optional_positive
            if getattr(self, name) is not None and not getattr(self, name) > 0
        ]
        if self.clearness is not None and not 0 < self.clearness <= 1:
            problems.append("clearness must be in (0, 1]")
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


# ---------------------------------------------------------------- capacity


def capacity_kwp(
    usable_area_m2: ArrayLike,
    kinds: ArrayLike,
    params: EnergyParams | None = None,
    *,
    ground_density_mwp_ha: float | None = None,
    max_capacity_kwp: float | None = None,
) -> FloatArray:
    """Installable peak power of each site [kWp].

    Parameters
    ----------
    usable_area_m2
        Usable area [m²] (see :func:`gisplan.measurements.geometry.usable_area`);
        NaN (area not available) gives NaN.
    kinds
        Site kind: ``rooftop`` uses the module density, any other kind the
        ground density.
    params
        Assumptions; defaults on :class:`EnergyParams`. Its
        ``ground_density_mwp_ha`` and ``max_capacity_kwp``, when set, win over
        the arguments below.
    ground_density_mwp_ha
        The profile's ground density [MWp/ha]; default
        :data:`DEFAULT_GROUND_DENSITY_MWP_HA`.
    max_capacity_kwp
        The profile's cap on each site [kWp]; default none.
    """
    p = params or EnergyParams()
    density = p.ground_density_mwp_ha or ground_density_mwp_ha or DEFAULT_GROUND_DENSITY_MWP_HA
    cap = p.max_capacity_kwp or max_capacity_kwp
    area = np.asarray(usable_area_m2, dtype=np.float64)
    roof = np.asarray(kinds, dtype=object) == "rooftop"
    ground_kwp = area / 10_000.0 * density * 1000.0
    out = np.where(roof, area * p.module_density_kwp_m2, ground_kwp)
    return np.minimum(out, cap) if cap is not None else out


# ---------------------------------------------------------------- yield


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


def _system(lat: float, p: EnergyParams) -> _solar.System:
    from gisplan import _solar

    return _solar.System(
        tilt_deg=_solar.optimal_tilt_deg(lat) if p.tilt_deg is None else p.tilt_deg,
        azimuth_deg=_solar.equator_azimuth_deg(lat) if p.azimuth_deg is None else p.azimuth_deg,
        system_losses=p.system_losses,
        air_temperature_c=p.air_temperature_c,
    )


@lru_cache(maxsize=8192)
def _cell(lat: float, lon: float, ghi: float | None, clearness: float | None, p: EnergyParams) -> tuple[float, float]:
    """(annual GHI [kWh/m²/yr], specific yield [kWh/kWp/yr]) at a cell centre; one of ghi, clearness given."""
    from gisplan import _solar

    year = _solar.clear_year(lat, lon)
    annual = ghi if ghi is not None else float(clearness or 0.0) * year.annual_ghi_kwh_m2
    return annual, _solar.modelled_yield(year, annual, _system(lat, p))


def _model(
    lat: FloatArray, lon: FloatArray, ghi: FloatArray, clearness: FloatArray, p: EnergyParams
) -> tuple[FloatArray, FloatArray]:
    """Annual GHI and yield for each site, one model run per (grid cell, GHI or clearness)."""
    step = p.grid_deg
    row = np.floor(lat / step).astype(np.int64)
    col = np.floor(lon / step).astype(np.int64)
    given = np.where(np.isfinite(ghi), ghi, -clearness)  # >= 0: a GHI; < 0: minus a clearness
    value_codes, values = pd.factorize(given)
    key = ((row + 1_000) * 10_000 + (col + 5_000)) * max(len(values), 1) + value_codes
    codes, uniques = pd.factorize(key)
    annual = np.empty(len(uniques))
    spec = np.empty(len(uniques))
    first = np.unique(codes, return_index=True)[1]
    for i, j in enumerate(first):
        a, b, v = (row[j] + 0.5) * step, (col[j] + 0.5) * step, float(given[j])
        annual[i], spec[i] = _cell(float(a), float(b), v if v >= 0 else None, -v if v < 0 else None, p)
    return annual[codes], spec[codes]


def _clearness(
    lat: FloatArray, lon: FloatArray, in_region: NDArray[np.bool_], reg: SolarRegion, p: EnergyParams
) -> tuple[FloatArray, NDArray[np.object_]]:
    """Clearness for the fallback at each site (NaN: none trusted there) and where it comes from."""
    clearness = np.full(lat.shape, np.nan)
    why = np.full(lat.shape, "", dtype=object)
    inside = CHECKED_AREA.contains(lat, lon)
    clearness[inside] = DEFAULT_CLEARNESS
    why[inside] = f"clearness {DEFAULT_CLEARNESS:g}, calibrated default for {CHECKED_AREA.name}"
    if reg.clearness is not None:
        clearness[in_region] = reg.clearness
        why[in_region] = f"clearness {reg.clearness:g} declared by {reg.name}"
    if p.clearness is not None:
        clearness[:] = p.clearness
        why[:] = f"clearness {p.clearness:g} given in the energy parameters"
    return clearness, why


def specific_yield(
    latitude: ArrayLike,
    longitude: ArrayLike,
    *,
    irradiation: ArrayLike | None = None,
    region: SolarRegion | None = None,
    params: EnergyParams | None = None,
) -> pd.DataFrame:
    """Specific yield of each site and where it comes from.

    Per site, the first that applies: the irradiation value (``irradiation_raster``),
    an annual GHI from ``params`` or the region covering the site (``region``),
    a clearness from ``params`` or the region, or :data:`DEFAULT_CLEARNESS`
    inside :data:`CHECKED_AREA` (``fallback_clearsky``); else
    ``not_available`` with a reason.

    Parameters
    ----------
    latitude, longitude
        Site locations in EPSG:4326 [degrees]; NaN where unknown.
    irradiation
        The profile's irradiation column (kind in ``params.irradiation_kind``),
        NaN where the raster has no value; ``None``: no raster.
    region
        What the catalogue declares about the region's sun.
    params
        Assumptions; defaults on :class:`EnergyParams`.

    Returns
    -------
    pandas.DataFrame
        ``yield_kwh_kwp_yr`` [kWh/kWp/yr], ``yield_source`` (one of
        :data:`YIELD_SOURCES`), ``yield_note`` (how the yield was made, or
        ``code: reason`` where not available) and ``yield_ghi_kwh_m2_yr``, the
        annual GHI the model used [kWh/m²/yr] (NaN for a raster).
    """
    p = params or EnergyParams()
    reg = region or SolarRegion()
    lat = np.atleast_1d(np.asarray(latitude, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(longitude, dtype=np.float64))
    n = lat.shape[0]
    spec = np.full(n, np.nan)
    ghi_used = np.full(n, np.nan)
    source = np.full(n, "not_available", dtype=object)
    note = np.full(n, None, dtype=object)
    if irradiation is not None:
        raster = yield_from_irradiation(np.broadcast_to(np.asarray(irradiation, dtype=np.float64), (n,)), p)
        hit = np.isfinite(raster)
        spec[hit] = raster[hit]
        source[hit] = "irradiation_raster"
    located = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90)
    todo = ~np.isfinite(spec) & located
    in_region = reg.covers(lat, lon)

    ghi = np.full(n, np.nan)
    if p.annual_ghi_kwh_m2 is not None:
        ghi[:] = p.annual_ghi_kwh_m2
    elif reg.annual_ghi_kwh_m2 is not None:
        ghi[in_region] = reg.annual_ghi_kwh_m2
    by_ghi = todo & np.isfinite(ghi)
    ghi_by = "the energy parameters" if p.annual_ghi_kwh_m2 is not None else reg.name

    clearness, why = _clearness(lat, lon, in_region, reg, p)
    by_clear = todo & ~by_ghi & np.isfinite(clearness)

    run = by_ghi | by_clear
    if run.any():
        annual, modelled = _model(
            lat[run], lon[run], np.where(by_ghi, ghi, np.nan)[run], np.where(by_clear, clearness, np.nan)[run], p
        )
        spec[run] = modelled
        ghi_used[run] = annual
    source[by_ghi] = "region"
    note[by_ghi] = [f"annual GHI {g:,.0f} kWh/m2/yr declared by {ghi_by}" for g in ghi[by_ghi]]
    source[by_clear] = "fallback_clearsky"
    note[by_clear] = why[by_clear]

    missing = ~np.isfinite(spec)
    note[missing & ~located] = "no_location: the site has no usable location"
    outside = missing & located
    note[outside] = (
        "outside_checked_area: no irradiation raster and no regional GHI; outside the area where the "
        f"fallback was checked ({CHECKED_AREA}); declare region.annual_ghi_kwh_m2 in the catalogue"
    )
    source[missing] = "not_available"
    return pd.DataFrame(
        {
            "yield_kwh_kwp_yr": spec,
            "yield_source": pd.array(source, dtype="string"),
            "yield_note": pd.array(note, dtype="string"),
            "yield_ghi_kwh_m2_yr": ghi_used,
        }
    )


def yield_pvlib(latitude: ArrayLike, longitude: ArrayLike, params: EnergyParams | None = None) -> FloatArray:
    """Specific yield from the model without a raster [kWh/kWp/yr]; NaN where not available.

    Shorthand for :func:`specific_yield` without raster and region: the
    location-aware fallback inside :data:`CHECKED_AREA`, or the annual GHI or
    clearness of ``params`` anywhere.
    """
    return np.asarray(specific_yield(latitude, longitude, params=params)["yield_kwh_kwp_yr"], dtype=np.float64)


def estimate(
    usable_area_m2: ArrayLike,
    kinds: ArrayLike,
    specific_yield: ArrayLike,
    params: EnergyParams | None = None,
    *,
    ground_density_mwp_ha: float | None = None,
    max_capacity_kwp: float | None = None,
) -> pd.DataFrame:
    """Capacity, output and impact of each site.

    Parameters
    ----------
    usable_area_m2
        Usable area [m²].
    kinds
        Site kinds (``rooftop`` or a ground kind).
    specific_yield
        Specific yield [kWh/kWp/yr], from :func:`specific_yield`; NaN where
        not available makes output, emissions and households NaN too.
    params
        Assumptions; defaults on :class:`EnergyParams`.
    ground_density_mwp_ha, max_capacity_kwp
        The profile's ground density [MWp/ha] and per-site cap [kWp]
        (see :func:`capacity_kwp`).

    Returns
    -------
    pandas.DataFrame
        ``capacity_kwp`` [kWp], ``yield_kwh_kwp_yr`` [kWh/kWp/yr],
        ``energy_mwh_yr`` [MWh/yr], ``co2_t_yr`` [tCO2/yr] and ``households``
        [households whose yearly consumption the output equals].
    """
    p = params or EnergyParams()
    cap = capacity_kwp(
        usable_area_m2, kinds, p, ground_density_mwp_ha=ground_density_mwp_ha, max_capacity_kwp=max_capacity_kwp
    )
    spec = np.asarray(specific_yield, dtype=np.float64) * np.ones_like(cap)
    energy = cap * spec / 1000.0
    return pd.DataFrame(
        {
            "capacity_kwp": cap,
            "yield_kwh_kwp_yr": spec,
            "energy_mwh_yr": energy,
            "co2_t_yr": energy * p.grid_emission_t_mwh,
            "households": energy / p.household_mwh_yr,
        }
    )


__all__ = [
    "CHECKED_AREA",
    "DEFAULT_CLEARNESS",
    "DEFAULT_GROUND_DENSITY_MWP_HA",
    "YIELD_SOURCES",
    "CheckedArea",
    "EnergyParams",
    "SolarRegion",
    "capacity_kwp",
    "estimate",
    "specific_yield",
    "yield_from_irradiation",
    "yield_pvlib",
]
