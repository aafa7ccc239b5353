"""Monitoring: the regional pipeline over time, the potential in it, chart data and the SECAP export.

- :func:`pipeline_over_time` replays the store's status history: how many sites
  were in each workflow status at the end of each month (or at given dates).
- :func:`pipeline_potential` sums capacity, output and avoided CO2 per status.
- :func:`potential_by_municipality` and :func:`score_distribution` are the tidy
  tables the dashboard charts plot.
- :func:`regional_dashboard` gathers them for a region (NUTS 3) or a MAS.
- :func:`secap_actions` and :func:`write_secap` (from :mod:`gisplan.secap`) list a
  municipality's climate-plan actions for Covenant of Mayors (SECAP) reporting.

All functions but the ``regional_dashboard``/``secap_actions`` shells are pure
functions of DataFrames (see :mod:`gisplan._storeframes` for their columns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gisplan._storeframes import PipelineSource, StoreFrames
from gisplan.communities import STATUS_ORDER, sites_by_status
from gisplan.errors import InputError, NotFoundError
from gisplan.secap import ACTION_STATUSES, SECAP_COLUMNS, SECAP_STATUS, secap_actions, write_secap
from gisplan.store import Store


# ------------------------------------------------------------------------------------- over time
def _utc(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values)
    if getattr(stamps.dt, "tz", None) is None:
        return stamps.dt.tz_localize("UTC")
    return stamps.dt.tz_convert("UTC")


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every month from ``start``'s month to ``end``'s month."""
    return [p.end_time.date() for p in pd.period_range(start, end, freq="M")]


def status_at(sites: pd.DataFrame, changes: pd.DataFrame, when: dt.date) -> pd.Series:
    """Each site's workflow status at the end of day ``when`` [UTC], or missing if it did not exist then.

    A site's status before its first recorded move is that move's ``from_status``;
    a site never moved has its current status since it was first seen.
    """
    cutoff = pd.Timestamp(when, tz="UTC") + pd.Timedelta(days=1)
    ids = sites["site_id"]
    first_seen = _utc(sites["first_seen"]).to_numpy()
    ended = pd.to_datetime(sites["end_date"]).dt.tz_localize("UTC")
    exists = (first_seen < cutoff) & ~(ended < cutoff).to_numpy()
    current = pd.Series(sites["status"].to_numpy(), index=ids)
    if len(changes):
        moves = changes.assign(changed_at=_utc(changes["changed_at"]))
        initial = moves.groupby("site_id")["from_status"].first()
        done = moves[moves["changed_at"] < cutoff].groupby("site_id")["to_status"].last()
        current = done.reindex(ids).fillna(initial.reindex(ids)).fillna(current)
    result = current.reindex(ids)
    result[~exists] = pd.NA
    return result


def pipeline_over_time(sites: pd.DataFrame, changes: pd.DataFrame, dates: Sequence[dt.date]) -> pd.DataFrame:
    """How many sites were in each status at the end of each date (tidy, for a stacked chart).

    Returns
    -------
    pandas.DataFrame
        ``date``, ``status`` (pipeline order, every status at every date) and ``sites``.
    """
    frames = []
    for when in dates:
        present = status_at(sites, changes, when).dropna()
        counts = sites_by_status(pd.DataFrame({"status": present.to_numpy()}))
        frames.append(counts.assign(date=when))
    if not frames:
        return pd.DataFrame(columns=["date", "status", "sites"])
    return pd.concat(frames, ignore_index=True)[["date", "status", "sites"]]


def pipeline_potential(sites: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Potential in the pipeline per status: sites, capacity [MWp], output [MWh/yr], avoided CO2 [tCO2/yr].

    ``scores`` should hold one profile (or one row per site); excluded scores count as zero potential.
    """
    kept = scores[~scores["excluded"].astype(bool)]
    merged = sites[["site_id", "status"]].merge(kept, on="site_id", how="left")
    grouped = merged.groupby("status").agg(
        sites=("site_id", "nunique"),
        capacity_kwp=("capacity_kwp", "sum"),
        energy_mwh_yr=("energy_mwh_yr", "sum"),
        co2_t_yr=("co2_t_yr", "sum"),
    )
    order = [s for s in STATUS_ORDER if s in grouped.index] + sorted(set(grouped.index) - set(STATUS_ORDER))
    out = grouped.reindex(order).reset_index()
    out["capacity_mwp"] = out.pop("capacity_kwp") / 1000.0
    return out[["status", "sites", "capacity_mwp", "energy_mwh_yr", "co2_t_yr"]]


# ------------------------------------------------------------------------------------- chart data
def potential_by_municipality(
    sites: pd.DataFrame, scores: pd.DataFrame, municipalities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Potential per municipality (non-rejected sites, non-excluded scores of one profile), largest first.

    Returns
    -------
    pandas.DataFrame
        ``municipality_code``, ``municipality_name`` (from ``municipalities`` with
        ``code``/``name`` columns, else the code), ``sites``, ``capacity_mwp``,
        ``energy_mwh_yr``, ``co2_t_yr``.
    """
    live = sites[sites["status"] != "rejected"]
    kept = scores[~scores["excluded"].astype(bool)]
    merged = live[["site_id", "municipality_code"]].merge(kept, on="site_id", how="inner")
    merged["municipality_code"] = merged["municipality_code"].fillna("(unknown)")
    grouped = merged.groupby("municipality_code").agg(
        sites=("site_id", "nunique"),
        capacity_kwp=("capacity_kwp", "sum"),
        energy_mwh_yr=("energy_mwh_yr", "sum"),
        co2_t_yr=("co2_t_yr", "sum"),
    )
    out = grouped.reset_index()
    out["capacity_mwp"] = out.pop("capacity_kwp") / 1000.0
    names: dict[str, str] = {}
    if municipalities is not None and len(municipalities):
        names = dict(zip(municipalities["code"].astype(str), municipalities["name"].astype(str), strict=False))
    out["municipality_name"] = [names.get(str(c), str(c)) for c in out["municipality_code"]]
    out = out.sort_values(["energy_mwh_yr", "municipality_code"], ascending=[False, True], ignore_index=True)
    return out[["municipality_code", "municipality_name", "sites", "capacity_mwp", "energy_mwh_yr", "co2_t_yr"]]


def score_distribution(scores: pd.DataFrame, *, bins: int = 10) -> pd.DataFrame:
    """Histogram of scores 0–100 per profile (excluded sites counted apart), tidy for a bar chart.

    Returns
    -------
    pandas.DataFrame
        ``profile``, ``bin_start``, ``bin_end`` [score points], ``sites``; plus one row per profile
        with ``bin_start``/``bin_end`` missing for the excluded sites.
    """
    if bins < 1:
        msg = f"bins must be >= 1, not {bins}"
        raise InputError(msg)
    edges = np.linspace(0.0, 100.0, bins + 1)
    rows = []
    for profile, group in scores.groupby("profile", sort=True):
        excluded = group["excluded"].astype(bool)
        values = group.loc[~excluded, "score"].dropna().clip(0.0, 100.0).to_numpy(dtype=float)
        counts, _ = np.histogram(values, bins=edges)
        rows += [
            {"profile": profile, "bin_start": edges[i], "bin_end": edges[i + 1], "sites": int(counts[i])}
            for i in range(bins)
        ]
        rows.append({"profile": profile, "bin_start": np.nan, "bin_end": np.nan, "sites": int(excluded.sum())})
    return pd.DataFrame(rows, columns=["profile", "bin_start", "bin_end", "sites"])


# ------------------------------------------------------------------------------------ dashboard
@dataclass(frozen=True)
class Dashboard:
    """The regional dashboard's tables."""

    territory: str
    sites: pd.DataFrame
    pipeline: pd.DataFrame
    potential: pd.DataFrame
    by_municipality: pd.DataFrame
    scores: pd.DataFrame


def _frames(source: Store | PipelineSource) -> PipelineSource:
    return StoreFrames(source) if isinstance(source, Store) else source


def territory_municipalities(source: PipelineSource, *, region: str | None = None, mas: str | None = None) -> set[str]:
    """Municipality codes of a region (from the municipality communities) or of a MAS (its members).

    Raises
    ------
    NotFoundError
        If the MAS code is unknown.
    """
    if mas is not None:
        all_mas = source.communities("mas")
        found = all_mas[all_mas["code"] == mas]
        if found.empty:
            msg = f"there is no MAS with code {mas!r}; known: {sorted(all_mas['code'].dropna().tolist())}"
            raise NotFoundError(msg)
        members = source.members(int(found.iloc[0]["community_id"]))
        return {str(c) for c in members["municipality_code"].dropna()}
    municipalities = source.communities("municipality")
    if region is not None:
        municipalities = municipalities[municipalities["region_code"] == region]
    return {str(c) for c in municipalities["code"].dropna()}


def regional_dashboard(
    source: Store | PipelineSource,
    *,
    profile: str,
    region: str | None = None,
    mas: str | None = None,
    dates: Sequence[dt.date] | None = None,
    today: dt.date | None = None,
) -> Dashboard:
    """The dashboard of a region (NUTS 3 code) or a MAS, or of everything when neither is given.

    A region holds the sites whose ``region_code`` is the region, plus those in its
    municipalities (municipality communities with that ``region_code``). Dates
    default to the month ends from the first site's month to ``today``.
    """
    if region is not None and mas is not None:
        msg = "give a region or a MAS, not both"
        raise InputError(msg)
    frames = _frames(source)
    sites = frames.sites()
    label = "all sites"
    if region is not None or mas is not None:
        codes = territory_municipalities(frames, region=region, mas=mas)
        inside = sites["municipality_code"].isin(codes)
        if region is not None:
            inside |= sites["region_code"] == region
        sites = sites[inside].reset_index(drop=True)
        label = f"region {region}" if region is not None else f"MAS {mas}"
    ids = sites["site_id"].tolist()
    changes = frames.status_changes(ids)
    scores = frames.scores(ids, profile=profile)
    when = today or dt.date.today()
    if dates is None:
        first = _utc(sites["first_seen"]).min() if len(sites) else pd.Timestamp(when, tz="UTC")
        dates = month_ends(first.date(), when)
    current = sites[sites["end_date"].isna()]
    municipalities = frames.communities("municipality")
    return Dashboard(
        territory=label,
        sites=current.reset_index(drop=True),
        pipeline=pipeline_over_time(sites, changes, dates),
        potential=pipeline_potential(current, scores),
        by_municipality=potential_by_municipality(current, scores, municipalities),
        scores=score_distribution(scores[scores["site_id"].isin(current["site_id"])]),
    )


__all__ = [
    "ACTION_STATUSES",
    "SECAP_COLUMNS",
    "SECAP_STATUS",
    "Dashboard",
    "month_ends",
    "pipeline_over_time",
    "pipeline_potential",
    "potential_by_municipality",
    "regional_dashboard",
    "score_distribution",
    "secap_actions",
    "status_at",
    "territory_municipalities",
    "write_secap",
]
