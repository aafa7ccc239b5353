"""Small reads the pages share, so no page writes SQL of its own.

Each function reads in one short transaction and returns plain values or the
store's rows; permissions are the caller's business (these are reads every
logged-in user may make).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisplan.store import permissions as perm
from gisplan.store.models import Site, SiteScore, User, UserScope
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


#: Columns of :func:`site_index_rows`, in order.
SITE_INDEX_COLUMNS = (
    "site_id",
    "kind",
    "name",
    "municipality_code",
    "region_code",
    "status",
    "area_m2",
    "minx",
    "miny",
    "maxx",
    "maxy",
    "score",
    "excluded",
    "capacity_kwp",
    "completeness",
)


def site_index_rows(store: Store, profile: str) -> list[tuple[Any, ...]]:
    """Every current (not end-dated) site scored with ``profile``: one tuple of :data:`SITE_INDEX_COLUMNS` each.

    Bounding boxes in [m] of the store's CRS, ``score`` [0–100], ``capacity_kwp`` [kWp].
    """
    stmt = (
        select(
            Site.id,
            Site.kind,
            Site.name,
            Site.municipality_code,
            Site.region_code,
            Site.status,
            Site.area_m2,
            Site.minx,
            Site.miny,
            Site.maxx,
            Site.maxy,
            SiteScore.score,
            SiteScore.excluded,
            SiteScore.capacity_kwp,
            SiteScore.completeness,
        )
        .join(SiteScore, SiteScore.site_id == Site.id)
        .where(SiteScore.profile == profile, Site.end_date.is_(None))
    )
    return store.read(lambda s: [tuple(row) for row in s.execute(stmt)])


def site_geometries(store: Store, site_ids: list[str]) -> dict[str, Any]:
    """Site id -> shapely geometry [store's CRS] for the ids that exist (one query: pass a few hundred at a time)."""
    stmt = select(Site.id, Site.geom).where(Site.id.in_(site_ids))
    return store.read(lambda s: {str(sid): geom for sid, geom in s.execute(stmt).tuples()})


def site_addresses(store: Store) -> list[tuple[str, str]]:
    """``(site id, address)`` of every current site with an ``address`` attribute (RÚIAN buildings).

    Reads only that one attribute in the database (a JSON path), not the whole attributes.
    """
    address = Site.attributes["address"].as_string()
    stmt = select(Site.id, address).where(Site.end_date.is_(None), address.is_not(None))
    return store.read(lambda s: [(str(i), str(a)) for i, a in s.execute(stmt) if a])


__all__ = [
    "SITE_INDEX_COLUMNS",
    "active_user",
    "scored_profiles",
    "site_addresses",
    "site_geometries",
    "site_index_rows",
]
