"""Working coordinate reference systems, chosen to fit the data's extent.

All geometry work (areas, distances, overlays) happens in one metric *working
CRS*. It is chosen so that areas measured in it are true (within
:data:`AREA_TOLERANCE`) and, where possible, so that planar distances are true
as well (within :data:`PLANAR_TOLERANCE`), checked with pyproj's Tissot
factors over the data's extent:

1. ``GISPLAN_WORKING_CRS`` (or an explicit CRS given by the caller) wins.
2. Data already in a projected metric CRS keep it when their areas are true in
   it (EPSG:5514 in Czechia, a UTM zone, EPSG:5070 or EPSG:3035…); Web
   Mercator, or a UTM zone stretched over a continent, is reprojected.
3. Data in Czechia use EPSG:5514 (S-JTSK / Krovak East North).
4. Data that fit one UTM zone use it: the zone of the centre, when the scale
   error stays within :data:`PLANAR_TOLERANCE` over the extent (up to 3.5° from
   the central meridian at the equator, farther towards the poles).
5. Anything wider gets an equal-area CRS: EPSG:3035 (ETRS89-LAEA) in Europe
   or EPSG:5070 (NAD83 / Conus Albers) in the contiguous US when planar lengths
   stay true in them, else a Lambert azimuthal equal-area projection centred on
   the data when they stay true in that (regional data across UTM zones), else
   EPSG:3035 / EPSG:5070 for continental data, or the centred projection
   elsewhere.

In an equal-area CRS areas are exact, but planar lengths are off by up to about
2 % at the edges of a continent; :func:`needs_geodesic` tells the distance
criteria to replace them by geodesic distances. Web maps use EPSG:4326. Every
transformer is built with ``always_xy=True``, so coordinates are always
(x=easting/longitude, y=northing/latitude).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS, Proj, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from gisplan import settings
from gisplan.errors import CRSError, MissingCRSError

if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)

CZECH_CRS = "EPSG:5514"
WGS84 = "EPSG:4326"
#: ETRS89 / LAEA Europe: the EU's equal-area grid CRS (INSPIRE).
EUROPE_CRS = "EPSG:3035"
#: NAD83 / Conus Albers: the USGS equal-area CRS for the contiguous US.
CONUS_CRS = "EPSG:5070"
#: Bounding box of Czechia in lon/lat [degrees]: (west, south, east, north).
CZECH_BBOX = (12.09, 48.55, 18.86, 51.06)
#: Largest linear scale error over the extent at which planar lengths count as true [share].
#: Areas are then true within about twice that (0.3 %).
PLANAR_TOLERANCE = 0.0015
#: Largest areal scale error over the extent at which a CRS keeps the data's areas [share].
AREA_TOLERANCE = 0.003
#: Largest linear scale error at which an equal-area CRS is still used as given [share]:
#: beyond it shapes shear so much that the nearest pair of points found in it may not be
#: the nearest on the ellipsoid. EPSG:3035 and EPSG:5070 stay near 2 % over their continents.
SHEAR_LIMIT = 0.05
#: Latitudes where UTM zones are defined [degrees]; beyond them the polar caps use LAEA.
UTM_SOUTH, UTM_NORTH = -80.0, 84.0
#: Points per side of the lon/lat grid on which scale errors are sampled.
SAMPLES_PER_SIDE = 9

Bounds = tuple[float, float, float, float]


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


# ---------------------------------------------------------------- scale errors


@dataclass(frozen=True)
class Distortion:
    """Scale errors of a projected CRS over an extent, from Tissot's indicatrix.

    Attributes
    ----------
    area
        Largest ``|areal scale - 1|`` [share]; 0 for an equal-area CRS.
    linear
        Largest ``|linear scale - 1|`` in any direction [share]; 0.01 means
        planar lengths may be 1 % off. ``inf`` where the CRS is undefined.
    """

    area: float
    linear: float

    @property
    def planar(self) -> bool:
        """Planar lengths (and so areas) are true within :data:`PLANAR_TOLERANCE`."""
        return self.linear <= PLANAR_TOLERANCE

    @property
    def keeps_areas(self) -> bool:
        """Areas are true within :data:`AREA_TOLERANCE` and shapes shear at most :data:`SHEAR_LIMIT`."""
        return self.area <= AREA_TOLERANCE and self.linear <= SHEAR_LIMIT


def _unwrap(west: float, east: float) -> tuple[float, float]:
    """East of ``west`` even across the antimeridian (pyproj gives ``west > east`` there). [degrees]"""
    return (west, east + 360.0) if east < west else (west, east)


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


@lru_cache(maxsize=256)
def _distortion(wkt: str, bounds: Bounds) -> Distortion:
    west, south, east, north = bounds
    west, east = _unwrap(west, east)
    lons = np.linspace(west, east, SAMPLES_PER_SIDE)
    lats = np.linspace(max(south, -89.9), min(north, 89.9), SAMPLES_PER_SIDE)
    lon, lat = np.meshgrid((lons + 180.0) % 360.0 - 180.0, lats)
    factors = Proj(CRS.from_wkt(wkt)).get_factors(lon.ravel(), lat.ravel(), errcheck=False)
    areal = np.asarray(factors.areal_scale, dtype=float)
    major = np.asarray(factors.tissot_semimajor, dtype=float)
    minor = np.asarray(factors.tissot_semiminor, dtype=float)
    if not (np.isfinite(areal).all() and np.isfinite(major).all() and np.isfinite(minor).all()):
        return Distortion(area=math.inf, linear=math.inf)
    linear = max(float(np.max(np.abs(major - 1.0))), float(np.max(np.abs(minor - 1.0))))
    return Distortion(area=float(np.max(np.abs(areal - 1.0))), linear=linear)


def distortion(crs: object, west: float, south: float, east: float, north: float) -> Distortion:
    """Scale errors of ``crs`` over the lon/lat box ``west, south, east, north`` [degrees].

    Sampled on a :data:`SAMPLES_PER_SIDE` ² grid with :meth:`pyproj.Proj.get_factors`
    (exact at the samples; scale errors vary smoothly in between). A ``west``
    greater than ``east`` means the box crosses the antimeridian.
    """
    parsed = parse_crs(crs)
    if not parsed.is_projected:
        return Distortion(area=math.inf, linear=math.inf)
    key = tuple(round(float(v), 3) for v in (west, south, east, north))
    return _distortion(parsed.to_wkt(), (key[0], key[1], key[2], key[3]))


def lonlat_bounds(crs: object, west: float, south: float, east: float, north: float) -> Bounds:
    """The lon/lat box [degrees] holding the box ``west, south, east, north`` given in ``crs``."""
    parsed = parse_crs(crs)
    if parsed.is_geographic and parsed.equals(CRS.from_user_input(WGS84), ignore_axis_order=True):
        return (west, south, east, north)
    out = transformer(parsed, WGS84).transform_bounds(west, south, east, north, densify_pts=21)
    return (float(out[0]), float(out[1]), float(out[2]), float(out[3]))


def needs_geodesic(crs: object, west: float, south: float, east: float, north: float) -> bool:
    """True when planar lengths in ``crs`` are not true over the box (given in ``crs``, [m]).

    False for EPSG:5514 in Czechia and for a UTM zone chosen to fit; true for an
    equal-area CRS over a continent, where planar distances are off by up to
    about 2 %. A CRS that does not fit the box at all (scale errors beyond
    :data:`SHEAR_LIMIT`, or undefined: toy coordinates near Krovak's origin)
    gives False with a logged warning: the nearest pair of points found in it
    need not be the nearest on the ellipsoid, so its planar lengths are all
    there is; :func:`working_crs_for` would have chosen another CRS.
    """
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return False
    found = distortion(crs, *lonlat_bounds(crs, west, south, east, north))
    if not found.linear <= SHEAR_LIMIT:
        logger.warning(
            "%s does not fit the data (scale error %.3g over %s); planar lengths are used",
            parse_crs(crs).name,
            found.linear,
            (west, south, east, north),
        )
        return False
    return not found.planar


# ---------------------------------------------------------------- the choice


def _utm(lon: float, lat: float) -> CRS:
    """The WGS 84 / UTM zone of a point, by the regular 6° zones (EPSG 326xx north, 327xx south)."""
    zone = math.floor((_wrap(lon) + 180.0) / 6.0) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def _within(bounds: Bounds, area: Bounds) -> bool:
    west, south, east, north = bounds
    return area[0] <= west <= east <= area[2] and area[1] <= south <= north <= area[3]


def _laea(lon: float, lat: float) -> CRS:
    """Lambert azimuthal equal-area on WGS 84 centred on ``lon, lat`` (rounded to 0.1°) [degrees]."""
    from pyproj.crs import GeographicCRS, ProjectedCRS
    from pyproj.crs.coordinate_operation import LambertAzimuthalEqualAreaConversion

    lat0, lon0 = round(lat, 1), round(_wrap(lon), 1)
    return ProjectedCRS(
        name=f"WGS 84 / LAEA centred on {lat0:g} {lon0:g} (gisplan)",
        conversion=LambertAzimuthalEqualAreaConversion(latitude_natural_origin=lat0, longitude_natural_origin=lon0),
        geodetic_crs=GeographicCRS(datum="WGS84"),
    )


def equal_area_crs_for_bounds(west: float, south: float, east: float, north: float) -> CRS:
    """An equal-area metric CRS for the lon/lat box [degrees].

    EPSG:3035 (Europe) or EPSG:5070 (contiguous US) when the box lies in its
    area of use and planar lengths stay true in it; otherwise a Lambert
    azimuthal equal-area projection on WGS 84 centred on the box when lengths
    stay true in that (regional data across UTM zones); otherwise, for
    continental extents, EPSG:3035 or EPSG:5070 again, or the centred LAEA
    elsewhere. Areas are exact in all of them; where lengths are not true,
    :func:`needs_geodesic` says so.
    """
    box = (west, south, east, north)
    standard: list[CRS] = []
    for code in (EUROPE_CRS, CONUS_CRS):
        crs = parse_crs(code)
        aou = crs.area_of_use
        if aou is not None and west <= east and _within(box, aou.bounds) and distortion(crs, *box).keeps_areas:
            standard.append(crs)
    for crs in standard:
        if distortion(crs, *box).planar:
            return crs
    lo, hi = _unwrap(west, east)
    centred = _laea((lo + hi) / 2.0, (south + north) / 2.0)
    if standard and not distortion(centred, *box).planar:
        return standard[0]
    return centred


def working_crs_for_bounds(
    west: float, south: float, east: float, north: float, *, source: object | None = None
) -> CRS:
    """Pick the metric working CRS for data with these lon/lat bounds [degrees].

    Parameters
    ----------
    west, south, east, north
        The data's extent in lon/lat [degrees]; ``west > east`` across the antimeridian.
    source
        The CRS the data come in. When it is projected in metres and keeps areas
        true over the extent, it is kept.

    Notes
    -----
    ``GISPLAN_WORKING_CRS`` wins when set. Otherwise: the ``source`` CRS when it
    fits; EPSG:5514 for data centred in Czechia; the UTM zone of the centre
    when planar lengths stay true in it over the whole extent; an equal-area
    CRS (:func:`equal_area_crs_for_bounds`) for anything wider.
    """
    configured = settings.get().working_crs
    if configured:
        crs = parse_crs(configured)
        if not is_metric(crs):
            msg = f"GISPLAN_WORKING_CRS={configured!r} is not a metric projected CRS; use e.g. EPSG:5514"
            raise CRSError(msg)
        return crs
    box = (float(west), float(south), float(east), float(north))
    if source is not None:
        given = parse_crs(source)
        if is_metric(given):
            if distortion(given, *box).keeps_areas:
                return given
            logger.info("%s distorts areas over lon/lat %s; choosing a working CRS that fits", given.name, box)
    lo, hi = _unwrap(box[0], box[2])
    lon, lat = _wrap((lo + hi) / 2.0), (box[1] + box[3]) / 2.0
    cz_w, cz_s, cz_e, cz_n = CZECH_BBOX
    if cz_w <= lon <= cz_e and cz_s <= lat <= cz_n:
        krovak = parse_crs(CZECH_CRS)
        if distortion(krovak, *box).planar:
            return krovak
    if box[1] >= UTM_SOUTH and box[3] <= UTM_NORTH:
        utm = _utm(lon, lat)
        if distortion(utm, *box).planar:
            return utm
    return equal_area_crs_for_bounds(*box)


def working_crs_for(gdf: gpd.GeoDataFrame) -> CRS:
    """Pick the metric working CRS for a GeoDataFrame with a declared CRS.

    The frame's own CRS is kept when it is metric and keeps areas true over
    the data (see :func:`working_crs_for_bounds`).
    """
    if gdf.crs is None:
        msg = "the data has no coordinate reference system; declare one (e.g. a .prj file or --crs)"
        raise MissingCRSError(msg)
    geoms = gdf.geometry
    valid = geoms[geoms.notna() & ~geoms.is_empty]
    if valid.empty:
        return working_crs_for_bounds(*CZECH_BBOX)
    box = lonlat_bounds(gdf.crs, *(float(v) for v in valid.total_bounds))
    return working_crs_for_bounds(*box, source=gdf.crs)


def to_working(gdf: gpd.GeoDataFrame, crs: CRS | str | None = None) -> gpd.GeoDataFrame:
    """Reproject ``gdf`` to ``crs``, or to the working CRS chosen for it.

    Without ``crs`` a frame already in a metric CRS that keeps its areas true
    is returned as it is (unless ``GISPLAN_WORKING_CRS`` says otherwise).
    """
    if gdf.crs is None:
        msg = "the data has no coordinate reference system; declare one (e.g. a .prj file or --crs)"
        raise MissingCRSError(msg)
    target = working_crs_for(gdf) if crs is None else parse_crs(crs)
    if CRS(gdf.crs) == target:
        return gdf
    return gdf.to_crs(target)


@lru_cache(maxsize=64)
def _transformer(src_wkt: str, dst_wkt: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(src_wkt), CRS.from_wkt(dst_wkt), always_xy=True)


def transformer(src: object, dst: object) -> Transformer:
    """A cached pyproj ``Transformer`` from ``src`` to ``dst`` with ``always_xy=True``."""
    return _transformer(parse_crs(src).to_wkt(), parse_crs(dst).to_wkt())
