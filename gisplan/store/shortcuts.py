"""One-call writes of :class:`~gisplan.store.Store`: each a ``Tx`` method in a transaction of its own.

Each method wraps the :class:`Tx` method of the same name in
:meth:`Store.transaction <gisplan.store.store.Store.transaction>`, which re-reads
the actor, checks the permission and the version, writes, and audits.
Submissions have no such shortcut: they go through the intake's checks, in
:mod:`gisplan.workflows.submissions`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from gisplan.store import permissions as perm
from gisplan.store.community_writes import Member
from gisplan.store.models import (
    Annotation,
    Community,
    FundingCall,
    Site,
    SiteCommunityLink,
    SiteFundingLink,
    User,
)
from gisplan.store.transaction import Tx
from gisplan.store.tx import UNSET, ActorRef

T = TypeVar("T")


class WriteMethods:
    """One-call writes; mixed into :class:`~gisplan.store.store.Store`."""

    def transaction(self, actor: ActorRef, work: Callable[[Tx], T]) -> T:
        """Run ``work(tx)`` in one transaction for ``actor`` (implemented by Store)."""
        raise NotImplementedError

    def update_site(
        self,
        actor: ActorRef,
        site_id: str,
        *,
        expected_version: int,
        note: str | None = UNSET,
        priority: str | None = UNSET,
    ) -> Site:
        """Edit a site's note and/or priority (see :meth:`Tx.update_site`)."""
        return self.transaction(
            actor, lambda tx: tx.update_site(site_id, expected_version=expected_version, note=note, priority=priority)
        )

    def change_status(
        self, actor: ActorRef, site_id: str, new_status: str, *, expected_version: int, reason: str | None = None
    ) -> Site:
        """Move a site through the workflow (see :meth:`Tx.change_status`)."""
        return self.transaction(
            actor, lambda tx: tx.change_status(site_id, new_status, expected_version=expected_version, reason=reason)
        )

    def add_annotation(self, actor: ActorRef, site_id: str, text: str) -> Annotation:
        """Write a note on a site."""
        return self.transaction(actor, lambda tx: tx.add_annotation(site_id, text))

    def edit_annotation(self, actor: ActorRef, annotation_id: int, text: str, *, expected_version: int) -> Annotation:
        """Change an annotation's text (author or admin only)."""
        return self.transaction(
            actor, lambda tx: tx.edit_annotation(annotation_id, text, expected_version=expected_version)
        )

    def link_community(
        self, actor: ActorRef, site_id: str, community_id: int, *, role: str | None = None, note: str = ""
    ) -> SiteCommunityLink:
        """Link a site to a community."""
        return self.transaction(actor, lambda tx: tx.link_community(site_id, community_id, role=role, note=note))

    def link_funding_call(
        self,
        actor: ActorRef,
        site_id: str,
        funding_call_id: int,
        *,
        verdict: str = "unknown",
        reasons: Sequence[str] = (),
        note: str = "",
    ) -> SiteFundingLink:
        """Link a site to a funding call with the matcher's verdict and a note."""
        return self.transaction(
            actor,
            lambda tx: tx.link_funding_call(site_id, funding_call_id, verdict=verdict, reasons=reasons, note=note),
        )

    def update_funding_link(
        self,
        actor: ActorRef,
        link_id: int,
        *,
        expected_version: int,
        verdict: str = UNSET,
        reasons: Sequence[str] = UNSET,
        note: str = UNSET,
    ) -> SiteFundingLink:
        """Edit a site–funding-call link."""
        return self.transaction(
            actor,
            lambda tx: tx.update_funding_link(
                link_id, expected_version=expected_version, verdict=verdict, reasons=reasons, note=note
            ),
        )

    def add_user(
        self,
        actor: ActorRef,
        username: str,
        role: str,
        *,
        scope: perm.Scope | None = None,
        password: str | None = None,
        display_name: str = "",
        oidc_sub: str | None = None,
    ) -> User:
        """Create a user (admins only)."""
        return self.transaction(
            actor,
            lambda tx: tx.add_user(
                username, role, scope=scope, password=password, display_name=display_name, oidc_sub=oidc_sub
            ),
        )

    def set_role(self, actor: ActorRef, username: str, role: str, *, scope: perm.Scope | None = None) -> User:
        """Change a user's role and scope (admins only)."""
        return self.transaction(actor, lambda tx: tx.set_role(username, role, scope=scope))

    def set_disabled(self, actor: ActorRef, username: str, disabled: bool = True) -> User:
        """Disable or re-enable a user (admins only)."""
        return self.transaction(actor, lambda tx: tx.set_disabled(username, disabled))

    def add_community(self, actor: ActorRef, kind: str, name: str, **fields: Any) -> Community:
        """Create a community (see :meth:`Tx.add_community` for the fields)."""
        return self.transaction(actor, lambda tx: tx.add_community(kind, name, **fields))

    def update_community(
        self,
        actor: ActorRef,
        community_id: int,
        *,
        expected_version: int,
        members: Sequence[Member] | None = None,
        **fields: Any,
    ) -> Community:
        """Edit a community (see :meth:`Tx.update_community`)."""
        return self.transaction(
            actor,
            lambda tx: tx.update_community(community_id, expected_version=expected_version, members=members, **fields),
        )

    def add_funding_call(self, actor: ActorRef, code: str, **fields: Any) -> FundingCall:
        """Create a funding call (admins only)."""
        return self.transaction(actor, lambda tx: tx.add_funding_call(code, **fields))

    def authorize_export(self, actor: ActorRef, what: str) -> None:
        """Raise PermissionDeniedError unless ``actor`` may export; audit the export."""
        self.transaction(actor, lambda tx: tx.authorize_export(what))
