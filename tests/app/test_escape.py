from __future__ import annotations

import html
import math

import folium
import pandas as pd
import pytest

from gisplan.app.escape import escape_html, escape_markdown

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "${alert(document.cookie)}",
    "</script><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "C:\\users\\x \\u{61}",
    "Old <b>gasworks</b> & 'yard'",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_html_leaves_nothing_active(text: str) -> None:
    out = escape_html(text)
    for active in ("<", ">", "`", "${", "$", "\\", '"', "'"):
        assert active not in out
    # every & starts an entity, so the browser shows exactly the original text
    assert html.unescape(out) == text


def test_escape_html_keeps_plain_czech_text() -> None:
    assert escape_html("Bývalý důl Jan – areál č. 5") == "Bývalý důl Jan – areál č. 5"


@pytest.mark.parametrize("missing", [None, math.nan, pd.NA, pd.NaT])
def test_escape_html_missing_values_are_empty(missing: object) -> None:
    assert escape_html(missing) == ""


def test_escape_html_formats_numbers() -> None:
    assert escape_html(12.5) == "12.5"


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_is_inert_in_folium_tooltip_and_popup(text: str) -> None:
    m = folium.Map(tiles=None)
    folium.Marker([50.5, 13.8], tooltip=escape_html(text), popup=folium.Popup(escape_html(text))).add_to(m)
    page = m.get_root().render()
    for active in ("<img", "${alert", "<script>alert", 'onmouseover="', "\\users", "<b>gasworks"):
        assert active not in page


def test_unescaped_text_would_be_active() -> None:
    """Guard for the test above: folium really does put the raw text into the page."""
    m = folium.Map(tiles=None)
    folium.Marker([50.5, 13.8], tooltip="`${alert(1)}` <img src=x>").add_to(m)
    page = m.get_root().render()
    assert "`${alert(1)}` <img src=x>" in page


def test_escape_markdown_disarms_links_and_directives() -> None:
    text = "[klik](javascript:alert(1)) :red[x] $x$ **b** <i>"
    out = escape_markdown(text)
    assert "](" not in out
    assert ":red[" not in out
    assert "$x$" not in out
    assert "**" not in out
    assert out.replace("\\", "") == text


def test_escape_markdown_flattens_lines() -> None:
    assert escape_markdown("a\n# b") == "a \\# b"
    assert escape_markdown(None) == ""
