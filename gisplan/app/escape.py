"""Escaping of text shown inside the folium map.

folium puts popup and tooltip text into the page as raw HTML, and static popup
and tooltip text also sits inside a JavaScript template literal, where
```${...}``` runs as code. The map iframe is allowed to run scripts with the app's
origin, so an unescaped site name such as ``<img src=x onerror=...>`` would act
as the logged-in user. Every user- or source-supplied string therefore goes
through :func:`escape_html` before it reaches folium.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd

#: Characters that are harmless in HTML text but active in a JS template literal.
_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def escape_html(text: object) -> str:
    """HTML-escape ``text`` and neutralise JavaScript template-literal syntax.

    Parameters
    ----------
    text
        Any value; ``None``, NaN, NaT and ``pd.NA`` become the empty string, everything else is
        turned into text with ``str``.

    Returns
    -------
    str
        Text that shows the same characters when read as HTML, and holds no
        ``<``, ``>``, ``&`` (other than entities), quotes, backticks, ``$`` or
        backslashes, so it can neither open a tag or attribute nor start a
        ```${...}``` interpolation or an escape sequence in a template literal.
    """
    if _is_missing(text):
        return ""
    return html.escape(str(text), quote=True).translate(_TEMPLATE_LITERAL)


_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: object) -> str:
    """Backslash-escape every ASCII punctuation character, for Streamlit markdown.

    Streamlit renders ``st.markdown``, ``st.subheader`` and the like as markdown,
    where a source text such as ``[x](javascript:...)`` would become a link and
    ``:red[...]`` or ``$...$`` would be interpreted. CommonMark lets any ASCII
    punctuation be escaped with a backslash, so the text shows as typed.
    Line breaks become spaces.
    """
    if _is_missing(text):
        return ""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
