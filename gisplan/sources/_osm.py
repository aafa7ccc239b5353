"""OpenStreetMap: offline files (osmnx for ``.osm`` XML, GDAL for ``.osm.pbf``) and cached online queries.

Tags select features the way osmnx does: ``{"building": True}`` (key present),
``{"power": "substation"}`` (one value) or ``{"landuse": ["brownfield", "industrial"]}``
(any of the values); a feature matching any key is kept. Source ids are
``node/1``, ``way/2`` or ``relation/3``. OSM ``name`` tags are raw user text and
are kept as they are; escaping them is the job of whoever renders them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan import settings
from gisplan.errors import InputError, OfflineError, UnreadableSourceError
from gisplan.sources._common import canonical, check_kind, empty_sites, head_bytes, logger, target_crs
from gisplan.sources._landcover import from_osm

if TYPE_CHECKING:
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

Tags = Mapping[str, bool | str | list[str]]


@dataclass(frozen=True)
class Preset:
    """A named OSM query: the tags and the site kind of what it finds."""

    tags: dict[str, bool | str | list[str]]
    kind: str | None


#: ``layer=`` names for OSM sources. Buildings are rooftop candidates; brownfield and industrial
#: landuse are brownfield candidates; power features are grid context (no site kind).
PRESETS: dict[str, Preset] = {
    "buildings": Preset({"building": True}, "rooftop"),
    "brownfields": Preset({"landuse": ["brownfield", "industrial"]}, "brownfield"),
    "substations": Preset({"power": "substation"}, None),
    "power_lines": Preset({"power": ["line", "minor_line"]}, None),
}
DEFAULT_PRESET = "buildings"
XML_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.xml")
PBF_SUFFIXES = (".osm.pbf", ".pbf")
#: GDAL OSM layers and the OSM element their ``osm_id`` belongs to.
_PBF_LAYERS = {"points": "node", "lines": "way", "multipolygons": None}
_NOT_TAGS = {"osm_id", "osm_way_id", "z_order", "other_tags", "geometry"}
_HSTORE_RE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
_BOUNDS_RE = re.compile(rb"<bounds\s+([^>]*)/?>")


def is_osm_file(path: Path) -> bool:
    """True for ``.osm``/``.osm.bz2``/``.osm.gz``/``.osm.pbf`` names, or XML starting with ``<osm``."""
    name = path.name.lower()
    if name.endswith(XML_SUFFIXES + PBF_SUFFIXES):
        return True
    return name.endswith((".xml", ".xml.gz")) and b"<osm" in head_bytes(path, 512)


def resolve_preset(layer: str | None) -> Preset:
    """The preset named ``layer`` (default ``buildings``)."""
    name = (layer or DEFAULT_PRESET).lower()
    if name not in PRESETS:
        msg = f"no OSM preset {layer!r}; use one of {', '.join(PRESETS)} (or give tags in a catalogue layer)"
        raise InputError(msg)
    return PRESETS[name]


def matches(tags: Mapping[str, object], query: Tags) -> bool:
    """True if a feature's ``tags`` match any key of ``query`` (osmnx semantics)."""
    for key, wanted in query.items():
        value = tags.get(key)
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        if wanted is True or (isinstance(wanted, str) and value == wanted):
            return True
        if isinstance(wanted, list) and value in wanted:
            return True
    return False


def parse_hstore(text: object) -> dict[str, str]:
    """GDAL's ``other_tags`` (``"k"=>"v","k2"=>"v2"``) as a dict."""
    if not isinstance(text, str) or not text:
        return {}
    return {_unescape(k): _unescape(v) for k, v in _HSTORE_RE.findall(text)}


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\")


def read_osm_file(
    path: Path,
    *,
    tags: Tags,
    kind: str | None = None,
    columns: Mapping[str, str] | None = None,
    working_crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Read the features matching ``tags`` from an offline OSM file.

    Parameters
    ----------
    path
        A checked ``.osm``/``.osm.bz2``/``.osm.gz`` file (read by osmnx) or ``.osm.pbf`` (GDAL).
    tags
        osmnx-style tag query.
    kind
        Site kind of every feature, or ``None`` for context layers.
    columns
        Catalogue mapping of ``name``/``source_id``/``kind`` to tag columns.
    working_crs
        Metric CRS; by default chosen from the data (EPSG:5514 in Czechia, else UTM).

    Returns
    -------
    geopandas.GeoDataFrame
        Canonical sites with ``source`` ``osm``, tags as snake_case columns (``roof:shape`` ->
        ``roof_shape``), ``area_m2`` [m²] computed in the working CRS (NaN, ``area_source``
        ``not_available``, for nodes and lines) and, where features carry ``landuse`` or
        ``natural``, the canonical ``land_cover`` (:mod:`gisplan.sources._landcover`).
        An empty frame when nothing matches.
    """
    check_kind(kind)
    is_pbf = path.name.lower().endswith(PBF_SUFFIXES)
    frame = _read_pbf(path, tags) if is_pbf else _read_xml(path, tags)
    if frame.empty:
        logger.info("%s: no OSM features match %s", path, dict(tags))
        return empty_sites(_empty_crs(path, working_crs))
    frame = with_land_cover(frame)
    return canonical(
        frame.drop(columns=[c for c in ("osm_source_id", "name") if c in frame.columns]),
        source="osm",
        source_ids=frame["osm_source_id"],
        names=frame["name"] if "name" in frame.columns else None,
        kind=kind,
        columns=columns,
        working_crs=working_crs,
        label=str(path),
    )


def with_land_cover(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with a ``land_cover`` column from its ``landuse``/``natural`` tags, when it has them."""
    if "land_cover" in frame.columns:
        return frame
    cover = from_osm(frame)
    return frame if cover is None else frame.assign(land_cover=cover)


def _empty_crs(path: Path, working_crs: object | None) -> object:
    """The CRS of an empty result: as given, else chosen from the XML ``<bounds>`` when present."""
    import geopandas as gpd
    from shapely import box

    bounds = _BOUNDS_RE.search(head_bytes(path, 2048))
    frame = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    if working_crs is None and path.name.lower().endswith(PBF_SUFFIXES):
        import pyogrio

        # A PBF has no cheap extent; the first nodes place it well enough to choose a CRS.
        frame = pyogrio.read_dataframe(str(path), layer="points", max_features=1000, columns=[])
    elif bounds and working_crs is None:
        attrs = dict(re.findall(rb'(\w+)="([-\d.]+)"', bounds.group(1)))
        try:
            west, south = float(attrs[b"minlon"]), float(attrs[b"minlat"])
            east, north = float(attrs[b"maxlon"]), float(attrs[b"maxlat"])
            frame = gpd.GeoDataFrame(geometry=[box(west, south, east, north)], crs="EPSG:4326")
        except (KeyError, ValueError):
            pass
    return target_crs(frame, working_crs, label=str(path))


def _read_xml(path: Path, tags: Tags) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import osmnx as ox
    from osmnx._errors import InsufficientResponseError

    try:
        frame = ox.features_from_xml(path, tags=dict(tags))
    except InsufficientResponseError:
        return gpd.GeoDataFrame({"osm_source_id": []}, geometry=[], crs="EPSG:4326")
    except (ValueError, OSError, EOFError) as exc:  # xml.etree.ElementTree.ParseError is a SyntaxError
        msg = f"{path}: cannot be read as OSM XML ({exc}); export the area again from openstreetmap.org"
        raise UnreadableSourceError(msg) from exc
    except SyntaxError as exc:
        msg = f"{path}: is not well-formed OSM XML ({exc}); export the area again from openstreetmap.org"
        raise UnreadableSourceError(msg) from exc
    ids = [f"{element}/{osm_id}" for element, osm_id in frame.index]
    frame = frame.reset_index(drop=True)
    frame.insert(0, "osm_source_id", ids)
    return frame


def _where(fields: set[str], tags: Tags) -> str:
    """An OGR SQL prefilter for the GDAL OSM driver (the exact match is done in Python)."""
    parts = []
    for key in tags:
        if key in fields:
            parts.append(f'"{key}" IS NOT NULL')
        else:
            escaped = key.replace("'", "''")
            parts.append(f"other_tags LIKE '%\"{escaped}\"=>%'")
    return " OR ".join(parts)


def _read_pbf(path: Path, tags: Tags) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import pyogrio
    from pyogrio.errors import DataSourceError

    frames = []
    for layer, element in _PBF_LAYERS.items():
        try:
            fields = {str(f) for f in pyogrio.read_info(str(path), layer=layer)["fields"]}
            raw = pyogrio.read_dataframe(str(path), layer=layer, where=_where(fields, tags), use_arrow=True)
        except DataSourceError as exc:
            msg = f"{path}: cannot be read as an OSM PBF file ({exc}); download the extract again"
            raise UnreadableSourceError(msg) from exc
        if raw.empty:
            continue
        records = [_pbf_tags(row, fields) for row in raw.drop(columns="geometry").to_dict("records")]
        keep = [matches(r, tags) for r in records]
        if not any(keep):
            continue
        kept = raw[keep]
        table = pd.DataFrame([r for r, k in zip(records, keep, strict=True) if k], index=kept.index)
        table.insert(0, "osm_source_id", _pbf_ids(kept, element))
        frames.append(gpd.GeoDataFrame(table, geometry=kept.geometry, crs=raw.crs))
    if not frames:
        return gpd.GeoDataFrame({"osm_source_id": []}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def _pbf_tags(row: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    tags = {k: v for k, v in row.items() if k in fields and k not in _NOT_TAGS and v is not None and not pd.isna(v)}
    tags.update(parse_hstore(row.get("other_tags")))
    return tags


def _pbf_ids(frame: pd.DataFrame, element: str | None) -> list[str]:
    if element is not None:
        return [f"{element}/{i}" for i in frame["osm_id"]]
    return [
        f"way/{way}" if isinstance(way, str) and way else f"relation/{rel}"
        for rel, way in zip(frame["osm_id"], frame["osm_way_id"], strict=True)
    ]


@contextmanager
def _osmnx_cache() -> Iterator[Path]:
    """Point osmnx's HTTP cache at ``<cache_dir>/osmnx`` for the duration of a query."""
    import osmnx as ox

    folder = settings.get().cache_dir / "osmnx"
    folder.mkdir(parents=True, exist_ok=True)
    saved = (ox.settings.cache_folder, ox.settings.use_cache)
    ox.settings.cache_folder, ox.settings.use_cache = str(folder), True
    try:
        yield folder
    finally:
        ox.settings.cache_folder, ox.settings.use_cache = saved


def read_osm_online(
    *,
    tags: Tags,
    place: str | None = None,
    polygon: BaseGeometry | None = None,
    kind: str | None = None,
    columns: Mapping[str, str] | None = None,
    working_crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Query the Overpass API for ``tags`` in a place or polygon; responses are cached.

    Parameters
    ----------
    tags
        osmnx-style tag query.
    place
        A place name that Nominatim geocodes, e.g. ``"Děčany, Czechia"``.
    polygon
        Area to query, in EPSG:4326 [degrees].
    kind, columns, working_crs
        As for :func:`read_osm_file`.

    Raises
    ------
    OfflineError
        When ``GISPLAN_OFFLINE`` is set.
    """
    import geopandas as gpd
    import osmnx as ox
    from osmnx._errors import InsufficientResponseError

    check_kind(kind)
    where = place or "the polygon"
    if settings.get().offline:
        msg = (
            f"the OSM query for {where} needs the network, but GISPLAN_OFFLINE is set; "
            "unset it, or use an offline .osm/.osm.pbf file"
        )
        raise OfflineError(msg)
    if (place is None) == (polygon is None):
        msg = "give exactly one of place or polygon for an online OSM query"
        raise InputError(msg)
    with _osmnx_cache():
        try:
            if place is not None:
                frame = ox.features_from_place(place, tags=dict(tags))
            else:
                frame = ox.features_from_polygon(polygon, tags=dict(tags))
        except InsufficientResponseError:
            empty = gpd.GeoDataFrame(geometry=[] if polygon is None else [polygon], crs="EPSG:4326")
            return empty_sites(target_crs(empty, working_crs, label=where))
        except (OSError, ValueError) as exc:
            msg = f"the OSM query for {where} failed ({exc}); check the network, the place name, or use a file"
            raise UnreadableSourceError(msg) from exc
    ids = [f"{element}/{osm_id}" for element, osm_id in frame.index]
    frame = with_land_cover(frame.reset_index(drop=True))
    return canonical(
        frame.drop(columns=[c for c in ("name",) if c in frame.columns]),
        source="osm",
        source_ids=ids,
        names=frame["name"] if "name" in frame.columns else None,
        kind=kind,
        columns=columns,
        working_crs=working_crs,
        label=f"OSM {where}",
    )


__all__ = ["PRESETS", "Preset", "is_osm_file", "matches", "parse_hstore", "read_osm_file", "read_osm_online"]
