"""The Proposals page of organisers: moderate residents' proposals, open a budget vote, issue codes, close it.

Shown to admins, animators and municipality users; the store checks on every
write that the proposal or vote lies in the user's territory and audits it.

- **Moderation**: each pending proposal with its place, text and photo; accept
  with an estimated cost, or reject with a note the resident reads on the follow link.
- **Open a vote**: accepted proposals with a cost, a name, a budget and the
  number of one-time codes; the codes are shown once, to download as CSV.
- **Votes**: the open votes with their counts, and a button to close each.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from gisplan.app import auth, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_number, t
from gisplan.app.pages.submit_page import map_base_url, map_basemap
from gisplan.app.submitmap import shapes_map
from gisplan.errors import ConflictError, GisplanError, InputError, PermissionDeniedError
from gisplan.participation import (
    ProposalView,
    close_vote,
    issue_codes,
    list_proposals,
    list_votes,
    moderate_proposal,
    open_vote,
    photo_of,
)
from gisplan.store import Role

ROLES = frozenset({Role.ADMIN, Role.ANIMATOR, Role.MUNICIPALITY})
#: Session-state key of the codes just issued (shown once).
CODES = "pp_codes"
#: Session-state key of the last outcome message.
OUTCOME = "pp_outcome"
CURRENCIES = ("CZK", "EUR", "HUF", "PLN", "DKK")


def _moderate(item: ProposalView, decision: str, cost: float, note: str, lang: str) -> None:
    user = auth.require_role(ROLES, lang)
    if decision == "rejected" and not note.strip():
        st.session_state[OUTCOME] = ("error", t("part.mod.need_reason", lang))
        return
    try:
        moderate_proposal(
            auth.get_store(),
            user.id,
            item.id,
            decision,
            expected_version=item.version,
            feedback=note,
            estimated_cost=cost if cost > 0 else None,
        )
    except PermissionDeniedError:
        st.session_state[OUTCOME] = ("error", t("part.mod.denied", lang))
    except ConflictError:
        st.session_state[OUTCOME] = ("warning", t("part.mod.conflict", lang))
    except InputError:
        st.session_state[OUTCOME] = ("error", t("part.mod.invalid", lang))
    else:
        st.session_state[OUTCOME] = ("success", t(f"part.mod.{decision}", lang, id=item.id))


def _pending(lang: str) -> None:
    items = list_proposals(auth.get_store(), state="pending")
    st.subheader(t("part.mod.pending", lang, n=len(items)))
    if not items:
        st.caption(t("part.mod.none", lang))
    for item in items:
        label = f"{item.id} · {escape_markdown(item.title)} · {t(f'part.category.{item.category}', lang)}"
        with st.expander(label, expanded=len(items) == 1):
            if item.description:
                st.markdown(escape_markdown(item.description))
            if item.geom_lonlat is not None:
                from streamlit_folium import st_folium

                shapes = gpd.GeoSeries([item.geom_lonlat], crs="EPSG:4326")
                st_folium(
                    shapes_map(shapes, labels=[item.title], basemap=map_basemap(), base_url=map_base_url()),
                    key=f"pp_map_{item.id}",
                    height=260,
                    use_container_width=True,
                    returned_objects=[],
                )
            photo = photo_of(auth.get_store(), item.id) if item.has_photo else None
            if photo is not None:
                st.image(photo[0], width=320)
            with st.form(f"pp_form_{item.id}"):  # cost, note and decision reach the server together
                cost = st.number_input(t("part.mod.cost", lang), min_value=0.0, step=1000.0, key=f"pp_cost_{item.id}")
                note = st.text_area(t("part.mod.feedback", lang), key=f"pp_note_{item.id}", max_chars=4000)
                left, right = st.columns(2)
                accept = left.form_submit_button(t("part.mod.accept", lang), type="primary")
                reject = right.form_submit_button(t("part.mod.reject", lang))
            if accept or reject:
                _moderate(item, "accepted" if accept else "rejected", float(cost), note, lang)
                st.rerun()


def _codes_csv(vote_id: int, codes: list[str]) -> bytes:
    from gisplan.export.spreadsheet import table_csv_bytes

    return table_csv_bytes(pd.DataFrame({"vote_id": [vote_id] * len(codes), "code": codes}))


def _open_vote(lang: str) -> None:
    st.subheader(t("part.vote.open_title", lang))
    accepted = [p for p in list_proposals(auth.get_store(), state="accepted") if p.estimated_cost]
    if not accepted:
        st.caption(t("part.vote.none_accepted", lang))
        return
    labels = {p.id: f"#{p.id} {p.title} ({fmt_number(p.estimated_cost, lang)})" for p in accepted}
    with st.form("pp_vote_form"):
        name = st.text_input(t("part.vote.name", lang), key="pp_vote_name", max_chars=200)
        budget = st.number_input(t("part.vote.budget", lang), min_value=0.0, step=10000.0, key="pp_budget")
        currency = st.selectbox(t("part.vote.currency", lang), options=list(CURRENCIES), key="pp_currency")
        picked = st.multiselect(
            t("part.vote.pick", lang),
            options=list(labels),
            default=list(labels),  # every accepted idea goes to the vote unless the organiser leaves it out
            format_func=lambda i: labels[i],
            key="pp_pick_" + "_".join(str(i) for i in labels),  # a new accepted idea resets the default
        )
        count = st.number_input(t("part.vote.codes", lang), min_value=1, max_value=10_000, value=10, key="pp_n")
        go = st.form_submit_button(t("part.vote.open", lang), type="primary")
    if not go:
        return
    user = auth.require_role(ROLES, lang)
    codes = sorted({str(p.municipality_code) for p in accepted if p.id in picked and p.municipality_code})
    try:
        vote = open_vote(
            auth.get_store(),
            user.id,
            title=name,
            budget=float(budget),
            proposal_ids=list(picked),
            municipality_code=codes[0] if len(codes) == 1 and user.role == Role.MUNICIPALITY else None,
            currency=str(currency),
        )
        issued = issue_codes(auth.get_store(), user.id, vote.id, int(count))
    except PermissionDeniedError:
        st.error(t("part.mod.denied", lang))
        return
    except InputError as exc:
        st.error(t("part.vote.invalid", lang))
        st.caption(str(exc))
        return
    st.session_state[CODES] = (vote.id, issued)
    st.rerun()


def _votes(lang: str) -> None:
    votes = list_votes(auth.get_store(), state="open")
    st.subheader(t("part.vote.list", lang))
    if not votes:
        st.caption(t("part.ballot.none", lang))
    for vote in votes:
        st.markdown(
            f"**{escape_markdown(vote.title)}** · "
            + t(
                "part.vote.counts",
                lang,
                budget=f"{fmt_number(vote.budget, lang)} {vote.currency}",
                n=len(vote.items),
                ballots=vote.ballots,
                issued=vote.codes_issued,
            )
        )
        if st.button(t("part.vote.close", lang, id=vote.id), key=f"pp_close_{vote.id}"):
            user = auth.require_role(ROLES, lang)
            try:
                close_vote(auth.get_store(), user.id, vote.id)
            except PermissionDeniedError:
                st.error(t("part.mod.denied", lang))
                return
            st.session_state[OUTCOME] = ("success", t("part.vote.closed", lang, id=vote.id))
            st.rerun()


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    auth.require_role(ROLES, lang)
    st.title(t("part.mod.title", lang))
    outcome = st.session_state.pop(OUTCOME, None)
    if outcome is not None:
        getattr(st, outcome[0])(outcome[1])
    shown = st.session_state.pop(CODES, None)
    if shown is not None:
        vote_id, codes = shown
        st.success(t("part.vote.opened", lang, id=vote_id))
        st.code("\n".join(codes), language=None)
        st.download_button(
            t("part.vote.download_codes", lang),
            data=_codes_csv(vote_id, codes),
            file_name=f"vote_{vote_id}_codes.csv",
            mime="text/csv",
            key="pp_codes_download",
            on_click="ignore",
        )
    try:
        _pending(lang)
        st.divider()
        _open_vote(lang)
        st.divider()
        _votes(lang)
    except GisplanError:
        st.error(t("part.err.store", lang))
