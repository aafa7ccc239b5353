"""The public Propose page: a resident sends an idea without an account, and follows it by a private link.

The resident picks the municipality (or "not sure"), draws a point or an area on
the map (Leaflet.draw, as on the Submit page), writes a title and a description,
picks a category and may add a photo. :func:`gisplan.participation.submit_proposal`
checks it all and applies the rate limits (per browser session and per address,
:func:`gisplan.app.auth.client_id`); a hidden honeypot field, placed off screen,
catches form-filling bots. After sending, the page shows the private follow link
``/propose?follow=<token>`` once; opening it shows the proposal's state and the
organisers' note. Every text the resident wrote is escaped when shown.
"""

from __future__ import annotations

import uuid
from typing import Any

import streamlit as st

from gisplan import intake
from gisplan.app import auth, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_datetime, fmt_number, t
from gisplan.app.pages.submit_page import boundaries, map_base_url, map_basemap
from gisplan.app.submitmap import draw_map, outline_lonlat
from gisplan.errors import GisplanError, InputError, RefusedError, UploadRejectedError
from gisplan.participation import CATEGORIES, MAX_PHOTO_BYTES, ProposalForm, Requester, follow, submit_proposal
from gisplan.participation.proposals import DESCRIPTION_MAX, TITLE_MAX, TITLE_MIN

#: Query parameter of the private follow link.
FOLLOW_PARAM = "follow"
#: Session-state keys.
SESSION_KEY = "prop_session"
DONE = "prop_done"
DRAW_KEY = "prop_draw_map"
HONEYPOT_KEY = "prop_website"
NOT_SURE = ""
#: Off screen rather than hidden: a bot fills what is in the page, a person never sees it.
_HONEYPOT_CSS = (
    f"<style>.st-key-{HONEYPOT_KEY} {{position: absolute; left: -10000px; top: auto; width: 1px; "
    "height: 1px; overflow: hidden;}</style>"
)


def refusal_text(exc: RefusedError, lang: str) -> str:
    """The translated sentence of a refusal (rate limit with the minutes to wait)."""
    minutes = max(1, round(exc.retry_after_s / 60)) if exc.retry_after_s else 0
    return t(f"part.refused.{exc.reason}", lang, minutes=minutes, mb=MAX_PHOTO_BYTES // (1024 * 1024))


def session_key() -> str:
    """A random id of this browser session, for the per-session rate limit."""
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = uuid.uuid4().hex
    return str(st.session_state[SESSION_KEY])


def _follow_view(token: str, lang: str) -> None:
    st.subheader(t("part.follow.title", lang))
    view = follow(auth.get_store(), token)
    if view is None:
        st.warning(t("part.follow.unknown", lang))
        return
    st.markdown(f"**{escape_markdown(view.title)}** · {t(f'part.category.{view.category}', lang)}")
    st.caption(fmt_datetime(view.created_at, lang))
    st.info(t("part.follow.state", lang, state=t(f"part.state.{view.state}", lang)))
    if view.feedback:
        st.markdown(t("part.follow.feedback", lang) + " " + escape_markdown(view.feedback))
    if view.estimated_cost is not None:
        st.caption(t("part.follow.cost", lang, cost=fmt_number(view.estimated_cost, lang)))


def _municipalities(lang: str) -> str | None:
    store = auth.get_store()
    options = {NOT_SURE: t("part.propose.municipality_any", lang)}
    for community in store.communities("municipality"):
        if community.code:
            options[community.code] = community.name
    code = st.selectbox(
        t("part.propose.municipality", lang),
        options=list(options),
        format_func=lambda c: options.get(c, c),
        key="prop_municipality",
    )
    return str(code) or None


def _drawing(code: str | None, lang: str) -> dict[str, Any] | None:
    from streamlit_folium import st_folium

    frame, column = boundaries()
    outline = outline_lonlat(frame, code, column) if code else None
    st.caption(t("part.propose.draw_hint", lang))
    out = st_folium(
        draw_map(outline, basemap=map_basemap(), base_url=map_base_url()),
        key=DRAW_KEY,
        height=420,
        use_container_width=True,
        returned_objects=["last_active_drawing", "all_drawings"],
    )
    drawings = [d for d in (out or {}).get("all_drawings") or [] if isinstance(d, dict)]
    last = (out or {}).get("last_active_drawing")
    chosen = last if isinstance(last, dict) else (drawings[-1] if drawings else None)
    st.caption(t("part.propose.drawn", lang) if chosen else t("part.propose.not_drawn", lang))
    return chosen


def _send(form: ProposalForm, lang: str) -> None:
    if form.geometry is None:
        st.error(t("part.err.no_place", lang))
        return
    if not TITLE_MIN <= len(form.title.strip()) <= TITLE_MAX:
        st.error(t("part.err.title", lang, min=TITLE_MIN, max=TITLE_MAX))
        return
    try:
        done = submit_proposal(auth.get_store(), form, Requester(auth.client_id(), session_key()))
    except RefusedError as exc:
        st.error(refusal_text(exc, lang))
        return
    except UploadRejectedError as exc:
        st.error(intake.reason_text(exc.reason, lang) or t("part.err.place", lang))
        return
    except InputError:
        st.error(t("part.err.invalid", lang))
        return
    st.session_state[DONE] = (done.id, done.follow_token)
    st.rerun()


def _sent(lang: str) -> None:
    proposal_id, token = st.session_state[DONE]
    st.success(t("part.propose.sent", lang, id=proposal_id))
    base = str(st.context.url or "").split("?")[0]
    st.markdown(t("part.propose.follow", lang))
    st.code(f"{base}?{FOLLOW_PARAM}={token}", language=None)
    if st.button(t("part.propose.another", lang), key="prop_another"):
        del st.session_state[DONE]
        st.rerun()


def _form(lang: str) -> None:
    st.caption(t("part.propose.intro", lang))
    code = _municipalities(lang)
    drawing = _drawing(code, lang)
    st.markdown(_HONEYPOT_CSS, unsafe_allow_html=True)
    with st.form("prop_form", clear_on_submit=False):
        title = st.text_input(t("part.propose.title_field", lang), max_chars=TITLE_MAX, key="prop_title")
        description = st.text_area(t("part.propose.description", lang), max_chars=DESCRIPTION_MAX, key="prop_text")
        category = st.selectbox(
            t("part.propose.category", lang),
            options=list(CATEGORIES),
            format_func=lambda c: t(f"part.category.{c}", lang),
            key="prop_category",
        )
        photo = st.file_uploader(
            t("part.propose.photo", lang, mb=MAX_PHOTO_BYTES // (1024 * 1024)),
            type=["jpg", "jpeg", "png", "webp"],
            key="prop_photo",
            max_upload_size=MAX_PHOTO_BYTES // (1024 * 1024) + 1,
        )
        honeypot = st.text_input(t("part.propose.honeypot", lang), key=HONEYPOT_KEY)
        sent = st.form_submit_button(t("part.propose.send", lang), type="primary")
    if sent:
        geometry = drawing.get("geometry") if drawing else None
        _send(
            ProposalForm(
                title=title,
                description=description,
                category=str(category),
                geometry=geometry,
                municipality_code=code,
                photo=photo.getvalue() if photo is not None else None,
                language=lang,
                honeypot=honeypot,
            ),
            lang,
        )


def render() -> None:
    """Draw the page: the follow view for ``?follow=``, else the form (or the link after sending)."""
    lang = shell.language()
    st.title(t("part.propose.title", lang))
    token = str(st.query_params.get(FOLLOW_PARAM) or "")[:100]
    try:
        if token:
            _follow_view(token, lang)
        elif DONE in st.session_state:
            _sent(lang)
        else:
            _form(lang)
    except GisplanError:
        st.error(t("part.err.store", lang))
