"""The Streamlit app: pages, map rendering and interface texts.

This subpackage is the only part of gisplan that imports ``streamlit``, and only
in the modules that draw the interface (:mod:`~gisplan.app.shell`,
:mod:`~gisplan.app.auth`, :mod:`~gisplan.app.cache`, :mod:`~gisplan.app.noticeboard`,
:mod:`~gisplan.app.submitform` and :mod:`gisplan.app.pages`). The rest is plain
Python that the tests call directly:

- texts and safety: :mod:`~gisplan.app.i18n` (one catalogue per language in
  ``locales/``), :mod:`~gisplan.app.escape` (every text shown in the map);
- the map: :mod:`~gisplan.app.assets` (local Leaflet files, so the map works
  offline), :mod:`~gisplan.app.mapdata` (sites from the store, context layers from
  the catalogue), :mod:`~gisplan.app.filters`, :mod:`~gisplan.app.mapsites` (what
  one view sends), :mod:`~gisplan.app.mapview` (the base map),
  :mod:`~gisplan.app.legend`, :mod:`~gisplan.app.submitmap`;
- the site card: :mod:`~gisplan.app.sitecard`, :mod:`~gisplan.app.siteactions`,
  :mod:`~gisplan.app.sitefunding`, :mod:`~gisplan.app.charts`;
- dashboards: :mod:`~gisplan.app.charts_monitoring`.

Each page is one module in :mod:`gisplan.app.pages` with a ``render()``
function; :mod:`gisplan.app.shell` registers each with the roles that see it.
"""

from __future__ import annotations
