"""The write transaction: who acts, what they may do, the audit row and the version check.

A :class:`TxBase` lives for one database transaction. The first write re-reads
the acting user from the database (role, scope, disabled flag, MAS territory),
so a role taken away a second ago is already in force. Every allowed write adds
its audit row in the same transaction. A refused write raises
:class:`~gisplan.errors.PermissionDeniedError` and leaves its audit row in
:attr:`TxBase.denial`; the caller writes it in a separate transaction once the
main one has rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol, TypeVar

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from gisplan.errors import ConflictError, NotFoundError, PermissionDeniedError
from gisplan.store import permissions as perm
from gisplan.store import revisions
from gisplan.store.models import AuditEntry, Community, CommunityMember, User, UserScope, utcnow

M = TypeVar("M")


class SystemActor:
    """The operator at the command line, who has the database in hand anyway.

    Acts with admin rights; its audit rows have no ``actor_id`` and the name ``system``.
    The app never uses it: every app write names a user id.
    """

    username = "system"

    def __repr__(self) -> str:
        return "SYSTEM"


#: The command-line operator (see :class:`SystemActor`).
SYSTEM = SystemActor()

#: Who a write is done for: a user id, or :data:`SYSTEM`.
ActorRef = int | SystemActor


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Leave this field as it is" for optional keyword arguments of edits.
UNSET: Any = _Unset()


class Versioned(Protocol):
    """A model with a ``version`` column."""

    version: int


def jsonable(value: object) -> object:
    """A JSON-safe form of a column value for audit rows and conflict reports."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, BaseGeometry):
        return shapely.to_wkt(value, rounding_precision=3)
    if isinstance(value, frozenset | set | tuple):
        return sorted(jsonable(v) for v in value)  # type: ignore[type-var]
    return value


def snapshot(row: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The values of ``fields`` on ``row``, JSON-safe."""
    return {name: jsonable(getattr(row, name)) for name in fields}


@dataclass
class Denial:
    """A refused write, to be audited after the rollback."""

    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    reason: str


class TxBase:
    """One write transaction on behalf of one actor.

    Parameters
    ----------
    session
        The open session of the transaction.
    actor
        A user id, or :data:`SYSTEM`.
    srid
        EPSG code of the store's geometry columns (the working CRS).
    """

    def __init__(self, session: Session, actor: ActorRef, srid: int) -> None:
        self.session = session
        self.actor_ref = actor
        self.srid = srid
        self.denial: Denial | None = None
        self._actor: perm.Actor | None = None

    # --- who acts -------------------------------------------------------------------------------
    @property
    def actor_id(self) -> int | None:
        """The user id of the actor; None for :data:`SYSTEM`."""
        return None if isinstance(self.actor_ref, SystemActor) else self.actor_ref

    def load_actor(self) -> perm.Actor | None:
        """Re-read the acting user from the database (once per transaction); None if unknown."""
        if self._actor is not None:
            return self._actor
        if isinstance(self.actor_ref, SystemActor):
            self._actor = perm.Actor(id=0, username=SYSTEM.username, role=perm.Role.ADMIN, scope=perm.Scope())
            return self._actor
        user = self.session.get(User, self.actor_ref, populate_existing=True)
        if user is None:
            return None
        items = self.session.execute(select(UserScope.kind, UserScope.code).where(UserScope.user_id == user.id)).all()
        scope = perm.Scope.parse([f"{kind}:{code}" for kind, code in items])
        territory: frozenset[str] = frozenset()
        if scope.mas:
            members = self.session.scalars(
                select(CommunityMember.municipality_code)
                .join(Community, Community.id == CommunityMember.community_id)
                .where(Community.kind == "mas", Community.code.in_(sorted(scope.mas)))
                .where(CommunityMember.municipality_code.is_not(None))
            ).all()
            territory = frozenset(m for m in members if m)
        self._actor = perm.Actor(
            id=user.id,
            username=user.username,
            role=perm.Role(user.role),
            scope=scope,
            disabled=user.disabled,
            territory=territory,
        )
        return self._actor

    def require(
        self,
        action: perm.Action,
        target_type: str,
        target_id: object,
        *,
        region: str | None = None,
        municipality: str | None = None,
    ) -> perm.Actor:
        """Return the actor if they may take ``action`` here; otherwise refuse (see :meth:`deny`)."""
        actor = self.load_actor()
        if actor is None:
            self.deny(action.value, target_type, target_id, f"there is no user with id {self.actor_ref}")
        reason = perm.check(actor, action, region=region, municipality=municipality)
        if reason is not None:
            self.deny(action.value, target_type, target_id, reason)
        return actor

    def deny(self, action: str, target_type: str, target_id: object, reason: str) -> NoReturn:
        """Refuse the write: remember the audit row and raise PermissionDeniedError."""
        name = self._actor.username if self._actor else f"#{self.actor_ref}"
        self.denial = Denial(self.actor_id, name, action, target_type, str(target_id), reason)
        msg = f"permission denied: {name} may not {action} on {target_type} {target_id}: {reason}"
        raise PermissionDeniedError(msg)

    # --- audit and versions ---------------------------------------------------------------------
    def audit(
        self,
        action: str,
        target_type: str,
        target_id: object,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        detail: str = "",
    ) -> None:
        """Add the audit row of an allowed write to this transaction."""
        actor = self.load_actor()
        self.session.add(
            AuditEntry(
                at=utcnow(),
                actor_id=self.actor_id,
                actor_name=actor.username if actor else "",
                action=action,
                target_type=target_type,
                target_id=str(target_id),
                outcome="ok",
                before=before,
                after=after,
                detail=detail,
            )
        )
        if revisions.changes_sites(action):  # the Map page's cached site index follows this
            revisions.bump(self.session)

    def fetch(self, model: type[M], key: object, what: str) -> M:
        """The current row of ``model`` with primary key ``key``, re-read in this transaction."""
        row = self.session.get(model, key, populate_existing=True)
        if row is None:
            msg = f"there is no {what} with id {key!r} in the store; check the id (it may have been deleted)"
            raise NotFoundError(msg)
        return row

    def save(
        self,
        row: Any,
        what: str,
        expected_version: int,
        changes: dict[str, Any],
        fields: tuple[str, ...],
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Apply ``changes`` to ``row`` if it is still at ``expected_version``; return (before, after).

        Raises
        ------
        ConflictError
            If somebody saved the row since ``expected_version``; ``mine`` holds the
            attempted values, ``theirs`` the stored ones. Nothing is written.
        """
        shown = tuple(dict.fromkeys((*fields, "version")))
        key = row.id  # read now: after a failed flush the row cannot be loaded any more
        before = snapshot(row, shown)
        if row.version != expected_version:
            self.conflict(what, expected_version, changes, before)
        for name, value in changes.items():
            setattr(row, name, value)
        if hasattr(row, "updated_at"):
            row.updated_at = utcnow()
        try:
            self.session.flush()
        except StaleDataError:
            # Somebody committed between our read and our UPDATE; this session is now
            # unusable, so read what they stored through a fresh one.
            with Session(bind=self.session.get_bind()) as fresh:
                current = fresh.get(type(row), key)
                theirs = snapshot(current, shown) if current is not None else {}
            self.conflict(what, expected_version, changes, theirs)
        return before, snapshot(row, shown)

    def expect_version(
        self, row: Any, what: str, expected_version: int, changes: dict[str, Any], fields: tuple[str, ...]
    ) -> None:
        """Raise the ConflictError of a stale save now, before any rule that depends on the row's state.

        A move (a status change, a moderation) was decided on the state the caller saw;
        when the row moved on since, the caller must reload and decide again, so the
        conflict is reported rather than a refusal based on the newer state.
        :meth:`save` checks the version again when it writes.
        """
        if row.version != expected_version:
            self.conflict(what, expected_version, changes, snapshot(row, tuple(dict.fromkeys((*fields, "version")))))

    @staticmethod
    def conflict(what: str, expected_version: int, changes: dict[str, Any], theirs: dict[str, Any]) -> NoReturn:
        """Raise the ConflictError of a stale save."""
        mine = {name: jsonable(value) for name, value in changes.items()} | {"version": expected_version}
        msg = (
            f"{what} was changed by someone else (your version {expected_version}, stored version "
            f"{theirs.get('version')}); nothing was saved. Reload it, compare, and save again."
        )
        raise ConflictError(msg, mine=mine, theirs=theirs)

    def authorize_export(self, what: str) -> None:
        """Check that the actor may export, and audit the export of ``what``."""
        self.require(perm.Action.EXPORT, "export", what)
        self.audit("export", "export", what)

    def with_srid(self, geom: BaseGeometry | None) -> BaseGeometry | None:
        """``geom`` tagged with the store's SRID (PostGIS checks it)."""
        if geom is None:
            return None
        tagged: BaseGeometry = shapely.set_srid(geom, self.srid)
        return tagged
