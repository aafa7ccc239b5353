"""Sections of the Communities page beyond the report: potential against demand, energy poverty, climate actions.

Each function draws one section for a :class:`~gisplan.communities.CommunityReport`;
the page (:mod:`gisplan.app.pages.communities_page`) calls them in order.
"""

from __future__ import annotations

import streamlit as st

from gisplan._storeframes import StoreFrames
from gisplan.app.charts_monitoring import profile_titles
from gisplan.app.i18n import t
from gisplan.communities import CommunityReport
from gisplan.store import Store


def balance_codes(report: CommunityReport) -> list[str]:
    """The municipalities of the choropleth: the community's own, its members' and those of its sites."""
    codes = {str(c) for c in report.members["municipality_code"].dropna()}
    codes |= {str(c) for c in report.sites["municipality_code"].dropna()}
    if report.community["kind"] == "municipality" and report.community.get("code"):
        codes = {str(report.community["code"])}
    return sorted(codes)


def balance_section(store: Store, report: CommunityReport, lang: str) -> None:
    """Potential against demand per municipality: a choropleth and paired bars."""
    from gisplan.app.charts_monitoring import balance_chart
    from gisplan.app.community_map import balance_map, legend
    from gisplan.community_areas import municipality_balance

    if report.potential.empty:
        return
    st.markdown(f"#### {t('comm.balance_heading', lang)}")
    profiles = report.potential.sort_values("energy_mwh_yr", ascending=False)["profile"].astype(str).tolist()
    titles = profile_titles(lang)
    profile = st.selectbox(
        t("comm.balance_profile", lang),
        profiles,
        format_func=lambda p: titles.get(p, p),
        key=f"comm_balance_{report.community['community_id']}",
    )
    frames = StoreFrames(store)
    scores = frames.scores(report.sites["site_id"].tolist(), profile=profile)
    balance = municipality_balance(frames, report.sites, scores, balance_codes(report))
    if balance.empty:
        st.info(t("comm.balance_none", lang))
        return
    from gisplan.app.assets import base_url_for

    folium_map = balance_map(balance, lang, base_url=base_url_for(str(st.get_option("server.baseUrlPath") or "")))
    if folium_map is not None:
        from streamlit_folium import st_folium

        key = f"comm_map_{report.community['community_id']}_{profile}"
        st_folium(folium_map, key=key, height=380, use_container_width=True, returned_objects=[])
        st.caption(legend(lang))
    else:
        st.caption(t("comm.balance_no_outlines", lang))
    st.altair_chart(balance_chart(balance, lang), width="stretch")


def poverty_section(store: Store, report: CommunityReport, lang: str) -> None:
    """The energy poverty indicator of the community's municipalities (newest year), or why it is not shown."""
    import pandas as pd

    from gisplan.app.tables import show_table
    from gisplan.poverty import latest_poverty

    st.markdown(f"#### {t('pov.heading', lang)}")
    codes = balance_codes(report)
    values = latest_poverty(store, codes)
    if values.empty:
        st.caption(t("pov.not_loaded", lang))
        return
    names = dict(zip(report.members["municipality_code"].astype(str), report.members["name"].astype(str), strict=False))
    if report.community["kind"] == "municipality":
        names[str(report.community.get("code"))] = str(report.community["name"])
    table = pd.DataFrame(
        {
            t("col.municipality", lang): [f"{names.get(c, c)} ({c})" for c in values.index],
            t("pov.value", lang): values["value"].astype(float),
            t("pov.unit", lang): values["unit"].astype(str),
            t("pov.year", lang): values["year"].astype(int),
            t("pov.source", lang): values["source"].astype(str),
        }
    )
    show_table(table, hide_index=True, width="stretch", download="energy_poverty")
    missing = len(codes) - len(values)
    if missing > 0:
        st.caption(t("pov.some_missing", lang, count=missing))
