"""Funding for a whole shortlist on the Funding calls page: a table and a chart of sites × calls.

The same matcher as ``gisplan funding match --shortlist NAME``
(:func:`gisplan.funding.facts_for_sites`, :func:`gisplan.funding.match_sites`),
with the verdicts in the reader's language. Programme-level pointers are not
calls: they get no column and are listed apart. Saving records the eligible and
to-check verdicts as site–call links under the user who clicks (the store checks
their role and scope per site and audits each write).

Shortlists are listed only to roles that may export, as on the export page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from gisplan import funding
from gisplan.app import auth, sitefunding
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.app.tables import may_export, show_table
from gisplan.errors import GisplanError
from gisplan.funding import FundingCall, SiteMatches
from gisplan.store import Store
from gisplan.store import permissions as perm
from gisplan.workflows import shortlists as sl

#: Session-state key of the chosen shortlist and of the matches shown (shortlist name, version).
_PICK = "fund_matrix_pick"
_RESULT = "fund_matrix_result"
#: Verdict -> chart colour (eligible green, to check amber, not eligible grey).
VERDICT_COLORS = {"eligible": "#2e7d32", "unknown": "#f9a825", "not_eligible": "#bdbdbd"}


def matrix_frame(results: Sequence[SiteMatches], calls: Sequence[FundingCall], lang: str) -> pd.DataFrame:
    """Sites × calls in ``lang``: the site's rank, name and municipality, one column per call, the counts.

    Column headers of calls are the call ids (titles are long; the chart and the
    call list name them); cells are the translated verdicts, empty when the call
    was not rated for the site.
    """
    words = {v: t(f"verdict.{v}", lang) for v in VERDICT_COLORS}
    rows: list[dict[str, Any]] = []
    for rank, result in enumerate(results, start=1):
        verdicts = result.verdicts()
        row: dict[str, Any] = {
            t("fmatrix.rank", lang): rank,
            t("col.name", lang): result.name,
            t("col.municipality", lang): result.municipality_code or "",
        }
        row |= {call.id: words.get(verdicts.get(call.id, ""), "") for call in calls}
        row[t("verdict.eligible", lang)] = sum(v == "eligible" for v in verdicts.values())
        row[t("verdict.unknown", lang)] = sum(v == "unknown" for v in verdicts.values())
        rows.append(row)
    columns = [t("fmatrix.rank", lang), t("col.name", lang), t("col.municipality", lang), *(c.id for c in calls)]
    columns += [t("verdict.eligible", lang), t("verdict.unknown", lang)]
    return pd.DataFrame(rows, columns=columns)


def matrix_long(results: Sequence[SiteMatches], calls: Sequence[FundingCall], lang: str) -> pd.DataFrame:
    """The verdicts one per row (site, call title, verdict code and word), for the chart."""
    rows = [
        {
            "site": f"{rank}. {result.name}",
            "call": call.title.get(lang),
            "verdict": verdict,
            "word": t(f"verdict.{verdict}", lang),
        }
        for rank, result in enumerate(results, start=1)
        for call in calls
        if (verdict := result.verdicts().get(call.id)) in VERDICT_COLORS
    ]
    return pd.DataFrame(rows, columns=["site", "call", "verdict", "word"])


def _chart(long: pd.DataFrame, lang: str) -> Any:
    import altair as alt

    order = list(dict.fromkeys(long["site"]))
    calls = list(dict.fromkeys(long["call"]))
    return (
        alt.Chart(long)
        .mark_rect(stroke="white")
        .encode(
            x=alt.X("call:N", sort=calls, title=t("fund.call", lang), axis=alt.Axis(labelLimit=220, labelAngle=-40)),
            y=alt.Y("site:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(
                "word:N",
                title=t("fund.verdict", lang),
                scale=alt.Scale(
                    domain=[t(f"verdict.{v}", lang) for v in VERDICT_COLORS], range=list(VERDICT_COLORS.values())
                ),
            ),
            tooltip=[
                alt.Tooltip("site:N"),
                alt.Tooltip("call:N"),
                alt.Tooltip("word:N", title=t("fund.verdict", lang)),
            ],
        )
        .properties(height=max(160, 22 * len(order)))
    )


def match_shortlist(store: Store, name: str) -> list[SiteMatches]:
    """Every site of shortlist ``name`` (best score first) rated for every call of the catalogue.

    Raises
    ------
    NotFoundError
        If the shortlist does not exist.
    ConfigError
        If the catalogue is invalid.
    """
    info = sl.get_shortlist(store, name)
    ids = [str(row["site_id"]) for row in sl.member_table(store, name)]
    sites = funding.facts_for_sites(store, ids, profile=info.profile)
    codes = sorted({f.municipality_code for _, f in sites if f.municipality_code})
    demo = [c for c in codes if c.startswith(sitefunding.DEMO_CODE_PREFIX)]
    places = funding.demo_places(demo) if demo else funding.PlaceLookup()
    return funding.match_sites(sites, sitefunding.catalogue(), places=places)


def save_links(store: Store, user_id: int, results: Sequence[SiteMatches]) -> tuple[int, list[str]]:
    """Record the eligible and to-check verdicts as links under ``user_id``; return (links written, refusals).

    Each site is its own transaction, checked by the store: a site outside the
    user's scope is refused (and audited) and named in the refusals, the others
    are saved.
    """
    written, refused = 0, []
    for result in results:
        try:
            written += funding.record_matches(store, user_id, result.site_id, result.matches)
        except GisplanError as exc:
            refused.append(f"{result.name}: {exc}")
    return written, refused


def render(store: Store, user: auth.SessionUser, lang: str) -> None:
    """Draw the section: pick a shortlist, see its sites × calls, save the links (writers only)."""
    if not may_export(user):
        return
    st.markdown(f"#### {t('fmatrix.heading', lang)}")
    shortlists = sl.list_shortlists(store)
    if not shortlists:
        st.info(t("fmatrix.no_shortlists", lang))
        return
    names = [s.name for s in shortlists]
    chosen = st.selectbox(t("fmatrix.pick", lang), names, index=None, key=_PICK)
    if chosen is None:
        st.caption(t("fmatrix.hint", lang))
        return
    info = next(s for s in shortlists if s.name == chosen)
    key = (info.name, info.version)
    cached = st.session_state.get(_RESULT)
    if not cached or cached[0] != key:
        with st.spinner(t("fmatrix.matching", lang, n=info.size)):
            try:
                results = match_shortlist(store, info.name)
            except GisplanError as exc:
                st.error(t("fmatrix.failed", lang, reason=escape_markdown(str(exc))))
                return
        st.session_state[_RESULT] = (key, results)
    else:
        results = cached[1]
    _show(store, user, results, lang)


def _show(store: Store, user: auth.SessionUser, results: list[SiteMatches], lang: str) -> None:
    if not results:
        st.info(t("fmatrix.empty", lang))
        return
    calls = funding.table_calls(results, drop_closed=True)
    st.caption(t("fmatrix.summary", lang, sites=len(results), calls=len(calls)))
    long = matrix_long(results, calls, lang)
    if not long.empty:
        st.altair_chart(_chart(long, lang), use_container_width=True)
    show_table(matrix_frame(results, calls, lang), hide_index=True, width="stretch", download="funding_matrix")
    pointers = funding.programmes(sitefunding.catalogue())
    if pointers:
        st.caption(t("fmatrix.programmes", lang))
        st.markdown("\n".join(f"- {escape_markdown(c.title.get(lang))}" for c in pointers))
    if not perm.role_allows(user.role, perm.Action.SITE_LINK):
        return
    if st.button(t("fmatrix.save", lang), key="fund_matrix_save", icon=":material/link:"):
        written, refused = save_links(store, user.id, results)
        st.success(t("fmatrix.saved", lang, n=written, user=escape_markdown(user.label)))
        for line in refused:
            st.warning(escape_markdown(line))


__all__ = ["VERDICT_COLORS", "match_shortlist", "matrix_frame", "matrix_long", "render", "save_links"]
