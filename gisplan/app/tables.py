"""Every table of the app: shown without Streamlit's export toolbar, downloaded only through an audited button.

Streamlit's dataframe toolbar offers "Download as CSV" to anyone who sees an
``st.dataframe`` or ``st.data_editor``, with raw cell values (formulas included)
and no call into our code, so a municipality user, refused the export action,
could still download any table. The app therefore switches the built-in export
off for everybody (``client.disableDataExport``, in ``.streamlit/config.toml``
and again by :func:`disable_builtin_export` at every run), and every page shows
its tables through :func:`show_table`. A table given a ``download`` name gets a
download button for users whose role may export; the file is written by
:func:`gisplan.export.table_csv_bytes` (formulas neutralised) and the store
checks and audits the export when the button is clicked.
``tests/app/test_tables.py`` fails when a page calls ``st.dataframe`` directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from gisplan.app import auth
from gisplan.app.i18n import t
from gisplan.export.spreadsheet import table_csv_bytes
from gisplan.store import Store
from gisplan.store import permissions as perm

#: The Streamlit option that hides the CSV download (and copy) of dataframes and chart tables.
EXPORT_OPTION = "client.disableDataExport"


def disable_builtin_export() -> None:
    """Switch off Streamlit's own table download for this server, whatever its config file says."""
    if st.get_option(EXPORT_OPTION) is not True:
        st.set_option(EXPORT_OPTION, True)


def may_export(user: auth.SessionUser | None) -> bool:
    """True if ``user``'s role may export (the store checks scope and audits again on download)."""
    return user is not None and perm.role_allows(user.role, perm.Action.EXPORT)


def _file_name(name: str) -> str:
    return (re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "table") + ".csv"


def table_bytes(store: Store, user_id: int, name: str, frame: pd.DataFrame) -> bytes:
    """``frame`` as formula-safe CSV, after the store has checked and audited the export ``table:<name>``.

    Raises
    ------
    PermissionDeniedError
        If the user may not export (the refusal is audited by the store).
    """
    store.authorize_export(user_id, f"table:{name}")
    return table_csv_bytes(frame)


def _deferred(store: Store, user_id: int, name: str, frame: pd.DataFrame) -> Callable[[], bytes]:
    return lambda: table_bytes(store, user_id, name, frame)


def _download(where: Any, frame: pd.DataFrame, name: str, lang: str) -> None:
    user = auth.current_user()
    if not may_export(user) or user is None:
        return
    where.download_button(
        t("table.download", lang),
        data=_deferred(auth.get_store(), user.id, name, frame),
        file_name=_file_name(name),
        mime="text/csv",
        key=f"table_download_{name}",
        on_click="ignore",
        icon=":material/download:",
    )


def show_table(
    data: Any,
    *,
    download: str | None = None,
    lang: str | None = None,
    container: DeltaGenerator | None = None,
    **options: Any,
) -> Any:
    """Show ``data`` with ``st.dataframe`` (``options`` are its keyword arguments); return what it returns.

    Parameters
    ----------
    data
        The table (a DataFrame, or anything ``st.dataframe`` takes).
    download
        A name for the table's download (``map_results``): users whose role may
        export get a button that downloads the shown table as CSV, checked and
        audited by the store as ``table:<name>``. None: no download.
    lang
        Interface language of the button; default the session's.
    container
        Where to draw (a column, a tab…); default the page.
    options
        Keyword arguments of ``st.dataframe`` (``hide_index``, ``column_config``, ``key``…).
    """
    disable_builtin_export()
    where: Any = st if container is None else container
    shown = where.dataframe(data, **options)
    if download is not None:
        from gisplan.app import shell

        frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        _download(where, frame, download, lang or shell.language())
    return shown


__all__ = ["EXPORT_OPTION", "disable_builtin_export", "may_export", "show_table", "table_bytes"]
