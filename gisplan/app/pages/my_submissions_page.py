"""My submissions: the municipality's submissions with their state and the animator's feedback.

A returned submission can be changed (the same form as on the Submit page) and
sent again; a waiting or returned one can be withdrawn. An accepted one names
its site and shows the site's scores. The store checks on every change that
the user acts for the submission's municipality, and audits it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from gisplan import intake
from gisplan.app import auth, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.app.noticeboard import show_notices
from gisplan.app.submitform import form_values, form_widgets, show_problems
from gisplan.app.tables import show_table
from gisplan.errors import ConflictError, InputError, PermissionDeniedError, UploadRejectedError
from gisplan.store import Role, Store
from gisplan.store.models import Submission
from gisplan.workflows import moderation as mod

ROLES = frozenset({Role.ADMIN, Role.MUNICIPALITY})
PICK = "mysub_pick"
OUTCOME = "mysub_outcome"


def state_label(state: str, lang: str) -> str:
    """The translated state of a submission."""
    return t(f"substate.{state}", lang) if state in mod.STATES else state


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("mysub.heading", lang))
    user = auth.require_role(ROLES, lang)
    store = auth.get_store()
    outcome = st.session_state.pop(OUTCOME, None)
    if outcome:
        st.success(t(outcome, lang))
    show_notices(store, user.id, lang, key="mysub")
    subs = list(reversed(store.visible_submissions(user.id)))  # newest first
    if not subs:
        st.info(t("mysub.none", lang))
        return
    show_table(_table(subs, lang), hide_index=True, width="stretch")
    by_id = {sub.id: sub for sub in subs}
    chosen = st.selectbox(
        t("mysub.pick", lang),
        options=list(by_id),
        format_func=lambda i: f"{i}: {by_id[i].name} ({state_label(by_id[i].state, lang)})",
        key=PICK,
    )
    _detail(store, user.id, by_id[int(chosen)], lang)


def _table(subs: list[Submission], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("mysub.col_id", lang): [s.id for s in subs],
            t("col.name", lang): [s.name for s in subs],
            t("col.municipality", lang): [s.municipality_code for s in subs],
            t("mysub.col_state", lang): [state_label(s.state, lang) for s in subs],
            t("mysub.col_feedback", lang): [s.feedback for s in subs],
            t("mysub.col_updated", lang): [s.updated_at.strftime("%Y-%m-%d %H:%M") for s in subs],
        }
    )


def _detail(store: Store, user_id: int, sub: Submission, lang: str) -> None:
    st.subheader(escape_markdown(sub.name))
    st.markdown(escape_markdown(t("mysub.state", lang, state=state_label(sub.state, lang))))
    if sub.feedback:
        st.info(escape_markdown(t("mysub.feedback", lang, feedback=sub.feedback)))
    if sub.site_id:
        st.markdown(escape_markdown(t("mysub.site", lang, site=sub.site_id)))
        scores = store.site_scores(sub.site_id)
        if scores:
            show_table(
                pd.DataFrame(
                    {
                        t("sub.col_profile", lang): [s.profile for s in scores],
                        t("sub.col_score", lang): [None if s.score is None else round(s.score, 1) for s in scores],
                    }
                ),
                hide_index=True,
            )
    if sub.state == "returned":
        _resubmit(store, user_id, sub, lang)
    if sub.state in mod.OPEN_STATES and st.button(t("mysub.withdraw", lang), key=f"mysub_withdraw_{sub.id}"):
        _act(lambda: mod.withdraw(store, user_id, sub.id, expected_version=sub.version), "mysub.withdrawn", lang)


def _resubmit(store: Store, user_id: int, sub: Submission, lang: str) -> None:
    stored: dict[str, Any] = dict((sub.attributes or {}).get("form") or {})
    with st.expander(t("mysub.edit", lang), expanded=True), st.form(f"mysub_form_{sub.id}"):
        raw = form_widgets(lang, prefix=f"mysubf{sub.id}", defaults=stored)
        sent = st.form_submit_button(t("mysub.resubmit", lang), type="primary")
    if not sent:
        return
    try:
        form = intake.validate_form(form_values(raw, kind=sub.kind))
    except UploadRejectedError as exc:
        show_problems(exc.problems, lang)
        return
    attributes = dict(sub.attributes or {}) | {"form": form.model_dump(mode="json")}
    _act(
        lambda: mod.resubmit(
            store, user_id, sub.id, expected_version=sub.version, name=form.name, attributes=attributes
        ),
        "mysub.resubmitted",
        lang,
    )


def _act(work: Any, done_key: str, lang: str) -> None:
    try:
        work()
    except ConflictError:
        st.warning(t("mod.conflict", lang))
        return
    except PermissionDeniedError as exc:
        st.error(escape_markdown(t("mod.denied", lang, why=str(exc))))
        return
    except InputError as exc:
        st.error(escape_markdown(t("mod.failed", lang, why=str(exc))))
        return
    st.session_state[OUTCOME] = done_key
    st.rerun()


__all__ = ["ROLES", "render", "state_label"]
