"""The Admin page: admins add users, change roles, disable accounts; nobody else gets in."""

from __future__ import annotations

from typing import Any

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


def test_the_last_admin_cannot_demote_or_disable_themself(app_store: Store) -> None:
    expected = [
        "Posledního aktivního správce nelze převést na jinou roli ani zablokovat; "
        "nejprve jmenujte správcem někoho dalšího."
    ]
    at = _admin(app_store)
    at.selectbox(key="admin_role_user").set_value("admin")
    at.selectbox(key="admin_role_role").set_value("planner")
    next(b for b in at.button if b.label == "Změnit roli").click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == expected
    # one line, no traceback or detail (the only caption is the region setup's layer check)
    assert [c.value for c in at.caption if not c.value.startswith("Katalog:")] == []
    at.selectbox(key="admin_account_user").set_value("admin")
    next(b for b in at.button if b.label == "Zablokovat").click()
    at.run()
    assert [e.value for e in at.error] == expected
    admin = app_store.user("admin")
    assert (admin.role, admin.disabled) == ("admin", False)


# ---------------------------------------------------------------------------------- region setup
def _tab_button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def test_an_admin_loads_municipalities_from_an_uploaded_boundary_file(app_store: Store) -> None:
    from tests.app.test_regionsetup import boundary_geojson

    at = _admin(app_store)
    assert "Nastavení regionu" in [h.value for h in at.header]
    data = boundary_geojson([("567001", "Horní Ves", 900), ("564729", "Děčany", 394)])
    at.file_uploader(key="admin_region_file").set_value(("obce.geojson", data, "application/geo+json"))
    at.text_input(key="admin_region_code").input("CZ042")
    _tab_button(at, "Načíst obce").click()
    at.run()
    assert not at.exception
    assert "Obce načteny: 1 nových, 1 změněných, 0 beze změny." in [s.value for s in at.success]
    stored = {c.code: (c.name, c.population, c.region_code) for c in app_store.communities("municipality")}
    assert stored["564729"] == ("Děčany", 394, "CZ042")
    assert stored["567001"][1] == 900
    audit = {(e.actor_name, e.action) for e in app_store.audit_log(outcome="ok", limit=20)}
    assert ("admin", "community.add") in audit


def test_a_bad_upload_is_explained_and_stores_nothing(app_store: Store) -> None:
    from tests.app.test_regionsetup import boundary_geojson

    before = len(app_store.communities("municipality"))
    at = _admin(app_store)
    data = boundary_geojson([("111111", "Nová", 10), ("111111", "Dvojí", 20)])  # a duplicate code
    at.file_uploader(key="admin_region_file").set_value(("obce.geojson", data, "application/geo+json"))
    _tab_button(at, "Načíst obce").click()
    at.run()
    assert not at.exception
    assert "Soubor nelze načíst; úložiště zůstalo beze změny." in [e.value for e in at.error]
    assert any("111111" in c.value for c in at.code)
    assert len(app_store.communities("municipality")) == before
    at = _admin(app_store)
    csv = b"kind,code,name\nmas,M1,MAS\n"
    at.file_uploader(key="admin_region_csv").set_value(("mas.csv", csv, "text/csv"))
    _tab_button(at, "Načíst MAS a komunity").click()
    at.run()
    assert "Soubor nelze načíst; úložiště zůstalo beze změny." in [e.value for e in at.error]
    assert any("municipality_code" in c.value for c in at.code)
    assert app_store.communities("mas") == []


def test_an_admin_loads_a_mas_and_reads_the_slot_table(app_store: Store) -> None:
    at = _admin(app_store)
    csv = "kind,code,name,municipality_code\nmas,M1,MAS Podlesí,567001\nmas,M1,MAS Podlesí,567002\n".encode()
    at.file_uploader(key="admin_region_csv").set_value(("mas.csv", csv, "text/csv"))
    _tab_button(at, "Načíst MAS a komunity").click()
    at.run()
    assert not at.exception
    assert "MAS a komunity načteny: 1 nových, 0 změněných, 0 beze změny." in [s.value for s in at.success]
    (mas,) = app_store.communities("mas")
    assert mas.name == "MAS Podlesí"
    slots = at.dataframe[-1].value
    assert list(slots.columns) == ["Profil", "Lze spustit", "Slot", "Stav", "Vrstva", "Kandidátní vrstvy"]
    assert {"ground_pv", "rooftop_pv"} <= set(slots["Profil"])
    assert set(slots["Stav"]) <= {"vyplněno", "prohlášeno za nedostupné", "nepovinné, chybí", "CHYBÍ"}
