"""Municipality submissions: store a checked upload, submit or edit one site, always through the intake's checks.

- :func:`submit` stores every site of a checked upload (:func:`gisplan.intake.check_upload`
  or :func:`gisplan.intake.check_drawing`), or none: one transaction holds all sites, so a
  refusal (permission, a site that fails) rolls everything back. Each site becomes one
  submission row; its ``attributes`` keep the form, the intake findings (repair, border
  crossing, warnings), the file's own attributes and the preview.
- :func:`submit_site` and :func:`update_submission` are the Python API for one site: the
  same checks as an upload (:data:`INTAKE_CHECKS`: text, shape, place), after the permission.

Moderation of what was submitted is in :mod:`gisplan.workflows.moderation`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from gisplan.intake import IntakeResult, check_site_geometry, check_submission_text, reject
from gisplan.store.tx import UNSET

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd
    from shapely.geometry.base import BaseGeometry

    from gisplan.intake import SubmissionForm
    from gisplan.store import ActorRef, Store
    from gisplan.store.models import Submission

_INTAKE_COLUMNS = ("site_no", "repaired", "repair_note", "inside_share", "crosses_border", "geometry_type")


def _plain(value: Any) -> Any:
    """A JSON-safe Python value (numpy scalars unwrapped, NaN as ``None``)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def site_attributes(
    result: IntakeResult, form: SubmissionForm | None, index: int, preview: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The ``attributes`` stored with site ``index`` (0-based) of ``result``."""
    row = result.sites.iloc[index]
    site_no = int(row["site_no"])
    own = [c for c in result.sites.columns if c not in (*_INTAKE_COLUMNS, "name", "area_m2", "geometry")]
    intake = {c: _plain(row[c]) for c in _INTAKE_COLUMNS}
    intake |= {
        "source_format": result.source_format,
        "source_crs": result.source_crs,
        "layer": result.layer,
        "place_checked": result.place_checked,
        "area_m2": _plain(row["area_m2"]),
        "warnings": [{"code": w.code, "message": w.message} for w in result.warnings if w.site_no in (None, site_no)],
    }
    out: dict[str, Any] = {
        "form": form.model_dump(mode="json") if form is not None else None,
        "intake": intake,
        "file_attributes": {c: _plain(row[c]) for c in own},
    }
    if preview is not None and not preview.empty:
        rows = preview[preview["site_no"] == site_no]
        out["preview"] = [{k: _plain(v) for k, v in r.items()} for r in rows.to_dict(orient="records")]
    return out


def _site_name(result: IntakeResult, base: str, index: int) -> str:
    own = result.sites["name"].iloc[index]
    own_text = str(own).strip() if isinstance(own, str) else ""
    if not base:
        return (own_text or f"site {index + 1}")[:500]
    if len(result.sites) == 1:
        return base[:500]
    return f"{base} – {own_text or index + 1}"[:500]


def submit(
    store: Store,
    actor: ActorRef,
    result: IntakeResult,
    form: SubmissionForm | None,
    *,
    kind: str | None = None,
    name: str | None = None,
    confirm_repairs: bool = False,
    preview: pd.DataFrame | None = None,
) -> list[Submission]:
    """Store every site of a checked upload as a submission of ``result.municipality_code``.

    Parameters
    ----------
    store
        The store (:func:`gisplan.store.open_store`).
    actor
        The submitting user's id.
    result
        A checked upload or drawing.
    form
        The validated form; ``None`` for batch uploads from the command line, which then need ``kind``.
    kind
        Site kind when there is no form (the form's ``kind`` wins).
    name
        Name of the submission when there is no form; default each site's own name from the file.
    confirm_repairs
        The user saw and confirmed the repaired shapes; without it a result with repaired shapes
        is refused.
    preview
        The preview of :func:`gisplan.intake.preview`, kept with each site.

    Returns
    -------
    list of Submission
        The stored submissions, one per site, geometry in the store's CRS (EPSG:``store.srid``).

    Raises
    ------
    UploadRejectedError
        ``needs_confirmation`` when shapes were repaired and ``confirm_repairs`` is false.
    PermissionDeniedError
        When the user may not submit for this municipality (nothing is stored).
    """
    import geopandas as gpd

    if result.needs_confirmation and not confirm_repairs:
        repaired = [str(n) for n in result.sites.loc[result.sites["repaired"], "site_no"]]
        msg = (
            f"sites {', '.join(repaired)} were repaired (invalid shapes); look at the repaired shapes and "
            "confirm them before submitting"
        )
        raise reject(msg, "needs_confirmation")
    site_kind = form.kind if form is not None else kind
    if site_kind is None:
        msg = "without a form the site kind is needed: brownfield, rooftop or municipal_land"
        raise reject(msg, "form_invalid")
    base = form.name if form is not None else (name or "")
    geoms = gpd.GeoSeries(result.sites.geometry.to_numpy(), crs=result.sites.crs).to_crs(store.srid).to_numpy()
    items = [
        (_site_name(result, base, i), geoms[i], site_attributes(result, form, i, preview))
        for i in range(len(result.sites))
    ]

    def work(tx: Any) -> list[Submission]:
        from gisplan.workflows.moderation import notify_submitted

        subs = [
            tx.submit_site(result.municipality_code, site_kind, site_name, geom, attributes=attrs, checks=INTAKE_CHECKS)
            for site_name, geom, attrs in items
        ]
        notify_submitted(tx, subs)  # the animators of the municipality hear of it
        return subs

    out: list[Submission] = store.transaction(actor, work)
    return out


class IntakeChecks:
    """The intake's checks of one site (:class:`gisplan.store.submission_writes.SubmissionChecks`)."""

    def text(self, name: str, attributes: Mapping[str, Any] | None) -> None:
        """Name and attributes: lengths, control characters (:func:`gisplan.intake.check_submission_text`)."""
        check_submission_text(name, attributes)

    def geometry(self, geom: BaseGeometry | None, srid: int, municipality_code: str) -> None:
        """Shape and place (:func:`gisplan.intake.check_site_geometry`)."""
        check_site_geometry(geom, srid=srid, municipality_code=municipality_code)


#: The checks every stored submission passes, whoever calls.
INTAKE_CHECKS = IntakeChecks()


def submit_site(  # noqa: PLR0917 - the order of Store.submit_site it replaces
    store: Store,
    actor: ActorRef,
    municipality_code: str,
    kind: str,
    name: str,
    geom: BaseGeometry | None,
    *,
    attributes: Mapping[str, Any] | None = None,
) -> Submission:
    """A municipality submits one candidate site (``geom`` in the store's CRS, EPSG:``store.srid``).

    The animators covering the municipality get a notice. Raises
    :class:`~gisplan.errors.PermissionDeniedError` (audited) for a user who may not submit
    here, :class:`~gisplan.errors.InputError` (an ``UploadRejectedError`` for a shape) when
    a check fails; nothing is stored then.
    """

    def work(tx: Any) -> Submission:
        from gisplan.workflows.moderation import notify_submitted

        sub: Submission = tx.submit_site(
            municipality_code, kind, name, geom, attributes=attributes, checks=INTAKE_CHECKS
        )
        notify_submitted(tx, [sub])
        return sub

    out: Submission = store.transaction(actor, work)
    return out


def update_submission(
    store: Store,
    actor: ActorRef,
    submission_id: int,
    *,
    expected_version: int,
    name: str = UNSET,
    geom: BaseGeometry | None = UNSET,
    attributes: Mapping[str, Any] = UNSET,
) -> Submission:
    """The submitting municipality edits its submission while it is ``submitted`` (checked as :func:`submit_site`).

    Raises :class:`~gisplan.errors.ConflictError` when the submission moved on from
    ``expected_version``.
    """
    out: Submission = store.transaction(
        actor,
        lambda tx: tx.update_submission(
            submission_id,
            expected_version=expected_version,
            name=name,
            geom=geom,
            attributes=attributes,
            checks=INTAKE_CHECKS,
        ),
    )
    return out


__all__ = ["INTAKE_CHECKS", "IntakeChecks", "site_attributes", "submit", "submit_site", "update_submission"]
