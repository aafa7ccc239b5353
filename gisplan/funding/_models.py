"""The funding-call catalogue: ``data/funding_calls.yaml`` validated by pydantic models.

A catalogue file holds a ``calls:`` list. Each call has

- identity: ``id``, ``programme``, ``title`` (cs, en), ``provider``, ``url`` and
  optional further ``sources``, plus ``source_date``: when the facts were read
  from the sources (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``);
- dates and money: ``intake: {open, close}`` [dates], ``allocation_czk`` [CZK],
  ``max_aid_rate_pct`` [% of eligible costs];
- eligibility: ``applicants``, ``site_kinds`` and ``uses`` (lists from the
  vocabularies below, or ``any``); a list that ends in ``others`` is not
  exhaustive: a value it does not name is *unknown*, not *not eligible*;
- site facts a call may require (absent = the call sets no such condition;
  ``unknown`` = it does, but the catalogue does not record which):
  ``owners`` (who must own the site, :data:`OWNER_TYPES`) and ``building_uses``
  (what the building must be used for, :data:`BUILDING_USES`) and
  ``previous_uses`` (what a brownfield was used for, :data:`PREVIOUS_USES`); a
  site whose owner, building use or previous use is not recorded is *to check*
  for such a call;
- ``territory``: ``national: true``, or ``regions`` (NUTS 3 codes or names),
  ``districts`` (LAU 1 codes), ``municipalities`` (kód obce) and ``mas`` (MAS
  codes); ``partial: true`` when the call covers only listed parts of them,
  ``also_elsewhere: true`` when it covers further places not recorded here;
- ``limits``: ``capacity_kwp``, ``area_ha``, ``population`` and ``energy_poverty``
  (the municipality's energy poverty indicator as loaded, :mod:`gisplan.poverty`) ranges ``{min, max}``;
- ``notes``: everything uncertain or not expressible as a rule.

Unknown facts stay unknown, never guessed:

- an eligibility list or the territory that is absent (or ``unknown``) makes its
  rule answer *unknown*;
- a limit that is absent means the call has no such limit; a limit given as
  ``unknown`` means it has one whose value is not recorded (the rule answers
  *unknown*).

Validation collects every problem of every call (file, call id and field)
before it raises :class:`~gisplan.errors.ConfigError`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gisplan import settings
from gisplan.catalogue import SITE_KINDS, Title
from gisplan.errors import ConfigError, Problem
from gisplan.funding._territory import region_code
from gisplan.vocabulary import BUILDING_USES, OWNER_TYPES, PREVIOUS_USES

#: Who may apply. ``municipal_org``: an organisation or company founded or wholly owned by a municipality.
APPLICANT_TYPES: tuple[str, ...] = (
    "municipality",
    "municipal_district",
    "municipal_org",
    "association_of_municipalities",
    "region",
    "church",
    "ngo",
    "business",
    "energy_community",
    "mas",
    "state_org",
)

#: What the site would be used for.
USES: tuple[str, ...] = (
    "pv_rooftop",
    "pv_ground",
    "storage",
    "community_energy",
    "energy_management",
    "business",
    "public_services",
    "nature",
    "housing",
    "planning",
    "remediation",
)

#: The last item of a non-exhaustive eligibility list.
OTHERS = "others"

Unknown = Literal["unknown"]
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_PARTIAL_DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_CALLS_FILE = "funding_calls.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Intake(_Strict):
    """When applications are accepted; a missing date is not known."""

    open: dt.date | None = None
    close: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Intake:
        if self.open and self.close and self.close < self.open:
            msg = f"close {self.close} is before open {self.open}"
            raise ValueError(msg)
        return self


class Range(_Strict):
    """A closed interval; either end may be open (None)."""

    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is None and self.max is None:
            msg = "give min, max or both (or write 'unknown' when the limit's value is not known)"
            raise ValueError(msg)
        if self.min is not None and self.max is not None and self.max < self.min:
            msg = f"max {self.max:g} is below min {self.min:g}"
            raise ValueError(msg)
        return self


Limit = Range | Unknown | None


class Limits(_Strict):
    """Size limits of a project: absent means no limit, ``unknown`` means a limit of unknown value."""

    capacity_kwp: Limit = Field(default=None, description="installed PV capacity [kWp]")
    area_ha: Limit = Field(default=None, description="site area [ha]")
    population: Limit = Field(default=None, description="inhabitants of the applicant municipality")
    energy_poverty: Limit = Field(
        default=None, description="energy poverty indicator of the site's municipality, in its loaded unit"
    )


class Territory(_Strict):
    """Where a call applies. Region values are stored as NUTS 3 codes."""

    national: bool = False
    regions: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list, description="LAU 1 codes, e.g. CZ0426")
    municipalities: list[str] = Field(default_factory=list, description="kód obce")
    mas: list[str] = Field(default_factory=list, description="MAS codes as in the store's communities")
    partial: bool = Field(default=False, description="covers only listed parts of the regions/districts")
    also_elsewhere: bool = Field(default=False, description="also covers places not listed here")
    note: str | None = None

    @field_validator("regions")
    @classmethod
    def _regions(cls, values: list[str]) -> list[str]:
        codes = []
        for value in values:
            code = region_code(str(value))
            if code is None:
                msg = f"{value!r} is not a Czech region; use a NUTS 3 code (CZ042) or a name (Ústecký kraj)"
                raise ValueError(msg)
            codes.append(code)
        return codes

    @field_validator("districts")
    @classmethod
    def _districts(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not re.fullmatch(r"CZ0\d{2}[0-9A-C]", str(v).upper())]
        if bad:
            msg = f"{bad} are not LAU 1 district codes such as CZ0426"
            raise ValueError(msg)
        return [str(v).upper() for v in values]

    @field_validator("municipalities")
    @classmethod
    def _municipalities(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not re.fullmatch(r"\d{6}", str(v))]
        if bad:
            msg = f"{bad} are not 6-digit municipality codes (kód obce)"
            raise ValueError(msg)
        return [str(v) for v in values]

    @model_validator(mode="after")
    def _something(self) -> Territory:
        listed = self.regions or self.districts or self.municipalities or self.mas
        if self.national and listed:
            msg = "national: true cannot be combined with regions, districts, municipalities or mas"
            raise ValueError(msg)
        if not self.national and not listed:
            msg = "give national: true or at least one of regions, districts, municipalities, mas"
            raise ValueError(msg)
        return self


def _vocabulary(values: list[str] | str, allowed: tuple[str, ...], what: str) -> list[str] | str:
    if isinstance(values, str):
        return values
    bad = [v for v in values if v not in (*allowed, OTHERS)]
    if bad:
        msg = f"{bad} are not {what}; use any of {list(allowed)} (end with '{OTHERS}' if the list is not complete)"
        raise ValueError(msg)
    if not [v for v in values if v != OTHERS]:
        msg = "the list names nothing; write 'unknown' or 'any' instead"
        raise ValueError(msg)
    return values


class FundingCall(_Strict):
    """One funding call of the catalogue."""

    id: str
    programme: str = Field(min_length=2)
    title: Title
    provider: str = Field(min_length=2)
    url: str
    sources: list[str] = Field(default_factory=list, description="further source URLs")
    source_date: str = Field(description="when the facts were read from the sources: YYYY, YYYY-MM or YYYY-MM-DD")
    intake: Intake = Field(default_factory=Intake)
    allocation_czk: float | None = Field(default=None, ge=0)
    max_aid_rate_pct: float | None = Field(default=None, gt=0, le=100)
    applicants: list[str] | Literal["any", "unknown"] = "unknown"
    site_kinds: list[str] | Literal["any", "unknown"] = "unknown"
    uses: list[str] | Literal["any", "unknown"] = "unknown"
    owners: list[str] | Literal["any", "unknown"] | None = Field(
        default=None, description="who must own the site; absent: the call sets no condition"
    )
    building_uses: list[str] | Literal["any", "unknown"] | None = Field(
        default=None, description="what the building must be used for; absent: the call sets no condition"
    )
    previous_uses: list[str] | Literal["any", "unknown"] | None = Field(
        default=None, description="what a brownfield must have been used for; absent: the call sets no condition"
    )
    territory: Territory | Unknown = "unknown"
    limits: Limits = Field(default_factory=Limits)
    level: Literal["programme"] | None = Field(
        default=None,
        description="`programme`: a pointer to a programme, not a call one can apply to; absent: a call",
    )
    notes: str | None = None
    rules: dict[str, Any] = Field(
        default_factory=dict, description="settings of added rules, by rule key (gisplan.funding.rule_registry)"
    )

    @property
    def is_programme(self) -> bool:
        """True for a programme-level pointer: shown as such, never matched as a call or linked to a site."""
        return self.level == "programme"

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not _ID_RE.match(value):
            msg = "must be 2-63 characters of lower-case letters, digits and _, starting with a letter"
            raise ValueError(msg)
        return value

    @field_validator("rules")
    @classmethod
    def _registered_rules(cls, value: dict[str, Any]) -> dict[str, Any]:
        from gisplan.funding.rule_registry import validate_rule_settings

        return dict(validate_rule_settings(value))

    @field_validator("url", "sources")
    @classmethod
    def _urls(cls, value: str | list[str]) -> str | list[str]:
        for url in [value] if isinstance(value, str) else value:
            if not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
                msg = f"{url!r} is not an http(s) URL"
                raise ValueError(msg)
        return value

    @field_validator("source_date", mode="before")
    @classmethod
    def _source_date(cls, value: object) -> str:
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        if not _PARTIAL_DATE_RE.match(text):
            msg = f"{text!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
            raise ValueError(msg)
        return text

    @field_validator("applicants")
    @classmethod
    def _applicants(cls, value: list[str] | str) -> list[str] | str:
        return _vocabulary(value, APPLICANT_TYPES, "applicant types")

    @field_validator("site_kinds")
    @classmethod
    def _kinds(cls, value: list[str] | str) -> list[str] | str:
        return _vocabulary(value, SITE_KINDS, "site kinds")

    @field_validator("uses")
    @classmethod
    def _uses(cls, value: list[str] | str) -> list[str] | str:
        return _vocabulary(value, USES, "intended uses")

    @field_validator("owners")
    @classmethod
    def _owners(cls, value: list[str] | str | None) -> list[str] | str | None:
        return None if value is None else _vocabulary(value, OWNER_TYPES, "owner types")

    @field_validator("building_uses")
    @classmethod
    def _building_uses(cls, value: list[str] | str | None) -> list[str] | str | None:
        return None if value is None else _vocabulary(value, BUILDING_USES, "building uses")

    @field_validator("previous_uses")
    @classmethod
    def _previous_uses(cls, value: list[str] | str | None) -> list[str] | str | None:
        return None if value is None else _vocabulary(value, PREVIOUS_USES, "previous uses")

    def all_sources(self) -> list[str]:
        """The main URL, then the further sources."""
        return [self.url, *self.sources]


class FundingCatalogue(BaseModel):
    """All calls of a catalogue file, by id, in file order."""

    model_config = ConfigDict(frozen=True)

    calls: dict[str, FundingCall]
    path: str = ""

    def __getitem__(self, call_id: str) -> FundingCall:
        try:
            return self.calls[call_id]
        except KeyError:
            msg = f"no funding call {call_id!r} in {self.path or 'the catalogue'}; known calls: {sorted(self.calls)}"
            raise ConfigError(msg) from None

    def __len__(self) -> int:
        return len(self.calls)

    def to_data(self) -> dict[str, Any]:
        """The catalogue as plain YAML-ready data (dates stay ``datetime.date``)."""
        return {"calls": [call_to_data(c) for c in self.calls.values()]}


def call_to_data(call: FundingCall) -> dict[str, Any]:
    """One call as plain data, without empty optional fields."""
    data = call.model_dump(mode="python", exclude_none=True)
    for key in ("sources", "rules"):
        if not data.get(key):
            data.pop(key, None)
    if not data.get("intake"):
        data.pop("intake", None)
    if not data.get("limits"):
        data.pop("limits", None)
    territory = data.get("territory")
    if isinstance(territory, dict):
        data["territory"] = {k: v for k, v in territory.items() if v not in ([], False)}
        if not data["territory"]:
            data["territory"] = {"national": True}
    return data


def _field_path(loc: tuple[int | str, ...]) -> str:
    # pydantic puts the union member's name into the location (e.g. 'list[str]'); users never wrote it.
    parts = [str(p) for p in loc if not (isinstance(p, str) and ("[" in p or p in {"Range", "Territory"}))]
    return ".".join(parts) or "(call)"


def _call_label(item: object, index: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
        return str(item["id"])
    return f"#{index + 1}"


def _problems(exc: ValidationError, name: str, label: str) -> list[Problem]:
    """One problem per location, without the noise of union members the user did not mean.

    A field typed ``Model | 'unknown'`` fails twice when the model is wrong: once
    inside the model, once as "Input should be 'unknown'". The literal complaint
    is dropped when a more specific one exists at or below the same field.
    """
    errors = [
        (_field_path(err["loc"]), err["type"], err["msg"].removeprefix("Value error, "), err.get("input"))
        for err in exc.errors()
    ]
    specific = [path for path, kind, _, _ in errors if kind != "literal_error"]
    kept: dict[str, Problem] = {}
    for path, kind, message, given in errors:
        literal = kind == "literal_error"
        if isinstance(given, str) and not literal and any(p == path and k == "literal_error" for p, k, _, _ in errors):
            continue  # a word was written where a word fits: the literal's complaint says which words
        if literal and not isinstance(given, str) and any(s == path or s.startswith(path + ".") for s in specific):
            continue
        kept.setdefault(path, Problem(name, f"call {label}, field {path}", message))
    return list(kept.values())


def validate_data(data: object, name: str) -> tuple[FundingCatalogue, list[Problem]]:
    """Validate parsed YAML data of a catalogue; return what parsed and every problem found."""
    if not isinstance(data, dict) or not isinstance(data.get("calls"), list):
        return FundingCatalogue(calls={}, path=name), [Problem(name, "top level", "must be a mapping with 'calls:'")]
    problems = [
        Problem(name, f"field {key}", "unknown top-level field; only 'calls' is allowed")
        for key in sorted(set(data) - {"calls"})
    ]
    calls: dict[str, FundingCall] = {}
    for index, item in enumerate(data["calls"]):
        label = _call_label(item, index)
        try:
            call = FundingCall.model_validate(item)
        except ValidationError as exc:
            problems.extend(_problems(exc, name, label))
            continue
        if call.id in calls:
            problems.append(Problem(name, f"call {call.id}, field id", "duplicate id; ids must be unique"))
            continue
        calls[call.id] = call
    return FundingCatalogue(calls=calls, path=name), problems


def parse_text(text: str, name: str) -> tuple[FundingCatalogue, list[Problem]]:
    """Validate the YAML text of a catalogue; return what parsed and every problem found."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        return FundingCatalogue(calls={}, path=name), [
            Problem(name, where, f"not valid YAML: {getattr(exc, 'problem', exc)}")
        ]
    return validate_data(data, name)


def calls_path() -> Path:
    """The catalogue file: ``funding_calls.yaml`` in the data dir, else the one shipped with gisplan."""
    in_data_dir = settings.get().data_dir / _CALLS_FILE
    if in_data_dir.is_file():
        return in_data_dir
    return settings.PROJECT_ROOT / "data" / _CALLS_FILE


def validate_file(path: Path | None = None) -> tuple[FundingCatalogue, list[Problem]]:
    """Validate a catalogue file; return what parsed and every problem found (nothing raised)."""
    source = path or calls_path()
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FundingCatalogue(calls={}, path=str(source)), [Problem(str(source), "", f"cannot read the file: {exc}")]
    return parse_text(text, str(source))


def load_calls(path: Path | None = None) -> FundingCatalogue:
    """Load and validate the funding-call catalogue.

    Parameters
    ----------
    path
        The YAML file; default :func:`calls_path`.

    Raises
    ------
    ConfigError
        Listing every problem by file, call id and field.
    """
    catalogue, problems = validate_file(path)
    if problems:
        msg = f"The funding-call catalogue has {len(problems)} problem(s):"
        raise ConfigError(msg, problems)
    return catalogue


__all__ = [
    "APPLICANT_TYPES",
    "OTHERS",
    "USES",
    "FundingCall",
    "FundingCatalogue",
    "Intake",
    "Limits",
    "Range",
    "Territory",
    "call_to_data",
    "calls_path",
    "load_calls",
    "parse_text",
    "validate_data",
    "validate_file",
]
