"""Writes on users: add, role and scope, disable, password; never the last admin away.

Passwords are hashed with Argon2id (``argon2-cffi`` defaults, RFC 9106 low-memory
profile) and never stored or audited in clear.
"""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import delete, select

from gisplan.errors import ConflictError, InputError, LastAdminError
from gisplan.store import permissions as perm
from gisplan.store.models import User, UserScope, utcnow
from gisplan.store.tx import TxBase, snapshot

MIN_PASSWORD_LENGTH = 10
_USER_FIELDS = ("username", "display_name", "role", "disabled", "oidc_sub")


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


class UserWrites(TxBase):
    """User writes (admins only, audited); mixed into :class:`~gisplan.store.transaction.Tx`."""

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


def _role(role: str) -> perm.Role:
    try:
        return perm.Role(role)
    except ValueError:
        msg = f"role {role!r} is unknown; use one of {[r.value for r in perm.Role]}"
        raise InputError(msg) from None


__all__ = ["MIN_PASSWORD_LENGTH", "UserWrites", "hash_password"]
