"""Climate-plan actions in the app: the table and form of a municipality's page, and a site's card section.

Animators (in their scope) and admins add actions; the store checks every write
again (:func:`gisplan.actions.add_action`). Titles and bodies are user text:
tables show them as data, captions escape them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from gisplan.actions import ACTION_TYPES, SECTORS, STATUSES, ActionSpec, action_from_site, add_action, list_actions
from gisplan.app.auth import SessionUser
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_number, t
from gisplan.app.tables import show_table
from gisplan.errors import GisplanError, PermissionDeniedError
from gisplan.store import Role, Store

_WRITERS = frozenset({Role.ADMIN, Role.ANIMATOR})


def actions_table(actions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Stored actions with their columns titled and codes named in ``lang``."""
    return pd.DataFrame(
        {
            t("act.title", lang): actions["title"].astype(str),
            t("act.type", lang): [t(f"act.type_{c}", lang) for c in actions["action_type"]],
            t("act.sector", lang): [t(f"act.sector_{c}", lang) for c in actions["sector"]],
            t("act.status", lang): [t(f"act.status_{c}", lang) for c in actions["status"]],
            t("act.responsible", lang): actions["responsible_body"].astype(str),
            t("act.start", lang): actions["start_date"],
            t("act.end", lang): actions["end_date"],
            t("act.cost", lang): actions["cost_eur"].astype(float),
            t("act.savings", lang): actions["energy_savings_mwh_yr"].astype(float),
            t("act.production", lang): actions["production_mwh_yr"].astype(float),
            t("act.co2", lang): actions["co2_t_yr"].astype(float),
        }
    )


def _optional(value: float) -> float | None:
    """0 in a number field means 'not given' (a missing number, never a 0 effect)."""
    return float(value) if value else None


def community_actions(store: Store, viewer: SessionUser, municipality_code: str, lang: str) -> None:
    """The climate-plan actions of one municipality and, for writers, a form to add one."""
    st.markdown(f"#### {t('act.heading', lang)}")
    actions = list_actions(store, municipality_codes=[municipality_code])
    if actions.empty:
        st.info(t("act.none", lang))
    else:
        show_table(actions_table(actions, lang), hide_index=True, width="stretch", download="climate_actions")
    if viewer.role not in _WRITERS:
        return
    with st.expander(t("act.add", lang)), st.form(f"act_add_{municipality_code}", clear_on_submit=True):
        title = st.text_input(t("act.title", lang), max_chars=500)
        kind = st.selectbox(t("act.type", lang), list(ACTION_TYPES), format_func=lambda c: t(f"act.type_{c}", lang))
        sector = st.selectbox(
            t("act.sector", lang),
            [None, *SECTORS],
            format_func=lambda c: t("act.sector_default", lang) if c is None else t(f"act.sector_{c}", lang),
        )
        responsible = st.text_input(t("act.responsible", lang), max_chars=300)
        left, right = st.columns(2)
        start = left.date_input(t("act.start", lang), value=None)
        end = right.date_input(t("act.end", lang), value=None)
        status = st.selectbox(t("act.status", lang), list(STATUSES), format_func=lambda c: t(f"act.status_{c}", lang))
        numbers = st.columns(3)
        cost = numbers[0].number_input(t("act.cost", lang), min_value=0.0, value=0.0, step=1000.0)
        capacity = numbers[1].number_input(t("act.capacity", lang), min_value=0.0, value=0.0)
        co2 = numbers[2].number_input(t("act.co2", lang), min_value=0.0, value=0.0)
        savings = numbers[0].number_input(t("act.savings", lang), min_value=0.0, value=0.0)
        production = numbers[1].number_input(t("act.production", lang), min_value=0.0, value=0.0)
        st.caption(t("act.zero_hint", lang))
        if not st.form_submit_button(t("act.save", lang)):
            return
    spec = ActionSpec(
        municipality_code=municipality_code,
        title=title,
        action_type=str(kind),
        sector=sector,
        responsible_body=responsible.strip(),
        start_date=start if isinstance(start, dt.date) else None,
        end_date=end if isinstance(end, dt.date) else None,
        status=str(status),
        cost_eur=_optional(cost),
        capacity=_optional(capacity),
        energy_savings_mwh_yr=_optional(savings),
        production_mwh_yr=_optional(production),
        co2_t_yr=_optional(co2),
    )
    _store(lambda: add_action(store, viewer.id, spec), lang)


def _store(write: Any, lang: str) -> None:
    try:
        write()
    except PermissionDeniedError as exc:
        st.error(t("act.denied", lang, reason=str(exc)))
        return
    except GisplanError as exc:
        st.error(escape_markdown(str(exc)))
        return
    st.success(t("act.saved", lang))


def site_section(store: Store, viewer: SessionUser, site_id: str, may_write: bool, lang: str) -> None:
    """A site's measured consumption, its climate-plan actions, and the button that makes it one."""
    from gisplan.demand import latest_measured

    st.subheader(t("act.site_heading", lang))
    measured = latest_measured(store, "site", [site_id])
    if site_id in measured.index:
        row = {str(k): v for k, v in measured.loc[site_id].to_dict().items()}
        text = t(
            "act.site_measured",
            lang,
            value=fmt_number(float(row["mwh_yr"]), lang, 1),
            year=int(row["year"]),
            source=str(row["source"]),
        )
        st.caption(escape_markdown(text))
    actions = list_actions(store)
    mine = actions[actions["site_id"] == site_id]
    if len(mine):
        show_table(actions_table(mine, lang), hide_index=True, width="stretch")
    if not may_write or viewer.role not in _WRITERS:
        return
    with st.form(f"act_site_{site_id}"):
        st.caption(t("act.from_site_hint", lang))
        responsible = st.text_input(t("act.responsible", lang), max_chars=300)
        status = st.selectbox(t("act.status", lang), list(STATUSES), format_func=lambda c: t(f"act.status_{c}", lang))
        if not st.form_submit_button(t("act.from_site", lang)):
            return
    _store(
        lambda: action_from_site(store, viewer.id, site_id, responsible_body=responsible.strip(), status=str(status)),
        lang,
    )
