"""The Moderation page: the animator's queue of submissions in their territory, and the three decisions.

The queue is :func:`gisplan.workflows.moderation.queue` (``submitted`` submissions
the user may see: an animator's regions, MAS territories and municipalities; an
admin's all). For the chosen one the page shows the shape on a map, the intake
findings (border crossing, repair), the form and the preview scored at
submission. Accepting turns it into site ``submission:<id>`` scored with every
applicable profile; rejecting needs a reason and returning needs a comment,
which the municipality reads on My submissions. The store checks the
permission and the version again on every decision and audits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from gisplan.app import auth, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_area, fmt_datetime, t
from gisplan.app.noticeboard import show_notices
from gisplan.app.submitform import CHOICES, CONTACT, INTENDED_USES, UTILITIES, label, option
from gisplan.app.tables import show_table
from gisplan.errors import ConflictError, GisplanError, InputError, PermissionDeniedError
from gisplan.store import Role, Store
from gisplan.store.models import Submission, User
from gisplan.workflows import moderation as mod

ROLES = frozenset({Role.ADMIN, Role.ANIMATOR})
#: Session-state keys.
PICK = "mod_pick"
COMMENT = "mod_comment"
OUTCOME = "mod_outcome"
DECISIONS = ("accept", "return", "reject")


def form_rows(form: Mapping[str, Any] | None, lang: str) -> pd.DataFrame:
    """The stored form as (field, value) rows of plain text, labelled in ``lang``."""
    rows: list[tuple[str, str]] = []
    for name, value in (form or {}).items():
        if value in (None, "", [], {}):
            continue
        if name == "utilities" and isinstance(value, Mapping):
            shown = ", ".join(f"{t(f'form.{k}', lang)}: {option(v, lang)}" for k, v in value.items() if k in UTILITIES)
        elif name == "contact" and isinstance(value, Mapping):
            shown = ", ".join(str(value[k]) for k in CONTACT if value.get(k))
        elif name == "intended_use" and isinstance(value, list):
            shown = ", ".join(option(v, lang) if v in INTENDED_USES else str(v) for v in value)
        elif name in CHOICES:
            shown = option(value, lang)
        elif name == "kind":
            shown = t(f"kind.{value}", lang)
        elif name == "consent_to_publish":
            shown = t("form.consent_yes" if value else "form.consent_no", lang)
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        rows.append((label(name, lang).removesuffix(" *"), shown))
    return pd.DataFrame(rows, columns=[t("mod.field", lang), t("mod.value", lang)])


def decide(store: Store, actor: int, sub: Submission, decision: str, comment: str) -> dict[str, Any]:
    """Take ``decision`` (accept | return | reject) on ``sub`` as ``actor``; return what happened.

    Raises
    ------
    InputError, PermissionDeniedError, ConflictError
        As the store raises them (a missing comment, a refusal, a stale version).
    """
    if decision == "accept":
        done = mod.accept(store, actor, sub.id, expected_version=sub.version, feedback=comment)
        return {
            "decision": "accepted",
            "id": sub.id,
            "site": done.site.id,
            "unscored": list(done.unscored),
        }
    if decision == "return":
        mod.return_for_changes(store, actor, sub.id, expected_version=sub.version, comment=comment)
        return {"decision": "returned", "id": sub.id}
    if decision == "reject":
        mod.reject(store, actor, sub.id, expected_version=sub.version, reason=comment)
        return {"decision": "rejected", "id": sub.id}
    msg = f"decision {decision!r} is not one of {DECISIONS}"
    raise InputError(msg)


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("mod.heading", lang))
    user = auth.require_role(ROLES, lang)
    store = auth.get_store()
    outcome = st.session_state.pop(OUTCOME, None)
    if outcome is not None:
        st.session_state.pop(COMMENT, None)  # a new decision starts with an empty comment
    show_notices(store, user.id, lang, key="mod")
    if outcome is not None:
        _show_outcome(store, outcome, lang)
    queue = mod.queue(store, user.id)
    if not queue:
        st.info(t("mod.empty", lang))
        return
    st.caption(t("mod.queue", lang, count=len(queue)))
    show_table(_queue_frame(queue, lang), hide_index=True, width="stretch")
    by_id = {sub.id: sub for sub in queue}
    chosen = st.selectbox(
        t("mod.pick", lang),
        options=list(by_id),
        format_func=lambda i: f"{i}: {by_id[i].name}",
        key=PICK,
    )
    sub = by_id[int(chosen)]
    _detail(store, sub, lang)
    _actions(store, user.id, sub, lang)


def _queue_frame(queue: list[Submission], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("mysub.col_id", lang): [s.id for s in queue],
            t("col.name", lang): [s.name for s in queue],
            t("col.kind", lang): [t(f"kind.{s.kind}", lang) for s in queue],
            t("col.municipality", lang): [s.municipality_code for s in queue],
            t("col.area_m2", lang): [round(s.geom.area) if s.geom is not None else None for s in queue],
            t("mysub.col_updated", lang): [s.updated_at.strftime("%Y-%m-%d %H:%M") for s in queue],
        }
    )


def _submitter(store: Store, user_id: int) -> str:
    user = store.read(lambda s: s.get(User, user_id))
    return (user.display_name or user.username) if user is not None else f"#{user_id}"


def _detail(store: Store, sub: Submission, lang: str) -> None:
    from streamlit_folium import st_folium

    from gisplan.app.pages.submit_page import boundaries, map_base_url, map_basemap
    from gisplan.app.submitmap import outline_lonlat, shapes_map

    st.subheader(escape_markdown(sub.name))
    area = fmt_area(sub.geom.area, lang) if sub.geom is not None and sub.geom.area > 0 else ""
    parts = [t(f"kind.{sub.kind}", lang), sub.municipality_code, area]
    st.caption(" · ".join(escape_markdown(p) for p in parts if p))
    when = fmt_datetime(sub.created_at, lang)
    st.caption(escape_markdown(t("mod.submitted_by", lang, user=_submitter(store, sub.submitted_by), when=when)))
    found = (sub.attributes or {}).get("intake") or {}
    if found.get("crosses_border"):
        share = found.get("inside_share")
        outside = round((1.0 - float(share)) * 100) if isinstance(share, int | float) else "?"
        st.warning(t("mod.crosses_border", lang, share=outside))
    if found.get("repaired"):
        st.info(escape_markdown(t("mod.repaired", lang, note=str(found.get("repair_note") or ""))))
    if sub.geom is not None:
        frame, code_column = boundaries()
        outline = outline_lonlat(frame, sub.municipality_code, code_column)
        shapes = gpd.GeoSeries([sub.geom], crs=f"EPSG:{store.srid}")
        folium_map = shapes_map(
            shapes, labels=[sub.name], outline=outline, basemap=map_basemap(), base_url=map_base_url()
        )
        st_folium(folium_map, key=f"mod_map_{sub.id}", height=340, use_container_width=True, returned_objects=[])
    st.markdown(f"**{t('mod.form', lang)}**")
    show_table(form_rows((sub.attributes or {}).get("form"), lang), hide_index=True, width="stretch")
    preview = (sub.attributes or {}).get("preview") or []
    if preview:
        from gisplan.app.pages.submit_page import score_frame

        st.markdown(f"**{t('mod.preview', lang)}**")
        show_table(score_frame(pd.DataFrame(preview), lang), hide_index=True, width="stretch")


def _actions(store: Store, user_id: int, sub: Submission, lang: str) -> None:
    comment = st.text_area(t("mod.comment", lang), key=COMMENT, max_chars=4000)
    columns = st.columns(len(DECISIONS))
    chosen = None
    for column, decision in zip(columns, DECISIONS, strict=True):
        if column.button(
            t(f"mod.{decision}", lang), key=f"mod_{decision}", type="primary" if decision == "accept" else "secondary"
        ):
            chosen = decision
    if chosen is None:
        return
    if chosen in {"return", "reject"} and not comment.strip():
        st.error(t("mod.need_text", lang))
        return
    try:
        with st.spinner(t("mod.scoring", lang)):
            outcome = decide(store, user_id, sub, chosen, comment)
    except ConflictError as exc:
        st.warning(t("mod.conflict", lang))
        st.json({"mine": exc.mine, "theirs": exc.theirs}, expanded=False)
        return
    except PermissionDeniedError as exc:
        st.error(escape_markdown(t("mod.denied", lang, why=str(exc))))
        return
    except InputError as exc:
        st.error(escape_markdown(t("mod.failed", lang, why=str(exc))))
        return
    st.session_state[OUTCOME] = outcome
    st.session_state.pop(PICK, None)
    st.rerun()


def _show_outcome(store: Store, outcome: Mapping[str, Any], lang: str) -> None:
    decision = outcome.get("decision")
    if decision == "returned":
        st.success(t("mod.returned", lang, id=outcome["id"]))
        return
    if decision == "rejected":
        st.success(t("mod.rejected", lang, id=outcome["id"]))
        return
    site = str(outcome.get("site"))
    st.success(escape_markdown(t("mod.accepted", lang, site=site)))
    scores = store.site_scores(site)
    if scores:
        from gisplan.profiles import load_profiles

        try:
            titles = {name: p.title.get(lang) or name for name, p in load_profiles().items()}
        except GisplanError:  # titles are a nicety; the scores still show with profile names
            titles = {}
        st.markdown(f"**{t('mod.site_scores', lang)}**")
        show_table(
            pd.DataFrame(
                {
                    t("sub.col_profile", lang): [titles.get(s.profile, s.profile) for s in scores],
                    t("sub.col_score", lang): [None if s.score is None else round(s.score, 1) for s in scores],
                    t("sub.col_excluded", lang): [s.excluded for s in scores],
                    t("sub.col_kwp", lang): [None if s.capacity_kwp is None else round(s.capacity_kwp) for s in scores],
                    t("sub.col_mwh", lang): [
                        None if s.energy_mwh_yr is None else round(s.energy_mwh_yr) for s in scores
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    for profile, why in outcome.get("unscored") or []:
        st.caption(escape_markdown(t("mod.unscored", lang, profile=profile, why=why)))


__all__ = ["ROLES", "decide", "form_rows", "render"]
