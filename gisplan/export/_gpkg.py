"""The GeoPackage export: layers for QGIS, default styles, a data dictionary and metadata.

Layers (geometries in the store's working CRS, e.g. EPSG:5514):

- ``sites``: site polygons (MultiPolygon) with scores, breakdown points, energy,
  status, municipality and the links flattened to text;
- ``sites_points``: only when some sites are points (UK registers give points),
  with the same columns;
- ``annotations``: notes, as points on their site;
- tables ``community_links``, ``funding_links``, ``communities``,
  ``funding_calls``, ``data_dictionary``, ``data_sources`` and ``layer_styles``.

Metadata (GeoPackage metadata extension, written by GDAL): export time, who
exported, the shortlist, the profile versions and the sources with licences.
The file is written next to its target and moved into place when complete, so a
reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import shapely

from gisplan.errors import InputError
from gisplan.export._dictionary import data_dictionary, sources_frame
from gisplan.export._styles import (
    LayerStyle,
    marker_sld,
    points_qml,
    score_sld,
    sites_qml,
    table_qml,
    write_layer_styles,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.export._snapshot import ExportSnapshot

#: Layers and tables of the export, in the order they are written.
SPATIAL_LAYERS = ("sites", "sites_points", "annotations")
TABLES = ("community_links", "funding_links", "communities", "funding_calls", "data_dictionary", "data_sources")
#: Description of each layer in gpkg_contents (QGIS shows it).
DESCRIPTIONS = {
    "sites": "Shortlisted sites: polygons with score, breakdown points, energy estimate, status and links",
    "sites_points": "Shortlisted sites the source gives as points, same columns as sites",
    "annotations": "Notes on the sites, as points on their site",
    "community_links": "Links of sites to communities",
    "funding_links": "Links of sites to funding calls with the matcher's verdict",
    "communities": "Communities linked to the sites and the sites' municipalities",
    "funding_calls": "Funding calls linked to the sites",
    "data_dictionary": "Meaning, unit and source of every exported column",
    "data_sources": "Data sources with their licences and attributions",
}
_PREVIEW = {
    "community_links": '"community"',
    "funding_links": '"call_code"',
    "communities": '"name"',
    "funding_calls": '"code"',
    "data_dictionary": '"column"',
    "data_sources": '"source"',
}
_DATETIME_COLUMNS = ("created_at", "updated_at", "first_seen")
#: Columns that hold numbers even when every value is missing (a shortlist nobody has scored yet).
NUMERIC_COLUMNS = frozenset(
    {
        "area_m2",
        "area_ha",
        "score",
        "capacity_kwp",
        "yield_kwh_kwp_yr",
        "energy_mwh_yr",
        "co2_t_yr",
        "households",
        "annotations",
        "population",
        "rank",
    }
)
_NUMERIC_PREFIXES = ("pts_", "val_")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _column(name: str, series: pd.Series[Any]) -> pd.Series[Any] | list[Any]:
    """One column as GDAL should type it: numbers as REAL, never as TEXT."""
    values = [v for v in series if not _missing(v)]
    numeric_name = name in NUMERIC_COLUMNS or name.startswith(_NUMERIC_PREFIXES)
    if (values and all(_is_number(v) for v in values)) or (not values and numeric_name):
        return pd.to_numeric(series.astype(object).where(series.notna(), None), errors="coerce").astype("float64")
    return [None if _missing(v) else str(v) for v in series]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Column types GDAL writes: text, numbers (REAL), nullable booleans and UTC date-times.

    An object column whose values are all numbers (or that is empty and named as
    numeric, :data:`NUMERIC_COLUMNS`, ``pts_*``, ``val_*``) becomes REAL; other
    object columns become text.
    """
    out = frame.copy()
    for column in out.columns:
        if column == getattr(out, "_geometry_column_name", None):
            continue
        series = out[column]
        if column in _DATETIME_COLUMNS:
            out[column] = pd.to_datetime(series, utc=True)
        elif column == "excluded":
            out[column] = series.astype("boolean")
        elif series.dtype == object:
            out[column] = _column(str(column), series)
    return out


def _multipolygons(geoms: Any) -> Any:
    parts: list[Any] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            parts.append(None)
        elif geom.geom_type == "Polygon":
            parts.append(shapely.MultiPolygon([geom]))
        else:
            parts.append(geom)
    return parts


def split_sites(sites: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(polygon sites and sites without geometry, point sites); lines become their representative point."""
    types = sites.geometry.geom_type
    polygonal = types.isin(["Polygon", "MultiPolygon"]) | sites.geometry.isna() | sites.geometry.is_empty
    polys = sites[polygonal].copy()
    polys.geometry = _multipolygons(polys.geometry)
    points = sites[~polygonal].copy()
    if len(points):
        points.geometry = points.geometry.representative_point()
    return polys, points


def _annotation_points(snapshot: ExportSnapshot) -> gpd.GeoDataFrame:
    import geopandas as gpd

    spots = dict(
        zip(snapshot.sites["site_id"], snapshot.sites.geometry.representative_point(), strict=True)
        if len(snapshot.sites)
        else []
    )
    notes = snapshot.annotations
    geoms = [spots.get(site_id) for site_id in notes["site_id"]]
    return gpd.GeoDataFrame(notes, geometry=gpd.GeoSeries(geoms, crs=snapshot.crs), crs=snapshot.crs)


def metadata(snapshot: ExportSnapshot) -> dict[str, str]:
    """Dataset metadata of the export (``gisplan_*`` keys; GDAL splits keys at ``:``)."""
    from gisplan import __version__

    osm = [s.source for s in snapshot.sources if "OpenStreetMap" in s.licence]
    return {
        "gisplan_version": __version__,
        "gisplan_export_time": snapshot.exported_at.isoformat(timespec="seconds"),
        "gisplan_exported_by": snapshot.exported_by,
        "gisplan_shortlist": snapshot.shortlist,
        "gisplan_shortlist_description": snapshot.description,
        "gisplan_profile": snapshot.profile or "",
        "gisplan_order": f"rank 1 = highest score under {snapshot.profile}" if snapshot.profile else "by site id",
        "gisplan_profile_versions": json.dumps(snapshot.profile_versions, ensure_ascii=False),
        "gisplan_crs": snapshot.crs,
        "gisplan_sites": str(len(snapshot.sites)),
        "gisplan_sources": json.dumps(
            [{"source": s.source, "title": s.title, "licence": s.licence, "sites": s.sites} for s in snapshot.sources],
            ensure_ascii=False,
        ),
        "gisplan_attribution": "; ".join(dict.fromkeys(s.licence for s in snapshot.sources if s.sites)),
        "gisplan_osm_sources": ", ".join(osm),
    }


def _aliases(dictionary: pd.DataFrame, layer: str, columns: list[str]) -> list[tuple[str, str]]:
    rows = dictionary[dictionary["layer"] == layer].set_index("column")
    out = []
    for column in columns:
        if column in rows.index:
            meaning, unit = str(rows.at[column, "meaning"]), str(rows.at[column, "unit"])
            out.append((column, f"{meaning} [{unit}]" if unit else meaning))
    return out


def _fsync(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def check_out(path: Path, suffixes: tuple[str, ...]) -> Path:
    """Refuse an output path with the wrong suffix or in a missing folder."""
    if path.suffix.lower() not in suffixes:
        msg = f"{path}: the output must end in {' or '.join(suffixes)}"
        raise InputError(msg)
    if not path.parent.is_dir():
        msg = f"{path}: folder {path.parent} does not exist; create it first"
        raise InputError(msg)
    return path


def write_geopackage(snapshot: ExportSnapshot, path: Path | str) -> Path:
    """Write the export GeoPackage of ``snapshot`` to ``path`` (replaced when it exists).

    Parameters
    ----------
    snapshot
        What to export (see :func:`gisplan.export.load_snapshot`).
    path
        A ``.gpkg`` file in an existing folder.

    Returns
    -------
    pathlib.Path
        ``path``. The file passes GDAL's ``validate_gpkg`` and opens in QGIS with
        the default styles of ``layer_styles``.
    """
    import pyogrio

    target = check_out(Path(path), (".gpkg",))
    temp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.gpkg")
    dictionary = data_dictionary(snapshot)
    polys, points = split_sites(snapshot.sites)
    spatial: dict[str, Any] = {"sites": polys, "annotations": _annotation_points(snapshot)}
    if len(points):
        spatial["sites_points"] = points
    geometry_types = {"sites": "MultiPolygon", "sites_points": "Point", "annotations": "Point"}
    tables = {
        "community_links": snapshot.community_links,
        "funding_links": snapshot.funding_links,
        "communities": snapshot.communities,
        "funding_calls": snapshot.funding_calls,
        "data_dictionary": dictionary,
        "data_sources": sources_frame(snapshot.sources),
    }
    styles: list[LayerStyle] = []
    # Each layer write would sync the file to disk (0.1–0.3 s each here); one fsync at the end is enough,
    # because the file only takes the target's place once it is complete.
    synchronous = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        first = True
        for name in SPATIAL_LAYERS:
            if name not in spatial:
                continue
            frame = _plain(spatial[name])
            pyogrio.write_dataframe(
                frame,
                temp,
                layer=name,
                driver="GPKG",
                geometry_type=geometry_types[name],
                promote_to_multi=False,
                dataset_metadata=metadata(snapshot) if first else None,
                layer_options={"DESCRIPTION": DESCRIPTIONS[name], "IDENTIFIER": name},
            )
            first = False
            columns = [str(c) for c in frame.columns if c != frame.geometry.name]
            aliases = _aliases(dictionary, "sites" if name == "sites_points" else name, columns)
            qml = sites_qml(aliases) if name == "sites" else points_qml(aliases)
            shape = "polygon" if name == "sites" else "point"
            sld = marker_sld(name) if name == "annotations" else score_sld(name, shape)
            styles.append(LayerStyle(name, "geom", f"gisplan {name}", DESCRIPTIONS[name], qml, sld))
        for name, table in tables.items():
            pyogrio.write_dataframe(
                _plain(table),
                temp,
                layer=name,
                driver="GPKG",
                layer_options={"DESCRIPTION": DESCRIPTIONS[name], "IDENTIFIER": name},
            )
            aliases = _aliases(dictionary, name, [str(c) for c in table.columns])
            styles.append(
                LayerStyle(name, "", f"gisplan {name}", DESCRIPTIONS[name], table_qml(aliases, preview=_PREVIEW[name]))
            )
        write_layer_styles(temp, styles)
        _fsync(temp)
        temp.replace(target)
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": synchronous})
        temp.unlink(missing_ok=True)
    return target


__all__ = ["DESCRIPTIONS", "SPATIAL_LAYERS", "TABLES", "check_out", "metadata", "split_sites", "write_geopackage"]
