"""A legend drawn as a Leaflet control inside the map.

A plain HTML legend instead of a branca colormap: streamlit-folium loads d3
from a CDN for colormaps, which breaks the offline map.
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
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "gisplan-legend-control");
            div.innerHTML = {{ this.html|tojson }};
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str = "bottomright") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.html = html
        self.position = position
