"""US EPA RE-Powering America's Land screening sites (GeoJSON or shapefile of points).

The EPA's RE-Powering screening data list contaminated lands, landfills and mine
sites with their renewable-energy potential. Each site is a point with its area
declared in ``Acres`` (and ``Hectares``), the EPA's own PV estimate
``Estimated_PV_Capacity`` (acres / 4.5 acres per MW, the EPA screening rule) and
distances in miles. Exports through shapefiles truncate the names to ten
characters (``Estimated_``, ``Distance_t``); the full names are restored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gisplan.sources._common import canonical, check_kind, logger

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns that mark an EPA RE-Powering file (all must be present).
MARKERS = ("Site_Name", "Site_ID", "Acres")
#: Shapefile-truncated EPA names -> the EPA's full names (the attributes the rules may use).
FULL_NAMES = {
    "Site_Statu": "Site_Status",
    "RE_Powerin": "RE_Powering_Profile",
    "Known_Land": "Known_Landfill",
    "Estimated_": "Estimated_PV_Capacity",
    "Large_Util": "Large_Utility_Scale_PV",
    "Utility_Sc": "Utility_Scale_PV",
    "Small_Util": "Small_Utility_Scale_PV",
    "Large_Dist": "Large_Distributed_Scale_PV",
    "Off_grid_P": "Off_grid_PV",
    "No_Acreage": "No_Acreage_PV",
    "Substation": "Substation_Voltage",
    "Distance_t": "Distance_to_Substation",
    "Transmissi": "Transmission_Line_Status",
    "Transmis_1": "Transmission_Line_kV",
    "Distance_1": "Distance_to_Transmission",
    "Distance_2": "Distance_to_Road",
    "Distance_3": "Distance_to_Rail",
    "Urban_Area": "Urban_Area",
    "Urban_Ar_1": "Urban_Area_Population",
    "Distance_4": "Distance_to_Urban_Area",
    "CrossRefTx": "CrossRefTxt",
    "Program_Ge": "Program_General",
    "Classifica": "Classification",
    "Group_": "Group",
}
#: ``LandCover`` is the NLCD class of the one raster cell under the point, not the site's cover,
#: so it must not become the canonical ``land_cover`` (that would exclude a whole base whose
#: point falls in a wood).
RENAMED = {"LandCover": "NLCD_Land_Cover_at_Point"}
#: The RE-Powering tracking reference (unique per listing); ``Site_ID`` repeats across programmes.
ID_COLUMN = "CrossRefTxt"


def is_us_epa(fields: set[str]) -> bool:
    """True if the field names look like an EPA RE-Powering screening file."""
    return all(m in fields for m in MARKERS)


def read_us_epa(
    raw: gpd.GeoDataFrame,
    *,
    label: str,
    kind: str | None = "brownfield",
    columns: Mapping[str, str] | None = None,
    working_crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Canonical sites from an EPA RE-Powering screening layer read by pyogrio.

    Parameters
    ----------
    raw
        The layer as read (points in EPSG:4326, EPA attribute names, full or truncated).
    label
        File (and layer) named in messages.
    kind
        Site kind, ``brownfield`` by default.
    columns
        Catalogue mapping, which wins over the defaults below.
    working_crs
        Metric CRS; by default the one :mod:`gisplan.crs` picks for the sites' extent.

    Returns
    -------
    geopandas.GeoDataFrame
        ``source`` ``us-epa``, ``source_id`` the RE-Powering reference (``CrossRefTxt``, else
        ``Site_ID``), ``name`` = ``Site_Name``, ``area_m2`` = ``Acres`` × 4,046.86 [m²]
        (``area_source`` ``declared:Acres[acres]``; ``Hectares`` × 10,000 where ``Acres`` is
        empty, ``declared:Hectares[ha]``), and every EPA attribute in snake_case under its full
        EPA name (``estimated_pv_capacity`` [MW], ``distance_to_substation`` [mi], …).
    """
    from gisplan.measurements.geometry import AREA_UNITS, declared_source

    check_kind(kind)
    frame = raw.rename(columns={**FULL_NAMES, **RENAMED})
    acres = _numbers(frame, "Acres")
    hectares = _numbers(frame, "Hectares")
    use_acres = acres > 0
    declared = pd.Series(
        np.where(use_acres, acres * AREA_UNITS["acres"], hectares * AREA_UNITS["ha"]), index=frame.index
    )
    labels = pd.Series(
        np.where(use_acres, declared_source("Acres", "acres"), declared_source("Hectares", "ha")), index=frame.index
    )
    if ID_COLUMN in frame.columns and frame[ID_COLUMN].notna().all() and not frame[ID_COLUMN].duplicated().any():
        ids: pd.Series[Any] = frame[ID_COLUMN].astype(str)
    else:
        logger.info("%s: no unique %s; ids are Site_ID/row", label, ID_COLUMN)
        ids = frame["Site_ID"].astype(str) + "/" + pd.Series(frame.index, index=frame.index).astype(str)
    return canonical(
        frame,
        source="us-epa",
        source_ids=ids,
        names=frame["Site_Name"],
        kind=kind,
        area_m2=declared,
        area_field=labels,
        columns=columns,
        working_crs=working_crs,
        label=label,
    )


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series[float]:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def fields_of(path: Path) -> set[str]:
    """The attribute names of a vector file (empty when GDAL cannot open it)."""
    import warnings

    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "more than one layer": the first one is enough to sniff
            return {str(f) for f in pyogrio.read_info(str(path))["fields"]}
    except (DataSourceError, DataLayerError, OSError, ValueError):
        return set()


__all__ = ["fields_of", "is_us_epa", "read_us_epa"]
