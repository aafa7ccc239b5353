"""AppTest smoke tests of the whole app on the tiny region (the map itself is a mocked component)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from gisplan.app import auth
from gisplan.store import Store
from tests.app.appstore import user_id
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
