"""Writes on municipality submissions: a new one, and edits while it waits.

The store knows no intake rules: every write takes the :class:`SubmissionChecks`
to run after the permission check and before anything is written, and the
submission workflows (:mod:`gisplan.workflows.submissions`) pass the intake's.
Moderation (accept, reject, return) is in :mod:`gisplan.workflows.moderation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from gisplan.errors import InputError
from gisplan.store import permissions as perm
from gisplan.store.models import Community, Submission, utcnow
from gisplan.store.tx import UNSET, TxBase, snapshot

SITE_KINDS = ("brownfield", "rooftop", "municipal_land")
_SUBMISSION_FIELDS = ("municipality_code", "name", "kind", "geom", "attributes", "state", "feedback", "site_id")


class SubmissionChecks(Protocol):
    """What a submission must pass before it is stored; each check raises an :class:`~gisplan.errors.InputError`."""

    def text(self, name: str, attributes: Mapping[str, Any] | None) -> None:
        """Check the name and the attributes (an empty name means: not changed)."""

    def geometry(self, geom: BaseGeometry | None, srid: int, municipality_code: str) -> None:
        """Check the shape, in EPSG:``srid``, against the municipality's place."""


class SubmissionWrites(TxBase):
    """Submission writes; mixed into :class:`~gisplan.store.transaction.Tx`."""

    def submit_site(
        self,
        municipality_code: str,
        kind: str,
        name: str,
        geom: BaseGeometry | None,
        *,
        attributes: Mapping[str, Any] | None = None,
        checks: SubmissionChecks,
    ) -> Submission:
        """A municipality submits a candidate site (geometry in the store's working CRS).

        ``checks`` vets the name, attributes and shape after the permission check and before
        anything is written (the store knows no intake rules: the submission workflows,
        :mod:`gisplan.workflows.submissions`, pass the intake's checks).
        """
        if kind not in SITE_KINDS:
            msg = f"site kind {kind!r} is not one of {SITE_KINDS}"
            raise InputError(msg)
        self.require(perm.Action.SUBMISSION_CREATE, "submission", "new", municipality=municipality_code)
        if self.actor_id is None:
            msg = "submissions need a real submitting user; pass a user id, not SYSTEM"
            raise InputError(msg)
        checks.text(name, attributes)
        checks.geometry(geom, self.srid, municipality_code)
        sub = Submission(
            municipality_code=municipality_code,
            submitted_by=self.actor_id,
            name=name,
            kind=kind,
            geom=self.with_srid(geom),
            attributes=dict(attributes or {}),
            state="submitted",
            feedback="",
            created_at=utcnow(),
        )
        self.session.add(sub)
        self.session.flush()
        self.audit("submission.add", "submission", sub.id, after=snapshot(sub, _SUBMISSION_FIELDS))
        return sub

    def _submission_for(self, action: perm.Action, submission_id: int) -> Submission:
        sub = self.fetch(Submission, submission_id, "submission")
        region = self.session.scalar(
            select(Community.region_code).where(
                Community.kind == "municipality", Community.code == sub.municipality_code
            )
        )
        self.require(action, "submission", submission_id, region=region, municipality=sub.municipality_code)
        return sub

    def update_submission(
        self,
        submission_id: int,
        *,
        expected_version: int,
        name: str = UNSET,
        geom: BaseGeometry | None = UNSET,
        attributes: Mapping[str, Any] = UNSET,
        checks: SubmissionChecks,
    ) -> Submission:
        """The submitting municipality edits its submission while it is still ``submitted``.

        ``checks`` vets what changes, after the permission, version and state checks (see
        :meth:`submit_site`).
        """
        sub = self._submission_for(perm.Action.SUBMISSION_EDIT, submission_id)
        self.expect_version(sub, f"submission {submission_id}", expected_version, {"edit": True}, _SUBMISSION_FIELDS)
        if sub.state != "submitted":
            msg = f"submission {submission_id} is {sub.state!r} and can no longer be edited"
            raise InputError(msg)
        checks.text("" if name is UNSET else name, None if attributes is UNSET else attributes)
        changes: dict[str, Any] = {k: v for k, v in {"name": name}.items() if v is not UNSET}
        if geom is not UNSET:
            checks.geometry(geom, self.srid, sub.municipality_code)
            changes["geom"] = self.with_srid(geom)
        if attributes is not UNSET:
            changes["attributes"] = dict(attributes)
        before, after = self.save(sub, f"submission {submission_id}", expected_version, changes, _SUBMISSION_FIELDS)
        self.audit("submission.edit", "submission", submission_id, before=before, after=after)
        return sub


__all__ = ["SITE_KINDS", "SubmissionChecks", "SubmissionWrites"]
