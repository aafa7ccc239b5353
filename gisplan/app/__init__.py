"""The Streamlit app: pages, map rendering and interface texts.

This subpackage is the only part of gisplan that imports ``streamlit``, and only
in the modules that draw the interface (:mod:`gisplan.app.shell`,
:mod:`gisplan.app.cache` and :mod:`gisplan.app.pages`). The rest is plain Python
that the tests call directly:

- :mod:`gisplan.app.escape`: escaping of every text shown in the map;
- :mod:`gisplan.app.assets`: local copies of Leaflet and plugin files (offline map);
- :mod:`gisplan.app.i18n`: interface texts in Czech (default) and English;
- :mod:`gisplan.app.mapdata`: loading the catalogue layers for the map;
- :mod:`gisplan.app.mapview`: building the folium map from those layers.

Each page is one module in :mod:`gisplan.app.pages` with a ``render()``
function; :mod:`gisplan.app.shell` lists them for ``st.navigation``.
"""

from __future__ import annotations
