from __future__ import annotations

import html
import math
import re
from pathlib import Path
from unittest import mock

import folium
import pandas as pd
import pytest
from branca.element import MacroElement

from gisplan.app import _branca
from gisplan.app.escape import WORD_JOINER, escape_html, escape_markdown

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "${alert(document.cookie)}",
    "</script><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "C:\\users\\x \\u{61}",
    "Old <b>gasworks</b> & 'yard'",
    "{{ 7*7 }} {% for x in range(3) %}X{% endfor %} {# c #}",
]
#: Jinja that would read the server's working directory if branca evaluated it.
JINJA_PROBE = "Statek {{ cycler.__init__.__globals__.os.getcwd() }} {{ 6*7 }}"


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_html_leaves_nothing_active(text: str) -> None:
    out = escape_html(text)
    for active in ("<", ">", "`", "${", "$", "\\", '"', "'", "{", "}"):
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
    assert out.replace("\\", "").replace(WORD_JOINER, "") == text


@pytest.mark.parametrize(
    "text",
    [
        "Viz https://evil.example/x?a=1",
        "HTTP://EVIL.EXAMPLE",
        "stránky www.evil.cz a WWW.EVIL.CZ",
        "napište na starosta@obec.cz",
        "ftp://files.example mailto:x@y.cz xmpp:a@b.cz",
        '=HYPERLINK("http://x","y")',
    ],
)
def test_escape_markdown_leaves_no_autolink_literal(text: str) -> None:
    """GFM turns a bare URL, www. domain or e-mail address into a link even after backslash escapes."""
    out = escape_markdown(text)
    unescaped = out.replace("\\", "")  # what the markdown parser sees as text after the escapes
    assert not re.search(r"(?i)(https?|ftp|mailto|xmpp):|www\.|[\w.+-]@", unescaped)
    assert unescaped.replace(WORD_JOINER, "") == text  # reads the same


def test_escape_markdown_flattens_lines() -> None:
    assert escape_markdown("a\n# b") == "a \\# b"
    assert escape_markdown(None) == ""


def _geojson_page(name: str) -> str:
    m = folium.Map(tiles=None)
    feature = {"type": "Feature", "id": "0", "properties": {"name": name}, "geometry": None}
    feature["geometry"] = {"type": "Point", "coordinates": [13.8, 50.5]}
    collection = {"type": "FeatureCollection", "features": [feature]}
    folium.GeoJson(collection, tooltip=folium.GeoJsonTooltip(fields=["name"])).add_to(m)
    return str(m.get_root().render())


def test_unescaped_jinja_in_a_name_would_run_on_the_server_with_brancas_render() -> None:
    """Guard: branca renders each rendered piece again as a Jinja template, so braces in data run as code."""
    with mock.patch.object(MacroElement, "render", _branca.BRANCA_RENDER):
        page = _geojson_page(JINJA_PROBE)
    assert str(Path.cwd()) in page
    assert " 42" in page  # the probe ran: "Statek <cwd> 42"


def test_the_apps_render_keeps_unescaped_jinja_as_text() -> None:
    """Second line of defence: the app's maps render without branca's second Jinja pass."""
    _branca.install()
    assert _branca.installed()
    page = _geojson_page(JINJA_PROBE)
    assert str(Path.cwd()) not in page
    assert "Statek 42" not in page and " 42" not in page  # element ids are random hex: look for the probe's output
    assert "{{ 6*7 }}" in page


def test_escaped_jinja_in_a_name_shows_as_text_and_runs_nothing() -> None:
    page = _geojson_page(escape_html(JINJA_PROBE))
    assert str(Path.cwd()) not in page
    assert " 42" not in page  # element ids are random hex: look for the probe's output after its space
    assert "6*7" in page  # still there, as inert text
    assert html.unescape(escape_html(JINJA_PROBE)) == JINJA_PROBE
