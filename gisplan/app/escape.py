"""Escaping of text shown inside the folium map.

folium puts popup and tooltip text into the page as raw HTML, and static popup
and tooltip text also sits inside a JavaScript template literal, where
```${...}``` runs as code. The map iframe is allowed to run scripts with the app's
origin, so an unescaped site name such as ``<img src=x onerror=...>`` would act
as the logged-in user. Every user- or source-supplied string therefore goes
through :func:`escape_html` before it reaches folium.

branca (under folium) also compiles every rendered piece of the map again as a
Jinja template and renders it on the server, so ``{{ ... }}`` or ``{% ... %}``
in a site name would run as Jinja code in the app's process (for example
``{{ cycler.__init__.__globals__.os... }}``). :func:`escape_html` therefore turns
``{`` and ``}`` into character references as well.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd

#: Characters that are harmless in HTML text but active in a JS template literal, or
#: in the Jinja template branca makes of each rendered piece of the map (braces).
_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})


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
        ``<``, ``>``, ``&`` (other than entities), quotes, backticks, ``$``,
        backslashes or braces, so it can neither open a tag or attribute, nor start a
        ```${...}``` interpolation or an escape sequence in a template literal, nor
        a Jinja expression or statement on the server.
    """
    if _is_missing(text):
        return ""
    return html.escape(str(text), quote=True).translate(_TEMPLATE_LITERAL)


_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
#: U+2060 WORD JOINER: invisible, no line break, and not a character a URL, domain or e-mail address may hold.
WORD_JOINER = "\u2060"
#: Where GitHub-flavoured markdown's autolink literals start: a scheme before ``:``, ``www`` before ``.``, ``@``.
_AUTOLINK_START = re.compile(r"(?i)(?:https?|ftp|mailto|xmpp)(?=:)|www(?=\.)|(?=@)")


def escape_markdown(text: object) -> str:
    """Backslash-escape every ASCII punctuation character, for Streamlit markdown.

    Streamlit renders ``st.markdown``, ``st.subheader`` and the like as markdown,
    where a source text such as ``[x](javascript:...)`` would become a link and
    ``:red[...]`` or ``$...$`` would be interpreted. CommonMark lets any ASCII
    punctuation be escaped with a backslash, so the text shows as typed.
    Line breaks become spaces.

    Escaping does not stop GitHub-flavoured markdown's autolink literals: a bare
    ``https://…``, ``www.…`` or ``name@domain`` in the text would still become a
    live link. An invisible :data:`WORD_JOINER` is put before the ``:`` of a
    scheme, the ``.`` after ``www`` and every ``@``, so no autolink can start and
    the text reads the same.
    """
    if _is_missing(text):
        return ""
    flat = " ".join(str(text).split())
    unlinked = _AUTOLINK_START.sub(r"\g<0>" + WORD_JOINER, flat)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked)
