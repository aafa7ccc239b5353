"""Score sites with a profile: exclusions, graded handicaps, weighted criteria.

For each site the score is built so that it can be explained line by line:

1. each criterion's raw value is normalised to 0–1 (a ramp or a category
   table) and contributes ``100 × weight × normalised / Σ weights`` points;
2. each handicap met takes its level's penalty off (light, medium, heavy, as in
   ADEME's screening of brownfields), never below 0;
3. a site meeting any exclusion, or of a kind the profile does not score, is
   excluded: a last line takes the rest of its score away, so it scores 0.

The ``breakdown`` lists those lines as JSON objects ``{criterion, raw, unit,
normalised, weight, contribution}``; the contributions add up to ``score``.

:func:`score` returns the scored GeoDataFrame in the column order of the
scored GeoPackage contract (layer ``sites``), which :func:`write_geopackage`
writes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gisplan import _jsontext as jt
from gisplan import settings
from gisplan._jsontext import Piece
from gisplan.catalogue import CANONICAL_COLUMNS, Catalogue
from gisplan.errors import InputError
from gisplan.profiles import Condition, Criterion, Profile, load_profile

if TYPE_CHECKING:
    import geopandas as gpd
    import pyarrow as pa

    from gisplan.criteria.geometry import UsableAreaParams
    from gisplan.energy import EnergyParams
    from gisplan.measures import LayerInput, Progress

log = logging.getLogger(__name__)

RESULT_COLUMNS = ("profile", "profile_version", "score", "excluded", "exclusion_reasons", "handicaps", "breakdown")
ENERGY_COLUMNS = ("capacity_kwp", "yield_kwh_kwp_yr", "energy_mwh_yr", "co2_t_yr", "households")
#: Decimals of the contributions and normalised values in the breakdown.
DECIMALS = 4


@dataclass(frozen=True)
class Rules:
    """The outcome of a profile's rules, column by column (one row per site).

    The JSON columns are pyarrow string arrays, chunked when large.
    """

    score: np.ndarray[Any, np.dtype[np.float64]]
    excluded: np.ndarray[Any, np.dtype[np.bool_]]
    exclusion_reasons: pa.Array | pa.ChunkedArray
    handicaps: pa.Array | pa.ChunkedArray
    breakdown: pa.Array | pa.ChunkedArray


# ---------------------------------------------------------------- normalisation and conditions


def _numeric(values: pd.Series) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.asarray(pd.to_numeric(values, errors="coerce"), dtype=np.float64)


def normalise(criterion: Criterion, values: pd.Series) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Normalised values [0–1] of a criterion's raw column; missing raw values get ``default``."""
    if criterion.ramp is not None:
        raw = _numeric(values)
        bad, good = criterion.ramp.bad, criterion.ramp.good
        with np.errstate(over="ignore", invalid="ignore"):
            out = np.clip((raw - bad) / (good - bad), 0.0, 1.0)
        return np.where(np.isnan(raw), criterion.default, out)
    table = criterion.categories or {}
    codes, keys = pd.factorize(values.astype("string"), use_na_sentinel=True)
    mapped = np.array([float(table.get(k, criterion.default)) for k in keys] + [float(criterion.default)])
    return np.asarray(mapped[codes], dtype=np.float64)  # code -1 (missing) takes the default, last


def evaluate(condition: Condition, values: pd.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Where ``condition`` holds; missing values meet only ``missing``."""
    missing = values.isna().to_numpy(dtype=bool)
    if condition.op == "missing":
        return missing
    value = condition.value
    if condition.op in ("in", "not_in"):
        wanted = [str(v) for v in value] if isinstance(value, list) else []
        hit = values.astype("string").isin(wanted).to_numpy(dtype=bool, na_value=False)
        return (hit if condition.op == "in" else ~hit) & ~missing
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = _numeric(values)
        ops = {
            ">": np.greater,
            ">=": np.greater_equal,
            "<": np.less,
            "<=": np.less_equal,
            "==": np.equal,
            "!=": np.not_equal,
        }
        with np.errstate(invalid="ignore"):
            result = np.asarray(ops[condition.op](raw, float(value)), dtype=bool)
        return np.asarray(result & ~np.isnan(raw), dtype=bool)
    text = values.astype("string")
    equal = (text == str(value)).to_numpy(dtype=bool, na_value=False)
    return (equal if condition.op == "==" else ~equal) & ~missing


# ---------------------------------------------------------------- JSON texts (see gisplan._jsontext)


def _json_raw(values: pd.Series) -> Piece:
    """JSON text of raw values: numbers as numbers, anything else as strings, missing as null."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return jt.numbers(np.round(_numeric(values), 6))
    return jt.labels(values)


def _line(
    criterion: str,
    *,
    raw: Piece | str,
    unit: str,
    normalised: Piece | str,
    weight: float | None,
    contribution: Piece,
) -> list[Piece]:
    head = f'{{"criterion": {json.dumps(criterion, ensure_ascii=False)}, "raw": '
    mid = f', "unit": {json.dumps(unit, ensure_ascii=False)}, "normalised": '
    tail = f', "weight": {json.dumps(weight)}, "contribution": '
    parts = [head, raw, mid, normalised, tail, contribution, "}"]
    return [jt.constant(p) if isinstance(p, str) else p for p in parts]


# ---------------------------------------------------------------- rules


def apply_rules(frame: pd.DataFrame, profile: Profile, *, language: str | None = None) -> Rules:
    """Score, exclusion and breakdown of every site of ``frame`` under ``profile``.

    Parameters
    ----------
    frame
        Sites with every column the profile uses (see :meth:`Profile.columns`)
        and ``kind``.
    profile
        The scoring profile.
    language
        Language of the reasons (default the ``GISPLAN_LANG`` setting).
    """
    lang = language or settings.get().language
    n = len(frame)
    units = profile.columns()
    total_weight = sum(c.weight for c in profile.criteria)
    running = np.zeros(n)
    lines: list[list[Piece]] = []
    active: list[np.ndarray[Any, np.dtype[np.bool_]] | None] = []
    for criterion in profile.criteria:
        raw = frame[criterion.column]
        norm = np.round(normalise(criterion, raw), DECIMALS)
        contribution = np.round(100.0 * criterion.weight * norm / total_weight, DECIMALS)
        running = running + contribution
        unit = criterion.unit if criterion.unit is not None else units.get(criterion.column, "")
        lines.append(
            _line(
                criterion.column,
                raw=_json_raw(raw),
                unit=unit,
                normalised=jt.numbers(norm),
                weight=criterion.weight,
                contribution=jt.numbers(contribution),
            )
        )
        active.append(None)

    handicap_items: list[list[Piece]] = []
    handicap_on: list[np.ndarray[Any, np.dtype[np.bool_]] | None] = []
    for handicap in profile.handicaps:
        hit = evaluate(handicap.when, frame[handicap.when.column])
        penalty = float(getattr(profile.penalties, handicap.level))
        taken = np.where(hit, np.minimum(penalty, running), 0.0)
        running = running - taken
        reason = handicap.reason.get(lang)
        item = {"name": handicap.id, "level": handicap.level, "penalty": penalty, "reason": reason}
        handicap_items.append([jt.constant(json.dumps(item, ensure_ascii=False))])
        handicap_on.append(hit)
        unit = units.get(handicap.when.column, "")
        lines.append(
            _line(
                f"handicap:{handicap.id}",
                raw=_json_raw(frame[handicap.when.column]),
                unit=unit,
                normalised="null",
                weight=None,
                contribution=jt.numbers(-taken),
            )
        )
        active.append(hit)

    reasons: list[list[Piece]] = []
    reason_on: list[np.ndarray[Any, np.dtype[np.bool_]] | None] = []
    kinds = frame["kind"].astype("string") if "kind" in frame.columns else pd.Series(pd.NA, index=frame.index)
    wrong_kind = ~kinds.isin(list(profile.site_kinds)).to_numpy(dtype=bool, na_value=False)
    kind_reason = {
        "cs": f"Profil {profile.name} nehodnotí tento druh lokality",
        "en": f"Profile {profile.name} does not score this kind of site",
    }
    reasons.append([jt.constant(json.dumps(kind_reason.get(lang, kind_reason["en"]), ensure_ascii=False))])
    reason_on.append(wrong_kind)
    excluded = wrong_kind.copy()
    for exclusion in profile.exclusions:
        hit = evaluate(exclusion.when, frame[exclusion.when.column])
        reasons.append([jt.constant(json.dumps(exclusion.reason.get(lang), ensure_ascii=False))])
        reason_on.append(hit)
        excluded |= hit
    taken = np.where(excluded, running, 0.0)
    lines.append(
        _line("exclusion", raw="null", unit="", normalised="null", weight=None, contribution=jt.numbers(-taken))
    )
    active.append(excluded)
    running = running - taken

    return Rules(
        score=np.maximum(running, 0.0),
        excluded=excluded,
        exclusion_reasons=jt.json_list(reasons, reason_on, n),
        handicaps=jt.json_list(handicap_items, handicap_on, n),
        breakdown=jt.json_list(lines, active, n),
    )


# ---------------------------------------------------------------- the public API


def _canonical(sites: gpd.GeoDataFrame, profile: Profile) -> gpd.GeoDataFrame:
    """Sites in the working CRS with every canonical column, filled in where missing."""
    from gisplan.crs import is_metric, parse_crs, to_working

    if sites.crs is None:
        msg = "the sites have no CRS; set one (gdf.set_crs) or read them with gisplan.sources.read"
        raise InputError(msg)
    out = sites if is_metric(parse_crs(sites.crs)) else to_working(sites)
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
    return out


def _specific_yield(frame: pd.DataFrame, geoms: gpd.GeoSeries, profile: Profile, params: EnergyParams) -> Any:
    from gisplan.energy import yield_from_irradiation, yield_pvlib

    spec = np.full(len(frame), np.nan)
    if profile.energy_irradiation is not None:
        spec = yield_from_irradiation(_numeric(frame[profile.energy_irradiation]), params)
    gap = np.isnan(spec)
    if gap.any():
        # no raster value: pvlib's models at the site's location
        from gisplan.crs import WGS84, transformer

        bounds = geoms.bounds.to_numpy()[gap]
        tr = transformer(geoms.crs, WGS84)
        lon, lat = tr.transform((bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2)
        spec[gap] = yield_pvlib(lat, lon, params)
    return spec


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
        raster paths or :class:`~gisplan.criteria.raster.RasterLayer`, vector
        paths, or catalogue layer ids.
    energy
        Energy assumptions; defaults on :class:`gisplan.energy.EnergyParams`.
    usable
        Usable-area assumptions; defaults on
        :class:`gisplan.criteria.geometry.UsableAreaParams`.
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
    from gisplan.criteria.geometry import roof_type, shape_metrics, usable_area
    from gisplan.energy import EnergyParams, estimate
    from gisplan.measures import resolve_layers, run_measures

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
        criteria = pd.concat([shape.result(), measures], axis=1)
    report("energy", 2 + len(prof.measures))
    spec = _specific_yield(criteria, base.geometry, prof, params)
    power = estimate(criteria["usable_area_m2"].to_numpy(), base["kind"].to_numpy(dtype=object), spec, params)
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
    rules = apply_rules(frame, prof, language=language)
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


def write_geopackage(scored: gpd.GeoDataFrame, path: str | Path, *, layer: str = "sites") -> Path:
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


__all__ = ["Rules", "apply_rules", "evaluate", "normalise", "score", "write_geopackage"]
