"""Working coordinate reference systems.

All geometry work (areas, distances, overlays) happens in one metric *working
CRS*: EPSG:5514 (S-JTSK / Krovak East North) for data in Czechia, and a UTM zone
estimated by pyproj elsewhere. Web maps use EPSG:4326. Every transformer is built
with ``always_xy=True``, so coordinates are always (x=easting/longitude,
y=northing/latitude).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info
from pyproj.exceptions import CRSError as PyprojCRSError

from gisplan import settings
from gisplan.errors import CRSError, MissingCRSError

if TYPE_CHECKING:
    import geopandas as gpd

CZECH_CRS = "EPSG:5514"
WGS84 = "EPSG:4326"
#: Bounding box of Czechia in lon/lat [degrees]: (west, south, east, north).
CZECH_BBOX = (12.09, 48.55, 18.86, 51.06)


def parse_crs(value: object) -> CRS:
    """Turn an EPSG code, WKT or ``CRS`` into a pyproj ``CRS``.

    Raises
    ------
    CRSError
        If pyproj does not understand the value.
    """
    try:
        return CRS.from_user_input(value)
    except PyprojCRSError as exc:
        msg = f"{value!r} is not a coordinate reference system pyproj knows ({exc}); use e.g. 'EPSG:5514'"
        raise CRSError(msg) from exc


def is_metric(crs: CRS) -> bool:
    """True if ``crs`` is projected with metre units on both axes."""
    if not crs.is_projected:
        return False
    return all((axis.unit_name or "").lower() in {"metre", "meter"} for axis in crs.axis_info)


def working_crs_for_bounds(west: float, south: float, east: float, north: float) -> CRS:
    """Pick the metric working CRS for data with these lon/lat bounds [degrees].

    ``GISPLAN_WORKING_CRS`` wins when set. Otherwise data whose centre lies in
    Czechia uses EPSG:5514, and anything else the UTM zone pyproj estimates for
    the bounds.
    """
    configured = settings.get().working_crs
    if configured:
        crs = parse_crs(configured)
        if not is_metric(crs):
            msg = f"GISPLAN_WORKING_CRS={configured!r} is not a metric projected CRS; use e.g. EPSG:5514"
            raise CRSError(msg)
        return crs
    lon = (west + east) / 2.0
    lat = (south + north) / 2.0
    cz_w, cz_s, cz_e, cz_n = CZECH_BBOX
    if cz_w <= lon <= cz_e and cz_s <= lat <= cz_n:
        return parse_crs(CZECH_CRS)
    infos = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(
            west_lon_degree=max(-180.0, west),
            south_lat_degree=max(-80.0, south),
            east_lon_degree=min(180.0, east),
            north_lat_degree=min(84.0, north),
        ),
    )
    if not infos:
        msg = f"no UTM zone covers lon {lon:.3f}, lat {lat:.3f}; set GISPLAN_WORKING_CRS"
        raise CRSError(msg)
    return CRS.from_epsg(int(infos[0].code))


def working_crs_for(gdf: gpd.GeoDataFrame) -> CRS:
    """Pick the metric working CRS for a GeoDataFrame with a declared CRS."""
    if gdf.crs is None:
        msg = "the data has no coordinate reference system; declare one (e.g. a .prj file or --crs)"
        raise MissingCRSError(msg)
    if gdf.empty:
        return working_crs_for_bounds(*CZECH_BBOX)
    west, south, east, north = gdf.to_crs(WGS84).total_bounds
    return working_crs_for_bounds(float(west), float(south), float(east), float(north))


def to_working(gdf: gpd.GeoDataFrame, crs: CRS | str | None = None) -> gpd.GeoDataFrame:
    """Reproject ``gdf`` to ``crs``, or to the working CRS chosen for it."""
    target = working_crs_for(gdf) if crs is None else parse_crs(crs)
    if gdf.crs is None:
        msg = "the data has no coordinate reference system; declare one (e.g. a .prj file or --crs)"
        raise MissingCRSError(msg)
    if CRS(gdf.crs) == target:
        return gdf
    return gdf.to_crs(target)


@lru_cache(maxsize=64)
def _transformer(src_wkt: str, dst_wkt: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(src_wkt), CRS.from_wkt(dst_wkt), always_xy=True)


def transformer(src: object, dst: object) -> Transformer:
    """A cached pyproj ``Transformer`` from ``src`` to ``dst`` with ``always_xy=True``."""
    return _transformer(parse_crs(src).to_wkt(), parse_crs(dst).to_wkt())
