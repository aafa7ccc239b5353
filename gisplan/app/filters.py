"""The Map page's filters and view selection, on a site index in memory.

Plain Python without Streamlit. The index (:func:`gisplan.app.mapdata.load_site_index`)
holds one row per current site scored with the chosen profile: id, kind, name,
municipality, status, area, score, exclusion, capacity and bounding box in the
working metric CRS. Filtering it is a handful of numpy comparisons (about 5 ms
for 100,000 sites), so a filter change never goes back to the database; only the
geometries of the few sites drawn are read from the store.

- :class:`MapFilters`: what the user chose (profile, kinds, municipalities, score
  range, statuses, funding call, excluded or not).
- :func:`filter_mask`: the sites that match.
- :func:`funding_mask`: the sites the funding matcher (:mod:`gisplan.funding`)
  finds eligible for one call.
- :func:`select_view`: the best-scoring matching sites inside the view box.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gisplan.errors import InputError

#: Which sites the "excluded" filter keeps: not excluded by the profile, excluded, or both.
EXCLUDED_MODES: tuple[str, ...] = ("kept", "excluded", "all")
#: Most sites sent to the browser in one view; the best scores are kept. [count]
MAX_SITES_SHOWN = 1500
#: Metres per pixel at zoom 0 on the equator (Web Mercator, 256 px tiles). [m]
_MPP_ZOOM0 = 156_543.034
BBox = tuple[float, float, float, float]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True)
class MapFilters:
    """The filters of the Map page; hashable, so it can key a cache.

    Parameters
    ----------
    profile
        Scoring profile whose scores colour and rank the sites.
    kinds
        Site kinds to show; empty for every kind.
    municipalities
        Municipality codes (kód obce) to show; empty for all.
    score_min, score_max
        Score range, both ends included. [0–100]
    statuses
        Workflow statuses to show; empty for all.
    funding_call
        Code of a funding call: show only sites the matcher finds eligible for it.
    include_unknown
        With ``funding_call``: also show sites whose eligibility is unknown.
    excluded
        ``"kept"`` (not excluded by the profile), ``"excluded"`` or ``"all"``.
    """

    profile: str
    kinds: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    score_min: float = 0.0
    score_max: float = 100.0
    statuses: tuple[str, ...] = ()
    funding_call: str | None = None
    include_unknown: bool = False
    excluded: str = "kept"

    def __post_init__(self) -> None:
        problems = []
        if self.excluded not in EXCLUDED_MODES:
            problems.append(f"excluded={self.excluded!r} is not one of {EXCLUDED_MODES}")
        if not 0.0 <= self.score_min <= self.score_max <= 100.0:
            problems.append(f"score range {self.score_min}–{self.score_max} is not within 0–100 with min <= max")
        if problems:
            msg = "invalid map filters: " + "; ".join(problems)
            raise InputError(msg)


def filter_mask(index: pd.DataFrame, filters: MapFilters, *, eligible: BoolArray | None = None) -> BoolArray:
    """The rows of ``index`` that match ``filters``.

    Parameters
    ----------
    index
        Site index of ``filters.profile`` (columns ``kind``, ``municipality_code``,
        ``status``, ``score``, ``excluded``).
    filters
        The user's choice.
    eligible
        Result of :func:`funding_mask` when a funding call is chosen.
    """
    mask = np.ones(len(index), dtype=bool)
    if filters.kinds:
        mask &= index["kind"].isin(filters.kinds).to_numpy()
    if filters.municipalities:
        mask &= index["municipality_code"].isin(filters.municipalities).to_numpy()
    if filters.statuses:
        mask &= index["status"].isin(filters.statuses).to_numpy()
    score = index["score"].to_numpy(dtype=float, na_value=np.nan)
    mask &= (score >= filters.score_min) & (score <= filters.score_max)
    excluded = index["excluded"].to_numpy(dtype=bool)
    if filters.excluded == "kept":
        mask &= ~excluded
    elif filters.excluded == "excluded":
        mask &= excluded
    if filters.funding_call is not None and eligible is not None:
        mask &= eligible
    return mask


def bbox_mask(index: pd.DataFrame, bbox: BBox | None) -> BoolArray:
    """The rows whose bounding box meets ``bbox`` ``(minx, miny, maxx, maxy)`` [m, working CRS]; all when None."""
    if bbox is None:
        return np.ones(len(index), dtype=bool)
    minx, miny, maxx, maxy = bbox
    return (
        (index["minx"].to_numpy(dtype=float) <= maxx)
        & (index["maxx"].to_numpy(dtype=float) >= minx)
        & (index["miny"].to_numpy(dtype=float) <= maxy)
        & (index["maxy"].to_numpy(dtype=float) >= miny)
    )


@dataclass(frozen=True)
class ViewSelection:
    """The sites drawn in one view, and how many there were to choose from."""

    rows: pd.DataFrame
    """The drawn sites, best score first (at most ``limit``)."""
    in_view: int
    """Matching sites inside the view box. [count]"""
    matching: int
    """Matching sites anywhere. [count]"""


def select_view(
    index: pd.DataFrame, mask: BoolArray, bbox: BBox | None, *, limit: int = MAX_SITES_SHOWN
) -> ViewSelection:
    """The best-scoring matching sites inside ``bbox``, at most ``limit``, best first (ties by id)."""
    in_view = mask & bbox_mask(index, bbox)
    positions = np.flatnonzero(in_view)
    if len(positions) > limit:
        score = index["score"].to_numpy(dtype=float, na_value=-1.0)[positions]
        # a partial sort keeps this linear: only the best ``limit`` are ordered
        best = np.argpartition(-score, limit - 1)[:limit]
        positions = positions[best]
    rows = index.iloc[positions].sort_values(["score", "site_id"], ascending=[False, True], kind="stable")
    return ViewSelection(rows=rows, in_view=int(in_view.sum()), matching=int(mask.sum()))


def extent(index: pd.DataFrame, mask: BoolArray) -> BBox | None:
    """The bounding box of the matching sites [m, working CRS], or None when none match."""
    if not mask.any():
        return None
    rows = index[mask]
    return (
        float(rows["minx"].min()),
        float(rows["miny"].min()),
        float(rows["maxx"].max()),
        float(rows["maxy"].max()),
    )


def metres_per_pixel(zoom: float, lat: float) -> float:
    """Ground size of one map pixel at ``zoom`` and latitude ``lat`` [degrees]. [m]"""
    return float(_MPP_ZOOM0 * math.cos(math.radians(lat)) / 2.0**zoom)


def zoom_to_fit(box: BBox, lat: float, *, width_px: int = 900, height_px: int = 520, max_zoom: int = 17) -> int:
    """The largest whole zoom at which ``box`` [m] fits a map of the given size at latitude ``lat``."""
    width_m = max(box[2] - box[0], 1.0)
    height_m = max(box[3] - box[1], 1.0)
    fit = min(
        math.log2(width_px * _MPP_ZOOM0 * math.cos(math.radians(lat)) / width_m),
        math.log2(height_px * _MPP_ZOOM0 * math.cos(math.radians(lat)) / height_m),
    )
    return max(0, min(max_zoom, math.floor(fit)))


def funding_mask(
    index: pd.DataFrame,
    call: Any,
    *,
    include_unknown: bool = False,
    populations: Mapping[str, float] | None = None,
    places: Any = None,
    today: dt.date | None = None,
) -> BoolArray:
    """The sites the funding matcher finds eligible for ``call`` (and unknown ones, when asked).

    Parameters
    ----------
    index
        Site index (``site_id``, ``kind``, ``area_m2``, ``capacity_kwp``,
        ``municipality_code``, ``region_code``).
    call
        A :class:`gisplan.funding.FundingCall`.
    include_unknown
        Count an ``unknown`` verdict (a fact the rules need is not known) as a match.
    populations
        Inhabitants by municipality code, for population limits. [inhabitants]
    places
        A :class:`gisplan.funding.PlaceLookup` for territory rules.
    today
        Date the intake dates are compared with; default today.

    Notes
    -----
    About 15 µs per site (every rule of one call), so 100,000 sites take about
    1.5 s; the app caches the answer per call and store revision.
    """
    from gisplan.funding import facts_from_row, match_site

    wanted = {"eligible", "unknown"} if include_unknown else {"eligible"}
    pops = populations or {}
    when = today or dt.date.today()
    columns = ["site_id", "kind", "area_m2", "capacity_kwp", "municipality_code", "region_code"]
    records: list[dict[str, Any]] = [
        dict(zip(columns, values, strict=True)) for values in index[columns].itertuples(index=False, name=None)
    ]
    out = np.zeros(len(records), dtype=bool)
    for i, row in enumerate(records):
        code = row["municipality_code"]
        row["municipality_population"] = pops.get(str(code)) if code is not None else None
        facts = facts_from_row(row)
        out[i] = match_site(facts, [call], today=when, places=places)[0].verdict in wanted
    return out


__all__ = [
    "EXCLUDED_MODES",
    "MAX_SITES_SHOWN",
    "MapFilters",
    "ViewSelection",
    "bbox_mask",
    "extent",
    "filter_mask",
    "funding_mask",
    "metres_per_pixel",
    "select_view",
    "zoom_to_fit",
]
