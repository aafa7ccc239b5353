"""Municipal boundaries for the place check, from the layer catalogue's admin layer.

Both the app's Submit page and ``gisplan submit`` check that a site lies in the
submitting municipality. The boundaries are the first vector layer with role
``admin`` in the catalogue (``GISPLAN_LAYERS_DIR``); its codes are in
``kod_obce`` when present, else in ``source_id`` (the catalogue's ``source_id``
column mapping).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gisplan.errors import ConfigError, GisplanError

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns that may hold the municipality code (kód obce), first present wins.
CODE_COLUMNS = ("kod_obce", "source_id")


def municipal_boundaries() -> tuple[gpd.GeoDataFrame | None, str]:
    """The catalogue's municipal boundaries (working CRS) and the column with their codes.

    Returns
    -------
    tuple
        The boundaries, or ``None`` when the catalogue has no readable admin layer (the
        place check is then skipped with a warning), and the code column name.
    """
    from gisplan.catalogue import load_catalogue
    from gisplan.sources import read_layer

    try:
        catalogue = load_catalogue()
    except ConfigError:
        return None, CODE_COLUMNS[0]
    for layer in catalogue.by_role("admin"):
        if layer.kind != "vector":
            continue
        try:
            frame: gpd.GeoDataFrame = read_layer(layer)
        except GisplanError:
            continue
        for column in CODE_COLUMNS:
            if column in frame.columns:
                frame[column] = frame[column].astype(str)
                return frame, column
    return None, CODE_COLUMNS[0]


__all__ = ["CODE_COLUMNS", "municipal_boundaries"]
