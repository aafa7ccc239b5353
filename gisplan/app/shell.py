"""The app's frame: settings from ``st.secrets``, language switch, page list.

``streamlit_app.py`` calls these three in order. Each page is a module in
:mod:`gisplan.app.pages` with a ``render()`` function; add new pages to
:func:`pages`.
"""

from __future__ import annotations

import os

import streamlit as st

from gisplan import settings
from gisplan.app.i18n import LANGUAGE_NAMES, UI_LANGUAGES, normalise_language, t
from gisplan.errors import ConfigError

#: Session-state key of the interface language.
LANG_KEY = "lang"


def apply_secrets() -> None:
    """Copy a ``[gisplan]`` table of ``.streamlit/secrets.toml`` into ``GISPLAN_*`` variables.

    Keys are setting names (``data_dir``, ``database_url``, ``basemap``…). An
    environment variable that is already set wins, so a deployment can override
    a secrets file. The library itself never reads ``st.secrets``.
    """
    try:
        table = st.secrets.get("gisplan", {})
    except FileNotFoundError:  # no secrets file (StreamlitSecretNotFoundError)
        return
    for key, value in dict(table).items():
        os.environ.setdefault(f"GISPLAN_{str(key).upper()}", str(value))


def language() -> str:
    """The interface language of this session (Czech unless the user switched)."""
    value = st.session_state.get(LANG_KEY)
    if value in UI_LANGUAGES:
        return str(value)
    try:
        return normalise_language(settings.get().language)
    except ConfigError:
        return UI_LANGUAGES[0]


def language_switch() -> str:
    """Draw the cs/en switch in the sidebar; return the chosen language."""
    st.session_state.setdefault(LANG_KEY, language())
    chosen = st.sidebar.radio(
        t("app.language", language()),
        options=list(UI_LANGUAGES),
        format_func=lambda code: LANGUAGE_NAMES.get(code, code),
        key=LANG_KEY,
        horizontal=True,
    )
    return str(chosen)


def pages(lang: str) -> list[st.Page]:
    """The pages of the app, titled in ``lang``; the map is the default page."""
    from gisplan.app.pages import about, map_page

    return [
        st.Page(map_page.render, title=t("nav.map", lang), icon=":material/map:", url_path="map", default=True),
        st.Page(about.render, title=t("nav.about", lang), icon=":material/info:", url_path="about"),
    ]
