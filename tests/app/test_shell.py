"""The shell: the page registry, pages per role, the role check on every run, ?site= links, language."""

from __future__ import annotations

import importlib

import pytest
from streamlit.testing.v1 import AppTest

from gisplan.app import auth, shell
from gisplan.app.i18n import has_text
from gisplan.store import SYSTEM, Role, Store
from tests.app.appstore import ACCOUNTS, GOOD_SITE, user_id
from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")


def test_the_registry_is_consistent() -> None:
    pages = shell.pages()
    paths = [p.url_path for p in pages]
    assert len(paths) == len(set(paths))
    assert [p.url_path for p in pages if p.default] == ["map"]
    for page in pages:
        assert has_text(page.title_key), page.title_key
        assert callable(importlib.import_module(page.module).render), page.module


def test_pages_per_role() -> None:
    admin_only = {p.url_path for p in shell.pages() if p.roles == shell.ADMINS}
    assert "admin" in admin_only
    for role in Role:
        seen = {p.url_path for p in shell.visible_pages(role)}
        assert {"map", "site", "about"} <= seen
        assert (seen >= admin_only) is (role == Role.ADMIN)
        assert not seen & admin_only or role == Role.ADMIN
    assert [p.url_path for p in shell.visible_pages(None)] == [p.url_path for p in shell.pages() if not p.roles]


def _runner_page() -> None:
    import streamlit as st

    from gisplan.app import shell

    shell._runner(shell.spec(st.session_state["page"]))()


@pytest.mark.parametrize(("username", "allowed"), [("admin", True), ("animator", False), ("obec", False)])
def test_a_page_checks_the_role_itself_on_every_run(app_store: Store, username: str, allowed: bool) -> None:
    at = AppTest.from_function(_runner_page, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(app_store, username)
    at.session_state["page"] = "admin"
    at.run()
    assert not at.exception
    if allowed:
        assert at.title[0].value == "Uživatelé a role"
    else:
        assert not at.title
        role = {"animator": "animátor", "obec": "obec"}[username]
        assert [e.value for e in at.error] == [f"Tato stránka není pro roli {role} přístupná."]


def test_logged_out_visitors_see_only_the_login_page(app_store: Store) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert [t.value for t in at.title] == ["Přihlášení do gisplanu"]
    assert not at.sidebar.caption  # nobody signed in
    del app_store


def test_a_site_link_opens_the_card_after_login(app_store: Store) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params[shell.SITE_PARAM] = GOOD_SITE
    at.run()
    assert at.title[0].value == "Přihlášení do gisplanu"
    at.text_input(key="login_username").input("obec")
    at.text_input(key="login_password").input(ACCOUNTS["obec"].password)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Bývalý důl Jan"
    assert at.session_state[shell.SELECTED_SITE] == GOOD_SITE
    del app_store


def test_a_site_link_of_a_logged_in_user_opens_the_card(app_store: Store) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(app_store, "animator")
    at.query_params[shell.SITE_PARAM] = GOOD_SITE
    at.run()
    assert at.title[0].value == "Bývalý důl Jan"
    assert at.query_params[shell.SITE_PARAM] == GOOD_SITE


def test_a_role_change_ends_the_session_and_the_new_role_holds_after_login(app_store: Store) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(app_store, "animator")
    at.run()
    assert "Přihlášen(a): animator (animátor)" in [c.value for c in at.sidebar.caption]
    app_store.set_role(SYSTEM, "animator", "planner")
    at.run()
    assert not at.sidebar.caption
    assert at.title[0].value == "Přihlášení do gisplanu"
    at.text_input(key="login_username").input("animator")
    at.text_input(key="login_password").input(ACCOUNTS["animator"].password)
    at.button[0].click().run()
    assert "Přihlášen(a): animator (plánovač)" in [c.value for c in at.sidebar.caption]


def test_the_language_switch_changes_every_label(app_store: Store) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(app_store, "planner")
    at.query_params[shell.SITE_PARAM] = GOOD_SITE
    at.run()
    assert at.sidebar.radio(key=shell.LANG_KEY).value == "cs"  # Czech by default
    at.sidebar.radio(key=shell.LANG_KEY).set_value("en").run()
    assert not at.exception
    assert "Signed in: planner (planner)" in [c.value for c in at.sidebar.caption]
    assert next(h.value for h in at.header) == "Scores"
    assert "Ground PV on brownfields and municipal land" in [m.label for m in at.metric]


def test_each_user_keeps_their_language(app_store: Store) -> None:
    from gisplan.store.prefs import LANGUAGE, get_pref

    planner = user_id(app_store, "planner")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = planner
    at.run()
    at.sidebar.radio(key=shell.LANG_KEY).set_value("en").run()
    assert get_pref(app_store, planner, LANGUAGE) == "en"
    # a new session of the same user opens in English; another user still in Czech
    again = AppTest.from_file(APP, default_timeout=60)
    again.session_state[auth.USER_KEY] = planner
    again.run()
    assert again.sidebar.radio(key=shell.LANG_KEY).value == "en"
    assert "Signed in: planner (planner)" in [c.value for c in again.sidebar.caption]
    other = AppTest.from_file(APP, default_timeout=60)
    other.session_state[auth.USER_KEY] = user_id(app_store, "animator")
    other.run()
    assert other.sidebar.radio(key=shell.LANG_KEY).value == "cs"
