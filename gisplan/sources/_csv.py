"""CSV text with coordinates: dialect sniffing, lat/lon columns and WKT columns.

Rows are parsed with the :mod:`csv` module (quoted fields may span lines). The
first row is the header. The delimiter (``,`` ``;`` tab ``#`` ``|``) and the
quote character (``"`` or ``'``) are guessed from the header and the first
64 KiB, so files such as GridKit's ``#``-separated, ``'``-quoted exports read too.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gisplan.errors import MissingCRSError, Problem, UnreadableSourceError
from gisplan.sources._common import logger, problems_error

if TYPE_CHECKING:
    import geopandas as gpd

DELIMITERS = (",", ";", "\t", "#", "|")
LAT_NAMES = ("lat", "latitude", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
_SRID_RE = re.compile(r"^\s*SRID=(\d+);", re.IGNORECASE)
_LEADING_ZERO_RE = re.compile(r"^[+-]?0\d")


def read_text(path: Path) -> str:
    """The whole file as text: UTF-8 (with or without BOM), else Windows-1250 (common for Czech CSV)."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        logger.warning("%s is not UTF-8; reading it as Windows-1250", path)
        return raw.decode("cp1250", errors="replace")


def sniff_dialect(sample: str) -> tuple[str, str]:
    """Guess ``(delimiter, quotechar)`` from the start of a CSV file."""
    header = sample.splitlines()[0] if sample else ""
    counts = Counter({d: header.count(d) for d in DELIMITERS})
    delimiter, hits = counts.most_common(1)[0]
    if hits == 0:
        delimiter = ","
    single = sample.count(f"{delimiter}'") + sample.count(f"'{delimiter}")
    double = sample.count(f'{delimiter}"') + sample.count(f'"{delimiter}')
    return delimiter, "'" if single > double else '"'


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a CSV file, as text.

    Raises
    ------
    UnreadableSourceError
        If the file is empty or a row has more fields than the header.
    """
    text = read_text(path)
    if not text.strip():
        msg = f"{path}: the CSV file is empty; it needs a header row and data rows"
        raise UnreadableSourceError(msg)
    delimiter, quotechar = sniff_dialect(text[:65536])
    try:
        rows = list(csv.reader(text.splitlines(keepends=True), delimiter=delimiter, quotechar=quotechar))
    except csv.Error as exc:
        msg = f"{path}: not valid CSV ({exc}); check quoting"
        raise UnreadableSourceError(msg) from exc
    header = [h.strip() for h in rows[0]]
    data = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    width = len(header)
    long_rows = [
        Problem(str(path), f"row {i}", f"{len(r)} fields, but the header has {width}; quote fields with delimiters")
        for i, r in enumerate(data, start=1)
        if len(r) > width
    ]
    if long_rows:
        raise problems_error(f"{path}: rows with too many fields:", long_rows)
    return header, [r + [""] * (width - len(r)) for r in data]


def infer_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns whose every filled value is a number into numbers (codes like ``01`` stay text)."""
    out = frame.copy()
    for column in frame.columns:
        values = frame[column].astype(str).str.strip()
        filled = values[values != ""]
        if filled.empty or filled.str.match(_LEADING_ZERO_RE).any():
            continue
        numbers = pd.to_numeric(filled, errors="coerce")
        if numbers.notna().all():
            out[column] = pd.to_numeric(values.where(values != ""), errors="coerce")
    return out


def _pick(header: list[str], names: tuple[str, ...], *, prefix: str | None = None) -> str | None:
    lowered = {h.lower(): h for h in header}
    for name in names:
        if name in lowered:
            return lowered[name]
    if prefix:
        for h in header:
            if h.lower().startswith(prefix):
                return h
    return None


def read_csv_points(path: Path, *, crs: object | None = None) -> gpd.GeoDataFrame:
    """Read a CSV with a WKT column or lat/lon columns into a GeoDataFrame.

    Parameters
    ----------
    path
        CSV file with a header. A WKT column (``wkt``, ``geometry``, ``geom``, ``the_geom`` or a
        name starting with ``wkt``; EWKT ``SRID=n;`` prefixes are understood) wins over
        lat/lon columns (``lat``/``latitude``/``y`` and ``lon``/``lng``/``long``/``longitude``/``x``).
    crs
        CRS of the coordinates. Without it: the EWKT SRID, else EPSG:4326 [degrees] when every
        coordinate lies in the lon/lat range, else :class:`~gisplan.errors.MissingCRSError`.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by the 1-based data row; empty coordinates give an empty (``None``) geometry.
    """
    import geopandas as gpd

    header, rows = read_rows(path)
    frame = pd.DataFrame(rows, columns=header, index=range(1, len(rows) + 1), dtype=object)
    wkt_col = _pick(header, WKT_NAMES, prefix="wkt")
    lat_col, lon_col = _pick(header, LAT_NAMES), _pick(header, LON_NAMES)
    if wkt_col is not None:
        geometry, srid = _wkt_geometry(path, frame[wkt_col])
        frame = frame.drop(columns=[wkt_col])
    elif lat_col is not None and lon_col is not None:
        geometry, srid = _latlon_geometry(path, frame[lat_col], frame[lon_col]), None
    else:
        msg = (
            f"{path}: no coordinate columns; name them lat and lon (WGS84 degrees) or wkt. "
            f"The columns are: {', '.join(header)}"
        )
        raise UnreadableSourceError(msg)
    result = gpd.GeoDataFrame(infer_numbers(frame), geometry=geometry, crs=None)
    declared = crs if crs is not None else (f"EPSG:{srid}" if srid else None)
    if declared is not None:
        return result.set_crs(declared)
    valid = result.geometry[result.geometry.notna()]
    if not valid.empty:
        west, south, east, north = valid.total_bounds
        if not (-180.0 <= west <= east <= 180.0 and -90.0 <= south <= north <= 90.0):
            msg = (
                f"{path}: the coordinates (x {west:.0f}…{east:.0f}, y {south:.0f}…{north:.0f}) are not "
                "lon/lat degrees; pass their CRS with --crs / crs=, e.g. EPSG:5514"
            )
            raise MissingCRSError(msg)
    return result.set_crs("EPSG:4326")


def _wkt_geometry(
    path: Path, values: pd.Series[str]
) -> tuple[np.ndarray[tuple[int], np.dtype[np.object_]], str | None]:
    import shapely

    texts = values.astype(str).str.strip()
    srids = texts.str.extract(_SRID_RE, expand=False).dropna().unique()
    texts = texts.str.replace(_SRID_RE, "", regex=True)
    geoms = shapely.from_wkt(texts.replace("", None).to_numpy(), on_invalid="ignore")
    bad = [
        Problem(str(path), f"row {row}, field {values.name}", f"not valid WKT: {text[:40]!r}")
        for row, text, geom in zip(values.index, texts, geoms, strict=True)
        if text and geom is None
    ]
    if bad:
        raise problems_error(f"{path}: rows with invalid WKT geometry:", bad)
    if len(srids) > 1:
        msg = f"{path}: the WKT column mixes SRIDs {sorted(srids)}; use one CRS per file"
        raise UnreadableSourceError(msg)
    return geoms, (str(srids[0]) if len(srids) else None)


def _latlon_geometry(
    path: Path, lat: pd.Series[str], lon: pd.Series[str]
) -> np.ndarray[tuple[int], np.dtype[np.object_]]:
    import shapely

    problems: list[Problem] = []
    numbers = {}
    for series in (lat, lon):
        text = series.astype(str).str.strip().str.replace(",", ".", regex=False)
        parsed = pd.to_numeric(text, errors="coerce")
        numbers[series.name] = parsed
        problems += [
            Problem(str(path), f"row {row}, field {series.name}", f"{raw!r} is not a number")
            for row, raw, value in zip(series.index, text, parsed, strict=True)
            if raw and pd.isna(value)
        ]
    ys, xs = numbers[lat.name], numbers[lon.name]
    problems += [
        Problem(str(path), f"row {row}", f"only one of {lat.name}/{lon.name} is filled; fill both or neither")
        for row in ys.index[ys.isna() != xs.isna()]
    ]
    if problems:
        raise problems_error(f"{path}: rows with coordinates that are not numbers:", problems)
    filled = ys.notna() & xs.notna()
    geoms = np.full(len(ys), None, dtype=object)
    geoms[filled.to_numpy()] = shapely.points(xs[filled].to_numpy(), ys[filled].to_numpy())
    return geoms


__all__ = ["infer_numbers", "read_csv_points", "read_rows", "read_text", "sniff_dialect"]
