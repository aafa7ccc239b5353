"""gisplan's web app: ``streamlit run streamlit_app.py`` (or ``python3 dev.py run``).

A thin entry: settings from secrets, the language switch, and ``st.navigation``
over the pages in :mod:`gisplan.app.pages`.
"""

from __future__ import annotations

import streamlit as st

from gisplan.app import shell

st.set_page_config(page_title="gisplan", page_icon="🗺️", layout="wide")
shell.apply_secrets()
language = shell.language_switch()
st.navigation(shell.pages(language)).run()
