"""AppTest tests of the Map page's search box: matches listed, a card opened, the map moved to a site.

The map is a mocked component, as in ``test_map_page.py``.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from gisplan.app import auth, shell
from gisplan.app.mapsearch import SEARCH_KEY
from gisplan.crs import transformer
from gisplan.store import Store
from tests.app.appstore import GOOD_SITE, X0, XSS_PAYLOADS, Y0, user_id
from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")


@pytest.fixture
def folium_mock() -> Any:
    with mock.patch("streamlit_folium.st_folium", return_value=None) as st_folium:
        yield st_folium


def _app(store: Store) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(store, "animator")
    return at.run()


def _matches(at: AppTest) -> list[str]:
    return [m.value for m in at.main.markdown if " · " in str(m.value)]


def test_a_search_lists_matches_with_kind_and_score_and_opens_a_card(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store)
    assert at.text_input(key=SEARCH_KEY).label == "Hledat adresu nebo název"
    at.text_input(key=SEARCH_KEY).input("DUL jan").run()
    assert not at.exception
    assert _matches(at) == ["**Bývalý důl Jan** · Brownfield · Skóre: 9"]
    assert "Nalezeno 1, zobrazeno 1." in [c.value for c in at.caption]
    at.button(key="map_search_open_0").click().run()
    assert not at.exception
    assert at.session_state["selected_site_id"] == GOOD_SITE
    assert at.title[0].value != "Mapa kandidátních ploch"  # the Site page
    assert shell.OPENING_SITE not in at.session_state  # drawn: the mark is cleared


def test_a_map_rerun_that_overtakes_the_switch_goes_on_to_the_card(app_store: Store, folium_mock: Any) -> None:
    """The map reports its view just after "open card": that Map run goes on to the card, once."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(app_store, "animator")
    at.session_state[shell.SELECTED_SITE] = GOOD_SITE
    at.session_state[shell.OPENING_SITE] = GOOD_SITE  # set by "open card", the Site page never drawn
    at.run()
    assert not at.exception
    assert at.title[0].value != "Mapa kandidátních ploch"
    assert any(GOOD_SITE in str(m.value) or "Bývalý důl Jan" in str(m.value) for m in [*at.title, *at.header])
    assert shell.OPENING_SITE not in at.session_state
    folium_mock.assert_not_called()  # the map was not drawn on the way


def test_show_on_map_moves_the_map_to_the_site_and_says_when_filters_hide_it(
    app_store: Store, folium_mock: Any
) -> None:
    at = _app(app_store)
    at.text_input(key=SEARCH_KEY).input("budova 7").run()
    # the ground profile does not score rooftops: listed as excluded, hidden by the default "kept" filter
    assert _matches(at) == ["**Budova 7** · Střecha · Skóre: vyloučeno"]
    at.button(key="map_search_zoom_0").click().run()
    assert not at.exception
    kwargs = folium_mock.call_args.kwargs
    assert kwargs["zoom"] >= 16
    lon, lat = transformer("EPSG:5514", "EPSG:4326").transform(X0 + 2160, Y0 + 1506)
    assert kwargs["center"] == pytest.approx((lat, lon), abs=1e-5)
    assert any("skrývají" in i.value for i in at.info)
    # the next run follows the map again (no forced move)
    at.run()
    assert folium_mock.call_args.kwargs["zoom"] is None


def test_no_match_says_so_and_names_stay_text(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store)
    at.text_input(key=SEARCH_KEY).input("nádraží 99").run()
    assert "Hledanému textu neodpovídá žádná plocha tohoto profilu." in [i.value for i in at.info]
    at.text_input(key=SEARCH_KEY).input("onerror").run()
    assert not at.exception
    (shown,) = _matches(at)
    assert XSS_PAYLOADS[0] not in shown  # escaped for Markdown
    assert "onerror" in shown
