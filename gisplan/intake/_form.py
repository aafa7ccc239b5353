"""The submission form: what a municipality says about its site.

The fields follow the Czech brownfield database (CzechInvest's Národní databáze
brownfieldů: previous use, ownership, contamination, utilities; the same codes as
``docs/cz_brownfields_schema.md``) and the UK Brownfield Land Register data
standard (site address, ownership, planning permission status, hectares).

Required fields have no default. :func:`validate_form` collects every problem,
with the field and a message, before raising. :data:`FORM_FIELDS` lists the fields
in form order; their labels are in the text catalogues (``intake_field.*``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gisplan.catalogue import SITE_KINDS
from gisplan.errors import Problem
from gisplan.intake._types import reject


class PreviousUse(StrEnum):
    """Previous use of the site (Czech brownfield database categories)."""

    INDUSTRIAL = "industrial"
    AGRICULTURAL = "agricultural"
    MINING = "mining"
    MILITARY = "military"
    RESIDENTIAL = "residential"
    CIVIC = "civic"
    OTHER = "other"


class CurrentState(StrEnum):
    """State of the site and its buildings today."""

    IN_USE = "in_use"
    PARTLY_USED = "partly_used"
    VACANT = "vacant"
    DERELICT = "derelict"
    CLEARED = "cleared"
    UNKNOWN = "unknown"


class Ownership(StrEnum):
    """Who owns the site."""

    MUNICIPAL = "municipal"
    OTHER_PUBLIC = "other_public"
    PRIVATE = "private"
    MIXED = "mixed"
    UNKNOWN = "unknown"


class Contamination(StrEnum):
    """What is known about contamination (old environmental burdens, SEKM)."""

    NONE_KNOWN = "none_known"
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    REMEDIATED = "remediated"


class YesNo(StrEnum):
    """Answer of a utilities question."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class PlanningStatus(StrEnum):
    """Planning status: the land-use plan (územní plán) and permissions (UK: planning-permission-status)."""

    UNKNOWN = "unknown"
    ZONING_COMPATIBLE = "zoning_compatible"
    ZONING_CHANGE_NEEDED = "zoning_change_needed"
    PERMISSION_PENDING = "permission_pending"
    PERMISSIONED = "permissioned"
    NOT_PERMISSIONED = "not_permissioned"


class IntendedUse(StrEnum):
    """What the municipality would like the site to become."""

    PV = "pv"
    COMMUNITY_ENERGY = "community_energy"
    BUSINESS = "business"
    HOUSING = "housing"
    PUBLIC_SERVICES = "public_services"
    GREEN_SPACE = "green_space"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


class Utilities(_Strict):
    """Utilities on or at the site."""

    electricity: YesNo = YesNo.UNKNOWN
    water: YesNo = YesNo.UNKNOWN
    sewer: YesNo = YesNo.UNKNOWN
    gas: YesNo = YesNo.UNKNOWN
    road_access: YesNo = YesNo.UNKNOWN


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
#: A parcel number: ``123``, ``123/4``, or a building parcel ``st. 45`` / ``st. 45/2``.
_PARCEL = re.compile(r"^(st\.\s?)?\d{1,5}(/\d{1,4})?$")


class Contact(_Strict):
    """The contact person at the municipality; an e-mail or a phone number is required."""

    name: str = Field(min_length=2, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=30)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not _EMAIL.match(value):
            msg = "not an e-mail address (name@example.cz)"
            raise ValueError(msg)
        return value or None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not _PHONE.match(value):
            msg = "not a phone number (digits, spaces, an optional leading +)"
            raise ValueError(msg)
        return value or None

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not self.email and not self.phone:
            msg = "give an e-mail or a phone number"
            raise ValueError(msg)
        return self


class SubmissionForm(_Strict):
    """The form of one submission (it may hold several sites; the form covers them all).

    Required: ``name``, ``location``, ``kind``, ``previous_use``, ``ownership``, ``contamination``,
    ``intended_use`` (at least one), ``consent_to_publish`` and ``contact``. The area is computed
    from the shapes; ``area_ha`` is only asked for point sites [ha].
    """

    # identity and place
    name: str = Field(min_length=2, max_length=200)
    location: str = Field(min_length=3, max_length=1000, description="address or description of the location")
    kind: str = Field(description="site kind: brownfield, rooftop or municipal_land")
    cadastral_area: str | None = Field(default=None, max_length=100, description="katastrální území (name or code)")
    parcel_numbers: list[str] = Field(default_factory=list, max_length=500)
    area_ha: float | None = Field(default=None, gt=0, le=100_000, description="area of a point site [ha]")
    # history and state
    previous_use: PreviousUse
    current_state: CurrentState = CurrentState.UNKNOWN
    ownership: Ownership
    contamination: Contamination
    utilities: Utilities = Field(default_factory=Utilities)
    # plans
    planning_status: PlanningStatus = PlanningStatus.UNKNOWN
    intended_use: list[IntendedUse] = Field(min_length=1)
    # consent and contact
    consent_to_publish: bool
    contact: Contact
    note: str | None = Field(default=None, max_length=4000)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in SITE_KINDS:
            msg = f"must be one of {', '.join(SITE_KINDS)}"
            raise ValueError(msg)
        return value

    @field_validator("parcel_numbers")
    @classmethod
    def _parcels(cls, values: list[str]) -> list[str]:
        cleaned = [v.strip() for v in values if v.strip()]
        bad = [v for v in cleaned if not _PARCEL.match(v)]
        if bad:
            msg = f"{', '.join(repr(b) for b in bad[:5])} are not parcel numbers (e.g. 123, 123/4, st. 45)"
            raise ValueError(msg)
        return cleaned

    @field_validator("intended_use")
    @classmethod
    def _unique(cls, values: list[IntendedUse]) -> list[IntendedUse]:
        return list(dict.fromkeys(values))


#: The form's fields in form order; their labels are ``intake_field.<field>`` of the text catalogues
#: (:func:`gisplan.intake.field_label`); required fields are marked with ``*`` by the app.
FORM_FIELDS: tuple[str, ...] = (
    "name",
    "location",
    "kind",
    "cadastral_area",
    "parcel_numbers",
    "area_ha",
    "previous_use",
    "current_state",
    "ownership",
    "contamination",
    "utilities",
    "planning_status",
    "intended_use",
    "consent_to_publish",
    "contact",
    "note",
)


def required_fields() -> tuple[str, ...]:
    """Names of the fields the user must fill."""
    return tuple(name for name, info in SubmissionForm.model_fields.items() if info.is_required())


def validate_form(values: Mapping[str, Any], *, label: str = "form") -> SubmissionForm:
    """Validate the form values, reporting every problem at once.

    Raises
    ------
    UploadRejectedError
        ``form_invalid``, with one problem per bad or missing field (``field.subfield: message``).
    """
    try:
        return SubmissionForm.model_validate(dict(values))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "form"
            text = "required; fill it in" if error["type"] == "missing" else str(error["msg"])
            problems.append(Problem(label, where, text.removeprefix("Value error, ")))
        msg = f"{label}: {len(problems)} fields need attention:"
        raise reject(msg, "form_invalid", problems=problems) from None


__all__ = [
    "FORM_FIELDS",
    "Contact",
    "Contamination",
    "CurrentState",
    "IntendedUse",
    "Ownership",
    "PlanningStatus",
    "PreviousUse",
    "SubmissionForm",
    "Utilities",
    "YesNo",
    "required_fields",
    "validate_form",
]
