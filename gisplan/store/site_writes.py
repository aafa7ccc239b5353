"""Writes on sites: edits, workflow moves, annotations, links to communities and funding calls.

Each method checks the acting user's permission for the site's place (region and
municipality), checks the expected version, writes, and adds its audit row, all
in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from gisplan.errors import ConflictError, InputError
from gisplan.store import permissions as perm
from gisplan.store.models import (
    Annotation,
    Community,
    FundingCall,
    Site,
    SiteCommunityLink,
    SiteFundingLink,
    StatusChange,
    utcnow,
)
from gisplan.store.tx import UNSET, TxBase, snapshot

PRIORITIES = ("low", "normal", "high")
VERDICTS = ("eligible", "not_eligible", "unknown")
_SITE_FIELDS = ("note", "priority", "status", "status_reason")
_LINK_FIELDS = ("role", "note")
_FUNDING_FIELDS = ("verdict", "reasons", "note")


class SiteWrites(TxBase):
    """Site writes; mixed into :class:`~gisplan.store.transaction.Tx`."""

    def site_place(self, site: Site) -> tuple[str | None, str | None]:
        """(region code, municipality code) of a site; the region falls back to its municipality's record."""
        region = site.region_code
        if region is None and site.municipality_code is not None:
            region = self.session.scalar(
                select(Community.region_code).where(
                    Community.kind == "municipality", Community.code == site.municipality_code
                )
            )
        return region, site.municipality_code

    def _site_for(self, action: perm.Action, site_id: str) -> Site:
        site = self.fetch(Site, site_id, "site")
        region, municipality = self.site_place(site)
        self.require(action, "site", site_id, region=region, municipality=municipality)
        return site

    def update_site(
        self, site_id: str, *, expected_version: int, note: str | None = UNSET, priority: str | None = UNSET
    ) -> Site:
        """Edit the people-owned fields of a site: ``note`` and ``priority`` (low | normal | high)."""
        changes: dict[str, Any] = {}
        if note is not UNSET:
            changes["note"] = note
        if priority is not UNSET:
            if priority is not None and priority not in PRIORITIES:
                msg = f"priority {priority!r} is not one of {PRIORITIES}"
                raise InputError(msg)
            changes["priority"] = priority
        site = self._site_for(perm.Action.SITE_EDIT, site_id)
        before, after = self.save(site, f"site {site_id}", expected_version, changes, tuple(changes) or ("note",))
        self.audit("site.edit", "site", site_id, before=before, after=after)
        return site

    def change_status(self, site_id: str, new_status: str, *, expected_version: int, reason: str | None = None) -> Site:
        """Move a site through the workflow; only moves in :data:`~gisplan.store.permissions.TRANSITIONS`.

        Raises
        ------
        InputError
            For an unknown status, a move to the same status, or a rejection without a reason.
        PermissionDeniedError
            If the actor may not change statuses in the site's place, or their role may not make this move.
        ConflictError
            If the site changed since ``expected_version``; checked before the move itself,
            which was decided on the status the caller saw.
        """
        try:
            target = perm.Status(new_status)
        except ValueError:
            msg = f"status {new_status!r} is unknown; use one of {[s.value for s in perm.Status]}"
            raise InputError(msg) from None
        reason = (reason or "").strip() or None
        if target in perm.REASON_REQUIRED and reason is None:
            msg = f"moving site {site_id} to {target.value!r} needs a reason; give one"
            raise InputError(msg)
        site = self._site_for(perm.Action.SITE_STATUS, site_id)
        changes = {"status": target.value, "status_reason": reason}
        self.expect_version(site, f"site {site_id}", expected_version, changes, _SITE_FIELDS)
        current = perm.Status(site.status)
        if current == target:
            msg = f"site {site_id} is already {target.value!r}"
            raise InputError(msg)
        actor = self.load_actor()
        if actor is not None and not perm.transition_allowed(actor.role, current, target):
            why = f"role {actor.role.value!r} may not move a site from {current.value!r} to {target.value!r}"
            self.deny(perm.Action.SITE_STATUS.value, "site", site_id, why)
        before, after = self.save(site, f"site {site_id}", expected_version, changes, _SITE_FIELDS)
        self.session.add(
            StatusChange(
                site_id=site_id,
                from_status=current.value,
                to_status=target.value,
                reason=reason,
                actor_id=self.actor_id,
                changed_at=utcnow(),
            )
        )
        self.audit("site.status", "site", site_id, before=before, after=after, detail=reason or "")
        return site

    # --- annotations ------------------------------------------------------------------------------
    def add_annotation(self, site_id: str, text: str) -> Annotation:
        """Write a note on a site as the acting user."""
        if not text.strip():
            msg = f"an annotation on site {site_id} needs some text"
            raise InputError(msg)
        self._site_for(perm.Action.SITE_ANNOTATE, site_id)
        if self.actor_id is None:
            msg = "annotations need a real author; pass a user id, not SYSTEM"
            raise InputError(msg)
        note = Annotation(site_id=site_id, author_id=self.actor_id, text=text, created_at=utcnow())
        self.session.add(note)
        self.session.flush()
        self.audit("annotation.add", "annotation", note.id, after={"site_id": site_id, "text": text})
        return note

    def edit_annotation(self, annotation_id: int, text: str, *, expected_version: int) -> Annotation:
        """Change the text of an annotation; only its author (or an admin) may."""
        note = self.fetch(Annotation, annotation_id, "annotation")
        self._site_for(perm.Action.SITE_ANNOTATE, note.site_id)
        actor = self.load_actor()
        if actor is not None and actor.role != perm.Role.ADMIN and note.author_id != self.actor_id:
            self.deny("annotation.edit", "annotation", annotation_id, "only the author may edit an annotation")
        before, after = self.save(note, f"annotation {annotation_id}", expected_version, {"text": text}, ("text",))
        self.audit("annotation.edit", "annotation", annotation_id, before=before, after=after)
        return note

    # --- links ------------------------------------------------------------------------------------
    def link_community(
        self, site_id: str, community_id: int, *, role: str | None = None, note: str = ""
    ) -> SiteCommunityLink:
        """Link a site to a community; an existing link is never replaced (ConflictError)."""
        self._site_for(perm.Action.SITE_LINK, site_id)
        self.fetch(Community, community_id, "community")
        existing = self.session.scalar(
            select(SiteCommunityLink).where(
                SiteCommunityLink.site_id == site_id, SiteCommunityLink.community_id == community_id
            )
        )
        if existing is not None:
            msg = f"site {site_id} is already linked to community {community_id} (link {existing.id}); edit that link"
            raise ConflictError(
                msg, mine={"role": role, "note": note}, theirs=snapshot(existing, (*_LINK_FIELDS, "id", "version"))
            )
        link = SiteCommunityLink(
            site_id=site_id, community_id=community_id, role=role, note=note, created_by=self.actor_id
        )
        self.session.add(link)
        self.session.flush()
        self.audit(
            "site.link_community",
            "site_community_link",
            link.id,
            after=snapshot(link, ("site_id", "community_id", *_LINK_FIELDS)),
        )
        return link

    def update_community_link(
        self, link_id: int, *, expected_version: int, role: str | None = UNSET, note: str = UNSET
    ) -> SiteCommunityLink:
        """Edit the role or note of a site–community link."""
        link = self.fetch(SiteCommunityLink, link_id, "site–community link")
        self._site_for(perm.Action.SITE_LINK, link.site_id)
        changes = {k: v for k, v in {"role": role, "note": note}.items() if v is not UNSET}
        before, after = self.save(link, f"site–community link {link_id}", expected_version, changes, _LINK_FIELDS)
        self.audit("site.link_community.edit", "site_community_link", link_id, before=before, after=after)
        return link

    def unlink_community(self, link_id: int, *, expected_version: int) -> None:
        """Remove a site–community link."""
        link = self.fetch(SiteCommunityLink, link_id, "site–community link")
        self._site_for(perm.Action.SITE_LINK, link.site_id)
        before = snapshot(link, ("site_id", "community_id", *_LINK_FIELDS, "version"))
        if link.version != expected_version:
            self.conflict(f"site–community link {link_id}", expected_version, {"deleted": True}, before)
        self.session.delete(link)
        self.session.flush()
        self.audit("site.unlink_community", "site_community_link", link_id, before=before)

    def link_funding_call(
        self,
        site_id: str,
        funding_call_id: int,
        *,
        verdict: str = "unknown",
        reasons: Sequence[str] = (),
        note: str = "",
    ) -> SiteFundingLink:
        """Link a site to a funding call with the matcher's verdict (eligible | not_eligible | unknown)."""
        self._check_verdict(verdict)
        self._site_for(perm.Action.SITE_LINK, site_id)
        self.fetch(FundingCall, funding_call_id, "funding call")
        existing = self.session.scalar(
            select(SiteFundingLink).where(
                SiteFundingLink.site_id == site_id, SiteFundingLink.funding_call_id == funding_call_id
            )
        )
        if existing is not None:
            msg = (
                f"site {site_id} is already linked to funding call {funding_call_id} "
                f"(link {existing.id}); edit that link"
            )
            mine = {"verdict": verdict, "reasons": list(reasons), "note": note}
            raise ConflictError(msg, mine=mine, theirs=snapshot(existing, (*_FUNDING_FIELDS, "id", "version")))
        link = SiteFundingLink(
            site_id=site_id,
            funding_call_id=funding_call_id,
            verdict=verdict,
            reasons=list(reasons),
            note=note,
            created_by=self.actor_id,
        )
        self.session.add(link)
        self.session.flush()
        self.audit(
            "site.link_funding_call",
            "site_funding_link",
            link.id,
            after=snapshot(link, ("site_id", "funding_call_id", *_FUNDING_FIELDS)),
        )
        return link

    def update_funding_link(
        self,
        link_id: int,
        *,
        expected_version: int,
        verdict: str = UNSET,
        reasons: Sequence[str] = UNSET,
        note: str = UNSET,
    ) -> SiteFundingLink:
        """Edit the verdict, reasons or note of a site–funding-call link."""
        if verdict is not UNSET:
            self._check_verdict(verdict)
        link = self.fetch(SiteFundingLink, link_id, "site–funding-call link")
        self._site_for(perm.Action.SITE_LINK, link.site_id)
        changes: dict[str, Any] = {"verdict": verdict, "note": note}
        if reasons is not UNSET:
            changes["reasons"] = list(reasons)
        changes = {k: v for k, v in changes.items() if v is not UNSET}
        what = f"site–funding-call link {link_id}"
        before, after = self.save(link, what, expected_version, changes, _FUNDING_FIELDS)
        self.audit("site.link_funding_call.edit", "site_funding_link", link_id, before=before, after=after)
        return link

    @staticmethod
    def _check_verdict(verdict: str) -> None:
        if verdict not in VERDICTS:
            msg = f"verdict {verdict!r} is not one of {VERDICTS}"
            raise InputError(msg)
