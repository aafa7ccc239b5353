"""Scoring profiles: ``layers/profiles/*.yaml`` validated by pydantic models.

A profile says which site kinds it scores, what to measure on which context
layers, which sites to exclude (with a reason), which graded handicaps to
apply (light, medium, heavy, as in ADEME's screening of French brownfields),
and how to turn criteria into a 0–100 score: each criterion has a
normalisation (a linear ramp between a bad and a good value, or a category
table) and a weight. Example::

    name: rooftop_pv
    version: "1"
    title: {cs: Střešní fotovoltaika, en: Rooftop PV}
    site_kinds: [rooftop]
    energy_irradiation: ghi_mean_kwh_m2_yr
    measures:
      - {type: raster, layer: ghi, name: ghi, unit: kwh_m2_yr, stats: [mean]}
      - {type: proximity, layer: substations, name: substation, radius_m: 20000}
      - {type: overlay, layer: protected_areas, name: protected}
    exclusions:
      - id: protected
        when: {column: protected_share, op: ">=", value: 0.5}
        reason: {cs: Převážně v chráněném území, en: Mostly inside a protected area}
    handicaps:
      - id: far_from_grid
        level: medium
        when: {column: dist_substation_m, op: ">", value: 5000}
        reason: {cs: Daleko od rozvodny, en: Far from a substation}
    criteria:
      - column: ghi_mean_kwh_m2_yr
        unit: kWh/m2/yr
        weight: 3
        ramp: {bad: 1000, good: 1200}

``layer`` names a *slot*. :func:`gisplan.score` fills it from the layers you
pass, else from the catalogue: the layer named in ``bindings``, else a layer
with that id, else the one layer whose id ends in ``_<slot>`` (``demo_ghi``).
Validation collects every problem in every file before raising
:class:`~gisplan.errors.ConfigError` with file and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    WrapValidator,
    field_validator,
    model_validator,
)

from gisplan import settings
from gisplan.catalogue import SITE_KINDS, SiteKind, Title
from gisplan.errors import ConfigError, Problem
from gisplan.measure_registry import MeasureConfig, check_name, measure_types, validate_measure

Level = Literal["light", "medium", "heavy"]
Op = Literal[">", ">=", "<", "<=", "==", "!=", "in", "not_in", "missing"]

#: How unit suffixes of column names read in the breakdown.
UNIT_LABELS = {
    "kwh_m2_yr": "kWh/m2/yr",
    "kwh_kwp_yr": "kWh/kWp/yr",
    "deg": "deg",
    "m": "m",
    "pct": "%",
}

#: Columns every scoring run computes, with their units.
BUILTIN_COLUMNS: dict[str, str] = {
    "area_m2": "m2",
    "perimeter_m": "m",
    "compactness": "",
    "usable_area_m2": "m2",
    "roof_type": "",
    "capacity_kwp": "kWp",
    "yield_kwh_kwp_yr": "kWh/kWp/yr",
    "yield_source": "",
    "energy_mwh_yr": "MWh/yr",
    "co2_t_yr": "tCO2/yr",
    "households": "households",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_check_name = check_name
_Measure = MeasureConfig


Stat = Literal["mean", "min", "max"]


def _mean_only() -> list[Stat]:
    return ["mean"]


class RasterMeasure(_Measure):
    """Coverage-weighted zonal statistics (:func:`gisplan.measurements.raster.zonal_stats`)."""

    type: Literal["raster"]
    name: str
    unit: str = Field(pattern=r"^[a-z0-9_]+$", description="unit suffix of the columns, e.g. kwh_m2_yr")
    stats: list[Stat] = Field(default_factory=_mean_only, min_length=1)
    percentile: float | None = Field(default=None, ge=0, le=100)
    band: int = Field(default=1, ge=1)

    _name = field_validator("name")(_check_name)

    def columns(self) -> dict[str, str]:
        unit = UNIT_LABELS.get(self.unit, self.unit)
        out = {f"{self.name}_{s}_{self.unit}": unit for s in self.stats}
        if self.percentile is not None:
            out[f"{self.name}_p{self.percentile:g}_{self.unit}"] = unit
        out[f"{self.name}_covered_share"] = "share"
        return out


class ProximityMeasure(_Measure):
    """Distance to the nearest feature (:func:`gisplan.measurements.proximity.nearest_distance`)."""

    type: Literal["proximity"]
    name: str
    radius_m: float | None = Field(default=None, gt=0)

    _name = field_validator("name")(_check_name)

    def columns(self) -> dict[str, str]:
        return {f"dist_{self.name}_m": "m"}


class OverlayMeasure(_Measure):
    """Share covered by an exclusion layer (:func:`gisplan.measurements.overlay.overlay_share`)."""

    type: Literal["overlay"]
    name: str

    _name = field_validator("name")(_check_name)

    def columns(self) -> dict[str, str]:
        return {f"{self.name}_share": "share"}


class AdminMeasure(_Measure):
    """The municipality with the largest share (:func:`gisplan.measurements.admin.municipality`)."""

    type: Literal["admin"]
    code_column: str = "kod_obce"
    name_column: str = "nazev_obce"
    population_column: str | None = "pocet_obyv"

    def columns(self) -> dict[str, str]:
        return {
            "municipality_code": "",
            "municipality_name": "",
            "municipality_population": "inhabitants",
            "municipality_share": "share",
        }


class DemandMeasure(_Measure):
    """Buildings and people within a radius (:func:`gisplan.measurements.demand.demand_within`)."""

    type: Literal["demand"]
    radius_m: float = Field(gt=0)
    population_column: str | None = "population"

    def columns(self) -> dict[str, str]:
        r = f"{self.radius_m:.0f}"
        out = {f"buildings_within_{r}m": "buildings"}
        if self.population_column:
            out[f"population_within_{r}m"] = "inhabitants"
        return out


def _registered(value: Any, handler: Any) -> MeasureConfig:
    return validate_measure(value)


#: A measure entry: validated, at validation time, by the config model registered for its ``type``
#: (:mod:`gisplan.measure_registry`).
Measure = Annotated[SerializeAsAny[MeasureConfig], WrapValidator(_registered)]


class Condition(_Strict):
    """A test on one column: ``column op value``. Missing values never pass, except for ``missing``."""

    column: str
    op: Op
    value: float | str | bool | list[float | str] | None = None

    @model_validator(mode="after")
    def _value_fits(self) -> Condition:
        if self.op == "missing":
            if self.value is not None:
                msg = "op 'missing' takes no value"
                raise ValueError(msg)
        elif self.op in ("in", "not_in"):
            if not isinstance(self.value, list) or not self.value:
                msg = f"op {self.op!r} needs a non-empty list as value"
                raise ValueError(msg)
        elif self.value is None or isinstance(self.value, list):
            msg = f"op {self.op!r} needs a single value"
            raise ValueError(msg)
        elif self.op in (">", ">=", "<", "<=") and (isinstance(self.value, (str, bool))):
            msg = f"op {self.op!r} needs a number"
            raise ValueError(msg)
        return self


class Exclusion(_Strict):
    """A hard exclusion: sites meeting ``when`` score 0, with ``reason`` shown."""

    id: str
    when: Condition
    reason: Title

    _id = field_validator("id")(_check_name)


class Handicap(_Strict):
    """A graded handicap: sites meeting ``when`` lose the level's penalty."""

    id: str
    level: Level
    when: Condition
    reason: Title

    _id = field_validator("id")(_check_name)


class Ramp(_Strict):
    """Linear normalisation: ``bad`` -> 0, ``good`` -> 1, clamped; ``good`` may be below ``bad``."""

    bad: float
    good: float

    @model_validator(mode="after")
    def _distinct(self) -> Ramp:
        if self.bad == self.good:
            msg = "bad and good must differ"
            raise ValueError(msg)
        return self


class Criterion(_Strict):
    """A weighted criterion on one column, with a ramp or a category table."""

    column: str
    label: Title | None = None
    unit: str | None = Field(default=None, description="unit shown in the breakdown; default from the measure")
    weight: float = Field(gt=0)
    ramp: Ramp | None = None
    categories: dict[str, float] | None = None
    default: float = Field(default=0.0, ge=0, le=1, description="normalised value of missing or unlisted raw values")

    @field_validator("categories")
    @classmethod
    def _in_unit_range(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None:
            if not value:
                msg = "must list at least one category"
                raise ValueError(msg)
            bad = {k: v for k, v in value.items() if not 0 <= v <= 1}
            if bad:
                msg = f"normalised values must be within 0–1: {bad}"
                raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _one_normalisation(self) -> Criterion:
        if (self.ramp is None) == (self.categories is None):
            msg = "give exactly one of ramp or categories"
            raise ValueError(msg)
        return self


class Penalties(_Strict):
    """Points a handicap of each level takes off the score. [score points]"""

    light: float = Field(default=5.0, ge=0, le=100)
    medium: float = Field(default=15.0, ge=0, le=100)
    heavy: float = Field(default=30.0, ge=0, le=100)


class EnergySection(_Strict):
    """How a profile sizes its sites: ground density and an optional cap, each with its reference.

    Example::

        energy:
          ground_density_mwp_ha: 0.55
          ground_density_reference: US EPA RE-Powering screening, 4.5 acres/MW
          max_capacity_kwp: 1000
          max_capacity_reference: grid connection limit agreed with the DSO
    """

    ground_density_mwp_ha: float | None = Field(
        default=None, gt=0, le=2, description="peak power per hectare of usable ground [MWp/ha]"
    )
    ground_density_reference: str | None = Field(default=None, min_length=3, description="published source")
    max_capacity_kwp: float | None = Field(default=None, gt=0, description="cap on each site's capacity [kWp]")
    max_capacity_reference: str | None = Field(default=None, min_length=3, description="why this cap")

    @model_validator(mode="after")
    def _referenced(self) -> EnergySection:
        missing = [
            f"{name}_reference"
            for name, value in (("ground_density", self.ground_density_mwp_ha), ("max_capacity", self.max_capacity_kwp))
            if value is not None and getattr(self, f"{name}_reference") is None
        ]
        if missing:
            msg = f"give {' and '.join(missing)}: a published source for the figure"
            raise ValueError(msg)
        return self


class Profile(_Strict):
    """A scoring profile."""

    name: str
    version: str = Field(min_length=1)
    title: Title
    description: str | None = None
    site_kinds: list[SiteKind] = Field(min_length=1)
    energy_irradiation: str | None = Field(
        default=None, description="column with irradiation for the yield (e.g. ghi_mean_kwh_m2_yr); none: pvlib"
    )
    energy: EnergySection = Field(default_factory=EnergySection)
    bindings: dict[str, str] = Field(default_factory=dict, description="slot -> catalogue layer id")
    site_columns: list[str] = Field(default_factory=list, description="source attributes the rules use")
    measures: list[Measure] = Field(default_factory=list)
    exclusions: list[Exclusion] = Field(default_factory=list)
    handicaps: list[Handicap] = Field(default_factory=list)
    penalties: Penalties = Field(default_factory=Penalties)
    criteria: list[Criterion] = Field(min_length=1)

    _name = field_validator("name")(_check_name)

    def columns(self) -> dict[str, str]:
        """Every column the profile can use -> unit: built-ins, measures and site columns."""
        out = dict(BUILTIN_COLUMNS)
        for measure in self.measures:
            out.update(measure.columns())
        out.update(dict.fromkeys(self.site_columns, ""))
        return out

    def slots(self) -> list[str]:
        """The layer slots the measures read, in order, without repeats."""
        return list(dict.fromkeys(m.layer for m in self.measures))

    @model_validator(mode="after")
    def _references(self) -> Profile:
        known = self.columns()
        problems = []
        rules: list[tuple[str, list[Condition]]] = [
            ("exclusions", [e.when for e in self.exclusions]),
            ("handicaps", [h.when for h in self.handicaps]),
        ]
        for group, conditions in rules:
            problems += [
                f"{group}.{i}.when.column: {cond.column!r} is not computed; known columns: {sorted(known)}"
                for i, cond in enumerate(conditions)
                if cond.column not in known
            ]
        problems += [
            f"criteria.{i}.column: {c.column!r} is not computed; known columns: {sorted(known)}"
            for i, c in enumerate(self.criteria)
            if c.column not in known
        ]
        for group, ids in (
            ("exclusions", [e.id for e in self.exclusions]),
            ("handicaps", [h.id for h in self.handicaps]),
            ("criteria", [c.column for c in self.criteria]),
        ):
            dupes = sorted({x for x in ids if ids.count(x) > 1})
            if dupes:
                problems.append(f"{group}: duplicate {dupes}")
        if self.energy_irradiation is not None and self.energy_irradiation not in known:
            problems.append(f"energy_irradiation: {self.energy_irradiation!r} is not computed by any measure")
        unused = sorted(set(self.bindings) - set(self.slots()))
        if unused:
            problems.append(f"bindings: {unused} are not layers of any measure")
        if problems:
            raise ValueError("\n".join(problems))
        return self


def profiles_dir() -> Path:
    """The folder of the profile files: ``<layers dir>/profiles``."""
    return settings.get().layers_dir / "profiles"


def _location(loc: tuple[int | str, ...]) -> str:
    tags = set(measure_types())
    parts = [str(p) for p in loc if p not in tags]
    return f"field {'.'.join(parts)}" if parts else "field (top level)"


def validate_file(path: Path) -> tuple[Profile | None, list[Problem]]:
    """Validate one profile file; return the profile (or None) and every problem found."""
    name = str(path)
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        return None, [Problem(name, where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, "", f"cannot read the file: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(name, "top level", "must be a mapping with name, version, title, criteria…")]
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            if err["type"] == "value_error" and not err["loc"]:
                # cross-reference problems, one per line
                msg = str(err["msg"]).removeprefix("Value error, ")
                problems += [
                    Problem(name, f"field {m.split(':', 1)[0]}", m.split(": ", 1)[-1]) for m in msg.split("\n")
                ]
            else:
                problems.append(Problem(name, _location(err["loc"]), str(err["msg"]).removeprefix("Value error, ")))
        return None, problems
    if profile.name != path.stem:
        return None, [Problem(name, "field name", f"{profile.name!r} must match the file name {path.stem!r}")]
    return profile, []


def profile_files(folder: Path | None = None) -> list[Path]:
    """The ``*.yaml`` files of the profiles folder, sorted."""
    folder = folder or profiles_dir()
    if not folder.is_dir():
        msg = f"profiles folder {folder} does not exist; set GISPLAN_LAYERS_DIR to a folder with profiles/"
        raise ConfigError(msg)
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def load_profiles(folder: Path | None = None) -> dict[str, Profile]:
    """Load and validate every profile; raise listing every problem in every file.

    Raises
    ------
    ConfigError
        With file and field of each problem.
    """
    profiles: dict[str, Profile] = {}
    problems: list[Problem] = []
    for path in profile_files(folder):
        profile, found = validate_file(path)
        problems += found
        if profile is not None:
            profiles[profile.name] = profile
    if problems:
        msg = f"The scoring profiles have {len(problems)} problem(s):"
        raise ConfigError(msg, problems)
    return profiles


def load_profile(name_or_path: str | Path, folder: Path | None = None) -> Profile:
    """Load one profile by name (``rooftop_pv``) or by path to a YAML file.

    Raises
    ------
    ConfigError
        If it does not exist or is invalid (every problem with file and field).
    """
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = (folder or profiles_dir()) / f"{name_or_path}.yaml"
        if not path.is_file():
            known = [p.stem for p in profile_files(folder)] if path.parent.is_dir() else []
            msg = f"no scoring profile {str(name_or_path)!r} in {path.parent}; known profiles: {known}"
            raise ConfigError(msg)
    elif not path.is_file():
        msg = f"profile file {path} does not exist"
        raise ConfigError(msg)
    profile, problems = validate_file(path)
    if profile is None:
        msg = f"The scoring profile {path.name} is invalid:"
        raise ConfigError(msg, problems)
    return profile


__all__ = [
    "BUILTIN_COLUMNS",
    "SITE_KINDS",
    "Condition",
    "Criterion",
    "EnergySection",
    "Exclusion",
    "Handicap",
    "Measure",
    "Profile",
    "load_profile",
    "load_profiles",
    "profile_files",
    "validate_file",
]
