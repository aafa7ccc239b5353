"""The moderation loop of municipality submissions, with in-app notices to both sides.

States of a submission (``Submission.state``):

- ``submitted``: waiting in the moderation queue of the animators whose territory holds it;
- ``returned``: returned for changes with a comment; the municipality edits and resubmits it;
- ``accepted``: it became site ``submission:<id>`` (linked both ways), scored with every
  applicable profile;
- ``rejected``: refused with a reason;
- ``withdrawn``: taken back by the municipality before a decision.

Moderating (accept, reject, return) needs ``submission.moderate`` inside the
animator's scope; resubmitting and withdrawing need ``submission.edit`` for the
submission's municipality. Both are checked by the store (re-reading the user),
versioned (``expected_version``), audited, and a refusal is audited too. Every
move leaves a :class:`~gisplan.store.models.Notice` for the other side: the
animators covering the municipality (the admins when none does) on
submission and resubmission, the municipality's users on a decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from gisplan.errors import InputError
from gisplan.store import permissions as perm
from gisplan.store.models import (
    Community,
    CommunityMember,
    Notice,
    Site,
    SiteScore,
    Submission,
    User,
    UserScope,
    utcnow,
)
from gisplan.store.tx import UNSET
from gisplan.workflows.site_scoring import area_and_source, score_rows

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from gisplan.catalogue import Catalogue
    from gisplan.measures import LayerInput
    from gisplan.profiles import Profile
    from gisplan.store.store import Store
    from gisplan.store.transaction import Tx
    from gisplan.store.tx import ActorRef

#: Every state a submission can be in.
STATES = ("submitted", "returned", "accepted", "rejected", "withdrawn")
#: States the municipality may still withdraw from.
OPEN_STATES = ("submitted", "returned")
#: Notice kinds; the app words each in the user's language.
NOTICE_KINDS = (
    "submission.submitted",
    "submission.resubmitted",
    "submission.withdrawn",
    "submission.accepted",
    "submission.rejected",
    "submission.returned",
)
_FIELDS = ("municipality_code", "name", "kind", "geom", "attributes", "state", "feedback", "site_id")


@dataclass(frozen=True)
class Accepted:
    """What an acceptance did: the submission, its new site, the scores written and profiles not scored."""

    submission: Submission
    site: Site
    scores: list[SiteScore]
    #: ``(profile, why)`` of applicable profiles that could not be scored (e.g. a layer missing).
    unscored: list[tuple[str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- places and people
def _region_of(tx: Tx, municipality_code: str) -> str | None:
    region: str | None = tx.session.scalar(
        select(Community.region_code).where(Community.kind == "municipality", Community.code == municipality_code)
    )
    return region


def _open_for(tx: Tx, action: perm.Action, submission_id: int) -> tuple[Submission, perm.Actor]:
    """The submission, after checking ``actor`` may take ``action`` on its municipality (refusals audited)."""
    sub = tx.fetch(Submission, submission_id, "submission")
    actor = tx.require(
        action,
        "submission",
        submission_id,
        region=_region_of(tx, sub.municipality_code),
        municipality=sub.municipality_code,
    )
    return sub, actor


def _need_state(sub: Submission, allowed: Sequence[str], doing: str) -> None:
    if sub.state not in allowed:
        msg = (
            f"submission {sub.id} is {sub.state!r}; only {' or '.join(repr(s) for s in allowed)} submissions "
            f"can be {doing}. Reload the list to see its current state."
        )
        raise InputError(msg)


def moderators(tx: Tx, municipality_code: str) -> list[int]:
    """Ids of the enabled animators whose scope covers the municipality; the admins when none does."""
    region = _region_of(tx, municipality_code)
    mas_codes = set(
        tx.session.scalars(
            select(Community.code)
            .join(CommunityMember, CommunityMember.community_id == Community.id)
            .where(Community.kind == "mas", CommunityMember.municipality_code == municipality_code)
        )
    )
    rows = tx.session.execute(
        select(User.id, User.role, UserScope.kind, UserScope.code)
        .join(UserScope, UserScope.user_id == User.id, isouter=True)
        .where(User.disabled.is_(False), User.role.in_([perm.Role.ANIMATOR.value, perm.Role.ADMIN.value]))
    ).all()
    animators: set[int] = set()
    admins: set[int] = set()
    for uid, role, kind, code in rows:
        if role == perm.Role.ADMIN.value:
            admins.add(uid)
        elif (
            (kind == perm.ScopeKind.REGION.value and region is not None and code == region)
            or (kind == perm.ScopeKind.MUNICIPALITY.value and code == municipality_code)
            or (kind == perm.ScopeKind.MAS.value and code in mas_codes)
        ):
            animators.add(uid)
    return sorted(animators or admins)


def municipality_users(tx: Tx, municipality_code: str) -> list[int]:
    """Ids of the enabled municipality users acting for ``municipality_code``."""
    ids = tx.session.scalars(
        select(User.id)
        .join(UserScope, UserScope.user_id == User.id)
        .where(
            User.disabled.is_(False),
            User.role == perm.Role.MUNICIPALITY.value,
            UserScope.kind == perm.ScopeKind.MUNICIPALITY.value,
            UserScope.code == municipality_code,
        )
    )
    return sorted(set(ids))


def _notify(tx: Tx, users: Sequence[int], kind: str, sub: Submission, **extra: Any) -> None:
    actor = tx.load_actor()
    params = {
        "submission_id": sub.id,
        "name": sub.name,
        "municipality_code": sub.municipality_code,
        "by": actor.username if actor is not None else "",
        **extra,
    }
    now = utcnow()
    for user_id in users:
        if user_id != tx.actor_id:  # nobody needs a notice about their own action
            tx.session.add(Notice(user_id=user_id, kind=kind, submission_id=sub.id, params=params, created_at=now))


def notify_submitted(tx: Tx, submissions: Sequence[Submission], *, kind: str = "submission.submitted") -> None:
    """Leave a notice for the moderators of each submission (call in the submitting transaction)."""
    for sub in submissions:
        _notify(tx, moderators(tx, sub.municipality_code), kind, sub)


# --------------------------------------------------------------------------- decisions
def _decide(
    tx: Tx, submission_id: int, expected_version: int, state: str, feedback: str, **changes: Any
) -> tuple[Submission, dict[str, Any], dict[str, Any]]:
    sub, _ = _open_for(tx, perm.Action.SUBMISSION_MODERATE, submission_id)
    tx.expect_version(sub, f"submission {submission_id}", expected_version, {"state": state}, _FIELDS)
    _need_state(sub, ("submitted",), "moderated")
    values = {"state": state, "feedback": feedback, "moderated_by": tx.actor_id, **changes}
    before, after = tx.save(sub, f"submission {submission_id}", expected_version, values, _FIELDS)
    return sub, before, after


def _text(value: str, what: str, submission_id: int) -> str:
    text = (value or "").strip()
    if not text:
        msg = f"{what} of submission {submission_id} needs a text; write one for the municipality"
        raise InputError(msg)
    return text


def reject(store: Store, actor: ActorRef, submission_id: int, *, expected_version: int, reason: str) -> Submission:
    """Refuse a submission with a reason the municipality will read.

    Raises
    ------
    InputError
        Without a reason, or when the submission is not waiting for moderation.
    PermissionDeniedError
        When the actor may not moderate in the submission's municipality (audited).
    ConflictError
        When the submission changed since ``expected_version``.
    """
    text = _text(reason, "rejecting", submission_id)

    def work(tx: Tx) -> Submission:
        sub, before, after = _decide(tx, submission_id, expected_version, "rejected", text)
        tx.audit("submission.rejected", "submission", submission_id, before=before, after=after, detail=text)
        _notify(tx, municipality_users(tx, sub.municipality_code), "submission.rejected", sub, feedback=text)
        return sub

    return store.transaction(actor, work)


def return_for_changes(
    store: Store, actor: ActorRef, submission_id: int, *, expected_version: int, comment: str
) -> Submission:
    """Send a submission back to its municipality with a comment saying what to change.

    Raises
    ------
    InputError, PermissionDeniedError, ConflictError
        As for :func:`reject`.
    """
    text = _text(comment, "returning", submission_id)

    def work(tx: Tx) -> Submission:
        sub, before, after = _decide(tx, submission_id, expected_version, "returned", text)
        tx.audit("submission.returned", "submission", submission_id, before=before, after=after, detail=text)
        _notify(tx, municipality_users(tx, sub.municipality_code), "submission.returned", sub, feedback=text)
        return sub

    return store.transaction(actor, work)


def accept(
    store: Store,
    actor: ActorRef,
    submission_id: int,
    *,
    expected_version: int,
    feedback: str = "",
    profiles: Sequence[str | Path | Profile] | None = None,
    catalogue: Catalogue | Path | None = None,
    layers: Mapping[str, LayerInput] | None = None,
) -> Accepted:
    """Accept a submission: it becomes site ``submission:<id>``, scored with every applicable profile.

    The permission, state and version are checked (and a refusal audited) before the
    scoring runs; the site, its scores and the submission's new state are then written
    in one transaction, which checks them all again.

    Parameters
    ----------
    store, actor, submission_id, expected_version
        The store, the moderating user, the submission and the version it was read at.
    feedback
        An optional comment for the municipality.
    profiles, catalogue, layers
        What to score with (see :func:`score_rows`).

    Raises
    ------
    InputError, PermissionDeniedError, ConflictError
        As for :func:`reject`.
    """

    def check(tx: Tx) -> tuple[str, str, BaseGeometry | None, dict[str, Any]]:
        sub, _ = _open_for(tx, perm.Action.SUBMISSION_MODERATE, submission_id)
        tx.expect_version(sub, f"submission {submission_id}", expected_version, {"state": "accepted"}, _FIELDS)
        _need_state(sub, ("submitted",), "accepted")
        return sub.kind, sub.name, sub.geom, dict(sub.attributes or {})

    kind, name, geom, attributes = store.transaction(actor, check)
    site_id = f"submission:{submission_id}"
    area, area_source = area_and_source(geom, attributes)
    rows: list[dict[str, Any]] = []
    unscored: list[tuple[str, str]] = []
    if geom is not None:
        rows, unscored = score_rows(
            site_id,
            kind,
            name,
            geom,
            srid=store.srid,
            area_m2=area,
            profiles=profiles,
            catalogue=catalogue,
            layers=layers,
        )

    def work(tx: Tx) -> Accepted:
        sub, _ = _open_for(tx, perm.Action.SUBMISSION_MODERATE, submission_id)
        _need_state(sub, ("submitted",), "accepted")
        site = _new_site(tx, sub, site_id, area)
        site.area_source = area_source
        now = utcnow()
        scores = [SiteScore(site_id=site_id, scored_at=now, **row) for row in rows]
        tx.session.add_all(scores)
        before, after = tx.save(
            sub,
            f"submission {submission_id}",
            expected_version,
            {"state": "accepted", "feedback": feedback.strip(), "moderated_by": tx.actor_id, "site_id": site_id},
            _FIELDS,
        )
        tx.audit("submission.accepted", "submission", submission_id, before=before, after=after)
        scored = {row["profile"]: row["score"] for row in rows}
        tx.audit("site.score", "site", site_id, after={"scores": scored, "unscored": dict(unscored)})
        _notify(
            tx,
            municipality_users(tx, sub.municipality_code),
            "submission.accepted",
            sub,
            feedback=feedback.strip(),
            site_id=site_id,
        )
        return Accepted(submission=sub, site=site, scores=scores, unscored=unscored)

    return store.transaction(actor, work)


def _new_site(tx: Tx, sub: Submission, site_id: str, area_m2: float | None) -> Site:
    if tx.session.get(Site, site_id) is not None:
        msg = f"site {site_id} exists already; submission {sub.id} was accepted before. Reload the queue."
        raise InputError(msg)
    bounds = sub.geom.bounds if sub.geom is not None else (None, None, None, None)
    site = Site(
        id=site_id,
        kind=sub.kind,
        name=sub.name,
        source="submission",
        source_id=str(sub.id),
        area_m2=area_m2,
        municipality_code=sub.municipality_code,
        region_code=_region_of(tx, sub.municipality_code),
        attributes=dict(sub.attributes or {}) | {"submission_id": sub.id},
        geom=tx.with_srid(sub.geom),
        minx=bounds[0],
        miny=bounds[1],
        maxx=bounds[2],
        maxy=bounds[3],
        status=perm.Status.NEW.value,
        first_seen=utcnow(),
        last_seen=utcnow(),
    )
    tx.session.add(site)
    tx.session.flush()
    tx.audit("site.add", "site", site_id, after={"from_submission": sub.id, "kind": sub.kind, "name": sub.name})
    return site


# --------------------------------------------------------------------------- the municipality's side
def resubmit(
    store: Store,
    actor: ActorRef,
    submission_id: int,
    *,
    expected_version: int,
    name: str = UNSET,
    attributes: Mapping[str, Any] = UNSET,
    geom: BaseGeometry | None = UNSET,
) -> Submission:
    """The municipality changes a returned submission and sends it to moderation again.

    Raises
    ------
    InputError
        When the submission was not returned for changes.
    PermissionDeniedError
        When the actor may not act for the submission's municipality (audited).
    ConflictError
        When the submission changed since ``expected_version``.
    """

    def work(tx: Tx) -> Submission:
        sub, _ = _open_for(tx, perm.Action.SUBMISSION_EDIT, submission_id)
        tx.expect_version(sub, f"submission {submission_id}", expected_version, {"state": "submitted"}, _FIELDS)
        _need_state(sub, ("returned",), "resubmitted")
        from gisplan.intake import check_site_geometry, check_submission_text  # the upload's checks

        check_submission_text("" if name is UNSET else name, None if attributes is UNSET else attributes)
        changes: dict[str, Any] = {"state": "submitted"}
        if name is not UNSET:
            changes["name"] = name
        if attributes is not UNSET:
            changes["attributes"] = dict(attributes)
        if geom is not UNSET:
            check_site_geometry(geom, srid=tx.srid, municipality_code=sub.municipality_code)
            changes["geom"] = tx.with_srid(geom)
        before, after = tx.save(sub, f"submission {submission_id}", expected_version, changes, _FIELDS)
        tx.audit("submission.resubmitted", "submission", submission_id, before=before, after=after)
        notify_submitted(tx, [sub], kind="submission.resubmitted")
        return sub

    return store.transaction(actor, work)


def withdraw(store: Store, actor: ActorRef, submission_id: int, *, expected_version: int) -> Submission:
    """The municipality takes back a submission that is still waiting or returned.

    Raises
    ------
    InputError, PermissionDeniedError, ConflictError
        As for :func:`resubmit`.
    """

    def work(tx: Tx) -> Submission:
        sub, _ = _open_for(tx, perm.Action.SUBMISSION_EDIT, submission_id)
        tx.expect_version(sub, f"submission {submission_id}", expected_version, {"state": "withdrawn"}, _FIELDS)
        _need_state(sub, OPEN_STATES, "withdrawn")
        changes = {"state": "withdrawn"}
        before, after = tx.save(sub, f"submission {submission_id}", expected_version, changes, _FIELDS)
        tx.audit("submission.withdrawn", "submission", submission_id, before=before, after=after)
        notify_submitted(tx, [sub], kind="submission.withdrawn")
        return sub

    return store.transaction(actor, work)


# --------------------------------------------------------------------------- reading
def queue(store: Store, actor: ActorRef) -> list[Submission]:
    """The submissions waiting for ``actor``'s decision: ``submitted`` ones in their scope, oldest first."""
    return [sub for sub in store.visible_submissions(actor) if sub.state == "submitted"]


def notices(store: Store, user_id: int, *, unread_only: bool = False, limit: int = 100) -> list[Notice]:
    """The notices of one user, newest first."""
    stmt = select(Notice).where(Notice.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notice.read_at.is_(None))
    stmt = stmt.order_by(Notice.id.desc()).limit(limit)
    return store.read(lambda s: list(s.scalars(stmt)))


def mark_read(store: Store, actor: ActorRef, notice_ids: Sequence[int]) -> int:
    """Mark the actor's own notices read; return how many changed.

    Raises
    ------
    PermissionDeniedError
        When a notice belongs to someone else (nothing is changed; audited).
    """
    wanted = sorted({int(i) for i in notice_ids})

    def work(tx: Tx) -> int:
        if not wanted:
            return 0
        owners = dict(tx.session.execute(select(Notice.id, Notice.user_id).where(Notice.id.in_(wanted))).all())
        foreign = [i for i in wanted if i in owners and owners[i] != tx.actor_id]
        if foreign:
            tx.deny("notice.read", "notice", foreign[0], "a user may mark only their own notices read")
        result = tx.session.execute(
            update(Notice)
            .where(Notice.id.in_(wanted), Notice.user_id == tx.actor_id, Notice.read_at.is_(None))
            .values(read_at=utcnow())
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            tx.audit("notice.read", "notice", ",".join(str(i) for i in wanted), detail=f"{count} marked read")
        return count

    return store.transaction(actor, work)


__all__ = [
    "NOTICE_KINDS",
    "OPEN_STATES",
    "STATES",
    "Accepted",
    "accept",
    "mark_read",
    "moderators",
    "municipality_users",
    "notices",
    "notify_submitted",
    "queue",
    "reject",
    "resubmit",
    "return_for_changes",
    "score_rows",
    "withdraw",
]
