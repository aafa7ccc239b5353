"""The submission form: required fields, every problem at once, value checks."""

from __future__ import annotations

from typing import Any

import pytest

from gisplan.errors import UploadRejectedError
from gisplan.intake import FORM_FIELDS, SubmissionForm, required_fields, validate_form


def good_form() -> dict[str, Any]:
    """A complete, valid form."""
    return {
        "name": "Bývalý cukrovar",
        "location": "Děčany, u nádraží",
        "kind": "brownfield",
        "cadastral_area": "Děčany",
        "parcel_numbers": ["123/4", "st. 45", " 7 "],
        "previous_use": "industrial",
        "current_state": "derelict",
        "ownership": "municipal",
        "contamination": "suspected",
        "utilities": {"electricity": "yes", "road_access": "yes"},
        "planning_status": "zoning_compatible",
        "intended_use": ["pv", "community_energy", "pv"],
        "consent_to_publish": True,
        "contact": {"name": "Jana Nováková", "email": "starostka@decany.cz"},
    }


def test_valid_form_is_normalised() -> None:
    form = validate_form(good_form())
    assert isinstance(form, SubmissionForm)
    assert form.parcel_numbers == ["123/4", "st. 45", "7"]
    assert form.intended_use == ["pv", "community_energy"]
    assert form.utilities.electricity == "yes"
    assert form.utilities.gas == "unknown"
    dumped = form.model_dump(mode="json")
    assert dumped["contamination"] == "suspected"


def test_every_problem_is_reported_at_once() -> None:
    values = good_form()
    for key in ("name", "previous_use", "consent_to_publish"):
        values.pop(key)
    values["ownership"] = "state"
    values["parcel_numbers"] = ["12a"]
    values["contact"] = {"name": "Jana"}
    values["intended_use"] = []
    with pytest.raises(UploadRejectedError) as info:
        validate_form(values)
    error = info.value
    assert error.reason == "form_invalid"
    where = {p.location: p.message for p in error.problems}
    assert where["name"] == "required; fill it in"
    assert where["previous_use"] == "required; fill it in"
    assert where["consent_to_publish"] == "required; fill it in"
    assert "ownership" in where
    assert "'12a'" in where["parcel_numbers"]
    assert where["contact"] == "give an e-mail or a phone number"
    assert "intended_use" in where


def test_bad_contact_and_kind() -> None:
    values = good_form() | {"kind": "factory", "contact": {"name": "Jana", "email": "jana@", "phone": "abc"}}
    with pytest.raises(UploadRejectedError) as info:
        validate_form(values)
    where = {p.location for p in info.value.problems}
    assert where == {"kind", "contact.email", "contact.phone"}


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(UploadRejectedError) as info:
        validate_form(good_form() | {"owner_password": "x"})
    assert [p.location for p in info.value.problems] == ["owner_password"]


def test_required_fields_and_labels() -> None:
    required = set(required_fields())
    assert required == {
        "name",
        "location",
        "kind",
        "previous_use",
        "ownership",
        "contamination",
        "intended_use",
        "consent_to_publish",
        "contact",
    }
    assert tuple(SubmissionForm.model_fields) == FORM_FIELDS
