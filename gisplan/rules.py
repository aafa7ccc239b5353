"""A profile's rules over measured criteria: score, exclusions, handicaps and the breakdown.

For each site the score is built so that it can be explained line by line:

1. each criterion's raw value is normalised to 0–1 (a ramp or a category
   table) and contributes ``100 × weight × normalised / Σ weights`` points,
   unless the value is not available (no layer reaches the site: no points);
   a value the profile assumes (a named default) is marked as assumed;
2. each handicap met takes its level's penalty off (light, medium, heavy, as in
   ADEME's screening of brownfields), never below 0;
3. a site meeting any exclusion, of a kind the profile does not score, or
   with neither location nor area, is excluded: a last line takes the rest of
   its score away, so it scores 0.

The ``breakdown`` lists those lines as JSON objects ``{criterion, raw, unit,
normalised, weight, contribution, provenance}``; the contributions add up to
``score``, and ``completeness`` is the share of the criteria weight measured.
:func:`gisplan.scoring.score` measures the criteria and applies these rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gisplan import _jsontext as jt
from gisplan import settings
from gisplan._jsontext import Piece
from gisplan.profiles import Condition, Criterion, Profile

if TYPE_CHECKING:
    import pyarrow as pa

#: How a criterion's value came about, per site: read off a layer or the site
#: (including "nothing within the radius" where the layer covers the site), a
#: named default of the profile standing in for a missing value, or neither.
PROVENANCE = ("measured", "assumed", "not_available")
#: Decimals of the contributions and normalised values in the breakdown.
DECIMALS = 4


@dataclass(frozen=True)
class Rules:
    """The outcome of a profile's rules, column by column (one row per site).

    The JSON columns are pyarrow string arrays, chunked when large.
    """

    score: np.ndarray[Any, np.dtype[np.float64]]
    completeness: np.ndarray[Any, np.dtype[np.float64]]
    excluded: np.ndarray[Any, np.dtype[np.bool_]]
    exclusion_reasons: pa.Array | pa.ChunkedArray
    handicaps: pa.Array | pa.ChunkedArray
    breakdown: pa.Array | pa.ChunkedArray


# ---------------------------------------------------------------- normalisation and conditions


def to_float(values: pd.Series) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The values as float64, NaN for anything that is not a number."""
    return np.asarray(pd.to_numeric(values, errors="coerce"), dtype=np.float64)


def normalise(criterion: Criterion, values: pd.Series) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Normalised values [0–1] of a criterion's raw column; missing raw values get ``default``."""
    if criterion.ramp is not None:
        raw = to_float(values)
        bad, good = criterion.ramp.bad, criterion.ramp.good
        with np.errstate(over="ignore", invalid="ignore"):
            out = np.clip((raw - bad) / (good - bad), 0.0, 1.0)
        return np.where(np.isnan(raw), criterion.default, out)
    table = criterion.categories or {}
    codes, keys = pd.factorize(values.astype("string"), use_na_sentinel=True)
    mapped = np.array([float(table.get(k, criterion.default)) for k in keys] + [float(criterion.default)])
    return np.asarray(mapped[codes], dtype=np.float64)  # code -1 (missing) takes the default, last


def evaluate(
    condition: Condition, values: pd.Series, covered: np.ndarray[Any, np.dtype[np.bool_]] | None = None
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Where ``condition`` holds; missing values meet only ``missing``, and only where ``covered``.

    ``covered`` (default: everywhere) says where the layer behind the column
    reaches the site: "no substation within 20 km" is a fact only there.
    """
    missing = values.isna().to_numpy(dtype=bool)
    if condition.op == "missing":
        return missing if covered is None else missing & covered
    value = condition.value
    if condition.op in ("in", "not_in"):
        wanted = [str(v) for v in value] if isinstance(value, list) else []
        hit = values.astype("string").isin(wanted).to_numpy(dtype=bool, na_value=False)
        return (hit if condition.op == "in" else ~hit) & ~missing
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = to_float(values)
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
        return jt.numbers(np.round(to_float(values), 6))
    return jt.labels(values)


def _line(
    criterion: str,
    *,
    raw: Piece | str,
    unit: str,
    normalised: Piece | str,
    weight: float | None,
    contribution: Piece,
    provenance: Piece | None = None,
) -> list[Piece]:
    head = f'{{"criterion": {json.dumps(criterion, ensure_ascii=False)}, "raw": '
    mid = f', "unit": {json.dumps(unit, ensure_ascii=False)}, "normalised": '
    tail = f', "weight": {json.dumps(weight)}, "contribution": '
    parts: list[Piece | str] = [head, raw, mid, normalised, tail, contribution]
    if provenance is not None:
        parts += [', "provenance": ', provenance]
    parts.append("}")
    return [jt.constant(p) if isinstance(p, str) else p for p in parts]


def _provenance_piece(origin: np.ndarray[Any, Any]) -> Piece:
    """The JSON strings of :data:`PROVENANCE` chosen per site by index."""
    import pyarrow as pa

    texts = pa.array([json.dumps(p) for p in PROVENANCE], type=pa.string())
    return Piece(texts, np.asarray(origin, dtype=np.int64))


def provenance(
    criterion: Criterion, values: pd.Series, covered: np.ndarray[Any, np.dtype[np.bool_]] | None = None
) -> np.ndarray[Any, np.dtype[np.int8]]:
    """Per site, the index in :data:`PROVENANCE` of ``criterion``'s value.

    Measured (0): the raw value is there (for a category table, other than
    ``unknown``), or it is missing where the layer behind it covers the site
    (nothing within the radius is a measurement). Otherwise assumed (1) when
    the profile names a stand-in (an explicit ``default``, or an ``unknown``
    category), else not available (2), which contributes nothing.

    Parameters
    ----------
    criterion
        The profile's criterion.
    values
        Its raw column.
    covered
        Where the layer behind the column covers each site; None for columns
        of the site itself (geometry, attributes).
    """
    present = values.notna().to_numpy(dtype=bool)
    if criterion.categories is not None:
        unknown = values.astype("string").str.strip().str.lower().eq("unknown").to_numpy(dtype=bool, na_value=False)
        present = present & ~unknown
    measured = present if covered is None else present | covered
    stand_in = "default" in criterion.model_fields_set or "unknown" in (criterion.categories or {})
    out = np.where(measured, 0, 1 if stand_in else 2)
    return np.asarray(out, dtype=np.int8)


# ---------------------------------------------------------------- rules


BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def _built_in_exclusions(
    frame: pd.DataFrame, profile: Profile, lang: str, located: BoolArray | None
) -> tuple[list[list[Piece]], list[BoolArray | None], BoolArray]:
    """The exclusions every profile has: a kind it does not score, and a site with neither location nor area.

    Their wording is ``exclusion.wrong_kind`` and ``exclusion.no_location`` of the text catalogues.
    """

    def text(key: str, on: BoolArray, **values: object) -> str:
        # the catalogues load only when a site needs the sentence, not on every scoring
        if not on.any():
            return ""  # shown on no site
        from gisplan.texts import t

        return t(key, lang, **values)

    kinds = frame["kind"].astype("string") if "kind" in frame.columns else pd.Series(pd.NA, index=frame.index)
    wrong_kind = ~kinds.isin(list(profile.site_kinds)).to_numpy(dtype=bool, na_value=False)
    kind_reason = text("exclusion.wrong_kind", wrong_kind, profile=profile.name)
    reasons = [[jt.constant(json.dumps(kind_reason, ensure_ascii=False))]]
    reason_on: list[BoolArray | None] = [wrong_kind]
    excluded = wrong_kind.copy()
    if located is not None:
        nowhere = ~np.asarray(located, dtype=bool)
        reasons.append([jt.constant(json.dumps(text("exclusion.no_location", nowhere), ensure_ascii=False))])
        reason_on.append(nowhere)
        excluded |= nowhere
    return reasons, reason_on, excluded


def _points(values: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Contributions to :data:`DECIMALS` places, rounded down, so that they never add up past 100.

    Rounding to nearest can: 66.08997 + 7.61246 + 26.29758 = 100 becomes 66.0900 + 7.6125 +
    26.2976 = 100.0001. The tiny nudge keeps values like 0.29999999999999993 at 0.3.
    """
    scale = 10.0**DECIMALS
    return np.asarray(np.floor(values * scale + 1e-6) / scale, dtype=np.float64)


def apply_rules(
    frame: pd.DataFrame,
    profile: Profile,
    *,
    language: str | None = None,
    covered: Mapping[str, np.ndarray[Any, np.dtype[np.bool_]]] | None = None,
    located: np.ndarray[Any, np.dtype[np.bool_]] | None = None,
) -> Rules:
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
    covered
        Per measure column, where its layer covers each site (from
        :func:`gisplan.measures.coverage`); columns not named are the site's own.
        It sets each criterion's provenance and the ``completeness``, and keeps
        "missing" handicaps and exclusions to the sites the layer covers.
    located
        Per site, whether anything locates or sizes it (a non-empty geometry,
        or a declared area for a register row without coordinates); sites
        with neither are excluded with the reason. None: every site has one.
    """
    lang = language or settings.get().language
    reach = dict(covered or {})
    n = len(frame)
    units = profile.columns()
    total_weight = sum(c.weight for c in profile.criteria)
    running = np.zeros(n)
    measured_weight = np.zeros(n)
    lines: list[list[Piece]] = []
    active: list[np.ndarray[Any, np.dtype[np.bool_]] | None] = []
    for criterion in profile.criteria:
        raw = frame[criterion.column]
        origin = provenance(criterion, raw, reach.get(criterion.column))
        unavailable = origin == 2
        norm = np.round(np.where(unavailable, 0.0, normalise(criterion, raw)), DECIMALS)
        contribution = _points(100.0 * criterion.weight * norm / total_weight)
        running = running + contribution
        measured_weight = measured_weight + np.where(origin == 0, criterion.weight, 0.0)
        unit = criterion.unit if criterion.unit is not None else units.get(criterion.column, "")
        lines.append(
            _line(
                criterion.column,
                raw=_json_raw(raw),
                unit=unit,
                normalised=jt.numbers(np.where(unavailable, np.nan, norm)),
                weight=criterion.weight,
                contribution=jt.numbers(contribution),
                provenance=_provenance_piece(origin),
            )
        )
        active.append(None)

    handicap_items: list[list[Piece]] = []
    handicap_on: list[np.ndarray[Any, np.dtype[np.bool_]] | None] = []
    for handicap in profile.handicaps:
        reached = reach.get(handicap.when.column)
        hit = evaluate(handicap.when, frame[handicap.when.column], reached)
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

    reasons, reason_on, excluded = _built_in_exclusions(frame, profile, lang, located)
    for exclusion in profile.exclusions:
        hit = evaluate(exclusion.when, frame[exclusion.when.column], reach.get(exclusion.when.column))
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
        completeness=np.round(measured_weight / total_weight, 3),
        excluded=excluded,
        exclusion_reasons=jt.json_list(reasons, reason_on, n),
        handicaps=jt.json_list(handicap_items, handicap_on, n),
        breakdown=jt.json_list(lines, active, n),
    )


__all__ = ["DECIMALS", "PROVENANCE", "Rules", "apply_rules", "evaluate", "normalise", "provenance", "to_float"]
