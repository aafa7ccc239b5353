"""Writes on communities: municipalities, MAS territories and energy communities, with their members."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete

from gisplan.errors import InputError
from gisplan.store import permissions as perm
from gisplan.store.models import Community, CommunityMember, utcnow
from gisplan.store.tx import UNSET, TxBase, snapshot

COMMUNITY_KINDS = ("municipality", "mas", "energy_community")
_COMMUNITY_FIELDS = ("kind", "name", "code", "population", "region_code", "municipality_code", "attributes")


@dataclass(frozen=True)
class Member:
    """A member of a MAS or an energy community."""

    name: str
    municipality_code: str | None = None
    member_community_id: int | None = None
    role: str | None = None


class CommunityWrites(TxBase):
    """Community writes, checked against the actor's region; mixed into :class:`~gisplan.store.transaction.Tx`."""

    def _require_community(self, kind: str, region: str | None, municipality: str | None, target: object) -> None:
        actor = self.require(perm.Action.COMMUNITY_WRITE, "community", target, region=region, municipality=municipality)
        if actor.role != perm.Role.ADMIN and kind != "energy_community":
            why = f"only admins edit {kind} records; animators edit energy communities in their scope"
            self.deny(perm.Action.COMMUNITY_WRITE.value, "community", target, why)

    def add_community(
        self,
        kind: str,
        name: str,
        *,
        code: str | None = None,
        population: int | None = None,
        region_code: str | None = None,
        municipality_code: str | None = None,
        members: Sequence[Member] = (),
        attributes: Mapping[str, Any] | None = None,
    ) -> Community:
        """Create a municipality (``code`` = kód obce), MAS (``code`` = MAS id) or energy community."""
        if kind not in COMMUNITY_KINDS:
            msg = f"community kind {kind!r} is not one of {COMMUNITY_KINDS}"
            raise InputError(msg)
        if kind == "municipality":
            municipality_code = municipality_code or code
        self._require_community(kind, region_code, municipality_code, name)
        community = Community(
            kind=kind,
            name=name,
            code=code,
            population=population,
            region_code=region_code,
            municipality_code=municipality_code,
            attributes=dict(attributes or {}),
            created_at=utcnow(),
        )
        self.session.add(community)
        self.session.flush()
        self._set_members(community.id, members)
        after = snapshot(community, _COMMUNITY_FIELDS) | {"members": [m.name for m in members]}
        self.audit("community.add", "community", community.id, after=after)
        return community

    def _set_members(self, community_id: int, members: Sequence[Member]) -> None:
        self.session.execute(delete(CommunityMember).where(CommunityMember.community_id == community_id))
        for m in members:
            self.session.add(
                CommunityMember(
                    community_id=community_id,
                    name=m.name,
                    municipality_code=m.municipality_code,
                    member_community_id=m.member_community_id,
                    member_role=m.role,
                )
            )

    def update_community(
        self,
        community_id: int,
        *,
        expected_version: int,
        name: str = UNSET,
        population: int | None = UNSET,
        region_code: str | None = UNSET,
        attributes: Mapping[str, Any] = UNSET,
        members: Sequence[Member] | None = None,
    ) -> Community:
        """Edit a community; ``members`` replaces the member list when given.

        A new ``region_code`` must lie in the actor's scope as well as the old one.
        """
        community = self.fetch(Community, community_id, "community")
        self._require_community(community.kind, community.region_code, community.municipality_code, community_id)
        if region_code is not UNSET and region_code != community.region_code:
            self._require_community(community.kind, region_code, community.municipality_code, community_id)
        fields = {"name": name, "population": population, "region_code": region_code}
        changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not UNSET}
        if attributes is not UNSET:
            changes["attributes"] = dict(attributes)
        if members is not None:
            changes["updated_at"] = utcnow()  # a member change alone still moves the version
        before, after = self.save(community, f"community {community_id}", expected_version, changes, _COMMUNITY_FIELDS)
        if members is not None:
            self._set_members(community_id, members)
            after["members"] = [m.name for m in members]
        self.audit("community.edit", "community", community_id, before=before, after=after)
        return community


__all__ = ["COMMUNITY_KINDS", "CommunityWrites", "Member"]
