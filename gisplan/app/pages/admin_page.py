"""The Admin page: users, their roles and scopes, disabling, passwords and OIDC subjects; region setup.

"Region setup" (:mod:`gisplan.app.regionsetup`) loads municipalities from an
uploaded boundary file and MAS/energy communities from an uploaded CSV (the same
library calls as ``gisplan territories load|communities``) and shows, per scoring
profile, which layer slots the catalogue fills (as ``gisplan layers check``).

Admins only: the shell refuses everyone else before this page runs, and the
store refuses every write of a non-admin (and audits the attempt). A change
takes effect on the affected user's next action, because every page re-reads
the user from the store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from gisplan import settings
from gisplan.app import auth, regionsetup, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.app.tables import show_table
from gisplan.errors import (
    ConflictError,
    GisplanError,
    InputError,
    LastAdminError,
    NotFoundError,
    PermissionDeniedError,
)
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
    show_table(_users_frame(users, lang), hide_index=True, width="stretch")
    names = [u.username for u, _ in users]
    add, change, other = st.tabs([t("admin.add", lang), t("admin.change", lang), t("admin.account", lang)])
    with add:
        _add_form(store, user.id, lang)
    with change:
        _role_form(store, user.id, names, lang)
    with other:
        _account_form(store, user.id, names, lang)
    _region_setup(store, user.id, lang)


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
    except LastAdminError:
        st.session_state[_OUTCOME] = (False, "admin.last_admin", "")
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


# ---------------------------------------------------------------------------------- region setup
def _region_setup(store: Store, actor: int, lang: str) -> None:
    st.header(t("admin.region_heading", lang), divider="gray")
    territories, communities, check = st.tabs(
        [t("admin.region_territories", lang), t("admin.region_communities", lang), t("admin.region_check", lang)]
    )
    with territories:
        _territories_form(store, actor, lang)
    with communities:
        _communities_form(store, actor, lang)
    with check:
        _slots(lang)


def _admin_files() -> list[str]:
    """GeoPackages in the data folder (``GISPLAN_DATA_DIR``) that may hold okresy and kraje."""
    folder = settings.get().data_dir
    return sorted(p.name for p in folder.glob("*.gpkg")) if folder.is_dir() else []


def _rejected(exc: GisplanError, lang: str) -> None:
    st.error(t("admin.region_rejected", lang))
    st.code(str(exc), language=None)


def _checked_upload(
    upload: Any, submitted: bool, suffixes: tuple[str, ...], limit_mb: float, lang: str
) -> tuple[str, bytes, str] | None:
    """Name, bytes and file ending of a submitted upload that passed the checks; None (said why) otherwise."""
    if not submitted:
        return None
    if upload is None:
        st.warning(t("admin.region_no_file", lang))
        return None
    data, name = upload.getvalue(), str(upload.name)
    try:
        suffix = regionsetup.check_upload(name, data, suffixes=suffixes, limit_mb=limit_mb)
    except GisplanError as exc:
        _rejected(exc, lang)
        return None
    return name, data, suffix


def _loaded(key: str, report: Any, lang: str) -> None:
    st.success(t(key, lang, added=len(report.added), updated=len(report.updated), unchanged=report.unchanged))


def _territories_form(store: Store, actor: int, lang: str) -> None:
    limit_mb = settings.get().max_upload_mb
    admin_files = _admin_files()
    with st.form("admin_region_territories"):
        upload = st.file_uploader(
            t("admin.region_file", lang),
            type=list(regionsetup.TERRITORY_SUFFIXES),
            key="admin_region_file",
            max_upload_size=limit_mb,
            help=t("admin.region_file_help", lang, mb=limit_mb),
        )
        layer = st.text_input(t("admin.region_layer", lang), key="admin_region_layer", max_chars=100)
        where = st.text_input(
            t("admin.region_where", lang), key="admin_region_where", help=t("admin.region_where_help", lang)
        )
        admin_file = st.selectbox(
            t("admin.region_admin", lang),
            ["", *admin_files],
            format_func=lambda name: name or t("admin.region_admin_none", lang),
            key="admin_region_admin",
            help=t("admin.region_admin_help", lang),
        )
        region_code = st.text_input(
            t("admin.region_code", lang), key="admin_region_code", max_chars=32, help=t("admin.region_code_help", lang)
        )
        submitted = st.form_submit_button(t("admin.region_load", lang), type="primary")
    checked = _checked_upload(upload, submitted, regionsetup.TERRITORY_SUFFIXES, limit_mb, lang)
    if checked is None:
        return
    name, data, suffix = checked
    admin_path = settings.get().data_dir / str(admin_file) if admin_file else None
    with st.status(t("admin.region_loading", lang), expanded=True) as status, regionsetup.temp_folder() as tmp:

        def step(name: str) -> None:
            status.update(label=t(f"admin.region_step_{name}", lang))
            status.write(t(f"admin.region_step_{name}", lang))

        try:
            path = regionsetup.saved_upload(Path(tmp), name, data, suffix)
            report = regionsetup.load_territories(
                store,
                actor,
                path,
                layer=layer.strip(),
                where=where.strip(),
                admin=admin_path,
                region_code=region_code.strip() or None,
                step=step,
            )
        except GisplanError as exc:
            status.update(label=t("admin.region_failed", lang), state="error")
            _rejected(exc, lang)
            return
        status.update(label=t("admin.region_done", lang), state="complete")
    _loaded("admin.region_loaded", report, lang)
    if report.without_region:
        st.warning(t("admin.region_without_region", lang, count=len(report.without_region)))


def _communities_form(store: Store, actor: int, lang: str) -> None:
    with st.form("admin_region_communities"):
        upload = st.file_uploader(
            t("admin.region_csv", lang),
            type=list(regionsetup.CSV_SUFFIXES),
            key="admin_region_csv",
            max_upload_size=regionsetup.CSV_LIMIT_MB,
            help=t("admin.region_csv_help", lang, mb=regionsetup.CSV_LIMIT_MB),
        )
        submitted = st.form_submit_button(t("admin.region_load_csv", lang), type="primary")
    limit_mb = regionsetup.CSV_LIMIT_MB
    checked = _checked_upload(upload, submitted, regionsetup.CSV_SUFFIXES, limit_mb, lang)
    if checked is None:
        return
    name, data, suffix = checked
    try:
        with regionsetup.temp_folder() as tmp:
            path = regionsetup.saved_upload(Path(tmp), name, data, suffix)
            with st.spinner(t("admin.region_loading", lang)):
                report = regionsetup.load_communities(store, actor, path)
    except GisplanError as exc:
        _rejected(exc, lang)
        return
    _loaded("admin.region_csv_loaded", report, lang)


def _slots(lang: str) -> None:
    from gisplan.catalogue import catalogue_files, validate_files
    from gisplan.profiles import load_profiles

    current = settings.get()
    try:
        files = catalogue_files(current.layers_dir)
        catalogue, problems = validate_files(files, data_dir=current.data_dir)
        table = regionsetup.slot_table(load_profiles(), catalogue)
    except GisplanError as exc:
        _rejected(exc, lang)
        return
    st.caption(t("admin.region_check_caption", lang, layers=len(catalogue.layers), files=len(files)))
    if problems:
        st.warning(t("admin.region_check_problems", lang, count=len(problems)))
        st.code("\n".join(str(p) for p in problems[:50]), language=None)
    frame = pd.DataFrame(
        {
            t("admin.region_col_profile", lang): table["profile"],
            t("admin.region_col_runs", lang): table["runs"],
            t("admin.region_col_slot", lang): table["slot"],
            t("admin.region_col_state", lang): [t(f"admin.region_state_{s}", lang) for s in table["state"]],
            t("admin.region_col_layer", lang): table["layer"],
            t("admin.region_col_candidates", lang): table["candidates"],
        }
    )
    show_table(frame, hide_index=True, width="stretch")
