"""The Site page: one site's card, and the edits people make on it.

The site comes from ``st.session_state["selected_site_id"]`` (set by the Map
page, or by ``?site=<id>`` in the URL). The card reads the store through
:mod:`gisplan.app.sitecard`. Each form turns into one pending action, run at
the top of the next run by :mod:`gisplan.app.siteactions` as the user the shell
has just re-read from the store; the store checks the permission once more and
audits. Forms are shown only to users who may use them, but a forged action is
refused by the store all the same, and the refusal is shown and audited.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from gisplan.app import auth, charts, climate_forms, shell, siteactions, sitecard, sitefunding
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_area, fmt_date, fmt_datetime, t
from gisplan.app.tables import show_table
from gisplan.errors import GisplanError, NotFoundError
from gisplan.profiles import Profile
from gisplan.store import Role, Store, site_card
from gisplan.store import permissions as perm

#: Session-state keys: the action a form queued, the last stale save, the last outcome.
PENDING = "site_pending_action"
CONFLICT = "site_conflict"
OUTCOME = "site_outcome"
_VERDICTS = ("eligible", "unknown", "not_eligible")


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    user = auth.require_role(shell.EVERYONE, lang)
    store = auth.get_store()
    _run_pending(store, user)
    site_id = st.session_state.get(shell.SELECTED_SITE)
    if not site_id:
        st.session_state.pop(shell.OPENING_SITE, None)
        _pick_site(lang)
        return
    try:
        card = site_card.load_card(store, str(site_id))
    except NotFoundError:
        st.session_state.pop(shell.OPENING_SITE, None)
        st.title(t("site.heading", lang))
        st.warning(t("site.not_found", lang, site=escape_markdown(site_id)))
        _pick_site(lang)
        return
    st.query_params[shell.SITE_PARAM] = card.site.id
    allowed = site_card.permissions(store, user.id, card.site.id)
    profiles = _profiles()
    _basics(card, lang)
    _show_outcome(lang)
    _scores(card, profiles, lang)
    _energy_and_source(card, profiles, lang)
    st.header(t("site.work", lang), divider="gray")
    _notes(card, user, allowed[perm.Action.SITE_ANNOTATE], lang)
    _status(card, user, allowed[perm.Action.SITE_STATUS], lang)
    _communities(store, card, allowed[perm.Action.SITE_LINK], lang)
    _funding(store, card, allowed[perm.Action.SITE_LINK], lang)
    climate_forms.site_section(store, user, card.site.id, allowed[perm.Action.SITE_STATUS], lang)
    _history(store, card, lang)
    st.session_state.pop(shell.OPENING_SITE, None)  # drawn: a later Map run is the user's own


# ------------------------------------------------------------------------------ actions
@shell.callback
def _submit(action: dict[str, Any], fields: dict[str, str] | None = None) -> None:
    """Widget callback: queue ``action``, completed with the widget values named in ``fields``.

    ``fields`` maps action keys to widget keys. Callbacks run before the next
    run of the page, so the action carries the version the user saw, and it is
    run (and refused by the store if need be) even when the user's role changed
    meanwhile and the form is no longer drawn.
    """
    values = {name: st.session_state.get(key) for name, key in (fields or {}).items()}
    st.session_state[PENDING] = action | values
    st.session_state.pop(CONFLICT, None)


@shell.callback
def _submit_choice(options: list[dict[str, Any]], choice_key: str, fields: dict[str, str]) -> None:
    """Widget callback: queue the option picked in the select box ``choice_key`` (an index)."""
    index = st.session_state.get(choice_key)
    if isinstance(index, int) and 0 <= index < len(options):
        _submit(options[index], fields)


@shell.callback
def _drop_conflict() -> None:
    st.session_state.pop(CONFLICT, None)


def _run_pending(store: Store, user: auth.SessionUser) -> None:
    action = st.session_state.pop(PENDING, None)
    if not isinstance(action, dict):
        return
    outcome = siteactions.execute(store, user.id, action)
    st.session_state[OUTCOME] = outcome
    if outcome.conflict is not None:
        st.session_state[CONFLICT] = outcome.conflict


def _show_outcome(lang: str) -> None:
    outcome = st.session_state.pop(OUTCOME, None)
    if isinstance(outcome, siteactions.Outcome):
        if outcome.ok:
            st.success(t(outcome.message_key, lang))
        elif outcome.conflict is None:
            st.error(t(outcome.message_key, lang))
            st.caption(escape_markdown(outcome.detail))
    conflict = st.session_state.get(CONFLICT)
    if isinstance(conflict, siteactions.Conflict):
        _show_conflict(conflict, lang)


def _show_conflict(conflict: siteactions.Conflict, lang: str) -> None:
    with st.container(border=True):
        st.warning(t("edit.conflict", lang))
        mine, theirs = st.columns(2)
        mine.markdown(f"**{t('edit.mine', lang)}**")
        mine.json(conflict.mine)
        theirs.markdown(f"**{t('edit.theirs', lang)}**")
        theirs.json(conflict.theirs)
        retry = siteactions.keep_mine(conflict)
        left, right = st.columns(2)
        if retry is not None:
            left.button(t("edit.keep_mine", lang), key="conflict_keep_mine", on_click=_submit, args=(retry,))
        right.button(t("edit.take_theirs", lang), key="conflict_take_theirs", on_click=_drop_conflict)


# ------------------------------------------------------------------------------ reading
def _pick_site(lang: str) -> None:
    st.title(t("site.heading", lang))
    st.info(t("site.pick", lang))
    st.page_link(shell.st_page(shell.spec("map"), lang), label=t("nav.map", lang), icon=":material/map:")
    with st.form("site_pick"):
        typed = st.text_input(t("col.site_id", lang), key="site_pick_id")
        if st.form_submit_button(t("site.open", lang)) and typed.strip():
            st.session_state[shell.SELECTED_SITE] = typed.strip()
            st.rerun()


@st.cache_data(show_spinner=False, max_entries=4)
def _load_profiles(folder: str, revision: tuple[tuple[str, float], ...]) -> dict[str, Profile]:
    from pathlib import Path

    from gisplan.profiles import load_profiles

    del revision  # only part of the cache key
    return load_profiles(Path(folder))


def _profiles() -> dict[str, Profile]:
    from gisplan.profiles import profile_files, profiles_dir

    try:
        folder = profiles_dir()
        revision = tuple((p.name, p.stat().st_mtime) for p in profile_files(folder))
        return _load_profiles(str(folder), revision)
    except (GisplanError, OSError):
        return {}  # titles fall back to profile names


def _basics(card: site_card.SiteCard, lang: str) -> None:
    site = card.site
    st.title(escape_markdown(site.name) or escape_markdown(site.id))
    where = card.municipality_name or site.municipality_code
    parts = [
        t(f"kind.{site.kind}", lang) if site.kind in {"brownfield", "rooftop", "municipal_land"} else site.kind,
        fmt_area(site.area_m2, lang) if site.area_m2 is not None else t("card.area_source.not_available", lang),
        sitecard.area_source_text(site, lang),
        f"{where} ({site.municipality_code})" if where and site.municipality_code != where else (where or ""),
        t("site.status_is", lang, status=sitecard.status_label(site.status, lang)),
    ]
    st.caption(" · ".join(escape_markdown(p) for p in parts if p))
    if site.end_date is not None:
        st.warning(t("site.ended", lang, date=fmt_date(site.end_date, lang)))


def _scores(card: site_card.SiteCard, profiles: dict[str, Profile], lang: str) -> None:
    st.header(t("site.scores", lang), divider="gray")
    if not card.scores:
        st.info(t("site.no_scores", lang))
        return
    ranked = sorted(card.scores, key=lambda s: (s.excluded, -(s.score or 0.0)))
    cols = st.columns(min(len(ranked), 4))
    for col, score in zip(cols, ranked, strict=False):
        value = "–" if score.score is None else f"{score.score:.0f}"
        col.metric(sitecard.profile_title(score.profile, profiles, lang), value)
    names = [s.profile for s in ranked]
    chosen = st.selectbox(
        t("card.profile", lang),
        names,
        format_func=lambda name: sitecard.profile_title(name, profiles, lang),
        key=f"site_profile_{card.site.id}",
    )
    score = next(s for s in ranked if s.profile == chosen)
    profile = profiles.get(score.profile)
    for reason in score.exclusion_reasons or []:
        st.error(
            t("site.excluded_because", lang, reason=escape_markdown(sitecard.translate_reason(reason, profile, lang)))
        )
    for handicap in score.handicaps or []:
        text = sitecard.translate_reason(str(handicap.get("reason", "")), profile, lang)
        level = t(f"site.level.{handicap.get('level')}", lang) if handicap.get("level") else ""
        st.warning(t("site.handicap", lang, level=level, reason=escape_markdown(text)))
    st.progress(
        min(1.0, max(0.0, float(score.completeness or 0.0))),
        text=sitecard.completeness_text(score, lang),
    )
    st.caption(t("card.completeness_hint", lang))
    frame = sitecard.breakdown_frame(score, profile, lang)
    if frame.empty:
        return
    st.caption(t("site.breakdown_hint", lang))
    st.altair_chart(charts.breakdown_chart(frame, lang), width="stretch")
    shown = frame.assign(effect=frame["effect"].map(lambda e: t(f"chart.effect.{e}", lang)))
    shown.columns = [t(f"chart.col.{c}", lang) for c in frame.columns]
    show_table(shown, hide_index=True, width="stretch", key=f"site_breakdown_{score.profile}")


def _energy_and_source(card: site_card.SiteCard, profiles: dict[str, Profile], lang: str) -> None:
    st.header(t("site.energy", lang), divider="gray")
    if card.scores:
        show_table(sitecard.energy_frame(card.scores, profiles, lang), hide_index=True, width="stretch")
        st.caption(t("site.energy_hint", lang))
    else:
        st.info(t("site.no_scores", lang))
    st.header(t("site.source", lang), divider="gray")
    show_table(sitecard.source_frame(card.site, lang), hide_index=True, width="stretch")


def _multiline(text: str) -> str:
    return "  \n".join(escape_markdown(line) for line in str(text).splitlines() if line.strip()) or "–"


# ------------------------------------------------------------------------------ working on the site
def _notes(card: site_card.SiteCard, user: auth.SessionUser, may_write: bool, lang: str) -> None:
    st.subheader(t("site.notes", lang))
    if not card.annotations:
        st.caption(t("site.no_notes", lang))
    for note, author in card.annotations:
        with st.container(border=True):
            edited = f" · {t('site.edited', lang)}" if note.updated_at else ""
            when = fmt_datetime(note.created_at, lang)
            st.caption(escape_markdown(f"{author} · {when}") + edited)
            st.markdown(_multiline(note.text))
            if may_write and (note.author_id == user.id or user.role == Role.ADMIN):
                _edit_note(note.id, note.text, note.version, lang)
    if not may_write:
        return
    with st.form(f"site_note_{card.site.id}", clear_on_submit=True):
        st.text_area(t("site.new_note", lang), key="site_note_text", max_chars=siteactions.MAX_NOTE_CHARS)
        st.form_submit_button(
            t("site.add_note", lang),
            type="primary",
            on_click=_submit,
            args=({"op": "annotate", "site": card.site.id}, {"text": "site_note_text"}),
        )


def _edit_note(note_id: int, text: str, version: int, lang: str) -> None:
    with st.expander(t("site.edit_note", lang)), st.form(f"site_edit_note_{note_id}"):
        st.text_area(
            t("site.edit_note", lang), value=text, key=f"site_edit_note_text_{note_id}", label_visibility="collapsed"
        )
        st.form_submit_button(
            t("site.save", lang),
            on_click=_submit,
            args=(
                {"op": "edit_note", "annotation": note_id, "version": version},
                {"text": f"site_edit_note_text_{note_id}"},
            ),
        )


def _status(card: site_card.SiteCard, user: auth.SessionUser, may_write: bool, lang: str) -> None:
    site = card.site
    st.subheader(t("site.status", lang))
    st.markdown(t("site.status_is", lang, status=f"**{escape_markdown(sitecard.status_label(site.status, lang))}**"))
    if site.status_reason:
        st.caption(escape_markdown(site.status_reason))
    moves = sitecard.allowed_moves(user.role, site.status) if may_write else []
    if may_write and not moves:
        st.caption(t("site.no_moves", lang))
    if moves:
        with st.form(f"site_status_{site.id}"):
            st.selectbox(
                t("site.new_status", lang),
                [m.value for m in moves],
                format_func=lambda s: sitecard.status_label(s, lang),
                key="site_status_to",
            )
            st.text_input(t("site.status_reason", lang), key="site_status_reason")
            st.form_submit_button(
                t("site.change_status", lang),
                type="primary",
                on_click=_submit,
                args=(
                    {"op": "status", "site": site.id, "version": site.version},
                    {"to": "site_status_to", "reason": "site_status_reason"},
                ),
            )
    if card.status_changes:
        rows = [
            {
                t("card.when", lang): change.changed_at.strftime("%Y-%m-%d %H:%M"),
                t("card.who", lang): who,
                t("site.from", lang): sitecard.status_label(change.from_status, lang),
                t("site.to", lang): sitecard.status_label(change.to_status, lang),
                t("site.status_reason", lang): change.reason or "",
            }
            for change, who in card.status_changes
        ]
        show_table(pd.DataFrame(rows), hide_index=True, width="stretch")


def _communities(store: Store, card: site_card.SiteCard, may_write: bool, lang: str) -> None:
    st.subheader(t("site.communities", lang))
    if not card.community_links:
        st.caption(t("site.no_communities", lang))
    for link, community in card.community_links:
        left, right = st.columns([5, 1])
        kind = t(f"community.kind.{community.kind}", lang)
        left.markdown(
            escape_markdown(f"{community.name} ({kind})") + (f" — {_multiline(link.note)}" if link.note else "")
        )
        if may_write:
            action = {"op": "unlink_community", "link": link.id, "version": link.version}
            right.button(t("site.unlink", lang), key=f"unlink_community_{link.id}", on_click=_submit, args=(action,))
    if not may_write:
        return
    linked = {community.id for _, community in card.community_links}
    options = [c for c in store.communities() if c.id not in linked]
    if not options:
        return
    with st.form(f"site_link_community_{card.site.id}", clear_on_submit=True):
        st.selectbox(
            t("site.community", lang),
            [c.id for c in options],
            format_func=lambda cid: next(f"{c.name} ({c.kind})" for c in options if c.id == cid),
            key="site_link_community_id",
        )
        st.text_input(t("site.link_note", lang), key="site_link_community_note")
        st.form_submit_button(
            t("site.link_community", lang),
            on_click=_submit,
            args=(
                {"op": "link_community", "site": card.site.id},
                {"community": "site_link_community_id", "note": "site_link_community_note"},
            ),
        )


def _url_column(lang: str) -> dict[str, Any]:
    return {t("site.url", lang): st.column_config.LinkColumn(display_text=t("site.open_call", lang))}


def _funding(store: Store, card: site_card.SiteCard, may_write: bool, lang: str) -> None:
    st.subheader(t("site.funding", lang))
    if card.funding_links:
        linked_calls = sitefunding.linked_frame(card, lang)
        show_table(linked_calls, hide_index=True, width="stretch", column_config=_url_column(lang))
        if may_write:
            for link, call in card.funding_links:
                label = t("site.unlink_call", lang, call=call.code)
                action = {"op": "unlink_call", "link": link.id, "version": link.version}
                st.button(label, key=f"unlink_call_{link.id}", on_click=_submit, args=(action,))
    else:
        st.caption(t("site.no_calls", lang))
    st.markdown(f"**{t('site.suggestions', lang)}**")
    applicant = st.selectbox(
        t("site.applicant", lang),
        sitefunding.applicant_types(),
        format_func=lambda a: t(f"applicant.{a}", lang),
        key="site_applicant",
    )
    try:
        suggestions = sitefunding.suggestions(store, card.site.id, applicant)
    except GisplanError as exc:
        st.warning(t("site.calls_failed", lang))
        st.caption(escape_markdown(str(exc)))
        return
    stored = {call.code: call for call in store.funding_calls()}
    show_table(
        sitefunding.suggestions_frame(suggestions, stored, lang),
        hide_index=True,
        width="stretch",
        column_config=_url_column(lang),
    )
    linked = {call.code for _, call in card.funding_links}
    offer = [m for m in suggestions if m.call.id in stored and m.call.id not in linked and not m.call.is_programme]
    if not stored:
        st.caption(t("site.calls_not_synced", lang))
    if not may_write or not offer:
        return
    options = [
        {
            "op": "link_call",
            "site": card.site.id,
            "call": stored[m.call.id].id,
            "verdict": m.verdict,
            "reasons": m.stored_reasons(),
        }
        for m in offer
    ]
    with st.form(f"site_link_call_{card.site.id}", clear_on_submit=True):
        st.selectbox(
            t("site.call", lang),
            list(range(len(offer))),
            format_func=lambda i: f"{offer[i].call.title.get(lang)} — {t(f'verdict.{offer[i].verdict}', lang)}",
            key="site_link_call_index",
        )
        st.text_input(t("site.link_note", lang), key="site_link_call_note")
        st.form_submit_button(
            t("site.link_call", lang),
            type="primary",
            on_click=_submit_choice,
            args=(options, "site_link_call_index", {"note": "site_link_call_note"}),
        )


def _history(store: Store, card: site_card.SiteCard, lang: str) -> None:
    st.subheader(t("site.history", lang))
    if not card.history:
        st.caption(t("site.no_history", lang))
        return
    names = site_card.author_names(store, {e.actor_id for e in card.history})
    show_table(sitecard.history_frame(card, names, lang), hide_index=True, width="stretch")
