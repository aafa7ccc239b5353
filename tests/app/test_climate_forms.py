"""Climate-plan actions in the app: the site card section and the municipality's action form (AppTest)."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from gisplan.actions import list_actions
from gisplan.app import auth, shell
from gisplan.demand import DemandRecord, load_measured_demand
from gisplan.store import SYSTEM, Store
from tests.app.appstore import GOOD_SITE, HORNI, user_id


def _site_page() -> None:
    from gisplan.app.pages import site_page

    site_page.render()


def _communities_page() -> None:
    from gisplan.app.pages import communities_page

    communities_page.render()


def _run(page: Any, store: Store, username: str, **state: Any) -> AppTest:
    at = AppTest.from_function(page, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(store, username)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [*at.subheader, *at.markdown, *at.caption, *at.success, *at.error, *at.info]
    return "\n".join(str(p.value) for p in parts)


def test_the_site_card_makes_a_site_an_action_and_shows_its_consumption(app_store: Store) -> None:
    load_measured_demand(app_store, SYSTEM, [DemandRecord("site", GOOD_SITE, 2024, 42.5, "meter <b>x</b>")])
    planner = _run(_site_page, app_store, "planner", **{shell.SELECTED_SITE: GOOD_SITE})
    assert not planner.exception
    assert "Klimatický plán" in _texts(planner)
    assert "42,5 MWh/rok (2024, meter" in _texts(planner).replace("\\", "")  # the reader's text
    assert "<b>" not in _texts(planner)
    assert "Zařadit plochu jako opatření klimatického plánu" not in [b.label for b in planner.button]

    at = _run(_site_page, app_store, "animator", **{shell.SELECTED_SITE: GOOD_SITE})
    next(b for b in at.button if b.label == "Zařadit plochu jako opatření klimatického plánu").click()
    at.run()
    assert not at.exception
    assert "Opatření je uloženo." in [s.value for s in at.success]
    actions = list_actions(app_store)
    assert actions["site_id"].tolist() == [GOOD_SITE]
    assert actions["origin"].tolist() == ["site"]


def test_an_animator_adds_a_heat_action_on_the_municipality_page(app_store: Store) -> None:
    horni = next(c.id for c in app_store.communities("municipality") if c.code == HORNI)
    at = _run(_communities_page, app_store, "animator", comm_pick=horni)
    assert not at.exception
    assert "Zatím žádná opatření klimatického plánu." in _texts(at)
    next(w for w in at.text_input if w.label == "Opatření").input("Výtopna na štěpku")
    next(w for w in at.selectbox if w.label == "Typ").set_value("renewable_heat")
    next(w for w in at.number_input if w.label == "Výroba z OZE [MWh/rok]").set_value(900.0)
    next(b for b in at.button if b.label == "Uložit opatření").click()
    at.run()
    assert not at.exception, at.exception
    assert "Opatření je uloženo." in [s.value for s in at.success]
    stored = list_actions(app_store, municipality_codes=[HORNI]).iloc[0]
    assert (stored["action_type"], stored["sector"], stored["production_mwh_yr"]) == (
        "renewable_heat",
        "local_heat",
        900.0,
    )
    assert stored["cost_eur"] is None or stored["cost_eur"] != stored["cost_eur"]  # 0 in the form: not known

    planner = _run(_communities_page, app_store, "planner", comm_pick=horni)
    assert "Uložit opatření" not in [b.label for b in planner.button]
    table = next(d.value for d in planner.dataframe if "Opatření" in d.value.columns)
    assert table["Typ"].tolist() == ["Obnovitelné teplo"]
