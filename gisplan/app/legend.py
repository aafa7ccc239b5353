"""A legend drawn as a Leaflet control inside the map, which folds away.

A plain HTML legend instead of a branca colormap: streamlit-folium loads d3
from a CDN for colormaps, which breaks the offline map.

A legend written as ``<details>`` folds and unfolds on a click of its
``<summary>`` line; on a small screen (``window.gisplanSmallScreen()``, when
defined) it starts folded, so a phone still shows the map. Clicks and scrolls
inside the legend do not reach the map.
"""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template


class Legend(MacroElement):
    """A bottom-right Leaflet control holding ``html``.

    Parameters
    ----------
    html
        The legend's HTML; every text in it must already be escaped. It reaches
        the page as a JSON string (``tojson`` also escapes ``<`` and ``>``).
    position
        A Leaflet control position, e.g. ``"bottomright"``.
    script
        JavaScript run before the control is made (trusted code, not data), e.g.
        the definition of ``window.gisplanSmallScreen``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.script }}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "gisplan-legend-control");
            div.innerHTML = {{ this.html|tojson }};
            var folding = div.querySelector("details");
            if (folding && window.gisplanSmallScreen && window.gisplanSmallScreen()) {
                folding.open = false;
            }
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str = "bottomright", script: str = "") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.html = html
        self.position = position
        self.script = script
