"""The About page: what gisplan is, the layers' licences, the vendored map libraries."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import gisplan
from gisplan.app import shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.app.tables import show_table
from gisplan.catalogue import load_catalogue
from gisplan.errors import GisplanError


def render() -> None:
    """Draw the page."""
    lang = shell.language()
    st.title(t("about.heading", lang))
    st.write(t("about.body", lang))
    st.caption(t("about.version", lang, version=escape_markdown(gisplan.__version__)))
    st.subheader(t("about.data", lang))
    try:
        catalogue = load_catalogue()
    except GisplanError as exc:
        st.error(t("data.catalogue_failed", lang))
        st.code(str(exc), language=None)
        return
    rows = [
        {
            t("col.layer", lang): layer.id,
            t("col.name", lang): layer.title.get(lang),
            t("col.licence", lang): layer.licence,
        }
        for layer in catalogue.layers.values()
    ]
    if rows:
        show_table(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.info(t("data.missing", lang))
    st.caption(t("about.libraries", lang))
