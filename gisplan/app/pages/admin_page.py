"""The Admin page: users, their roles and scopes, disabling, passwords and OIDC subjects.

Admins only: the shell refuses everyone else before this page runs, and the
store refuses every write of a non-admin (and audits the attempt). A change
takes effect on the affected user's next action, because every page re-reads
the user from the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from gisplan.app import auth, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.errors import ConflictError, GisplanError, InputError, NotFoundError, PermissionDeniedError
from gisplan.store import Role, Scope, Store, Tx

_OUTCOME = "admin_outcome"


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    user = auth.require_role(shell.ADMINS, lang)
    store = auth.get_store()
    st.title(t("admin.heading", lang))
    outcome = st.session_state.pop(_OUTCOME, None)
    if outcome:
        ok, key, detail = outcome
        (st.success if ok else st.error)(t(key, lang))
        if detail:
            st.caption(escape_markdown(detail))
    users = store.users()
    st.dataframe(_users_frame(users, lang), hide_index=True, width="stretch")
    names = [u.username for u, _ in users]
    add, change, other = st.tabs([t("admin.add", lang), t("admin.change", lang), t("admin.account", lang)])
    with add:
        _add_form(store, user.id, lang)
    with change:
        _role_form(store, user.id, names, lang)
    with other:
        _account_form(store, user.id, names, lang)


def _users_frame(users: list[tuple[Any, Scope]], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("admin.username", lang): u.username,
                t("admin.display_name", lang): u.display_name,
                t("admin.role", lang): t(f"role.{u.role}", lang),
                t("admin.scope", lang): str(scope),
                t("admin.disabled", lang): bool(u.disabled),
                t("admin.oidc_sub", lang): u.oidc_sub or "",
                t("admin.password", lang): bool(u.password_hash),
            }
            for u, scope in users
        ]
    )


def _write(store: Store, actor: int, work: Callable[[Tx], object]) -> None:
    """Run one admin write; remember its outcome for the next run and rerun."""
    try:
        store.transaction(actor, work)
    except PermissionDeniedError as exc:
        st.session_state[_OUTCOME] = (False, "edit.denied", str(exc))
    except ConflictError as exc:
        st.session_state[_OUTCOME] = (False, "admin.conflict", str(exc))
    except (InputError, NotFoundError, ValueError) as exc:
        st.session_state[_OUTCOME] = (False, "edit.invalid", str(exc))
    except GisplanError as exc:
        st.session_state[_OUTCOME] = (False, "edit.invalid", str(exc))
    else:
        st.session_state[_OUTCOME] = (True, "admin.saved", "")
    st.rerun()


def _scope(text: str) -> Scope:
    return Scope.parse([item.strip() for item in text.replace(";", ",").split(",") if item.strip()])


def _role_label(lang: str) -> Callable[[str], str]:
    return lambda role: t(f"role.{role}", lang)


def _add_form(store: Store, actor: int, lang: str) -> None:
    with st.form("admin_add_user", clear_on_submit=True):
        username = st.text_input(t("admin.username", lang), key="admin_new_username")
        display = st.text_input(t("admin.display_name", lang), key="admin_new_display")
        role = st.selectbox(
            t("admin.role", lang), [r.value for r in Role], format_func=_role_label(lang), key="admin_new_role"
        )
        scope = st.text_input(t("admin.scope", lang), help=t("admin.scope_help", lang), key="admin_new_scope")
        password = st.text_input(t("admin.password", lang), type="password", key="admin_new_password")
        sub = st.text_input(t("admin.oidc_sub", lang), help=t("admin.oidc_help", lang), key="admin_new_sub")
        submitted = st.form_submit_button(t("admin.add", lang), type="primary")
    if submitted:
        try:
            parsed = _scope(scope)
        except ValueError as exc:
            st.session_state[_OUTCOME] = (False, "edit.invalid", str(exc))
            st.rerun()
        _write(
            store,
            actor,
            lambda tx: tx.add_user(
                username,
                role,
                scope=parsed,
                password=password or None,
                display_name=display,
                oidc_sub=sub.strip() or None,
            ),
        )


def _role_form(store: Store, actor: int, names: list[str], lang: str) -> None:
    if not names:
        return
    with st.form("admin_set_role"):
        username = st.selectbox(t("admin.username", lang), names, key="admin_role_user")
        role = st.selectbox(
            t("admin.role", lang), [r.value for r in Role], format_func=_role_label(lang), key="admin_role_role"
        )
        scope = st.text_input(t("admin.scope", lang), help=t("admin.scope_help", lang), key="admin_role_scope")
        submitted = st.form_submit_button(t("admin.change", lang), type="primary")
    if submitted:
        try:
            parsed = _scope(scope) if scope.strip() else None
        except ValueError as exc:
            st.session_state[_OUTCOME] = (False, "edit.invalid", str(exc))
            st.rerun()
        _write(store, actor, lambda tx: tx.set_role(username, role, scope=parsed))


def _account_form(store: Store, actor: int, names: list[str], lang: str) -> None:
    if not names:
        return
    with st.form("admin_account"):
        username = st.selectbox(t("admin.username", lang), names, key="admin_account_user")
        password = st.text_input(t("admin.new_password", lang), type="password", key="admin_account_password")
        left, middle, right = st.columns(3)
        disable = left.form_submit_button(t("admin.disable", lang))
        enable = middle.form_submit_button(t("admin.enable", lang))
        set_password = right.form_submit_button(t("admin.set_password", lang))
    if disable or enable:
        _write(store, actor, lambda tx: tx.set_disabled(username, bool(disable)))
    if set_password:
        _write(store, actor, lambda tx: tx.set_password(username, password))
