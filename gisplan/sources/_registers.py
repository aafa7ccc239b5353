"""Brownfield registers: the UK Brownfield Land Register CSV and the Czech brownfield CSV.

The UK format is the Brownfield Land Register data standard as harmonised by
digital-land (``site``, ``latitude``, ``longitude``, ``hectares``, …). The Czech
format is gisplan's own, documented in ``docs/cz_brownfields_schema.md``.
Both are parsed with the :mod:`csv` module, so quoted notes may span lines.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from gisplan.errors import Problem
from gisplan.sources._common import canonical, check_kind, logger, problems_error, snake_case
from gisplan.sources._csv import read_rows

if TYPE_CHECKING:
    import geopandas as gpd

#: Header columns (in snake_case) that mark a UK Brownfield Land Register CSV.
UK_MARKERS = ({"site", "site_reference"}, {"hectares"}, {"latitude"}, {"longitude"})
UK_NUMERIC = ("hectares", "latitude", "longitude", "minimum_net_dwellings", "maximum_net_dwellings")
#: Header columns that mark the Czech brownfield CSV.
CZ_MARKERS = ("kod", "nazev", "kod_obce")
CZ_REQUIRED = ("kod", "nazev", "kod_obce", "vymera_m2")
M2_PER_HECTARE = 10_000.0

#: Czech column -> (English column, {Czech value: English value}), from docs/cz_brownfields_schema.md.
_YES_NO = {"ano": "yes", "ne": "no", "nevime": "unknown"}
CZ_CATEGORIES: dict[str, tuple[str, dict[str, str]]] = {
    "puvodni_vyuziti": (
        "previous_use",
        {
            "prumysl": "industrial",
            "zemedelstvi": "agricultural",
            "tezba": "mining",
            "armada": "military",
            "bydleni": "residential",
            "obcanska_vybavenost": "civic",
            "jine": "other",
        },
    ),
    "vlastnictvi": (
        "ownership",
        {
            "obec": "municipal",
            "jiny_verejny": "other_public",
            "soukrome": "private",
            "smisene": "mixed",
            "nezname": "unknown",
        },
    ),
    "kontaminace": (
        "contamination",
        {"zadna_znama": "none_known", "podezreni": "suspected", "potvrzena": "confirmed", "sanovana": "remediated"},
    ),
    "elektrina": ("electricity", _YES_NO),
    "voda": ("water", _YES_NO),
    "kanalizace": ("sewer", _YES_NO),
    "plyn": ("gas", _YES_NO),
    "prijezd": ("road_access", _YES_NO),
}


def header_of(path: Path) -> set[str]:
    """The snake_case header names of a CSV file (empty when it cannot be parsed)."""
    from gisplan.sources._csv import read_text, sniff_dialect

    try:
        text = read_text(path)
    except OSError:
        return set()
    first = text[:65536].splitlines()[0] if text.strip() else ""
    delimiter, _ = sniff_dialect(first)
    return {snake_case(h.strip().strip("\"'")) for h in first.split(delimiter)}


def is_uk_blr(header: set[str]) -> bool:
    """True if a CSV header looks like a UK Brownfield Land Register."""
    return all(header & marker for marker in UK_MARKERS)


def is_cz_brownfields(header: set[str]) -> bool:
    """True if a CSV header looks like the Czech brownfield CSV."""
    return all(m in header for m in CZ_MARKERS)


def _frame(path: Path) -> pd.DataFrame:
    header, rows = read_rows(path)
    frame = pd.DataFrame(rows, columns=[snake_case(h) for h in header], index=range(1, len(rows) + 1), dtype=object)
    return frame.map(lambda v: v.strip() if isinstance(v, str) else v)


def _number(text: object) -> float | None:
    """A number from text such as ``2.47``, ``1 234,5`` or ``""`` (``None``); ``nan`` when not a number."""
    if not isinstance(text, str) or not text.strip():
        return None
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return float("nan")


def read_uk_blr(
    path: Path,
    *,
    kind: str | None = "brownfield",
    columns: Mapping[str, str] | None = None,
    working_crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Read a UK Brownfield Land Register CSV.

    Parameters
    ----------
    path
        A checked CSV file in the (digital-land harmonised) register standard.
    kind
        Site kind, ``brownfield`` by default.
    columns
        Catalogue mapping of ``name``/``source_id``/``kind`` to source columns.
    working_crs
        Metric CRS; by default the UTM zone of the sites.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per register row, ``source`` ``uk-blr``, ``source_id`` ``<organisation>/<site>``,
        ``name`` the site address, points from ``latitude``/``longitude`` [degrees, EPSG:4326] (empty
        geometry where the register gives none), ``hectares`` kept [ha] and ``area_m2`` =
        hectares × 10,000 [m²] with ``area_source`` ``declared:hectares[ha]`` (``not_available``
        and NaN where the register gives no hectares). The council name (``name`` in the file)
        becomes ``organisation_name``.
    """
    import geopandas as gpd
    import shapely

    check_kind(kind)
    frame = _frame(path)
    frame = frame.rename(columns={"site_reference": "site", "name": "organisation_name"})
    missing = [m for m in ("site", "hectares", "latitude", "longitude") if m not in frame.columns]
    if missing:
        problems = [Problem(str(path), "header", f"missing column {m!r}") for m in missing]
        raise problems_error(f"{path}: not a UK Brownfield Land Register CSV:", problems)
    warnings: list[str] = []
    for column in (c for c in UK_NUMERIC if c in frame.columns):
        parsed = [_number(v) for v in frame[column]]
        warnings += [
            f"row {i} {column}={v!r}"
            for i, v, n in zip(frame.index, frame[column], parsed, strict=True)
            if n is not None and math.isnan(n)
        ]
        frame[column] = pd.to_numeric(pd.Series(parsed, index=frame.index, dtype=float), errors="coerce")
    lat, lon = frame["latitude"], frame["longitude"]
    placed = lat.between(-90, 90) & lon.between(-180, 180)
    unplaced = frame.index[~placed]
    if len(unplaced):
        logger.info("%s: %d rows have no latitude/longitude; their geometry is empty", path, len(unplaced))
    if warnings:
        logger.warning("%s: %d values left empty: %s", path, len(warnings), "; ".join(warnings[:10]))
    geometry = [shapely.Point(x, y) if ok else None for x, y, ok in zip(lon, lat, placed, strict=True)]
    org = frame["organisation"] if "organisation" in frame.columns else pd.Series("", index=frame.index)
    site = frame["site"].where(frame["site"] != "", "row-" + frame.index.astype(str))
    ids = [f"{o}/{s}" if o else str(s) for o, s in zip(org, site, strict=True)]
    names = frame["site_address"] if "site_address" in frame.columns else None
    gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    return canonical(
        gdf,
        source="uk-blr",
        source_ids=ids,
        names=names,
        kind=kind,
        area_m2=frame["hectares"] * M2_PER_HECTARE,
        area_field="hectares[ha]",
        columns=columns,
        working_crs=working_crs,
        label=str(path),
    )


def _category_key(value: str) -> str:
    """Normalise a category value: lower case, no diacritics, spaces to ``_``."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return "_".join(plain.lower().split())


def _check_categories(path: Path, frame: pd.DataFrame, problems: list[Problem]) -> None:
    """Add the English columns; record every unknown value."""
    for czech, (english, values) in CZ_CATEGORIES.items():
        if czech not in frame.columns:
            continue
        accepted = {**values, **{v: v for v in values.values()}}
        out = []
        for row, raw in frame[czech].items():
            key = _category_key(raw)
            if key and key not in accepted:
                where = f"row {row} (kod {frame.at[row, 'kod']!r}), field {czech}"
                allowed = ", ".join(values)
                problems.append(Problem(str(path), where, f"unknown value {raw!r}; use one of {allowed}"))
            out.append(accepted.get(key))
        frame[english] = pd.Series(out, index=frame.index, dtype=object)


def _cz_geometry(path: Path, frame: pd.DataFrame, problems: list[Problem]) -> list[object]:
    """Geometries in EPSG:5514: the WKT as given, or the lat/lon point projected from EPSG:4326."""
    import shapely

    from gisplan.crs import CZECH_CRS, WGS84, transformer

    to_krovak = transformer(WGS84, CZECH_CRS)
    out: list[object] = []
    for row in frame.index:
        where = f"row {row} (kod {frame.at[row, 'kod']!r})"
        wkt = str(frame.at[row, "wkt"]) if "wkt" in frame.columns else ""
        lat = _number(frame.at[row, "lat"]) if "lat" in frame.columns else None
        lon = _number(frame.at[row, "lon"]) if "lon" in frame.columns else None
        geom = None
        if wkt:
            geom = shapely.from_wkt(wkt, on_invalid="ignore")
            if geom is None:
                problems.append(Problem(str(path), f"{where}, field wkt", f"not valid WKT: {wkt[:40]!r}"))
            elif _looks_lonlat(geom):
                msg = "coordinates look like lon/lat degrees; wkt must be in EPSG:5514, or use the lat/lon columns"
                problems.append(Problem(str(path), f"{where}, field wkt", msg))
        elif lat is not None and lon is not None:
            if pd.isna(lat) or pd.isna(lon) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                msg = f"lat {frame.at[row, 'lat']!r} / lon {frame.at[row, 'lon']!r} are not WGS84 degrees"
                problems.append(Problem(str(path), f"{where}, field lat/lon", msg))
            else:
                geom = shapely.Point(*to_krovak.transform(lon, lat))
        else:
            problems.append(Problem(str(path), where, "no geometry; fill wkt (EPSG:5514) or both lat and lon"))
        out.append(geom)
    return out


def _looks_lonlat(geom: object) -> bool:
    import shapely

    west, south, east, north = shapely.bounds(geom)
    return bool(-180 <= west <= east <= 180 and -90 <= south <= north <= 90)


def _check_rows(path: Path, frame: pd.DataFrame, problems: list[Problem]) -> pd.Series[float]:
    """Check the required fields of every row; return the parsed area [m²]."""
    seen: dict[str, int] = {}
    areas = []
    for row in frame.index:
        kod = str(frame.at[row, "kod"])
        where = f"row {row} (kod {kod!r})"
        if not kod:
            problems.append(Problem(str(path), f"row {row}, field kod", "missing; every site needs a register id"))
        elif kod in seen:
            problems.append(Problem(str(path), f"{where}, field kod", f"duplicate of row {seen[kod]}"))
        else:
            seen[kod] = row
        if not frame.at[row, "nazev"]:
            problems.append(Problem(str(path), f"{where}, field nazev", "missing; give the site's name"))
        kod_obce = str(frame.at[row, "kod_obce"])
        if not (len(kod_obce) == 6 and kod_obce.isdigit()):
            problems.append(Problem(str(path), f"{where}, field kod_obce", f"{kod_obce!r} is not a 6-digit code"))
        raw = frame.at[row, "vymera_m2"]
        area = _number(raw)
        if area is None:
            problems.append(Problem(str(path), f"{where}, field vymera_m2", "missing; give the area in m²"))
        elif pd.isna(area):
            problems.append(Problem(str(path), f"{where}, field vymera_m2", f"{raw!r} is not a number"))
        elif area <= 0:
            problems.append(Problem(str(path), f"{where}, field vymera_m2", f"{raw!r} must be > 0"))
        areas.append(area if area is not None else float("nan"))
    return pd.Series(areas, index=frame.index, dtype=float)


def read_cz_brownfields(
    path: Path,
    *,
    kind: str | None = "brownfield",
    columns: Mapping[str, str] | None = None,
    working_crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate a Czech brownfield CSV (``docs/cz_brownfields_schema.md``).

    Parameters
    ----------
    path
        A checked UTF-8 CSV file in the schema.
    kind
        Site kind, ``brownfield`` by default.
    columns
        Catalogue mapping of ``name``/``source_id``/``kind`` to source columns.
    working_crs
        Metric CRS; by default EPSG:5514.

    Returns
    -------
    geopandas.GeoDataFrame
        ``source`` ``cz-brownfields``, ``source_id`` = ``kod``, ``name`` = ``nazev``, ``area_m2``
        [m²]: the polygon's area for WKT polygons, else ``vymera_m2`` (``area_source``
        ``declared:vymera_m2[m2]``), every column of the file, and the English columns ``previous_use``,
        ``ownership``, ``contamination``, ``electricity``, ``water``, ``sewer``, ``gas``, ``road_access``.

    Raises
    ------
    InvalidDataError
        Listing every missing required column, or every bad row and field: missing id, name or
        area, duplicate id, municipality code that is not 6 digits, area that is not a number > 0,
        unknown category value, missing or invalid geometry.
    """
    import geopandas as gpd

    check_kind(kind)
    frame = _frame(path)
    problems = [Problem(str(path), "header", f"missing required column {c!r}") for c in CZ_REQUIRED if c not in frame]
    if "wkt" not in frame.columns and not {"lat", "lon"} <= set(frame.columns):
        problems.append(Problem(str(path), "header", "needs a wkt column (EPSG:5514) or lat and lon columns"))
    if problems:
        raise problems_error(f"{path}: not a valid Czech brownfield CSV; fix the header:", problems)
    area = _check_rows(path, frame, problems)
    _check_categories(path, frame, problems)
    geometry = _cz_geometry(path, frame, problems)
    if problems:
        raise problems_error(f"{path}: {len(problems)} problem(s) in the Czech brownfield CSV:", problems)
    frame["vymera_m2"] = area
    gdf = gpd.GeoDataFrame(frame.drop(columns=[c for c in ("wkt",) if c in frame]), geometry=geometry, crs="EPSG:5514")
    return canonical(
        gdf,
        source="cz-brownfields",
        source_ids=frame["kod"],
        names=frame["nazev"],
        kind=kind,
        area_m2=area,
        area_field="vymera_m2[m2]",
        columns=columns,
        working_crs=working_crs,
        label=str(path),
    )


__all__ = ["header_of", "is_cz_brownfields", "is_uk_blr", "read_cz_brownfields", "read_uk_blr"]
