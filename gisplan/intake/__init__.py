"""Intake of municipality submissions: uploads and drawings, checked safely.

- :func:`check_upload` takes the bytes of an uploaded file (GeoJSON, zipped Shapefile,
  GeoPackage, KML, CSV with lat/lon or WKT) and returns an :class:`IntakeResult` with the
  sites in the working CRS, or raises :class:`~gisplan.errors.UploadRejectedError` with a
  ``reason`` code (one of :data:`REASON_CODES`; its sentence in each interface language:
  :func:`reason_text`) and a message saying what to do.
- :func:`check_drawing` does the same for shapes drawn on the map (Leaflet.draw GeoJSON).
- :class:`SubmissionForm` is the submission form (pydantic), after the Czech brownfield
  database and the UK Brownfield Land Register; :func:`validate_form` reports every problem.
- :func:`preview` gives area, score and energy estimate per applicable scoring profile.
- :func:`check_site_geometry` runs the same checks on a shape that any caller is about to store
  (the submission workflows, :mod:`gisplan.workflows.submissions`, call it).

Intake checks and previews; it stores nothing. Storing a checked upload is a
workflow: :func:`gisplan.workflows.submissions.submit`.

Parsing runs in a child process with time and memory limits and one allow-listed GDAL
driver; VRTs and ``/vsi`` paths are never opened (see :mod:`gisplan.intake._pipeline`).
"""

from __future__ import annotations

from gisplan.intake._boundaries import PlaceContext, municipal_boundaries
from gisplan.intake._form import (
    FORM_FIELDS,
    Contamination,
    CurrentState,
    IntendedUse,
    Ownership,
    PlanningStatus,
    PreviousUse,
    SubmissionForm,
    YesNo,
    required_fields,
    validate_form,
)
from gisplan.intake._pipeline import check_drawing, check_upload
from gisplan.intake._place import CRS_CHOICES, SWAPPED_HINT
from gisplan.intake._preview import PREVIEW_COLUMNS, preview
from gisplan.intake._stored import check_site_geometry, check_submission_text
from gisplan.intake._texts import field_label, reason_text
from gisplan.intake._types import REASON_CODES, IntakeLimits, IntakeResult, IntakeWarning, reject

__all__ = [
    "CRS_CHOICES",
    "FORM_FIELDS",
    "PREVIEW_COLUMNS",
    "REASON_CODES",
    "SWAPPED_HINT",
    "Contamination",
    "CurrentState",
    "IntakeLimits",
    "IntakeResult",
    "IntakeWarning",
    "IntendedUse",
    "Ownership",
    "PlaceContext",
    "PlanningStatus",
    "PreviousUse",
    "SubmissionForm",
    "YesNo",
    "check_drawing",
    "check_site_geometry",
    "check_submission_text",
    "check_upload",
    "field_label",
    "municipal_boundaries",
    "preview",
    "reason_text",
    "reject",
    "required_fields",
    "validate_form",
]
