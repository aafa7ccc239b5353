"""Small reads the pages share, so no page writes SQL of its own.

Each function reads in one short transaction and returns plain values or the
store's rows; permissions are the caller's business (these are reads every
logged-in user may make).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisplan.store import permissions as perm
from gisplan.store.models import SiteScore, User, UserScope
from gisplan.store.store import Store


def scored_profiles(store: Store) -> list[str]:
    """Names of the scoring profiles the store holds scores for, sorted."""
    stmt = select(SiteScore.profile).distinct().order_by(SiteScore.profile)
    return [str(name) for name in store.read(lambda s: s.scalars(stmt).all())]


def active_user(store: Store, user_id: int) -> tuple[User, perm.Scope] | None:
    """User ``user_id`` with their scope, read now; None when the user is missing or disabled."""

    def work(session: Session) -> tuple[User, perm.Scope] | None:
        user = session.get(User, user_id)
        if user is None or user.disabled:
            return None
        items = session.execute(select(UserScope.kind, UserScope.code).where(UserScope.user_id == user_id)).all()
        return user, perm.Scope.parse([f"{kind}:{code}" for kind, code in items])

    found: tuple[User, perm.Scope] | None = store.read(work)
    return found


__all__ = ["active_user", "scored_profiles"]
