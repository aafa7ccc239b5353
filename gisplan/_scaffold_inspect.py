"""What the files of a data folder hold, for :mod:`gisplan.scaffold`.

Each readable layer of each file becomes a :class:`Found`: vector layers through
pyogrio (geometry type, CRS, feature count, fields, and the values of a few
telling fields such as ``typ``/``power``), GeoTIFF bands through rasterio (CRS,
bands, data type, nodata, a unit guessed from the name), RÚIAN exchange files
(the municipality and the number of parcels and buildings), OSM extracts, and
the CSV files the readers understand (brownfield registers, ownership lists).
Nothing here decides what a layer is for; that is :mod:`gisplan.scaffold`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: The readers' logger: what the inspection skips is reported beside what reading skips.
logger = logging.getLogger("gisplan.sources")

#: Files that belong to another file (shapefile parts, GDAL side cars) or are not data.
_SIDE_SUFFIXES = (
    ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd", ".aux.xml", ".ovr", ".md", ".txt",
    ".yaml", ".yml", ".sqlite", ".sqlite-journal", ".gfs", ".lock", ".part",
)  # fmt: skip
RASTER_SUFFIXES = (".tif", ".tiff")
VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb", ".kml", ".gml", ".topojson", ".parquet")
#: Fields whose values tell what a point or line layer holds (``typ: substation``).
VALUE_FIELDS = ("typ", "type", "power", "druh", "kind", "category")
#: Identifier fields proposed as ``source_id`` when their values are unique.
ID_FIELDS = ("kod", "id", "site_id", "kod_objektu", "objectid", "fid_1")
#: Layers with more features are not read for values (the scaffold stays fast on national files).
MAX_VALUE_READ = 200_000


@dataclass(frozen=True)
class Found:
    """One layer of one file, as far as the scaffold looks.

    ``path`` is relative to the scanned folder (POSIX); ``fmt`` is the reader's format
    (``vector``, ``ruian``, ``osm``, ``uk-blr``, ``cz-brownfields``, ``us-epa``,
    ``owned-list`` or ``raster``).
    """

    path: str
    fmt: str
    layer: str | None = None
    crs: str | None = None
    geometry_type: str | None = None
    features: int | None = None
    columns: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Distinct values (at most 50) of the fields of :data:`VALUE_FIELDS`."""
    unique_id: str | None = None
    """A field of :data:`ID_FIELDS` whose values are unique, if any."""
    bands: int | None = None
    dtype: str | None = None
    nodata: float | None = None
    unit: str | None = None
    """Raster unit, guessed from the file name and band description; None when unknown."""
    municipality: tuple[str, str] | None = None
    """RÚIAN: (code, name) of the municipality of the file."""
    counts: dict[str, int] = field(default_factory=dict)
    """RÚIAN: features per layer (``Parcely``, ``StavebniObjekty``)."""

    @property
    def about(self) -> str:
        """One line for the YAML comment: what the layer holds."""
        if self.fmt == "raster":
            nodata = "none" if self.nodata is None else f"{self.nodata:g}"
            unit = self.unit or "unknown unit"
            return f"raster, {self.bands} band(s) {self.dtype}, CRS {self.crs or 'none'}, nodata {nodata}, {unit}"
        if self.fmt == "ruian":
            code, name = self.municipality or ("?", "?")
            parts = ", ".join(f"{n:,} {k}" for k, n in self.counts.items())
            return f"RÚIAN VFR of {name} ({code}), EPSG:5514: {parts}"
        where = f" layer {self.layer}," if self.layer else ""
        count = "unknown number of" if self.features is None or self.features < 0 else f"{self.features:,}"
        shown = ", ".join(self.columns[:12]) + (", …" if len(self.columns) > 12 else "")
        geometry = self.geometry_type or "no geometry"
        return f"{self.fmt},{where} {geometry}, CRS {self.crs or 'none'}, {count} features; fields: {shown}"


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(p.startswith(".") for p in rel.parts) or rel.parts[0] == "cache":
            continue
        if path.name.lower().endswith(_SIDE_SUFFIXES):
            continue
        yield path


def _unit_guess(text: str) -> str | None:
    lowered = text.lower()
    if any(w in lowered for w in ("ghi", "irrad", "pvout", "gti", "solar", "zareni", "záření")):
        return "kWh/m2/yr"
    if any(w in lowered for w in ("slope", "sklon", "aspect", "orientac")):
        return "deg"
    if any(w in lowered for w in ("dem", "dtm", "dmr", "dmt", "elev", "height", "srtm", "vysk", "výšk", "terrain")):
        return "m"
    return None


def _raster(path: Path, rel: str) -> Found:
    import rasterio

    with rasterio.open(path) as src:
        described = " ".join(d for d in src.descriptions if d)
        return Found(
            path=rel,
            fmt="raster",
            crs=src.crs.to_string() if src.crs else None,
            bands=src.count,
            dtype=str(src.dtypes[0]),
            nodata=None if src.nodata is None else float(src.nodata),
            unit=_unit_guess(f"{path.name} {described} {src.units[0] or ''}"),
        )


def _ruian(path: Path, rel: str) -> Found:
    import pyogrio

    counts = {}
    for layer in ("StavebniObjekty", "Parcely"):
        try:
            counts[layer] = int(pyogrio.read_info(str(path), layer=layer, force_feature_count=True)["features"])
        except (RuntimeError, ValueError, KeyError):  # a VFR file without the layer: nothing to count
            counts[layer] = 0
    obce = pyogrio.read_dataframe(
        str(path), layer="Obce", read_geometry=False, columns=["Kod", "Nazev"], WRITE_GFS="NO"
    )
    municipality = (str(obce["Kod"].iloc[0]), str(obce["Nazev"].iloc[0])) if len(obce) else None
    return Found(path=rel, fmt="ruian", crs="EPSG:5514", municipality=municipality, counts=counts)


def _values(path: Path, layer: str, fields: list[str]) -> tuple[dict[str, tuple[str, ...]], str | None]:
    import pyogrio

    wanted = [f for f in fields if f.lower() in VALUE_FIELDS or f.lower() in ID_FIELDS]
    if not wanted:
        return {}, None
    frame = pyogrio.read_dataframe(str(path), layer=layer, columns=wanted, read_geometry=False)
    values = {f: tuple(str(v) for v in frame[f].dropna().unique()[:50]) for f in wanted if f.lower() in VALUE_FIELDS}
    unique = next((f for f in wanted if f.lower() in ID_FIELDS and frame[f].notna().all() and frame[f].is_unique), None)
    return values, unique


def _vector(path: Path, rel: str, fmt: str) -> list[Found]:
    import pyogrio

    out = []
    for name, geometry_type in pyogrio.list_layers(str(path)):
        info = pyogrio.read_info(str(path), layer=str(name))
        fields = [str(f) for f in info["fields"]]
        features = int(info["features"])
        values: dict[str, tuple[str, ...]] = {}
        unique = None
        if 0 <= features <= MAX_VALUE_READ:
            values, unique = _values(path, str(name), fields)
        out.append(
            Found(
                path=rel,
                fmt=fmt,
                layer=str(name),
                crs=info["crs"],
                geometry_type=str(geometry_type) if geometry_type else None,
                features=features,
                columns=tuple(fields),
                values=values,
                unique_id=unique,
            )
        )
    return out


def _csv(path: Path, rel: str) -> list[Found]:
    from gisplan.sources import BASE_COLUMNS, NUMBER_COLUMNS, header_of, read_owned_list, sniff_format

    fmt = sniff_format(path)
    header = tuple(sorted(header_of(path)))
    if fmt in {"uk-blr", "cz-brownfields"}:
        return [Found(path=rel, fmt=fmt, geometry_type="Point", columns=header)]
    if set(header) & {*NUMBER_COLUMNS, *BASE_COLUMNS, "parcela_id", "id_parcely"}:
        listed = read_owned_list(path)
        return [Found(path=rel, fmt="owned-list", features=len(listed), columns=header)]
    return []


def inspect_file(path: Path, folder: Path) -> tuple[list[Found], str]:
    """The layers of one file, or ``([], why)`` when the scaffold cannot use it."""
    from gisplan.errors import GisplanError
    from gisplan.sources import CSV_SUFFIXES, sniff_format

    rel = path.relative_to(folder).as_posix()
    name = path.name.lower()
    found: list[Found] = []
    why = "not a file type gisplan reads (vector, GeoTIFF, RÚIAN .xml.gz, OSM, register CSV)"
    try:
        if name.endswith(".xml.zip"):
            why = (
                "a zipped XML, as ČÚZK serves RÚIAN files: put it into GISPLAN_CACHE_DIR/vfr and run "
                "'gisplan region fetch --municipality <kód obce> --to <this folder>', which checks it and writes the "
                ".xml.gz the readers take"
            )
        elif name.endswith(RASTER_SUFFIXES):
            found = [_raster(path, rel)]
        elif name.endswith(CSV_SUFFIXES):
            found = _csv(path, rel)
            why = "a CSV that is neither a brownfield register nor an ownership list; describe it by hand"
        else:
            fmt = sniff_format(path)
            if fmt == "ruian":
                found = [_ruian(path, rel)]
            elif fmt == "osm":
                found = [Found(path=rel, fmt="osm", crs="EPSG:4326")]
            elif name.endswith(VECTOR_SUFFIXES) or fmt == "us-epa":
                found = _vector(path, rel, fmt)
    except (GisplanError, OSError, ValueError, RuntimeError) as exc:
        logger.info("scaffold: %s not read (%s)", path, exc)
        return [], f"cannot be read ({' '.join(str(exc).split())[:200]})"
    return found, "" if found else why


def inspect_folder(folder: Path) -> tuple[list[Found], dict[str, str]]:
    """Every usable layer under ``folder``, and the files left out with the reason (relative path -> why)."""
    found: list[Found] = []
    skipped: dict[str, str] = {}
    for path in _files(folder):
        layers, why = inspect_file(path, folder)
        found.extend(layers)
        if not layers:
            skipped[path.relative_to(folder).as_posix()] = why
    return found, skipped


__all__ = ["Found", "inspect_file", "inspect_folder"]
