"""The public Vote page: a voter enters a one-time code and chooses proposals within the budget.

Each proposal on the ballot is a checkbox with its cost; the running total is
shown against the budget on every change, and the button is disabled while the
choice is over the budget. :func:`gisplan.participation.cast_ballot` checks it
all again, marks the code used and stores the ballot without the code, so a
code casts one ballot and the ballot cannot be traced back to it.
"""

from __future__ import annotations

import streamlit as st

from gisplan.app import auth, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_number, t
from gisplan.app.pages.propose_page import refusal_text
from gisplan.errors import GisplanError, RefusedError
from gisplan.participation import VoteInfo, cast_ballot, list_votes

#: Session-state key of the vote whose ballot was just cast.
CAST = "vote_cast"


def _money(value: float, vote: VoteInfo, lang: str) -> str:
    return f"{fmt_number(value, lang)} {vote.currency}"


def _ballot(vote: VoteInfo, lang: str) -> None:
    st.markdown(f"### {escape_markdown(vote.title)}")
    st.caption(t("part.ballot.intro", lang, budget=_money(vote.budget, vote, lang)))
    code = st.text_input(t("part.ballot.code", lang), key=f"vote_code_{vote.id}", max_chars=40)
    chosen: list[int] = []
    for item in vote.items:
        label = (
            f"{escape_markdown(item.title)} · {t(f'part.category.{item.category}', lang)} · "
            f"{t('part.ballot.cost', lang, cost=_money(item.cost, vote, lang))}"
        )
        if st.checkbox(label, key=f"vote_pick_{vote.id}_{item.proposal_id}"):
            chosen.append(item.proposal_id)
    costs = {item.proposal_id: item.cost for item in vote.items}
    total = sum(costs[p] for p in chosen)
    over = total - vote.budget
    st.progress(min(1.0, total / vote.budget) if vote.budget > 0 else 1.0)
    st.markdown(t("part.ballot.total", lang, total=_money(total, vote, lang), budget=_money(vote.budget, vote, lang)))
    if over > 1e-6:
        st.error(t("part.ballot.over", lang, over=_money(over, vote, lang)))
    disabled = over > 1e-6 or not chosen or not code.strip()
    if st.button(t("part.ballot.cast", lang), key=f"vote_cast_{vote.id}", type="primary", disabled=disabled):
        try:
            cast_ballot(auth.get_store(), vote.id, code, chosen)
        except RefusedError as exc:
            st.error(refusal_text(exc, lang))
            return
        st.session_state[CAST] = vote.id
        st.rerun()


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("part.ballot.title", lang))
    try:
        votes = list_votes(auth.get_store(), state="open")
    except GisplanError:
        st.error(t("part.err.store", lang))
        return
    cast = st.session_state.get(CAST)
    if cast is not None:
        st.success(t("part.ballot.thanks", lang))
        if st.button(t("part.ballot.next", lang), key="vote_next"):
            for key in [k for k in st.session_state if str(k).startswith(("vote_code_", "vote_pick_"))]:
                del st.session_state[key]
            del st.session_state[CAST]
            st.rerun()
        return
    if not votes:
        st.info(t("part.ballot.none", lang))
        return
    names = {v.id: v.title for v in votes}
    picked = st.selectbox(
        t("part.ballot.choose_vote", lang), options=list(names), format_func=lambda i: names[i], key="vote_which"
    )
    vote = next((v for v in votes if v.id == picked), votes[0])
    try:
        _ballot(vote, lang)
    except GisplanError:
        st.error(t("part.err.store", lang))
