"""Vector files: anything pyogrio reads, GeoParquet, zipped shapefiles, and CSV with coordinates.

Files are opened by path only after :func:`gisplan.sources._common.check_path`;
``/vsizip/`` is built here, for a zip member we chose, never taken from the user.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from gisplan.errors import InputError, MissingCRSError, SourceNotFoundError, UnreadableSourceError
from gisplan.sources._common import file_label, logger
from gisplan.sources._csv import read_csv_points

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: Members of a zip file that can hold a layer, in order of preference.
ZIP_DATA_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml", ".gml", ".topojson")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
#: Column names taken as the display name when no ``columns={"name": ...}`` is given (case-insensitive).
NAME_CANDIDATES = ("name", "nazev", "název", "nazev_obce", "site_name", "title", "label")


def read_vector(
    path: Path, *, layer: str | None = None, where: str | None = None, crs: object | None = None
) -> gpd.GeoDataFrame:
    """Read one layer of a vector file in its own CRS.

    Parameters
    ----------
    path
        A checked local file: GPKG, GeoJSON, TopoJSON, Shapefile (``.shp`` or ``.zip``), KML,
        FlatGeobuf, GML, GeoParquet, or CSV with lat/lon or WKT columns.
    layer
        Layer name for multi-layer files (GPKG, KML); for a zip, the stem of the member.
    where
        OGR SQL filter, e.g. ``"kod_obce = '564729'"``. Not supported for GeoParquet and CSV.
    crs
        CRS of data that declare none (CSV, TopoJSON, shapefile without ``.prj``).

    Returns
    -------
    geopandas.GeoDataFrame
        Features indexed by their feature id (GDAL FID, or the 1-based row for CSV and GeoParquet).

    Notes
    -----
    Data without a declared CRS are taken as EPSG:4326 only when the format implies it
    (TopoJSON, lat/lon CSV columns) and every coordinate lies in the lon/lat range; otherwise
    :class:`~gisplan.errors.MissingCRSError` asks for ``crs=``.
    """
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        if where:
            msg = f"{path}: a where filter is not supported for CSV files; filter the result instead"
            raise InputError(msg)
        return read_csv_points(path, crs=crs)
    if name.endswith(PARQUET_SUFFIXES):
        return _read_parquet(path, where=where, crs=crs)
    if name.endswith(".zip"):
        gdal_path, layer = _zip_member(path, layer)
        return _read_ogr(gdal_path, label=str(path), layer=layer, where=where, crs=crs)
    return _read_ogr(str(path), label=str(path), layer=layer, where=where, crs=crs)


def guess_names(frame: pd.DataFrame) -> pd.Series[Any] | None:
    """The display-name column, when the frame has one of :data:`NAME_CANDIDATES`."""
    by_lower = {str(c).lower(): c for c in frame.columns}
    for candidate in NAME_CANDIDATES:
        if candidate in by_lower:
            return frame[by_lower[candidate]]
    return None


def _zip_member(path: Path, layer: str | None) -> tuple[str, str | None]:
    """Pick the data member of a zip; return the ``/vsizip/`` path and the layer inside it."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"{path}: not a readable zip file ({exc}); re-create the archive"
        raise UnreadableSourceError(msg) from exc
    for member in names:
        pure = PurePosixPath(member)
        if pure.is_absolute() or ".." in pure.parts or member.lower().endswith(".vrt"):
            msg = f"{path}: the zip holds an unsafe member {member!r} (absolute, '..' or .vrt); re-create the archive"
            raise UnreadableSourceError(msg)
    data = [m for m in names if m.lower().endswith(ZIP_DATA_SUFFIXES) and not m.startswith("__MACOSX/")]
    if not data:
        msg = f"{path}: the zip holds no shapefile, GeoPackage, GeoJSON, FlatGeobuf, KML or GML; members: {names[:20]}"
        raise UnreadableSourceError(msg)
    member_layer = layer
    if len(data) > 1:
        chosen = [m for m in data if layer and PurePosixPath(m).stem == layer]
        if not chosen:
            stems = ", ".join(PurePosixPath(m).stem for m in data)
            msg = f"{path}: the zip holds several layers ({stems}); choose one with --layer / layer="
            raise InputError(msg)
        data = chosen
        member_layer = None
    member = data[0]
    if member.lower().endswith(".shp"):
        member_layer = None
    return f"/vsizip/{path.resolve().as_posix()}/{member}", member_layer


def _read_parquet(path: Path, *, where: str | None, crs: object | None) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if where:
        msg = f"{path}: a where filter is not supported for GeoParquet; filter the result instead"
        raise InputError(msg)
    try:
        frame = gpd.read_parquet(path)
    except (ValueError, OSError, TypeError) as exc:
        msg = f"{path}: cannot be read as GeoParquet ({exc}); check that it was written by geopandas/GDAL"
        raise UnreadableSourceError(msg) from exc
    frame.index = range(1, len(frame) + 1)
    return _with_crs(frame, crs=crs, label=str(path), lonlat_default=False)


def _layers(gdal_path: str) -> list[str]:
    import pyogrio

    return [str(row[0]) for row in pyogrio.list_layers(gdal_path)]


def _read_ogr(
    gdal_path: str, *, label: str, layer: str | None, where: str | None, crs: object | None
) -> gpd.GeoDataFrame:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError, FieldError

    try:
        layers = _layers(gdal_path)
    except DataSourceError as exc:
        msg = (
            f"{label}: cannot be read as a vector file ({_first_line(exc)}); "
            "check that the file is complete and of a GIS format"
        )
        raise UnreadableSourceError(msg) from exc
    if layer is None and len(layers) > 1:
        msg = f"{label}: has {len(layers)} layers ({', '.join(layers)}); choose one with --layer / layer="
        raise InputError(msg)
    if layer is not None and layer not in layers:
        msg = f"{label}: no layer {layer!r}; the layers are: {', '.join(layers)}"
        raise SourceNotFoundError(msg)
    try:
        frame = pyogrio.read_dataframe(gdal_path, layer=layer, where=where, use_arrow=True, fid_as_index=True)
    except (FieldError, DataLayerError, OSError) as exc:
        # an invalid where clause surfaces as FieldError, or as OSError from the Arrow stream
        where_label = f"{file_label(Path(label), layer)}: the filter {where!r}"
        if where:
            msg = f"{where_label} failed ({_first_line(exc)}); fix the where clause"
            raise InputError(msg) from exc
        msg = f"{label}: cannot be read ({_first_line(exc)}); check that the file is complete"
        raise UnreadableSourceError(msg) from exc
    except DataSourceError as exc:
        msg = f"{label}: cannot be read ({_first_line(exc)}); check the file is complete and of a GIS format"
        raise UnreadableSourceError(msg) from exc
    driver = str(pyogrio.read_info(gdal_path, layer=layer).get("driver", ""))
    return _with_crs(frame, crs=crs, label=file_label(Path(label), layer), lonlat_default=driver == "TopoJSON")


def _first_line(exc: BaseException) -> str:
    """GDAL's message, first line only, without its hint to prefix a driver (we never take driver prefixes)."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line.split("; It might help")[0].rstrip(".")


def _in_lonlat_range(frame: gpd.GeoDataFrame) -> bool:
    valid = frame.geometry[frame.geometry.notna() & ~frame.geometry.is_empty]
    if valid.empty:
        return True
    west, south, east, north = valid.total_bounds
    return bool(-180.0 <= west <= east <= 180.0 and -90.0 <= south <= north <= 90.0)


def _with_crs(frame: gpd.GeoDataFrame, *, crs: object | None, label: str, lonlat_default: bool) -> gpd.GeoDataFrame:
    """Declare ``crs`` on data without one; refuse a ``crs`` that contradicts the file."""
    from gisplan.crs import parse_crs

    if crs is not None:
        wanted = parse_crs(crs)
        if frame.crs is not None and frame.crs != wanted:
            msg = (
                f"{label}: the file declares {frame.crs.to_string()}, not {wanted.to_string()}; leave out --crs / crs="
            )
            raise InputError(msg)
        return frame.set_crs(wanted, allow_override=True)
    if frame.crs is not None:
        return frame
    if lonlat_default and _in_lonlat_range(frame):
        logger.info("%s declares no CRS; its coordinates are lon/lat, so EPSG:4326 is assumed", label)
        return frame.set_crs("EPSG:4326")
    msg = (
        f"{label}: the data declares no coordinate reference system; "
        "add the .prj file (shapefile) or pass --crs / crs=, e.g. EPSG:5514"
    )
    raise MissingCRSError(msg)


__all__ = ["guess_names", "read_vector"]
