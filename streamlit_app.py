"""gisplan's web app: ``streamlit run streamlit_app.py`` (or ``python3 dev.py run``).

A thin entry: the page setup, then :func:`gisplan.app.shell.main`, which maps
secrets onto settings, logs the user in, draws the language switch and runs
the page the URL names among those the user's role may see. An unexpected
exception becomes a one-line message (:func:`gisplan.app.shell.guarded`).
"""

from __future__ import annotations

import streamlit as st

from gisplan.app import shell

st.set_page_config(page_title="gisplan", page_icon="🗺️", layout="wide")
# Anything unexpected, in the frame or in a page, is one line for the user and a logged traceback.
shell.guarded(shell.main)
