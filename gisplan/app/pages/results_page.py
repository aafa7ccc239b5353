"""The public Results page of budget votes: winners on a map, the full table, CSV and GeoPackage downloads.

Everybody sees closed votes; organisers (admin, animator, municipality) also see
the standing of open ones, marked as such. The counting rule is
:func:`gisplan.participation.results.allocate` and is stated on the page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from gisplan.app import auth, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_number, t
from gisplan.app.pages.submit_page import map_base_url, map_basemap
from gisplan.app.submitmap import shapes_map
from gisplan.errors import GisplanError
from gisplan.participation import VoteResult, list_votes, results, to_csv, to_geopackage
from gisplan.store import Role

ORGANISERS = frozenset({Role.ADMIN, Role.ANIMATOR, Role.MUNICIPALITY})


def _table(result: VoteResult, lang: str) -> pd.DataFrame:
    yes, no = t("part.results.funded_yes", lang), t("part.results.funded_no", lang)
    return pd.DataFrame(
        {
            t("part.col.rank", lang): [r.rank for r in result.rows],
            t("part.col.title", lang): [r.title for r in result.rows],
            t("part.col.category", lang): [t(f"part.category.{r.category}", lang) for r in result.rows],
            t("part.col.votes", lang): [r.votes for r in result.rows],
            t("part.col.cost", lang): [fmt_number(r.cost, lang) for r in result.rows],
            t("part.col.funded", lang): [yes if r.funded else no for r in result.rows],
        }
    )


def _gpkg(result: VoteResult) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = to_geopackage(result, Path(folder) / "results.gpkg")
        return path.read_bytes()


def _show(result: VoteResult, lang: str) -> None:
    vote = result.vote
    if vote.state == "open":
        st.warning(t("part.results.standing", lang))
    money = vote.currency
    st.markdown(
        t(
            "part.results.summary",
            lang,
            ballots=vote.ballots,
            used=vote.codes_used,
            issued=vote.codes_issued,
            spent=f"{fmt_number(result.spent, lang)} {money}",
            budget=f"{fmt_number(vote.budget, lang)} {money}",
        )
    )
    st.caption(t("part.results.rule", lang))
    winners = [r for r in result.winners if r.geom_lonlat is not None]
    st.subheader(t("part.results.map", lang))
    if winners:
        from streamlit_folium import st_folium

        shapes = gpd.GeoSeries([r.geom_lonlat for r in winners], crs="EPSG:4326")
        st_folium(
            shapes_map(shapes, labels=[r.title for r in winners], basemap=map_basemap(), base_url=map_base_url()),
            key=f"results_map_{vote.id}",
            height=420,
            use_container_width=True,
            returned_objects=[],
        )
    else:
        st.caption(t("part.results.no_winner", lang))
    st.subheader(t("part.results.table", lang))
    st.table(_table(result, lang))
    left, right = st.columns(2)
    left.download_button(
        t("part.results.download_csv", lang),
        data=to_csv(result),
        file_name=f"vote_{vote.id}_results.csv",
        mime="text/csv",
        key="results_csv",
        on_click="ignore",
    )
    right.download_button(
        t("part.results.download_gpkg", lang),
        data=_gpkg(result),
        file_name=f"vote_{vote.id}_results.gpkg",
        mime="application/geopackage+sqlite3",
        key="results_gpkg",
        on_click="ignore",
    )


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("part.results.title", lang))
    try:
        user = auth.current_user()
        organiser = user is not None and user.role in ORGANISERS
        votes = [v for v in list_votes(auth.get_store()) if v.state == "closed" or organiser]
        if not votes:
            st.info(t("part.results.none", lang))
            return
        names = {v.id: v.title for v in votes}
        picked = st.selectbox(
            t("part.ballot.choose_vote", lang), options=list(names), format_func=lambda i: names[i], key="res_vote"
        )
        result = results(auth.get_store(), int(picked))
        st.markdown(f"### {escape_markdown(result.vote.title)}")
        _show(result, lang)
    except GisplanError:
        st.error(t("part.err.store", lang))
