"""What proposals and votes share: who may organise, the audit row of a public write, hashing, rate limits.

Residents and voters have no account, so their writes are audited with no
``actor_id`` and the name ``public``; what identifies them (address, session,
code) is never written in the clear: only SHA-256 hashes are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisplan.errors import InputError, RefusedError
from gisplan.store import permissions as perm
from gisplan.store.models import AuditEntry, Community, RateEvent, utcnow

if TYPE_CHECKING:
    from gisplan.store.transaction import Tx

#: The audit name of residents and voters, who act without an account.
PUBLIC = "public"
#: Roles that may moderate proposals and run votes (inside their scope; admins everywhere).
ORGANISER_ROLES = frozenset({perm.Role.ADMIN, perm.Role.ANIMATOR, perm.Role.MUNICIPALITY})


def digest(*parts: object) -> str:
    """SHA-256 (hex) of the parts joined by ``:``."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def public_audit(
    session: Session,
    action: str,
    target_type: str,
    target_id: object,
    *,
    outcome: str = "ok",
    after: dict[str, Any] | None = None,
    detail: str = "",
) -> None:
    """Add the audit row of a write (or refused attempt) by a resident or voter."""
    session.add(
        AuditEntry(
            at=utcnow(),
            actor_id=None,
            actor_name=PUBLIC,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            outcome=outcome,
            after=after,
            detail=detail,
        )
    )


def require_organiser(tx: Tx, action: str, target_type: str, target_id: object, municipality: str | None) -> None:
    """Refuse (audited) unless the actor may organise participation for ``municipality``.

    Admins everywhere; an animator inside their scope (by the municipality's region
    from the communities table, or the municipality itself; a process without a
    municipality needs an admin or an animator); a municipality user for its own codes.
    """
    actor = tx.load_actor()
    if actor is None:
        tx.deny(action, target_type, target_id, f"there is no user with id {tx.actor_ref}")
    reason: str | None = None
    if actor.disabled:
        reason = f"user {actor.username!r} is disabled"
    elif actor.role not in ORGANISER_ROLES:
        reason = f"role {actor.role.value!r} may not moderate proposals or run votes"
    elif actor.role == perm.Role.MUNICIPALITY:
        if municipality is None or municipality not in actor.scope.municipalities:
            reason = f"municipality user {actor.username!r} may act only for {sorted(actor.scope.municipalities)}"
    elif actor.role == perm.Role.ANIMATOR and municipality is not None:
        region = tx.session.scalar(
            select(Community.region_code).where(Community.kind == "municipality", Community.code == municipality)
        )
        if not actor.covers(region, municipality):
            reason = f"municipality {municipality} is outside the scope of {actor.username!r} ({actor.scope})"
    if reason is not None:
        tx.deny(action, target_type, target_id, reason)


def positive_amount(value: object, what: str) -> float:
    """``value`` as a finite number above 0, or InputError naming ``what``."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        msg = f"{what} must be a number above 0, not {value!r}"
        raise InputError(msg)
    return number


@dataclass(frozen=True)
class RateLimits:
    """How many proposals one session and one network address may send in a window.

    The defaults let a household send a few ideas an evening and stop a script:
    3 per browser session per hour, 10 per address per day (a school or office
    behind one address still has room).
    """

    per_session: int = 3
    session_window_s: float = 3600.0
    per_address: int = 10
    address_window_s: float = 86_400.0


def check_rate(
    session: Session, kind: str, keys: list[tuple[str, int, float]], *, now: dt.datetime, record: bool
) -> None:
    """Refuse when a key has reached its limit; with ``record``, count this attempt for every key.

    ``keys`` holds ``(hashed key, limit, window [s])``. Events are rows of ``rate_events``,
    so limits hold across restarts and app processes.

    Raises
    ------
    RefusedError
        ``rate_limited``, with ``retry_after_s`` until the oldest counted event leaves the window.
    """
    for key, limit, window_s in keys:
        since = now - dt.timedelta(seconds=window_s)
        where = (RateEvent.kind == kind, RateEvent.key_hash == key, RateEvent.at > since)
        count = int(session.scalar(select(func.count()).select_from(RateEvent).where(*where)) or 0)
        if count >= limit:
            oldest = session.scalar(select(func.min(RateEvent.at)).where(*where)) or now
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=dt.UTC)
            wait = max(1.0, (oldest + dt.timedelta(seconds=window_s) - now).total_seconds())
            msg = f"too many proposals from here in a short time ({count}); try again in {math.ceil(wait / 60)} min"
            raise RefusedError(msg, reason="rate_limited", retry_after_s=wait)
    if record:
        session.add_all(RateEvent(kind=kind, key_hash=key, at=now) for key, _, _ in keys)


__all__ = ["PUBLIC", "RateLimits", "check_rate", "digest", "positive_amount", "public_audit", "require_organiser"]
