"""The Dashboard page: a region's or a MAS's pipeline over time, the potential in it, and score distributions.

For planners, animators and admins (municipality users have the Communities
page for their own municipality). The tables come from
:func:`gisplan.monitoring.regional_dashboard`, cached per store revision, so a
rerun without a write in between reads nothing; the charts from
:mod:`gisplan.app.charts_monitoring`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from gisplan._storeframes import StoreFrames
from gisplan.app import auth, shell
from gisplan.app.charts_monitoring import (
    excluded_counts,
    municipality_chart,
    pipeline_chart,
    profile_titles,
    score_chart,
    status_chart,
    status_label,
)
from gisplan.app.i18n import fmt_number, t
from gisplan.app.tables import show_table
from gisplan.errors import GisplanError
from gisplan.funding import region_name
from gisplan.monitoring import Dashboard, regional_dashboard
from gisplan.store import Role, Store, queries

#: Who sees the page.
ROLES: frozenset[Role] = frozenset({Role.ADMIN, Role.ANIMATOR, Role.PLANNER})
#: Territory choices.
SCOPES: tuple[str, ...] = ("all", "region", "mas")


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("dash.heading", lang))
    auth.require_role(ROLES, lang)
    store = auth.get_store()
    profiles = store_profiles(store)
    if not profiles:
        st.info(t("dash.no_scores", lang))
        return
    titles = profile_titles(lang)
    frames = StoreFrames(store)
    left, middle, right = st.columns(3)
    profile = left.selectbox(
        t("chart.profile", lang), options=profiles, format_func=lambda p: titles.get(p, p), key="dash_profile"
    )
    scope = middle.radio(
        t("dash.territory", lang),
        options=list(SCOPES),
        format_func=lambda s: t(f"dash.scope_{s}", lang),
        horizontal=True,
        key="dash_scope",
    )
    region = mas = None
    if scope == "region":
        municipalities = frames.communities("municipality")
        regions = sorted({str(r) for r in municipalities["region_code"].dropna()})
        if not regions:
            st.info(t("dash.no_regions", lang))
            return
        region = right.selectbox(
            t("dash.region", lang), regions, format_func=lambda c: f"{region_name(c)} ({c})", key="dash_region"
        )
    elif scope == "mas":
        all_mas = frames.communities("mas").dropna(subset=["code"])
        if all_mas.empty:
            st.info(t("dash.no_mas", lang))
            return
        names = dict(zip(all_mas["code"].astype(str), all_mas["name"].astype(str), strict=True))
        mas = right.selectbox(t("dash.mas", lang), list(names), format_func=lambda c: names[c], key="dash_mas")
    try:
        dashboard = cached_dashboard(store, profile=profile, region=region, mas=mas)
    except GisplanError as exc:
        st.error(str(exc))
        return
    show_dashboard(dashboard, lang, titles)


def store_profiles(store: Store) -> list[str]:
    """The scoring profiles that have scores in the store, by name."""
    return queries.scored_profiles(store)


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _dashboard(
    url: str, revision: int, *, profile: str, region: str | None, mas: str | None, today: dt.date
) -> Dashboard:
    del url, revision  # only part of the cache key
    return regional_dashboard(auth.get_store(), profile=profile, region=region, mas=mas, today=today)


def cached_dashboard(store: Store, *, profile: str, region: str | None, mas: str | None) -> Dashboard:
    """The dashboard, recomputed only after a write to the store (its revision) or on a new day.

    The cache is shared by all users, which is safe: the dashboard holds no
    per-user data and every role that sees this page may read all of it.
    """
    return _dashboard(store.url, store.revision(), profile=profile, region=region, mas=mas, today=dt.date.today())


def _number(value: float, lang: str, digits: int = 0) -> str:
    return fmt_number(value, lang, digits)


def show_dashboard(dashboard: Dashboard, lang: str, titles: dict[str, str]) -> None:
    """Draw the metrics, the four charts and their tables."""
    sites = dashboard.sites
    potential = dashboard.potential
    live = potential[potential["status"] != "rejected"]
    st.caption(t("dash.summary", lang, sites=len(sites), municipalities=len(dashboard.by_municipality)))
    columns = st.columns(4)
    columns[0].metric(t("dash.sites_live", lang), int((sites["status"] != "rejected").sum()))
    columns[1].metric(t("chart.capacity_mwp", lang), _number(float(live["capacity_mwp"].fillna(0).sum()), lang, 1))
    columns[2].metric(t("chart.energy_mwh_yr", lang), _number(float(live["energy_mwh_yr"].fillna(0).sum()), lang))
    columns[3].metric(t("chart.co2_t_yr", lang), _number(float(live["co2_t_yr"].fillna(0).sum()), lang))
    if sites.empty:
        st.info(t("dash.no_sites", lang))
        return

    st.altair_chart(pipeline_chart(dashboard.pipeline, lang), width="stretch")
    left, right = st.columns(2)
    left.altair_chart(status_chart(potential, lang, value="energy_mwh_yr"), width="stretch")
    right.altair_chart(status_chart(potential, lang, value="sites"), width="stretch")
    if not dashboard.by_municipality.empty:
        st.altair_chart(municipality_chart(dashboard.by_municipality, lang), width="stretch")
    st.altair_chart(score_chart(dashboard.scores, lang, titles), width="stretch")
    excluded = excluded_counts(dashboard.scores)
    if any(excluded.values()):
        st.caption(" · ".join(t("dash.excluded", lang, profile=titles.get(p, p), count=n) for p, n in excluded.items()))
    with st.expander(t("dash.tables", lang)):
        show_table(potential_table(potential, lang), hide_index=True, width="stretch", download="dashboard_potential")
        show_table(
            municipality_table(dashboard.by_municipality, lang),
            hide_index=True,
            width="stretch",
            download="dashboard_municipalities",
        )


def potential_table(potential: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Potential per status, columns titled in ``lang``."""
    return pd.DataFrame(
        {
            t("chart.status", lang): [status_label(s, lang) for s in potential["status"]],
            t("chart.sites", lang): potential["sites"].astype(int),
            t("chart.capacity_mwp", lang): potential["capacity_mwp"].astype(float).round(2),
            t("chart.energy_mwh_yr", lang): potential["energy_mwh_yr"].astype(float).round(0),
            t("chart.co2_t_yr", lang): potential["co2_t_yr"].astype(float).round(0),
        }
    )


def municipality_table(by_municipality: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Potential per municipality, columns titled in ``lang``."""
    return pd.DataFrame(
        {
            t("chart.municipality", lang): by_municipality["municipality_name"].astype(str),
            t("comm.municipality_code", lang): by_municipality["municipality_code"].astype(str),
            t("chart.sites", lang): by_municipality["sites"].astype(int),
            t("chart.capacity_mwp", lang): by_municipality["capacity_mwp"].astype(float).round(2),
            t("chart.energy_mwh_yr", lang): by_municipality["energy_mwh_yr"].astype(float).round(0),
            t("chart.co2_t_yr", lang): by_municipality["co2_t_yr"].astype(float).round(0),
        }
    )
