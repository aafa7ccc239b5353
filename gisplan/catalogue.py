"""The layer catalogue: ``layers/*.yaml`` validated by pydantic models.

A catalogue file holds a ``layers:`` list. Each layer names what it is (``id``,
Czech and English titles), what kind of data it holds (``kind``), what it is for
(``role``), where it comes from (``source``) and under what licence.

A file may also declare the region's sun in a top-level ``region:`` section
(:class:`Region`); yields without an irradiation raster use it. A top-level
``unavailable:`` list names the layer slots the region has no data for (e.g.
``unavailable: [protected_areas, roads]``, or per profile
``unavailable: {ground_pv: [slope]}``); profiles then run without them, as
without a missing optional layer, and say so in each site's provenance.

Example::

    layers:
      - id: demo_buildings
        title: {cs: Budovy, en: Buildings}
        kind: vector
        role: candidate
        site_kind: rooftop
        source: {type: file, path: demo/buildings.gpkg, layer: buildings,
                 columns: {name: nazev, source_id: kod}}
        licence: Synthetic demo data, CC0 1.0

File paths are relative to the data dir (``GISPLAN_DATA_DIR``). Validation
collects every problem in every file before it raises :class:`ConfigError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gisplan import settings
from gisplan._catalogue_sections import (
    ALL_PROFILES,
    ID_RE,
    Region,
    region_in_file,
    unavailable_in_data,
    unavailable_in_file,
)
from gisplan.errors import ConfigError, Problem

__all__ = [
    "ALL_PROFILES",
    "Catalogue",
    "Layer",
    "Owned",
    "Region",
    "load_catalogue",
    "unavailable_in_data",
    "validate_files",
]

SiteKind = Literal["brownfield", "rooftop", "municipal_land"]
SITE_KINDS: tuple[str, ...] = ("brownfield", "rooftop", "municipal_land")
CANONICAL_COLUMNS = ("site_id", "kind", "name", "source", "source_id", "area_m2", "area_source")
#: ``columns`` roles that map a declared area (for point sites), with the unit of the source column.
AREA_COLUMN_ROLES = {"area_m2": "m²", "area_ha": "hectares", "area_acres": "acres"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Title(_Strict):
    """A title in Czech (required) and English (required), other languages optional."""

    cs: str = Field(min_length=1)
    en: str = Field(min_length=1)
    pl: str | None = None
    hu: str | None = None
    da: str | None = None

    def get(self, lang: str) -> str:
        """The title in ``lang``, falling back to English, then Czech."""
        value = getattr(self, lang, None)
        return str(value) if value else self.en or self.cs


def _relative_path(value: str) -> str:
    path = Path(value)
    if path.is_absolute() or ".." in path.parts:
        msg = "must be a path relative to the data dir, without '..'"
        raise ValueError(msg)
    if value.startswith("/vsi") or value.lower().endswith(".vrt"):
        msg = "GDAL virtual paths (/vsi…, .vrt) are not allowed"
        raise ValueError(msg)
    return value


class FileSource(_Strict):
    """A vector file readable by pyogrio, or a RÚIAN/register file."""

    type: Literal["file"]
    path: str
    layer: str | None = None
    where: str | None = Field(default=None, description="SQL WHERE filter, OGR SQL dialect")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "canonical name (name, source_id, kind) -> source column; for points, one declared area: "
            "area_m2, area_ha or area_acres -> source column (e.g. {area_acres: Acres})"
        ),
    )
    format: str = Field(default="auto", description="auto, or a format registered in gisplan.formats")

    _check_path = field_validator("path")(_relative_path)

    @field_validator("format")
    @classmethod
    def _registered_format(cls, value: str) -> str:
        from gisplan.formats import format_names

        if value not in format_names():
            msg = f"unknown format {value!r}; use one of {', '.join(format_names())}"
            raise ValueError(msg)
        return value

    @field_validator("columns")
    @classmethod
    def _known_targets(cls, value: dict[str, str]) -> dict[str, str]:
        allowed = {"name", "source_id", "kind", *AREA_COLUMN_ROLES}
        bad = sorted(set(value) - allowed)
        if bad:
            msg = f"can only map {sorted(allowed)}, not {bad}"
            raise ValueError(msg)
        areas = sorted(set(value) & set(AREA_COLUMN_ROLES))
        if len(areas) > 1:
            msg = f"map at most one declared area column (area_m2, area_ha or area_acres), not {areas}"
            raise ValueError(msg)
        return value


class OsmSource(_Strict):
    """An OSM query: tags plus a place name, a polygon file, or an offline ``.osm`` file."""

    type: Literal["osm"]
    tags: dict[str, bool | str | list[str]]
    place: str | None = None
    polygon: str | None = Field(default=None, description="path to a polygon file, relative to the data dir")
    file: str | None = Field(default=None, description="offline .osm/.osm.pbf file, relative to the data dir")

    @field_validator("polygon", "file")
    @classmethod
    def _paths(cls, value: str | None) -> str | None:
        return None if value is None else _relative_path(value)

    @model_validator(mode="after")
    def _one_area(self) -> OsmSource:
        given = [n for n in ("place", "polygon", "file") if getattr(self, n)]
        if len(given) != 1:
            msg = "give exactly one of place, polygon or file"
            raise ValueError(msg)
        if not self.tags:
            msg = "tags must name at least one OSM key"
            raise ValueError(msg)
        return self


class RasterSource(_Strict):
    """A GeoTIFF band with a unit."""

    type: Literal["raster"]
    path: str
    band: int = Field(default=1, ge=1)
    unit: str = Field(min_length=1, description="e.g. kWh/m2/yr, m, degrees")

    _check_path = field_validator("path")(_relative_path)


Source = Annotated[FileSource | OsmSource | RasterSource, Field(discriminator="type")]

#: RÚIAN layer names of parcels, the only layer ``owned:`` selects from.
PARCEL_LAYERS = ("parcely", "Parcely")


class Owned(_Strict):
    """Which RÚIAN parcels of a ``municipal_land`` candidate the municipality owns.

    RÚIAN has no owners, so a parcel is municipal land only by the municipality's
    ownership list (``path``: a CSV of parcel numbers per cadastral area or of parcel
    ids, :func:`gisplan.sources._owned.read_owned_list`) or by a filter on RÚIAN
    attributes that the region takes as an assumption (``where``, e.g.
    ``"DruhPozemkuKod IN (13, 14)"``). With both, only listed parcels matching
    ``where`` are kept. ``gisplan region load`` prints what was assumed and kept.

    Example::

        owned: {path: obec/majetek_obce.csv}
    """

    path: str | None = Field(default=None, description="ownership list CSV, relative to the data dir")
    where: str | None = Field(default=None, description="OGR SQL filter on RÚIAN parcel fields, an assumption")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else _relative_path(value)

    @model_validator(mode="after")
    def _something(self) -> Owned:
        if not self.path and not self.where:
            msg = "give path (the municipality's ownership list, a CSV) or where (a RÚIAN filter), or both"
            raise ValueError(msg)
        return self


def _ruian_parcels(src: object) -> bool:
    """A file source of the RÚIAN parcels layer (``format: ruian``, or a VFR ``.xml``/``.xml.gz`` path)."""
    if not isinstance(src, FileSource) or src.layer not in PARCEL_LAYERS:
        return False
    return src.format == "ruian" or (src.format == "auto" and src.path.lower().endswith((".xml", ".xml.gz")))


class Layer(_Strict):
    """One entry of the catalogue."""

    id: str
    title: Title
    kind: Literal["vector", "raster"]
    role: Literal["candidate", "criterion", "exclusion", "context", "admin"]
    site_kind: SiteKind | None = None
    source: Source
    licence: str = Field(min_length=3, description="licence and attribution text")
    description: str | None = None
    owned: Owned | None = Field(default=None, description="municipal_land from RÚIAN parcels: which ones are owned")

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not ID_RE.match(value):
            msg = "must be 2-63 characters of lower-case letters, digits and _, starting with a letter"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Layer:
        if self.role == "candidate" and self.site_kind is None:
            msg = f"a candidate layer needs site_kind, one of {SITE_KINDS}"
            raise ValueError(msg)
        if self.role != "candidate" and self.site_kind is not None:
            msg = "site_kind is only for role: candidate"
            raise ValueError(msg)
        is_raster_source = isinstance(self.source, RasterSource)
        if (self.kind == "raster") != is_raster_source:
            msg = "kind: raster needs source type raster, and kind: vector a file or osm source"
            raise ValueError(msg)
        if self.kind == "raster" and self.role == "candidate":
            msg = "a raster cannot be a candidate layer"
            raise ValueError(msg)
        if self.owned is not None:
            self._check_owned()
        elif self.site_kind == "municipal_land" and _ruian_parcels(self.source):
            msg = (
                "RÚIAN has no owners, so say which parcels the municipality owns: "
                "owned: {path: <ownership list>.csv} or owned: {where: <RÚIAN filter>}"
            )
            raise ValueError(msg)
        return self

    def _check_owned(self) -> None:
        src = self.source
        if self.site_kind != "municipal_land":
            msg = "owned is only for candidate layers of site_kind municipal_land"
            raise ValueError(msg)
        if not isinstance(src, FileSource) or src.format not in {"auto", "ruian"} or src.layer not in PARCEL_LAYERS:
            msg = "owned selects RÚIAN parcels: use a file source with format: ruian and layer: parcely"
            raise ValueError(msg)
        if src.columns:
            msg = "owned takes the RÚIAN parcel ids and names; drop source.columns"
            raise ValueError(msg)


class Catalogue(BaseModel):
    """All layers of all catalogue files, by id."""

    model_config = ConfigDict(frozen=True)

    layers: dict[str, Layer]
    files: dict[str, str] = Field(default_factory=dict, description="layer id -> file it came from")
    region: Region | None = Field(default=None, description="the region's sun, from a 'region:' section")
    unavailable: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="layer slots the region declares it has no data for: profile name (or '*', all) -> slots",
    )

    def unavailable_for(self, profile: str) -> frozenset[str]:
        """The slots declared not available for ``profile`` (for every profile, and for it by name)."""
        return frozenset(self.unavailable.get(ALL_PROFILES, ())) | frozenset(self.unavailable.get(profile, ()))

    def by_role(self, role: str) -> list[Layer]:
        """The layers with ``role``, in catalogue order."""
        return [layer for layer in self.layers.values() if layer.role == role]

    def __getitem__(self, layer_id: str) -> Layer:
        try:
            return self.layers[layer_id]
        except KeyError:
            msg = f"no layer {layer_id!r} in the catalogue; known layers: {sorted(self.layers)}"
            raise ConfigError(msg) from None


_SOURCE_TAGS = {"file", "osm", "raster"}


def _field_path(loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location inside a layer into 'a.b', without union tags."""
    parts: list[str] = []
    for part in loc:
        text = str(part)
        if parts and parts[-1] == "source" and text in _SOURCE_TAGS:
            continue  # the discriminator tag of the source union
        parts.append(text)
    return ".".join(parts) or "(layer)"


def _layer_label(item: object, index: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
        return str(item["id"])
    return f"#{index + 1}"


def _problems_in_file(path: Path) -> tuple[list[Layer], list[Problem]]:
    """Parse one catalogue file; each layer is validated on its own so one bad layer hides no other."""
    name = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        return [], [Problem(name, where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(name, "", f"cannot read the file: {exc}")]
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        return [], [Problem(name, "top level", "must be a mapping with a 'layers:' list")]
    extra = sorted(set(data) - {"layers", "region", "unavailable"})
    problems = [
        Problem(name, f"field {key}", "unknown top-level field; only 'layers', 'region' and 'unavailable' are allowed")
        for key in extra
    ]
    layers: list[Layer] = []
    for index, item in enumerate(data["layers"]):
        label = _layer_label(item, index)
        try:
            layers.append(Layer.model_validate(item))
        except ValidationError as exc:
            problems.extend(
                Problem(name, f"layer {label}, field {_field_path(err['loc'])}", err["msg"]) for err in exc.errors()
            )
    return layers, problems


def catalogue_files(layers_dir: Path | None = None) -> list[Path]:
    """The ``*.yaml`` files of the catalogue folder (not ``profiles/``), sorted."""
    folder = layers_dir or settings.get().layers_dir
    if not folder.is_dir():
        msg = f"layer catalogue folder {folder} does not exist; set GISPLAN_LAYERS_DIR"
        raise ConfigError(msg)
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def validate_files(files: Iterable[Path], *, data_dir: Path | None = None) -> tuple[Catalogue, list[Problem]]:
    """Validate catalogue files; return what parsed and every problem found.

    Besides the schema, this checks that ids are unique across files and, when
    ``data_dir`` is given, that file sources exist.
    """
    layers: dict[str, Layer] = {}
    origin: dict[str, str] = {}
    problems: list[Problem] = []
    region: Region | None = None
    region_file = ""
    unavailable: dict[str, tuple[str, ...]] = {}
    for path in files:
        parsed, found = _problems_in_file(path)
        problems.extend(found)
        declared, bad = region_in_file(path)
        problems.extend(bad)
        if declared is not None and region is not None:
            problems.append(Problem(str(path), "field region", f"a region is already declared in {region_file}"))
        elif declared is not None:
            region, region_file = declared, str(path)
        declared_missing, bad = unavailable_in_file(path)
        problems.extend(bad)
        for key, slots in declared_missing.items():
            unavailable[key] = tuple(dict.fromkeys([*unavailable.get(key, ()), *slots]))
        for layer in parsed:
            if layer.id in layers:
                problems.append(
                    Problem(
                        str(path), f"layer {layer.id}, field id", f"duplicate id; already defined in {origin[layer.id]}"
                    )
                )
                continue
            layers[layer.id] = layer
            origin[layer.id] = str(path)
            if data_dir is not None:
                problems.extend(_missing_files(layer, data_dir, str(path)))
    return Catalogue(layers=layers, files=origin, region=region, unavailable=unavailable), problems


def _missing_files(layer: Layer, data_dir: Path, file: str) -> list[Problem]:
    src = layer.source
    rel = {
        "file": getattr(src, "path", None) or getattr(src, "file", None),
        "polygon": getattr(src, "polygon", None),
        "owned": layer.owned.path if layer.owned is not None else None,
    }
    out = []
    for field_name, value in rel.items():
        if value and not (data_dir / value).exists():
            field = "source.path" if field_name == "file" and src.type != "osm" else f"source.{field_name}"
            field = "owned.path" if field_name == "owned" else field
            hint = (
                "put the municipality's ownership list there"
                if field_name == "owned"
                else ("run 'gisplan demo build' for the demo data")
            )
            out.append(
                Problem(
                    file,
                    f"layer {layer.id}, field {field}",
                    f"{data_dir / value} does not exist ({hint})",
                )
            )
    return out


def load_catalogue(layers_dir: Path | None = None, *, check_files: bool = False) -> Catalogue:
    """Load and validate every catalogue file.

    Raises
    ------
    ConfigError
        Listing every problem by file, layer and field.
    """
    files = catalogue_files(layers_dir)
    data_dir = settings.get().data_dir if check_files else None
    catalogue, problems = validate_files(files, data_dir=data_dir)
    if problems:
        msg = f"The layer catalogue has {len(problems)} problem(s):"
        raise ConfigError(msg, problems)
    return catalogue
