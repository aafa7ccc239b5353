"""What a site card reads from the store: the site with its scores, notes, moves, links and history.

:func:`load_card` reads them in one transaction; :func:`permissions` says which
card actions a user may take on a site now (the same rules the store applies
when it writes); :func:`author_names` names users by id. The app's
:mod:`gisplan.app.sitecard` turns these into tables in the interface language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gisplan.store import permissions as perm
from gisplan.store.models import (
    Annotation,
    AuditEntry,
    Community,
    FundingCall,
    Site,
    SiteCommunityLink,
    SiteFundingLink,
    SiteScore,
    StatusChange,
    User,
)
from gisplan.store.store import Store
from gisplan.store.transaction import Tx

#: Actions the card offers, each shown only when :func:`permissions` allows it.
CARD_ACTIONS = (perm.Action.SITE_ANNOTATE, perm.Action.SITE_STATUS, perm.Action.SITE_LINK)
_UNLINK_ACTIONS = ("site.unlink_community", "site.unlink_funding_call")


@dataclass(frozen=True)
class SiteCard:
    """A site and everything people did with it, as stored now."""

    site: Site
    scores: list[SiteScore]
    municipality_name: str | None
    annotations: list[tuple[Annotation, str]]
    status_changes: list[tuple[StatusChange, str]]
    community_links: list[tuple[SiteCommunityLink, Community]]
    funding_links: list[tuple[SiteFundingLink, FundingCall]]
    history: list[AuditEntry] = field(default_factory=list)


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username, User.display_name).where(User.id.in_(wanted))).all()
    return {uid: display or name for uid, name, display in rows}


def _history(session: Session, site_id: str, linked: dict[str, list[str]], limit: int) -> list[AuditEntry]:
    conditions = [(AuditEntry.target_type == "site") & (AuditEntry.target_id == site_id)]
    for target_type, ids in linked.items():
        if ids:
            conditions.append((AuditEntry.target_type == target_type) & (AuditEntry.target_id.in_(ids)))
    stmt = select(AuditEntry).where(or_(*conditions)).order_by(AuditEntry.id.desc()).limit(limit)
    entries = list(session.scalars(stmt))
    # links removed since: their ids are gone, but the unlink audit row names the site
    unlinks = session.scalars(
        select(AuditEntry).where(AuditEntry.action.in_(_UNLINK_ACTIONS)).order_by(AuditEntry.id.desc()).limit(limit)
    )
    entries += [e for e in unlinks if (e.before or {}).get("site_id") == site_id and e not in entries]
    return sorted(entries, key=lambda e: e.id, reverse=True)[:limit]


def load_card(store: Store, site_id: str, *, history_limit: int = 200) -> SiteCard:
    """Read a site's card in one transaction.

    Raises
    ------
    NotFoundError
        If there is no site ``site_id``.
    """
    store.get_site(site_id)  # NotFoundError with the store's message

    def work(session: Session) -> SiteCard:
        site = session.get(Site, site_id)
        assert site is not None  # checked above; sites are end-dated, never deleted
        scores = list(
            session.scalars(select(SiteScore).where(SiteScore.site_id == site_id).order_by(SiteScore.profile))
        )
        municipality = None
        if site.municipality_code:
            municipality = session.scalar(
                select(Community.name).where(Community.kind == "municipality", Community.code == site.municipality_code)
            )
        notes = list(session.scalars(select(Annotation).where(Annotation.site_id == site_id).order_by(Annotation.id)))
        moves = list(
            session.scalars(select(StatusChange).where(StatusChange.site_id == site_id).order_by(StatusChange.id))
        )
        communities = session.execute(
            select(SiteCommunityLink, Community)
            .join(Community, Community.id == SiteCommunityLink.community_id)
            .where(SiteCommunityLink.site_id == site_id)
            .order_by(SiteCommunityLink.id)
        ).all()
        calls = session.execute(
            select(SiteFundingLink, FundingCall)
            .join(FundingCall, FundingCall.id == SiteFundingLink.funding_call_id)
            .where(SiteFundingLink.site_id == site_id)
            .order_by(SiteFundingLink.id)
        ).all()
        linked = {
            "annotation": [str(n.id) for n in notes],
            "site_community_link": [str(link.id) for link, _ in communities],
            "site_funding_link": [str(link.id) for link, _ in calls],
        }
        history = _history(session, site_id, linked, history_limit)
        people: set[int | None] = {m.actor_id for m in moves}
        people |= {n.author_id for n in notes}
        names = _names(session, people)
        return SiteCard(
            site=site,
            scores=scores,
            municipality_name=municipality,
            annotations=[(n, names.get(n.author_id, f"#{n.author_id}")) for n in notes],
            status_changes=[(m, names.get(m.actor_id, "system") if m.actor_id else "system") for m in moves],
            community_links=[(link, community) for link, community in communities],
            funding_links=[(link, call) for link, call in calls],
            history=history,
        )

    card: SiteCard = store.read(work)
    return card


def permissions(store: Store, user_id: int, site_id: str) -> dict[perm.Action, bool]:
    """Which card actions ``user_id`` may take on ``site_id`` now (role, scope, disabled flag).

    The same check the store makes before a write (:func:`gisplan.store.permissions.check`),
    used to decide which forms to show; the store still checks every write.
    """

    def work(session: Session) -> dict[perm.Action, bool]:
        tx = Tx(session, user_id, store.srid)
        actor = tx.load_actor()
        site = session.get(Site, site_id)
        if actor is None or site is None:
            return dict.fromkeys(CARD_ACTIONS, False)
        region, municipality = tx.site_place(site)
        return {a: perm.check(actor, a, region=region, municipality=municipality) is None for a in CARD_ACTIONS}

    allowed: dict[perm.Action, bool] = store.read(work)
    return allowed


def author_names(store: Store, ids: set[int | None]) -> dict[int, str]:
    """Display names of users by id."""
    names: dict[int, str] = store.read(lambda s: _names(s, ids))
    return names


__all__ = ["CARD_ACTIONS", "SiteCard", "author_names", "load_card", "permissions"]
