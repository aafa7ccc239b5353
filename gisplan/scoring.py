"""Score sites with a profile: measure the criteria on the layers, then apply its rules.

:func:`score` fills the profile's layer slots, measures every criterion (and
where each layer reaches the sites), estimates the energy and applies the
profile's rules (:mod:`gisplan.rules`: exclusions, graded handicaps, weighted
criteria, with a breakdown whose lines add up to the score).

:func:`score` returns the scored GeoDataFrame in the column order of the
scored GeoPackage contract (layer ``sites``, columns owned by
:mod:`gisplan.site_schema`), which :func:`write_scored` writes.
:func:`score_applicable` scores sites of one kind with every profile that
scores that kind (the intake preview and the accept of a submission use it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from gisplan import settings
from gisplan.catalogue import CANONICAL_COLUMNS, Catalogue
from gisplan.errors import GisplanError, InputError
from gisplan.profiles import Profile, load_profile, load_profiles
from gisplan.rules import Rules, apply_rules, evaluate, normalise, to_float
from gisplan.site_schema import ENERGY_COLUMNS

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.energy import EnergyParams, SolarRegion
    from gisplan.measurements.geometry import UsableAreaParams
    from gisplan.measures import LayerInput, Progress

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- the public API


def _canonical(sites: gpd.GeoDataFrame, profile: Profile) -> gpd.GeoDataFrame:
    """Sites in the working CRS with every canonical column, filled in where missing.

    ``area_m2`` [m²] and ``area_source`` are settled here (:func:`gisplan.measurements.geometry.site_area`):
    a polygon's area in the working CRS, else the declared area of a point, else NaN with
    ``not_available``. ``land_cover`` is optional: sites without it (anything but RÚIAN parcels
    and OSM land use) get an unknown value, which no exclusion matches.
    """
    from gisplan.crs import to_working
    from gisplan.measurements.geometry import site_area

    if sites.crs is None:
        msg = "the sites have no CRS; set one (gdf.set_crs) or read them with gisplan.sources.read"
        raise InputError(msg)
    out = to_working(sites)  # keeps a metric CRS that keeps areas true; moves lon/lat, Web Mercator…
    out = out.copy()
    if "kind" not in out.columns:
        if len(profile.site_kinds) != 1:
            msg = f"the sites have no 'kind' column and profile {profile.name!r} scores {profile.site_kinds}; add one"
            raise InputError(msg)
        out["kind"] = profile.site_kinds[0]
    if "source" not in out.columns:
        out["source"] = "sites"
    if "source_id" not in out.columns:
        out["source_id"] = pd.Series(out.index, index=out.index).astype(str)
    if "site_id" not in out.columns:
        out["site_id"] = out["source"].astype(str) + ":" + out["source_id"].astype(str)
    if "name" not in out.columns:
        out["name"] = None
    areas = site_area(out)
    out["area_m2"] = areas["area_m2"]
    out["area_source"] = areas["area_source"]
    # site attributes only some sources carry (RÚIAN land cover; a brownfield list's previous use and
    # contamination): missing means unknown, not an error
    for optional in ("land_cover", "previous_use", "contamination"):
        if optional in profile.site_columns and optional not in out.columns:
            out[optional] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out


def _solar_region(catalogue: Catalogue | Path | None) -> SolarRegion | None:
    """The catalogue's ``region:`` declaration; a broken default catalogue is logged, not raised."""
    from gisplan.catalogue import load_catalogue
    from gisplan.errors import ConfigError

    if isinstance(catalogue, Catalogue):
        cat = catalogue
    elif catalogue is not None:
        cat = load_catalogue(Path(catalogue))
    else:
        folder = settings.get().layers_dir
        if not folder.is_dir():
            return None
        try:
            cat = load_catalogue(folder)
        except ConfigError as exc:
            log.warning("yields without the catalogue's region: %s", exc)
            return None
    return cat.region.solar() if cat.region is not None else None


def _specific_yield(
    frame: pd.DataFrame,
    geoms: gpd.GeoSeries,
    profile: Profile,
    params: EnergyParams,
    catalogue: Catalogue | Path | None = None,
) -> pd.DataFrame:
    """Yield [kWh/kWp/yr], ``yield_source`` and ``yield_note`` per site (:func:`gisplan.energy.specific_yield`)."""
    from gisplan.crs import WGS84, transformer
    from gisplan.energy import specific_yield

    column = profile.energy_irradiation
    irradiation = to_float(frame[column]) if column is not None and column in frame.columns else None
    bounds = geoms.bounds.to_numpy()
    lon, lat = transformer(geoms.crs, WGS84).transform(
        (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    )
    return specific_yield(lat, lon, irradiation=irradiation, region=_solar_region(catalogue), params=params)


def score(
    sites: gpd.GeoDataFrame,
    profile: str | Path | Profile = "rooftop_pv",
    *,
    catalogue: Catalogue | Path | None = None,
    layers: Mapping[str, LayerInput] | None = None,
    energy: EnergyParams | None = None,
    usable: UsableAreaParams | None = None,
    language: str | None = None,
    progress: Progress | None = None,
) -> gpd.GeoDataFrame:
    """Score candidate sites with a profile.

    Parameters
    ----------
    sites
        Candidate sites, ideally canonical (from :func:`gisplan.sources.read`).
        Missing canonical columns are filled: ``kind`` from a single-kind
        profile, ``source`` ``"sites"``, ``source_id`` the index. Sites in a
        geographic CRS are reprojected to the working CRS.
    profile
        A profile name (``rooftop_pv``), a YAML path or a :class:`Profile`.
    catalogue
        The layer catalogue, or its folder; default the catalogue of
        ``GISPLAN_LAYERS_DIR``, loaded only if a slot is not in ``layers``.
    layers
        Context layers by slot (see :mod:`gisplan.measures`): GeoDataFrames,
        raster paths or :class:`~gisplan.measurements.raster.RasterLayer`, vector
        paths, or catalogue layer ids.
    energy
        Energy assumptions; defaults on :class:`gisplan.energy.EnergyParams`.
    usable
        Usable-area assumptions; defaults on
        :class:`gisplan.measurements.geometry.UsableAreaParams`.
    language
        Language of the reasons (default ``GISPLAN_LANG``).
    progress
        Called as ``progress(stage, done, total)`` between stages.

    Returns
    -------
    geopandas.GeoDataFrame
        In the working CRS: the canonical columns, then ``profile``,
        ``profile_version``, ``score`` [0–100], ``excluded``,
        ``exclusion_reasons``, ``handicaps`` and ``breakdown`` (JSON text), the
        energy columns ``capacity_kwp`` [kWp], ``yield_kwh_kwp_yr``,
        ``energy_mwh_yr``, ``co2_t_yr``, ``households``, the criteria columns
        (units in their names) and the sites' own attributes.
    """
    from gisplan.energy import EnergyParams, estimate
    from gisplan.measurements.geometry import roof_type, shape_metrics, usable_area
    from gisplan.measures import coverage, mask_uncovered, resolve_layers, run_measures

    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    params = energy or EnergyParams()
    steps = len(prof.measures) + 4

    def report(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, steps)

    report("reading layers", 0)
    base = _canonical(sites, prof)
    resolved = resolve_layers(prof, base.crs, layers=layers, catalogue=catalogue)
    report("geometry", 1)
    roof_col = usable.roof_type_column if usable is not None else "roof_shape"

    def geometry() -> pd.DataFrame:
        return pd.concat([shape_metrics(base), usable_area(base, usable), roof_type(base, roof_col)], axis=1)

    def measured(stage: str, done: int, total: int) -> None:
        report(stage, 2 + done)

    # the geometry columns are computed beside the measures, which fill the other cores
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gisplan-geometry") as side:
        shape = side.submit(geometry)
        measures = run_measures(base, prof, resolved, measured)
        covered = coverage(base, prof, resolved, measures)
        measures = mask_uncovered(measures, covered)
        criteria = pd.concat([shape.result(), measures], axis=1)
    report("energy", 2 + len(prof.measures))
    sun = _specific_yield(criteria, base.geometry, prof, params, catalogue)
    power = estimate(
        criteria["usable_area_m2"].to_numpy(),
        base["kind"].to_numpy(dtype=object),
        sun["yield_kwh_kwp_yr"].to_numpy(),
        params,
        ground_density_mwp_ha=prof.energy.ground_density_mwp_ha,
        max_capacity_kwp=prof.energy.max_capacity_kwp,
    )
    power["yield_source"] = sun["yield_source"].array
    power["yield_note"] = sun["yield_note"].array
    power.index = base.index
    report("scoring", 3 + len(prof.measures))
    frame = pd.concat([criteria, power, base[["kind"]]], axis=1)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for column in prof.site_columns:
        if column not in base.columns:
            msg = (
                f"profile {prof.name!r} uses site column {column!r}; the sites lack it (they have {list(base.columns)})"
            )
            raise InputError(msg)
        frame[column] = base[column]
    placed = ~(base.geometry.isna() | base.geometry.is_empty).to_numpy(dtype=bool)
    located = placed | pd.to_numeric(base["area_m2"], errors="coerce").notna().to_numpy(dtype=bool)
    rules = apply_rules(frame, prof, language=language, covered=covered, located=located)
    out = _assemble(base, prof, rules, power, criteria)
    report("done", steps)
    return out


def _assemble(
    base: gpd.GeoDataFrame, profile: Profile, rules: Rules, power: pd.DataFrame, criteria: pd.DataFrame
) -> gpd.GeoDataFrame:
    import geopandas as gpd

    n = len(base)
    string = pd.ArrowDtype(__import__("pyarrow").string())
    head = pd.DataFrame(index=base.index)
    for column in CANONICAL_COLUMNS:
        head[column] = criteria["area_m2"] if column == "area_m2" else base[column]
    head["profile"] = profile.name
    head["profile_version"] = profile.version
    head["score"] = rules.score
    head["completeness"] = rules.completeness
    head["excluded"] = rules.excluded
    head["exclusion_reasons"] = pd.Series(
        pd.arrays.ArrowExtensionArray(rules.exclusion_reasons), index=base.index, dtype=string
    )
    head["handicaps"] = pd.Series(pd.arrays.ArrowExtensionArray(rules.handicaps), index=base.index, dtype=string)
    head["breakdown"] = pd.Series(pd.arrays.ArrowExtensionArray(rules.breakdown), index=base.index, dtype=string)
    crit = criteria.drop(columns=[c for c in criteria.columns if c == "area_m2"])
    own = [
        c
        for c in base.columns
        if c not in set(head.columns) | set(crit.columns) | set(power.columns) and c != base.geometry.name
    ]
    geometry = base.geometry
    frames = [head, power[list(ENERGY_COLUMNS)], crit, base[own]]
    out = pd.concat(frames, axis=1)
    assert len(out) == n
    return gpd.GeoDataFrame(out, geometry=geometry.values, crs=base.crs)


def write_scored(scored: gpd.GeoDataFrame, path: str | Path, *, layer: str = "sites") -> Path:
    """Write scored sites as a GeoPackage layer (default ``sites``), replacing that layer only.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    import pyogrio

    target = Path(path)
    if target.suffix.lower() != ".gpkg":
        msg = f"{target} must end in .gpkg"
        raise InputError(msg)
    target.parent.mkdir(parents=True, exist_ok=True)
    pyogrio.write_dataframe(scored, target, layer=layer, driver="GPKG", use_arrow=True)
    return target


def applicable_profiles(kind: str, profiles: Sequence[str | Path | Profile] | None = None) -> list[Profile]:
    """The profiles (all of the profiles folder by default) that score sites of ``kind``."""
    loaded = (
        list(load_profiles().values())
        if profiles is None
        else [p if isinstance(p, Profile) else load_profile(p) for p in profiles]
    )
    return [p for p in loaded if kind in p.site_kinds]


@dataclass(frozen=True)
class ProfileRun:
    """One applicable profile's result: the scored sites, or the first line of why it could not score them."""

    profile: Profile
    scored: gpd.GeoDataFrame | None
    problem: str = ""


def score_applicable(
    sites: gpd.GeoDataFrame,
    kind: str,
    *,
    profiles: Sequence[str | Path | Profile] | None = None,
    catalogue: Catalogue | Path | None = None,
    layers: Mapping[str, LayerInput] | None = None,
    language: str | None = None,
) -> list[ProfileRun]:
    """Score ``sites`` (all of ``kind``) with every applicable profile, as :func:`score` does with one.

    A profile that cannot score them (a layer it needs is missing, say) gives a run with
    ``scored=None`` and the reason, and the others still run; one run per applicable profile,
    none when no profile scores ``kind``.
    """
    runs: list[ProfileRun] = []
    for profile in applicable_profiles(kind, profiles):
        try:
            scored = score(sites, profile, catalogue=catalogue, layers=layers, language=language)
        except GisplanError as exc:
            runs.append(ProfileRun(profile, None, str(exc).splitlines()[0]))
        else:
            runs.append(ProfileRun(profile, scored))
    return runs


__all__ = [
    "ProfileRun",
    "Rules",
    "applicable_profiles",
    "apply_rules",
    "evaluate",
    "normalise",
    "score",
    "score_applicable",
    "write_scored",
]
