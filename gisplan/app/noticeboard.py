"""The in-app notices of the logged-in user (submissions sent, accepted, rejected, returned…).

Notices are stored with a kind and parameters (:class:`gisplan.store.models.Notice`) and
worded here in the user's language. Names and feedback come from users, so
they are escaped before they reach markdown.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import fmt_datetime, has_text, t
from gisplan.store import Store
from gisplan.store.models import Notice
from gisplan.workflows import moderation as mod


def notice_text(notice: Notice, lang: str) -> str:
    """The notice as one sentence in ``lang`` (plain text, not yet escaped)."""
    params: dict[str, Any] = dict(notice.params or {})
    values = {
        "id": params.get("submission_id", notice.submission_id or ""),
        "name": params.get("name", ""),
        "municipality": params.get("municipality_code", ""),
        "by": params.get("by", ""),
        "feedback": params.get("feedback", ""),
        "site": params.get("site_id", ""),
    }
    key = f"notice.{notice.kind}"
    if not has_text(key):
        return f"{notice.kind}: {values['name']}"
    return t(key, lang, **values).strip()


def show_notices(store: Store, user_id: int, lang: str, *, key: str) -> list[Notice]:
    """Show the user's unread notices with a button to mark them read; return them."""
    unread = mod.notices(store, user_id, unread_only=True, limit=50)
    if not unread:
        return []
    with st.expander(t("notice.heading", lang, count=len(unread)), expanded=True):
        for notice in unread:
            when = fmt_datetime(notice.created_at, lang)
            st.markdown(f"{escape_markdown(when)} · {escape_markdown(notice_text(notice, lang))}")
        if st.button(t("notice.mark_read", lang), key=f"{key}_mark_read"):
            mod.mark_read(store, user_id, [n.id for n in unread])
            st.rerun()
    return unread


__all__ = ["notice_text", "show_notices"]
