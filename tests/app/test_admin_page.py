"""The Admin page: admins add users, change roles, disable accounts; nobody else gets in."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from gisplan.app import auth
from gisplan.store import Store
from tests.app.appstore import user_id


def _page() -> None:
    from gisplan.app.pages import admin_page

    admin_page.render()


def _admin(store: Store, username: str = "admin") -> AppTest:
    at = AppTest.from_function(_page, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(store, username)
    return at.run()


def test_an_admin_adds_a_user_with_role_scope_and_password(app_store: Store) -> None:
    at = _admin(app_store)
    assert not at.exception
    users = at.dataframe[0].value
    assert set(users["Uživatelské jméno"]) == {"admin", "animator", "obec", "planner"}
    at.text_input(key="admin_new_username").input("starosta")
    at.selectbox(key="admin_new_role").set_value("municipality")
    at.text_input(key="admin_new_scope").input("municipality:567002")
    at.text_input(key="admin_new_password").input("starosta-heslo-2026")
    next(b for b in at.button if b.label == "Přidat uživatele").click()
    at.run()
    assert "Uloženo." in [s.value for s in at.success]
    scopes = {u.username: (u.role, str(scope)) for u, scope in app_store.users()}
    assert scopes["starosta"] == ("municipality", "municipality:567002")
    assert app_store.authenticate("starosta", "starosta-heslo-2026") is not None


def test_a_bad_scope_or_short_password_is_explained(app_store: Store) -> None:
    at = _admin(app_store)
    at.text_input(key="admin_new_username").input("nekdo")
    at.text_input(key="admin_new_scope").input("kraj:CZ042")
    next(b for b in at.button if b.label == "Přidat uživatele").click()
    at.run()
    assert "Změnu nelze uložit." in [e.value for e in at.error]
    assert "kraj:CZ042" in at.caption[0].value.replace("\\", "")
    assert "nekdo" not in {u.username for u, _ in app_store.users()}


def test_an_admin_changes_a_role_and_disables_a_user(app_store: Store) -> None:
    at = _admin(app_store)
    at.selectbox(key="admin_role_user").set_value("planner")
    at.selectbox(key="admin_role_role").set_value("animator")
    at.text_input(key="admin_role_scope").input("region:CZ042")
    next(b for b in at.button if b.label == "Změnit roli").click()
    at.run()
    assert app_store.user("planner").role == "animator"
    at.selectbox(key="admin_account_user").set_value("obec")
    next(b for b in at.button if b.label == "Zablokovat").click()
    at.run()
    assert app_store.user("obec").disabled
    assert auth.load_user(app_store, user_id(app_store, "obec"), "local") is None


def test_only_admins_get_the_page(app_store: Store) -> None:
    at = _admin(app_store, "animator")
    assert not at.dataframe
    assert [e.value for e in at.error] == ["Tato stránka není pro roli animátor přístupná."]
