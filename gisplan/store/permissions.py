"""Roles, site statuses, the workflow table and the permission rules.

This module is pure: no database access. The store re-reads the acting user from
the database on every write, builds an :class:`Actor` and asks the functions here
whether the write is allowed. Everything a region may want to change about *who
may do what* is in the two tables :data:`ACTION_ROLES` and :data:`TRANSITIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise


class Role(StrEnum):
    """What a user is: the role decides which actions they may take."""

    ADMIN = "admin"
    ANIMATOR = "animator"
    MUNICIPALITY = "municipality"
    PLANNER = "planner"


class Status(StrEnum):
    """Workflow status of a site."""

    NEW = "new"
    SCREENING = "screening"
    SHORTLISTED = "shortlisted"
    PROJECT_IN_PREPARATION = "project_in_preparation"
    FUNDED = "funded"
    REALISED = "realised"
    REJECTED = "rejected"


class Action(StrEnum):
    """Everything the store may be asked to do on behalf of a user."""

    READ = "read"
    EXPORT = "export"
    SITE_EDIT = "site.edit"
    SITE_ANNOTATE = "site.annotate"
    SITE_STATUS = "site.status"
    SITE_LINK = "site.link"
    SUBMISSION_CREATE = "submission.create"
    SUBMISSION_EDIT = "submission.edit"
    SUBMISSION_MODERATE = "submission.moderate"
    COMMUNITY_WRITE = "community.write"
    FUNDING_CALL_WRITE = "funding_call.write"
    USER_ADMIN = "user.admin"
    INGEST = "ingest"


class ScopeKind(StrEnum):
    """What a scope code names."""

    REGION = "region"
    MAS = "mas"
    MUNICIPALITY = "municipality"


ALL_ROLES = frozenset(Role)
_WRITERS = frozenset({Role.ADMIN, Role.ANIMATOR})

#: Which role may take which action at all. Scope is checked on top of this
#: (see :func:`scope_rule`): an animator may edit a site only inside their scope.
ACTION_ROLES: dict[Action, frozenset[Role]] = {
    Action.READ: ALL_ROLES,
    Action.EXPORT: frozenset({Role.ADMIN, Role.ANIMATOR, Role.PLANNER}),
    Action.SITE_EDIT: _WRITERS,
    Action.SITE_ANNOTATE: _WRITERS,
    Action.SITE_STATUS: _WRITERS,
    Action.SITE_LINK: _WRITERS,
    Action.SUBMISSION_CREATE: frozenset({Role.ADMIN, Role.MUNICIPALITY}),
    Action.SUBMISSION_EDIT: frozenset({Role.ADMIN, Role.MUNICIPALITY}),
    Action.SUBMISSION_MODERATE: _WRITERS,
    Action.COMMUNITY_WRITE: _WRITERS,
    Action.FUNDING_CALL_WRITE: frozenset({Role.ADMIN}),
    Action.USER_ADMIN: frozenset({Role.ADMIN}),
    Action.INGEST: frozenset({Role.ADMIN}),
}

#: The forward path of a site through the workflow.
FORWARD = (
    Status.NEW,
    Status.SCREENING,
    Status.SHORTLISTED,
    Status.PROJECT_IN_PREPARATION,
    Status.FUNDED,
    Status.REALISED,
)


def _transition_table() -> dict[tuple[Status, Status], frozenset[Role]]:
    table: dict[tuple[Status, Status], frozenset[Role]] = {}
    for before, after in pairwise(FORWARD):
        table[(before, after)] = _WRITERS  # one step forward
        table[(after, before)] = frozenset({Role.ADMIN})  # one step back corrects a mistake
    for status in FORWARD:
        table[(status, Status.REJECTED)] = _WRITERS  # needs a reason
    table[(Status.REJECTED, Status.NEW)] = frozenset({Role.ADMIN})  # reopen
    return table


#: The one table of the workflow: ``(from, to) -> roles that may make the move``.
#: A move not in the table is not allowed for anybody.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = _transition_table()

#: Moves that must carry a reason.
REASON_REQUIRED = frozenset({Status.REJECTED})


@dataclass(frozen=True)
class Scope:
    """Where a user may act: region codes, MAS territories and municipality codes (kód obce)."""

    regions: frozenset[str] = field(default_factory=frozenset)
    mas: frozenset[str] = field(default_factory=frozenset)
    municipalities: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, items: list[str] | tuple[str, ...]) -> Scope:
        """Build a scope from ``kind:code`` strings, e.g. ``region:CZ042``, ``municipality:564729``.

        Raises
        ------
        ValueError
            If an item has no known kind; the message lists the valid kinds.
        """
        found: dict[ScopeKind, set[str]] = {kind: set() for kind in ScopeKind}
        bad: list[str] = []
        for item in items:
            kind, sep, code = item.partition(":")
            if not sep or not code.strip() or kind not in ScopeKind.__members__.values():
                bad.append(item)
                continue
            found[ScopeKind(kind)].add(code.strip())
        if bad:
            kinds = ", ".join(k.value for k in ScopeKind)
            msg = f"scope items {bad} are not 'kind:code' with kind one of {kinds}; e.g. 'region:CZ042'"
            raise ValueError(msg)
        return cls(
            regions=frozenset(found[ScopeKind.REGION]),
            mas=frozenset(found[ScopeKind.MAS]),
            municipalities=frozenset(found[ScopeKind.MUNICIPALITY]),
        )

    def items(self) -> list[tuple[ScopeKind, str]]:
        """All ``(kind, code)`` pairs, sorted."""
        pairs = [(ScopeKind.REGION, c) for c in self.regions]
        pairs += [(ScopeKind.MAS, c) for c in self.mas]
        pairs += [(ScopeKind.MUNICIPALITY, c) for c in self.municipalities]
        return sorted(pairs)

    def __str__(self) -> str:
        return ",".join(f"{kind.value}:{code}" for kind, code in self.items()) or "-"


@dataclass(frozen=True)
class Actor:
    """The acting user as just re-read from the database.

    ``territory`` holds the municipality codes of the MAS territories in the
    scope, resolved from the communities table at the time of the check.
    """

    id: int
    username: str
    role: Role
    scope: Scope
    disabled: bool = False
    territory: frozenset[str] = frozenset()

    def covers(self, region_code: str | None, municipality_code: str | None) -> bool:
        """True if a place in this region / municipality lies inside the actor's scope."""
        if region_code is not None and region_code in self.scope.regions:
            return True
        if municipality_code is None:
            return False
        return municipality_code in self.scope.municipalities or municipality_code in self.territory


def role_allows(role: Role, action: Action) -> bool:
    """True if ``role`` may take ``action`` somewhere (scope not considered)."""
    return role in ACTION_ROLES[action]


def transition_allowed(role: Role, before: Status, after: Status) -> bool:
    """True if ``role`` may move a site from ``before`` to ``after``."""
    return role in TRANSITIONS.get((before, after), frozenset())


def check(actor: Actor, action: Action, *, region: str | None = None, municipality: str | None = None) -> str | None:
    """Why ``actor`` may not take ``action`` on a target in ``region``/``municipality``, or None if allowed.

    Rules:
    - a disabled user may do nothing;
    - the role must be listed for the action in :data:`ACTION_ROLES`;
    - admins act everywhere, planners only read and export;
    - an animator writes only inside their scope (regions, MAS territories, municipalities);
    - a municipality user touches only submissions of its own municipality codes.
    """
    reason: str | None = None
    if actor.disabled:
        reason = f"user {actor.username!r} is disabled"
    elif not role_allows(actor.role, action):
        reason = f"role {actor.role.value!r} may not {action.value}"
    elif actor.role == Role.ADMIN or action in {Action.READ, Action.EXPORT}:
        reason = None
    elif actor.role == Role.MUNICIPALITY:
        if municipality is None or municipality not in actor.scope.municipalities:
            own = sorted(actor.scope.municipalities)
            reason = f"municipality user {actor.username!r} may act only for municipalities {own}"
    elif not actor.covers(region, municipality):
        where = f"region {region or '?'} / municipality {municipality or '?'}"
        reason = f"{where} is outside the scope of {actor.username!r} ({actor.scope})"
    return reason
