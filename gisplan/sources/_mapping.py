"""Brownfield lists in any column layout, read through a small column-mapping YAML.

A national database export, a regional list or a council register each name
their columns differently (``Původní využití``, ``bývalé využití``,
``OwnershipStatus``…). A mapping file says which column is which and how its
values translate, so the list loads without first being rewritten by hand::

    name: czechinvest
    source: czechinvest            # site ids are czechinvest:<source_id>
    kind: brownfield
    geometry: {lat: "GPS N", lon: "GPS E"}          # or {x: X, y: Y, crs: EPSG:5514}, or {wkt: WKT, crs: …}
    columns:
      source_id: "ID lokality"
      name: "Název lokality"
      municipality_code: "Kód obce"
      previous_use: "Původní využití"
      ownership: "Vlastnictví"
      contamination: "Ekologická zátěž"
      utilities: {electricity: "Elektřina", water: "Voda", sewer: "Kanalizace", gas: "Plyn"}
      area: {column: "Celková plocha (m2)", unit: m2}
    values:
      previous_use: {"průmysl": industrial, "zemědělství": agricultural}
      ownership: {"soukromé": private, "obec": municipal}

Values are matched ignoring case, diacritics and outer spaces; a value already
in the vocabulary needs no entry. A value neither listed nor in the vocabulary
is an error naming every such value and row (``unmapped: error``, the default),
or becomes ``unknown`` (``unmapped: unknown``). Example mappings ship in
``layers/mappings/``.

The result has the canonical columns plus ``previous_use``, ``ownership``,
``contamination``, ``electricity``/``water``/``sewer``/``gas``/``road_access``
(yes, no, unknown), ``utilities`` (the ones present, ``;``-joined),
``declared_area`` with ``declared_area_unit`` and ``municipality_code``; the
scoring profiles (``layers/profiles/redevelopment.yaml``) and the funding
matcher read them.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gisplan.catalogue import SiteKind
from gisplan.errors import ConfigError, Problem
from gisplan.sources._common import canonical, check_path, find_column, problems_error
from gisplan.vocabulary import OWNER_TYPES, PREVIOUS_USES

if TYPE_CHECKING:
    import geopandas as gpd

#: The attribute vocabularies a mapping translates into (``unknown`` is always allowed).
#: previous uses and owners are the funding matcher's vocabularies (one table each).
OWNERSHIPS: tuple[str, ...] = OWNER_TYPES
CONTAMINATIONS: tuple[str, ...] = ("none_known", "suspected", "confirmed", "remediated")
UTILITY_VALUES: tuple[str, ...] = ("yes", "no")
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "previous_use": PREVIOUS_USES,
    "ownership": OWNERSHIPS,
    "contamination": CONTAMINATIONS,
    "utilities": UTILITY_VALUES,
}
UNKNOWN = "unknown"
Utility = Literal["electricity", "water", "sewer", "gas", "road_access"]
#: Words read as yes / no in utility columns, before a mapping's own values.
_YES_NO = {
    "ano": "yes",
    "a": "yes",
    "y": "yes",
    "1": "yes",
    "true": "yes",
    "ne": "no",
    "n": "no",
    "0": "no",
    "false": "no",
}
_SOURCE_RE = re.compile(r"^[a-z][a-z0-9_-]{1,40}$")


def value_key(value: object) -> str:
    """Lower case, no diacritics, inner spaces single: ``Průmysl `` -> ``prumysl``."""
    plain = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.lower().split())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AreaColumn(_Strict):
    """The declared area of each site and its unit."""

    column: str
    unit: Literal["m2", "ha", "acres"]


class GeometryColumns(_Strict):
    """Where the location is: ``lat``/``lon`` [degrees], ``x``/``y`` in ``crs``, or ``wkt`` in ``crs``."""

    lat: str | None = None
    lon: str | None = None
    x: str | None = None
    y: str | None = None
    wkt: str | None = None
    crs: str = Field(default="EPSG:4326", description="CRS of x/y or wkt; lat/lon are always EPSG:4326")

    @model_validator(mode="after")
    def _one_kind(self) -> GeometryColumns:
        kinds = [bool(self.lat or self.lon), bool(self.x or self.y), bool(self.wkt)]
        if sum(kinds) != 1:
            msg = "give exactly one of lat + lon, x + y, or wkt"
            raise ValueError(msg)
        if (self.lat is None) != (self.lon is None) or (self.x is None) != (self.y is None):
            msg = "lat needs lon and x needs y"
            raise ValueError(msg)
        return self


class Columns(_Strict):
    """Source column of each canonical field (header names as in the file)."""

    source_id: str
    name: str | None = None
    municipality_code: str | None = None
    previous_use: str | None = None
    ownership: str | None = None
    contamination: str | None = None
    utilities: dict[Utility, str] = Field(default_factory=dict)
    area: AreaColumn | None = None


class Mapping(_Strict):
    """A column-mapping file (see the module docstring)."""

    name: str = Field(min_length=2)
    description: str | None = None
    source: str = Field(description="site ids are <source>:<source_id>")
    kind: SiteKind | None = "brownfield"
    geometry: GeometryColumns | None = None
    columns: Columns
    values: dict[Literal["previous_use", "ownership", "contamination", "utilities"], dict[str, str]] = Field(
        default_factory=dict
    )
    unmapped: Literal["error", "unknown"] = "error"

    @field_validator("source")
    @classmethod
    def _source_name(cls, value: str) -> str:
        if not _SOURCE_RE.match(value):
            msg = "must be 2-41 lower-case letters, digits, _ or -, starting with a letter"
            raise ValueError(msg)
        return value

    @field_validator("values")
    @classmethod
    def _targets(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        bad = [
            f"{field}: {source!r} -> {target!r}"
            for field, table in value.items()
            for source, target in table.items()
            if target not in (*VOCABULARIES[field], UNKNOWN)
        ]
        if bad:
            allowed = "; ".join(f"{k}: {', '.join(v)}, unknown" for k, v in VOCABULARIES.items())
            msg = f"values outside the vocabulary ({', '.join(bad)}); use {allowed}"
            raise ValueError(msg)
        return value


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a mapping YAML.

    Raises
    ------
    ConfigError
        Naming the file and every bad field (``columns.area.unit``, ``values.ownership``…).
    """
    file = Path(path)
    if not file.is_file():
        msg = f"{file}: mapping file not found"
        raise ConfigError(msg)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        raise ConfigError(f"{file}: not valid YAML", [Problem(str(file), where, str(exc).splitlines()[0])]) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: a mapping file is a YAML mapping (name, source, columns…)")
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(str(file), "field " + ".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()
        ]
        raise ConfigError(f"{file}: {len(problems)} problem(s) in the column mapping:", problems) from exc


def _translate(
    values: pd.Series[Any], field: str, mapping: Mapping, *, where: tuple[str, str], problems: list[Problem]
) -> pd.Series[Any]:
    """Source values -> the field's vocabulary; unlisted values are problems or ``unknown``."""
    vocabulary = VOCABULARIES[field]
    label, column = where
    given: dict[str, dict[str, str]] = {str(k): v for k, v in mapping.values.items()}
    table = {value_key(k): v for k, v in given.get(field, {}).items()}
    if field == "utilities":
        table = {**_YES_NO, **table}
    table |= {v: v for v in (*vocabulary, UNKNOWN)}
    out: list[str | None] = []
    unmapped: dict[str, list[str]] = {}
    for row, raw in values.items():
        text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw).strip()
        if not text:
            out.append(UNKNOWN)
            continue
        found = table.get(value_key(text))
        if found is None:
            unmapped.setdefault(text, []).append(str(row))
            found = UNKNOWN
        out.append(found)
    if unmapped and mapping.unmapped == "error":
        for text, rows in unmapped.items():
            shown = ", ".join(rows[:5]) + ("…" if len(rows) > 5 else "")
            msg = f"value {text!r} (rows {shown}) is not mapped; add it under values.{field} or set unmapped: unknown"
            problems.append(Problem(label, f"column {column!r}", msg))
    return pd.Series(out, index=values.index, dtype=object)


def _geometry(frame: pd.DataFrame, geo: GeometryColumns | None, label: str) -> tuple[list[object], str]:
    import shapely

    if geo is None:
        return [None] * len(frame), "EPSG:4326"

    def numbers(name: str) -> pd.Series[Any]:
        column = find_column(frame, name, label=label, role="geometry")
        text = frame[column].astype("string").str.replace(",", ".", regex=False).str.replace(" ", "", regex=False)
        return pd.to_numeric(text, errors="coerce")

    if geo.wkt is not None:
        column = find_column(frame, geo.wkt, label=label, role="geometry")
        return [shapely.from_wkt(v, on_invalid="ignore") if v else None for v in frame[column]], geo.crs
    if geo.lat is not None and geo.lon is not None:
        lat, lon = numbers(geo.lat), numbers(geo.lon)
        ok = lat.between(-90, 90) & lon.between(-180, 180)
        return [shapely.Point(x, y) if k else None for x, y, k in zip(lon, lat, ok, strict=True)], "EPSG:4326"
    x, y = numbers(str(geo.x)), numbers(str(geo.y))
    ok = x.notna() & y.notna()
    return [shapely.Point(a, b) if k else None for a, b, k in zip(x, y, ok, strict=True)], geo.crs


def _attributes(frame: pd.DataFrame, mapping: Mapping, label: str, problems: list[Problem]) -> pd.DataFrame:
    """The canonical attribute columns the mapping fills."""
    cols = mapping.columns
    out = pd.DataFrame(index=frame.index)
    for field in ("previous_use", "ownership", "contamination"):
        wanted = getattr(cols, field)
        if wanted is None:
            out[field] = pd.Series(UNKNOWN, index=frame.index, dtype=object)
            continue
        column = find_column(frame, wanted, label=label, role=field)
        out[field] = _translate(frame[column], field, mapping, where=(label, str(column)), problems=problems)
    present: list[list[str]] = [[] for _ in range(len(frame))]
    for utility, wanted in cols.utilities.items():
        column = find_column(frame, wanted, label=label, role=f"utilities.{utility}")
        out[utility] = _translate(frame[column], "utilities", mapping, where=(label, str(column)), problems=problems)
        for i, value in enumerate(out[utility]):
            if value == "yes":
                present[i].append(utility)
    if cols.utilities:
        out["utilities"] = [";".join(p) if p else None for p in present]
    if cols.municipality_code is not None:
        column = find_column(frame, cols.municipality_code, label=label, role="municipality_code")
        codes = [str(v).strip() if v is not None else "" for v in frame[column]]
        out["municipality_code"] = pd.Series([c or None for c in codes], index=frame.index, dtype=object)
    return out


def read_mapped(
    source: str | Path, mapping: Mapping | str | Path, *, working_crs: object | None = None
) -> gpd.GeoDataFrame:
    """Read a CSV list through a column mapping into canonical sites.

    Parameters
    ----------
    source
        A CSV file (``,``/``;``/tab separated, UTF-8 or Windows-1250), one site per row.
    mapping
        A :class:`Mapping` or the path of its YAML file.
    working_crs
        Metric CRS of the result; by default chosen from the data (EPSG:5514 in Czechia).

    Returns
    -------
    geopandas.GeoDataFrame
        ``source`` = the mapping's ``source``, ``source_id`` from the mapped column, points (or
        WKT shapes) in the working CRS, empty where a row has no location; ``area_m2`` [m²] from
        the declared area (``area_source`` ``declared:<column>[<unit>]``) where the geometry has
        none; the attributes of the module docstring; every source column in snake_case.

    Raises
    ------
    ConfigError
        For a bad mapping file.
    InvalidDataError
        Listing every unmapped value (with ``unmapped: error``), missing id and declared area
        that is not a number.
    """
    import geopandas as gpd

    from gisplan.measurements.geometry import AREA_UNITS
    from gisplan.sources._csv import read_rows

    spec = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    path = check_path(source)
    label = str(path)
    header, rows = read_rows(path)
    frame = pd.DataFrame([r + [""] * (len(header) - len(r)) for r in rows], columns=header, dtype=object)
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # file line numbers of the rows
    problems: list[Problem] = []
    attrs = _attributes(frame, spec, label, problems)
    id_column = find_column(frame, spec.columns.source_id, label=label, role="source_id")
    ids = frame[id_column].astype("string").str.strip()
    problems += [
        Problem(label, f"row {r}, column {id_column!r}", "empty; every site needs an id")
        for r in ids.index[ids.fillna("") == ""]
    ]
    declared = None
    area_field = None
    if spec.columns.area is not None:
        area_column = find_column(frame, spec.columns.area.column, label=label, role="area")
        text = frame[area_column].astype("string").str.replace("\u00a0", "").str.replace(" ", "").str.replace(",", ".")
        numbers = pd.to_numeric(text, errors="coerce")
        bad = numbers.isna() & text.fillna("").ne("")
        problems += [
            Problem(label, f"row {r}, column {area_column!r}", f"{frame.at[r, area_column]!r} is not a number")
            for r in bad.index[bad]
        ]
        attrs["declared_area"] = numbers
        attrs["declared_area_unit"] = spec.columns.area.unit
        declared = numbers * AREA_UNITS[spec.columns.area.unit]
        area_field = f"{area_column}[{spec.columns.area.unit}]"
    if problems:
        raise problems_error(f"{label}: {len(problems)} problem(s) reading it through mapping {spec.name!r}:", problems)
    geometry, crs = _geometry(frame, spec.geometry, label)
    clashes = {c: f"{c}_src" for c in frame.columns if c in attrs.columns}
    body = pd.concat([frame.rename(columns=clashes), attrs], axis=1)
    gdf = gpd.GeoDataFrame(body, geometry=geometry, crs=crs)
    names = frame[find_column(frame, spec.columns.name, label=label, role="name")] if spec.columns.name else None
    return canonical(
        gdf,
        source=spec.source,
        source_ids=ids,
        names=names,
        kind=spec.kind,
        area_m2=declared,
        area_field=area_field,
        working_crs=working_crs,
        label=label,
    )


__all__ = ["CONTAMINATIONS", "OWNERSHIPS", "PREVIOUS_USES", "Mapping", "load_mapping", "read_mapped", "value_key"]
