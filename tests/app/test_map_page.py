"""AppTest tests of the Map page on the app store (three scored sites, two municipalities).

The map itself is a mocked component (``streamlit_folium.st_folium``); the page
reads the map's view and clicks from ``st.session_state[MAP_KEY]``, which
``st_folium`` fills before a run, so the tests set it there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from gisplan.app import auth
from gisplan.app.pages import map_page
from gisplan.crs import transformer
from gisplan.store import Store
from tests.app.appstore import DOLNI, GOOD_SITE, HORNI, X0, XSS_PAYLOADS, Y0, user_id
from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")
HOSTILE_SITE = "tiny_brownfields:BF2"


def _app(store: Store, username: str = "animator", *, map_sent: bool = True) -> AppTest:
    """The app, logged in; ``map_sent``: as after the map's first report (the mocked map never reports)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(store, username)
    if map_sent:
        at.session_state[map_page._MAP_SENT] = True
    return at


def test_the_first_map_of_a_session_comes_before_the_table(app_store: Store, folium_mock: Any) -> None:
    """The table's data grid waits for the run after the map is sent (the map's report of its view)."""
    at = _app(app_store, map_sent=False).run()
    assert not at.exception
    folium_mock.assert_called_once()
    assert "Tabulka se zobrazí, jakmile se vykreslí mapa." in _text(at)
    assert len(at.dataframe) == 0
    at.run()  # what the map's report of its bounds does
    assert _names(at) == ["Bývalý důl Jan", XSS_PAYLOADS[0]]
    assert "Tabulka se zobrazí" not in _text(at)


def _names(at: AppTest) -> list[str]:
    table = at.dataframe[-1].value
    return table.iloc[:, 0].tolist()


def _text(at: AppTest) -> str:
    parts = [*at.title, *at.subheader, *at.markdown, *at.caption, *at.warning, *at.info, *at.error, *at.code]
    return "\n".join(str(p.value) for p in parts)


def _latlon(x: float, y: float) -> dict[str, float]:
    lon, lat = transformer("EPSG:5514", "EPSG:4326").transform(x, y)
    return {"lat": lat, "lng": lon}


def _bounds(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"_southWest": _latlon(x0, y0), "_northEast": _latlon(x1, y1)}


@pytest.fixture
def folium_mock() -> Any:
    with mock.patch("streamlit_folium.st_folium", return_value=None) as st_folium:
        yield st_folium


def test_map_lists_the_stored_sites_best_score_first(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store).run()
    assert not at.exception
    assert at.title[0].value == "Mapa kandidátních ploch"
    table = at.dataframe[-1].value
    assert list(table.columns) == ["Název", "Druh", "Obec", "Skóre", "Stav", "Plocha [m²]", "Změřeno [% váhy]"]
    # the first profile (ground_pv) excludes the rooftop: two brownfields, the better first
    assert table["Název"].tolist() == ["Bývalý důl Jan", XSS_PAYLOADS[0]]  # plain text in the table
    assert table["Skóre"].tolist() == [9.1, 4.2]
    # how much of each score was measured, in percent of the weight (the tiny region's layers reach both)
    assert all(0 < v <= 100 for v in table["Změřeno [% váhy]"])
    assert set(table["Obec"]) == {"Horní Ves"}
    assert "Zobrazeno 2 z 2 ploch" in _text(at)
    kwargs = folium_mock.call_args.kwargs
    assert kwargs["key"] == map_page.MAP_KEY
    assert kwargs["returned_objects"] == ["last_object_clicked", "bounds", "zoom"]
    assert kwargs["layer_control"] is not None
    assert [g.layer_name for g in kwargs["feature_group_to_add"]] == ["Brownfield"]
    at.sidebar.radio(key=map_page.KEYS["excluded"]).set_value("all").run()
    assert len(_names(at)) == 3
    assert {g.layer_name for g in folium_mock.call_args.kwargs["feature_group_to_add"]} == {"Brownfield", "Střecha"}


def test_filters_change_the_table_and_the_map_together(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store).run()
    at.sidebar.radio(key=map_page.KEYS["excluded"]).set_value("all").run()
    assert len(_names(at)) == 3
    at.sidebar.multiselect(key=map_page.KEYS["municipalities"]).set_value([HORNI]).run()
    assert not at.exception
    assert _names(at) == ["Bývalý důl Jan", XSS_PAYLOADS[0]]
    kwargs = folium_mock.call_args.kwargs
    assert [g.layer_name for g in kwargs["feature_group_to_add"]] == ["Brownfield"]
    # the map moves to the chosen municipality's sites: 700 m across, centred on both brownfields
    assert kwargs["zoom"] >= 15
    lat, lon = kwargs["center"]
    centre = _latlon(X0 + 450, Y0 + 200)
    assert abs(lat - centre["lat"]) < 1e-4
    assert abs(lon - centre["lng"]) < 1e-4
    at.sidebar.multiselect(key=map_page.KEYS["kinds"]).set_value(["brownfield"]).run()
    assert len(_names(at)) == 2
    assert folium_mock.call_args.kwargs["zoom"] is None  # an unchanged municipality filter does not move the map
    at.sidebar.multiselect(key=map_page.KEYS["municipalities"]).set_value([DOLNI]).run()
    assert _names(at) == []
    assert folium_mock.call_args.kwargs["feature_group_to_add"] == []


def test_score_status_and_excluded_filters(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store).run()
    at.sidebar.slider(key=map_page.KEYS["score"]).set_value((5, 100)).run()
    assert _names(at) == ["Bývalý důl Jan"]
    at.sidebar.slider(key=map_page.KEYS["score"]).set_value((0, 100)).run()
    at.sidebar.multiselect(key=map_page.KEYS["statuses"]).set_value(["screening"]).run()
    assert not at.dataframe[-1].value.shape[0]
    assert "Filtrům neodpovídá žádná plocha." in [i.value for i in at.info]
    at.sidebar.multiselect(key=map_page.KEYS["statuses"]).set_value([]).run()
    at.sidebar.radio(key=map_page.KEYS["excluded"]).set_value("excluded").run()
    assert not at.exception
    excluded = at.dataframe[-1].value
    assert excluded["Název"].tolist() == ["Budova 7"]
    assert excluded["Skóre"].tolist() == ["vyloučeno"]


def test_profile_choice_limits_the_kinds_offered(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store).run()
    assert at.sidebar.selectbox(key=map_page.KEYS["profile"]).options == [
        "Pozemní fotovoltaika na brownfieldech a obecních pozemcích",
        "Fotovoltaika na střechách",
    ]
    kinds = at.sidebar.multiselect(key=map_page.KEYS["kinds"])
    assert kinds.options == ["Brownfield", "Obecní pozemek"]
    kinds.set_value(["brownfield"]).run()
    at.sidebar.selectbox(key=map_page.KEYS["profile"]).set_value("rooftop_pv").run()
    assert _names(at) == ["Budova 7"]
    assert not at.exception
    assert at.sidebar.multiselect(key=map_page.KEYS["kinds"]).options == ["Střecha"]
    assert at.session_state[map_page.KEYS["kinds"]] == []  # the brownfield choice did not survive


def test_funding_call_filter_keeps_what_the_matcher_allows(app_store: Store, folium_mock: Any) -> None:
    from gisplan.app.filters import funding_mask
    from gisplan.app.mapdata import load_site_index
    from gisplan.funding import FundingCall

    calls = {c.code: FundingCall.model_validate(c.rules) for c in app_store.funding_calls()}
    index = load_site_index(app_store, "ground_pv")
    populations = {HORNI: 850.0, DOLNI: 420.0}
    # a call for which some, not all, sites may be eligible
    code = next(
        code
        for code, call in calls.items()
        if 0 < funding_mask(index, call, include_unknown=True, populations=populations).sum() < len(index)
    )
    expected = funding_mask(index, calls[code], include_unknown=True, populations=populations)
    at = _app(app_store).run()
    at.sidebar.selectbox(key=map_page.KEYS["call"]).set_value(code).run()
    at.sidebar.checkbox(key=map_page.KEYS["call_unknown"]).check().run()
    assert not at.exception
    wanted = set(index.loc[expected & ~index["excluded"].to_numpy(), "name"])
    assert set(_names(at)) == wanted
    assert "pravidel výzvy" in _text(at)


def test_view_box_limits_the_sites_sent(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store)
    at.session_state[map_page.MAP_KEY] = {"bounds": _bounds(X0, Y0, X0 + 500, Y0 + 500), "zoom": 17}
    at.run()
    assert not at.exception
    assert _names(at) == ["Bývalý důl Jan"]
    assert "Zobrazeno 1 z 1 ploch" in _text(at)
    assert "filtrům odpovídá 2 ploch" in _text(at)


def test_clicking_a_site_opens_its_card(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store)
    at.session_state[map_page.MAP_KEY] = {
        "bounds": _bounds(X0, Y0, X0 + 4000, Y0 + 2000),
        "zoom": 15,
        "last_object_clicked": _latlon(X0 + 250, Y0 + 200),
    }
    at.run()
    assert not at.exception
    assert at.session_state["selected_site_id"] == GOOD_SITE
    assert "Bývalý důl Jan" in _text(at)  # the Site page shows the card
    assert at.title[0].value != "Mapa kandidátních ploch"


def test_click_on_empty_ground_says_so(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store)
    at.session_state[map_page.MAP_KEY] = {"zoom": 15, "last_object_clicked": _latlon(X0 + 3800, Y0 + 200)}
    at.run()
    assert not at.exception
    assert "V místě klepnutí není žádná kandidátní plocha." in [i.value for i in at.info]
    assert "selected_site_id" not in at.session_state


def test_english(app_store: Store, folium_mock: Any) -> None:
    at = _app(app_store).run()
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Map of candidate sites"
    assert list(at.dataframe[-1].value.columns) == [
        "Name",
        "Kind",
        "Municipality",
        "Score",
        "Status",
        "Area [m²]",
        "Measured [% of weight]",
    ]
    assert at.sidebar.selectbox(key=map_page.KEYS["profile"]).options == [
        "Ground PV on brownfields and municipal land",
        "Rooftop PV",
    ]


def test_empty_store_tells_how_to_load_the_demo(
    app_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folium_mock: Any
) -> None:
    from sqlalchemy import delete

    from gisplan.store.models import SiteScore

    with app_store.engine.begin() as conn:
        conn.execute(delete(SiteScore))
    at = _app(app_store).run()
    assert not at.exception
    assert "gisplan demo load" in at.warning[0].value
    assert not at.dataframe


def test_missing_context_files_are_listed_and_sites_still_shown(
    app_store: Store, tiny_region: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folium_mock: Any
) -> None:
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(tmp_path / "nothing"))
    at = _app(app_store).run()
    assert not at.exception
    assert "Podkladové vrstvy nelze načíst" in at.warning[0].value
    assert "obce.gpkg" in at.code[0].value
    assert len(_names(at)) == 2


def _map_page_alone() -> None:
    from gisplan.app.pages import map_page

    map_page.render()


def test_page_refuses_without_login(app_store: Store) -> None:
    at = AppTest.from_function(_map_page_alone, default_timeout=30).run()
    assert not at.exception
    assert at.warning
    assert not at.dataframe
