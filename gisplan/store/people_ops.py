"""Writes on users, communities, funding calls and municipality submissions.

Passwords are hashed with Argon2id (``argon2-cffi`` defaults, RFC 9106 low-memory
profile) and never stored or audited in clear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from argon2 import PasswordHasher
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, select

from gisplan.errors import ConflictError, InputError, LastAdminError
from gisplan.store import permissions as perm
from gisplan.store.models import (
    Community,
    CommunityMember,
    FundingCall,
    Submission,
    User,
    UserScope,
    utcnow,
)
from gisplan.store.site_ops import SiteOps
from gisplan.store.tx import UNSET, snapshot

COMMUNITY_KINDS = ("municipality", "mas", "energy_community")
SITE_KINDS = ("brownfield", "rooftop", "municipal_land")
MIN_PASSWORD_LENGTH = 10

_USER_FIELDS = ("username", "display_name", "role", "disabled", "oidc_sub")
_COMMUNITY_FIELDS = ("kind", "name", "code", "population", "region_code", "municipality_code", "attributes")
_CALL_FIELDS = ("code", "programme", "name", "provider", "intake_start", "intake_end", "rules")
_SUBMISSION_FIELDS = ("municipality_code", "name", "kind", "geom", "attributes", "state", "feedback", "site_id")


def hash_password(password: str) -> str:
    """Argon2id hash of ``password``.

    Raises
    ------
    InputError
        If the password is shorter than :data:`MIN_PASSWORD_LENGTH` characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters"
        raise InputError(msg)
    return PasswordHasher().hash(password)


class SubmissionChecks(Protocol):
    """What a submission must pass before it is stored; each check raises an :class:`~gisplan.errors.InputError`."""

    def text(self, name: str, attributes: Mapping[str, Any] | None) -> None:
        """Check the name and the attributes (an empty name means: not changed)."""

    def geometry(self, geom: BaseGeometry | None, srid: int, municipality_code: str) -> None:
        """Check the shape, in EPSG:``srid``, against the municipality's place."""


@dataclass(frozen=True)
class Member:
    """A member of a MAS or an energy community."""

    name: str
    municipality_code: str | None = None
    member_community_id: int | None = None
    role: str | None = None


class PeopleOps(SiteOps):
    """Writes on users, communities, funding calls and submissions; mixed into the transaction class."""

    # --- users ------------------------------------------------------------------------------------
    def _user_by_name(self, username: str) -> User:
        user = self.session.scalar(select(User).where(User.username == username))
        if user is None:
            msg = f"there is no user {username!r}; list users with `gisplan users list`"
            raise InputError(msg)
        return user

    def _set_scope(self, user_id: int, scope: perm.Scope) -> None:
        self.session.execute(delete(UserScope).where(UserScope.user_id == user_id))
        for kind, code in scope.items():
            self.session.add(UserScope(user_id=user_id, kind=kind.value, code=code))

    def _scope_of(self, user_id: int) -> str:
        items = self.session.execute(select(UserScope.kind, UserScope.code).where(UserScope.user_id == user_id)).all()
        return ",".join(sorted(f"{k}:{c}" for k, c in items)) or "-"

    def add_user(
        self,
        username: str,
        role: str,
        *,
        scope: perm.Scope | None = None,
        password: str | None = None,
        display_name: str = "",
        oidc_sub: str | None = None,
    ) -> User:
        """Create a user with a role and scope; only admins may."""
        role_ = _role(role)
        username = username.strip()
        if not username:
            msg = "a user needs a username"
            raise InputError(msg)
        scope = scope or perm.Scope()
        if role_ in {perm.Role.ANIMATOR, perm.Role.MUNICIPALITY} and not scope.items():
            msg = f"a {role_.value} user needs a scope, e.g. --scope region:CZ042 or --scope municipality:564729"
            raise InputError(msg)
        self.require(perm.Action.USER_ADMIN, "user", username)
        if self.session.scalar(select(User.id).where(User.username == username)) is not None:
            msg = f"user {username!r} exists already; use set-role to change it"
            raise ConflictError(msg, mine={"username": username, "role": role_.value}, theirs={"username": username})
        user = User(
            username=username,
            display_name=display_name,
            role=role_.value,
            password_hash=hash_password(password) if password is not None else None,
            oidc_sub=oidc_sub,
            disabled=False,
            created_at=utcnow(),
        )
        self.session.add(user)
        self.session.flush()
        self._set_scope(user.id, scope)
        after = snapshot(user, _USER_FIELDS) | {"scope": str(scope), "password": password is not None}
        self.audit("user.add", "user", user.id, after=after)
        return user

    def set_role(self, username: str, role: str, *, scope: perm.Scope | None = None) -> User:
        """Change a user's role (and scope, if given); a change of either ends the user's open sessions.

        Raises
        ------
        LastAdminError
            If this would demote the last active admin.
        """
        role_ = _role(role)
        self.require(perm.Action.USER_ADMIN, "user", username)
        user = self._user_by_name(username)
        old_scope = self._scope_of(user.id)
        before = snapshot(user, _USER_FIELDS) | {"scope": old_scope}
        if role_ != perm.Role.ADMIN:
            self._keep_an_admin(user, f"demoting {username!r} to {role_.value}")
        changes: dict[str, Any] = {"role": role_.value}
        if role_.value != user.role or (scope is not None and str(scope) != old_scope):
            changes["session_epoch"] = user.session_epoch + 1
        self.save(user, f"user {username}", user.version, changes, _USER_FIELDS)
        if scope is not None:
            self._set_scope(user.id, scope)
        after = snapshot(user, _USER_FIELDS) | {"scope": self._scope_of(user.id)}
        self.audit("user.set_role", "user", user.id, before=before, after=after)
        return user

    def set_disabled(self, username: str, disabled: bool = True) -> User:
        """Disable (or enable again) a user; a disabled user may do nothing, and their open sessions end.

        Raises
        ------
        LastAdminError
            If this would disable the last active admin.
        """
        self.require(perm.Action.USER_ADMIN, "user", username)
        user = self._user_by_name(username)
        changes: dict[str, Any] = {"disabled": disabled}
        if disabled:
            self._keep_an_admin(user, f"disabling {username!r}")
            if not user.disabled:
                changes["session_epoch"] = user.session_epoch + 1
        before, after = self.save(user, f"user {username}", user.version, changes, _USER_FIELDS)
        self.audit("user.disable" if disabled else "user.enable", "user", user.id, before=before, after=after)
        return user

    def set_password(self, username: str, password: str) -> User:
        """Set a user's password (stored as an Argon2id hash only); the user's open sessions end."""
        self.require(perm.Action.USER_ADMIN, "user", username)
        user = self._user_by_name(username)
        changes = {"password_hash": hash_password(password), "session_epoch": user.session_epoch + 1}
        self.save(user, f"user {username}", user.version, changes, ())
        self.audit("user.set_password", "user", user.id, detail="password changed")
        return user

    def _keep_an_admin(self, user: User, change: str) -> None:
        """Refuse ``change`` of ``user`` if they are the last active admin.

        The active admins' rows are locked (``FOR UPDATE`` on PostgreSQL; SQLite
        writers take turns anyway), so two admins demoting each other at once
        cannot both succeed.
        """
        if user.role != perm.Role.ADMIN.value or user.disabled:
            return
        admins = self.session.scalars(
            select(User.id)
            .where(User.role == perm.Role.ADMIN.value, User.disabled.is_(False))
            .order_by(User.id)
            .with_for_update()
        ).all()
        if [uid for uid in admins if uid != user.id]:
            return
        msg = (
            f"{change} would leave no active admin; make another user admin first "
            "(`gisplan users set-role <name> admin`)"
        )
        raise LastAdminError(msg)

    # --- communities ------------------------------------------------------------------------------
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

    # --- funding calls ----------------------------------------------------------------------------
    def add_funding_call(
        self,
        code: str,
        *,
        programme: str = "",
        name: str = "",
        provider: str = "",
        intake_start: dt.date | None = None,
        intake_end: dt.date | None = None,
        rules: Mapping[str, Any] | None = None,
    ) -> FundingCall:
        """Create a funding call; ``rules`` is what the funding matcher reads."""
        self.require(perm.Action.FUNDING_CALL_WRITE, "funding_call", code)
        if self.session.scalar(select(FundingCall.id).where(FundingCall.code == code)) is not None:
            msg = f"funding call {code!r} exists already; edit it instead"
            raise ConflictError(msg, mine={"code": code}, theirs={"code": code})
        call = FundingCall(
            code=code,
            programme=programme,
            name=name,
            provider=provider,
            intake_start=intake_start,
            intake_end=intake_end,
            rules=dict(rules or {}),
            created_at=utcnow(),
        )
        self.session.add(call)
        self.session.flush()
        self.audit("funding_call.add", "funding_call", call.id, after=snapshot(call, _CALL_FIELDS))
        return call

    def update_funding_call(self, call_id: int, *, expected_version: int, **changes: Any) -> FundingCall:
        """Edit fields of a funding call (any of programme, name, provider, intake_start, intake_end, rules)."""
        unknown = set(changes) - set(_CALL_FIELDS)
        if unknown:
            msg = f"funding calls have no fields {sorted(unknown)}; editable fields are {list(_CALL_FIELDS)}"
            raise InputError(msg)
        self.require(perm.Action.FUNDING_CALL_WRITE, "funding_call", call_id)
        call = self.fetch(FundingCall, call_id, "funding call")
        before, after = self.save(call, f"funding call {call_id}", expected_version, changes, _CALL_FIELDS)
        self.audit("funding_call.edit", "funding_call", call_id, before=before, after=after)
        return call

    # --- submissions ------------------------------------------------------------------------------
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

    # --- export -----------------------------------------------------------------------------------
    def authorize_export(self, what: str) -> None:
        """Check that the actor may export, and audit the export of ``what``."""
        self.require(perm.Action.EXPORT, "export", what)
        self.audit("export", "export", what)


def _role(role: str) -> perm.Role:
    try:
        return perm.Role(role)
    except ValueError:
        msg = f"role {role!r} is unknown; use one of {[r.value for r in perm.Role]}"
        raise InputError(msg) from None
