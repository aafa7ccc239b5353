"""AppTest smoke tests of the whole app on the tiny region (the map itself is a mocked component)."""

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
from tests.app.appstore import user_id
from tests.app.conftest import X0, Y0
from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")
_LOGIN: dict[str, int] = {}


@pytest.fixture(autouse=True)
def _logged_in_animator(app_store: Store) -> None:
    """Every run of the app is logged in as the animator of the app store."""
    _LOGIN[auth.USER_KEY] = user_id(app_store, "animator")


def _run(**kwargs: Any) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in _LOGIN.items():
        at.session_state[key] = value
    return at.run(**kwargs)


def _text(at: AppTest) -> str:
    parts = [*at.title, *at.subheader, *at.markdown, *at.caption, *at.warning, *at.info, *at.error, *at.code]
    return "\n".join(str(p.value) for p in parts)


@pytest.mark.usefixtures("tiny_env")
def test_map_page_runs_in_czech_and_lists_every_site() -> None:
    at = _run()
    assert not at.exception
    assert at.title[0].value == "Mapa kandidátních ploch"
    assert not at.warning
    table = at.dataframe[-1].value
    assert len(table) == 66
    assert list(table.columns) == ["Název", "Druh", "Obec", "Plocha [m²]"]
    assert table.iloc[0]["Název"] == "`${alert(1)}`"  # largest first, shown as plain text
    assert table.iloc[0]["Obec"] == "Dolní Ves"
    assert set(table["Druh"]) == {"Brownfield", "Obecní pozemek", "Střecha"}
    assert "66 kandidátních ploch" in _text(at)


@pytest.mark.usefixtures("tiny_env")
def test_language_switch_to_english() -> None:
    at = _run()
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Map of candidate sites"
    assert list(at.dataframe[-1].value.columns) == ["Name", "Kind", "Municipality", "Area [m²]"]


def _click(x: float, y: float) -> dict[str, Any]:
    lon, lat = transformer("EPSG:5514", "EPSG:4326").transform(x, y)
    return {"last_object_clicked": {"lat": lat, "lng": lon}}


@pytest.mark.usefixtures("tiny_env")
def test_clicking_a_site_shows_its_card_with_escaped_name() -> None:
    with mock.patch("streamlit_folium.st_folium", return_value=_click(X0 + 650, Y0 + 150)) as st_folium:
        at = _run()
    assert not at.exception
    assert st_folium.call_args.kwargs["returned_objects"] == ["last_object_clicked"]
    assert st_folium.call_args.kwargs["key"] == map_page.MAP_KEY
    assert at.session_state[map_page.SELECTED] == "tiny_brownfields:BF2"
    assert "Vybraná plocha" in [s.value for s in at.subheader]
    heading = next(m.value for m in at.markdown if str(m.value).startswith("####"))
    assert heading == "#### \\<img src\\=x onerror\\=alert\\(1\\)\\>"
    card = at.dataframe[0].value
    assert "prumysl" in set(card.iloc[:, 1])


@pytest.mark.usefixtures("tiny_env")
def test_click_on_empty_ground_says_so() -> None:
    with mock.patch("streamlit_folium.st_folium", return_value=_click(X0 + 3800, Y0 + 200)):
        at = _run()
    assert not at.exception
    assert "V místě klepnutí není žádná kandidátní plocha." in [i.value for i in at.info]


def test_missing_demo_data_tells_how_to_build_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "layers").mkdir()
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(tmp_path / "layers"))
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(tmp_path / "data"))
    at = _run()
    assert not at.exception
    assert "gisplan demo build" in at.warning[0].value
    assert not at.dataframe


def test_missing_files_are_listed(
    tiny_region: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layers, _ = tiny_region
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(layers))
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(tmp_path / "nothing"))
    at = _run()
    assert not at.exception
    assert "gisplan demo build" in at.warning[0].value
    assert "brownfields.gpkg" in at.code[0].value


def test_invalid_setting_is_shown_not_raised(tiny_env: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISPLAN_BASEMAP", "satellite")
    at = _run()
    assert not at.exception
    assert "GISPLAN_BASEMAP" in at.code[0].value


def _about_page() -> None:
    from gisplan.app.pages import about

    about.render()


@pytest.mark.usefixtures("tiny_env")
def test_about_page_lists_layer_licences() -> None:
    at = AppTest.from_function(_about_page, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "O aplikaci gisplan"
    licences = at.dataframe[0].value
    assert set(licences["Vrstva"]) == {"tiny_obce", "tiny_lines", "tiny_brownfields", "tiny_municipal", "tiny_rooftops"}


@pytest.mark.parametrize(("offline", "tiles_expected"), [("0", True), ("1", False)])
def test_osm_basemap_only_when_online(
    tiny_env: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, offline: str, tiles_expected: bool
) -> None:
    monkeypatch.setenv("GISPLAN_BASEMAP", "osm")
    monkeypatch.setenv("GISPLAN_OFFLINE", offline)
    with mock.patch("streamlit_folium.st_folium", return_value=None) as st_folium:
        at = _run()
    assert not at.exception
    page = st_folium.call_args.args[0].get_root().render()
    assert ("tile.openstreetmap.org" in page) is tiles_expected
    assert ("OpenStreetMap" in _text(at)) is tiles_expected


def test_secrets_fill_unset_settings(tiny_env: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("GISPLAN_LANG", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.USER_KEY] = _LOGIN[auth.USER_KEY]
    at.secrets["gisplan"] = {"lang": "en", "basemap": "osm"}
    try:
        at.run()
        assert not at.exception
        assert os.environ["GISPLAN_LANG"] == "en"
        assert os.environ["GISPLAN_BASEMAP"] == "none"  # an environment variable wins over secrets
        assert at.title[0].value == "Map of candidate sites"
    finally:
        os.environ.pop("GISPLAN_LANG", None)
