"""Resident proposals: sent without an account, checked, rate-limited, moderated, followed by a private link.

A resident sends a :class:`ProposalForm`: a point or polygon in WGS84 (lon/lat
[degrees], as drawn on the map), a title, a description, a category of
:data:`CATEGORIES` and an optional photo. :func:`submit_proposal` checks it all
(the place through the intake's :func:`~gisplan.intake.check_site_geometry`, the
photo through :func:`~gisplan.participation._photo.clean_photo`), refuses a form
whose hidden honeypot field is filled (only a bot fills it), applies the rate
limits of :class:`~gisplan.participation._common.RateLimits` per session and per
address (stored in the database, hashed) and stores the proposal as ``pending``.
It returns a private follow token (shown once; only its hash is stored) for
:func:`follow`. An organiser (admin, animator in scope, municipality for its own
code) accepts or rejects it with :func:`moderate_proposal`, audited.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from gisplan import crs as gcrs
from gisplan.errors import InputError, RefusedError
from gisplan.intake import check_site_geometry, check_submission_text
from gisplan.participation._common import (
    RateLimits,
    check_rate,
    digest,
    positive_amount,
    public_audit,
    require_organiser,
)
from gisplan.participation._photo import MAX_PHOTO_BYTES, clean_photo
from gisplan.store.models import Proposal, utcnow

if TYPE_CHECKING:
    from gisplan.intake import PlaceContext
    from gisplan.store.store import Store
    from gisplan.store.transaction import Tx
    from gisplan.store.tx import ActorRef

#: What a proposal is about.
CATEGORIES = ("solar", "community_energy", "redevelopment", "saving")
#: States of a proposal: waiting for moderation, accepted (may go to a vote), rejected.
STATES = ("pending", "accepted", "rejected")
#: Title length [characters].
TITLE_MIN, TITLE_MAX = 3, 200
#: Longest description [characters].
DESCRIPTION_MAX = 4000
_FIELDS = ("state", "feedback", "estimated_cost")


@dataclass(frozen=True)
class ProposalForm:
    """What a resident sends; ``geometry`` is GeoJSON (geometry or feature) or shapely, in WGS84."""

    title: str
    description: str
    category: str
    geometry: Any
    municipality_code: str | None = None
    photo: bytes | None = None
    language: str = "cs"
    #: The hidden field a person never sees; anything in it marks a bot.
    honeypot: str = ""


@dataclass(frozen=True)
class Requester:
    """Where a proposal comes from: the network address and the browser session (either may be unknown)."""

    address: str | None = None
    session: str | None = None


@dataclass(frozen=True)
class Submitted:
    """A stored proposal: its id and the private follow token (shown once, stored only hashed)."""

    id: int
    follow_token: str


@dataclass(frozen=True)
class ProposalView:
    """A proposal as shown: ``geom_lonlat`` in WGS84 [degrees]; ``estimated_cost`` None until estimated."""

    id: int
    title: str
    description: str
    category: str
    state: str
    feedback: str
    estimated_cost: float | None
    municipality_code: str | None
    language: str
    has_photo: bool
    created_at: dt.datetime
    version: int
    geom_lonlat: BaseGeometry | None


def _text_problems(form: ProposalForm) -> list[str]:
    found: list[str] = []
    title = form.title.strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        found.append(f"the title must have {TITLE_MIN}–{TITLE_MAX} characters (it has {len(title)})")
    if len(form.description) > DESCRIPTION_MAX:
        found.append(f"the description may have at most {DESCRIPTION_MAX} characters (it has {len(form.description)})")
    if form.category not in CATEGORIES:
        found.append(f"category {form.category!r} is unknown; choose one of {', '.join(CATEGORIES)}")
    code = form.municipality_code
    if code is not None and (not code.strip() or len(code) > 32):
        found.append(f"municipality code {code!r} must be 1–32 characters")
    if len(form.language) > 8:
        found.append("the language code is too long")
    return found


def _shape(geometry: Any) -> BaseGeometry:
    if isinstance(geometry, BaseGeometry):
        return geometry
    if isinstance(geometry, dict):
        inner = geometry.get("geometry") if geometry.get("type") == "Feature" else geometry
        try:
            return shapely.geometry.shape(inner)
        except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
            msg = f"the place is not a readable GeoJSON point or polygon ({exc.__class__.__name__}); draw it again"
            raise InputError(msg) from exc
    msg = "the proposal needs a place: draw a point or a polygon on the map"
    raise InputError(msg)


def to_store_crs(geom_lonlat: BaseGeometry, srid: int) -> BaseGeometry:
    """``geom_lonlat`` (WGS84 [degrees]) in EPSG:``srid``."""
    tr = gcrs.transformer(gcrs.WGS84, CRS.from_epsg(srid))
    with np.errstate(all="ignore"):
        out: BaseGeometry = shapely.transform(geom_lonlat, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    return out


def to_lonlat(geom: BaseGeometry | None, srid: int) -> BaseGeometry | None:
    """``geom`` (EPSG:``srid``) in WGS84 [degrees], rounded to about 1 m."""
    if geom is None:
        return None
    tr = gcrs.transformer(CRS.from_epsg(srid), gcrs.WGS84)
    with np.errstate(all="ignore"):
        out: BaseGeometry = shapely.transform(
            geom, lambda xy: np.round(np.column_stack(tr.transform(xy[:, 0], xy[:, 1])), 6)
        )
    return out


def _rate_keys(requester: Requester, limits: RateLimits) -> list[tuple[str, int, float]]:
    keys: list[tuple[str, int, float]] = []
    if requester.session:
        keys.append((digest("session", requester.session), limits.per_session, limits.session_window_s))
    if requester.address:
        keys.append((digest("address", requester.address), limits.per_address, limits.address_window_s))
    return keys


def _refuse_audited(store: Store, exc: RefusedError, *, detail: str) -> RefusedError:
    from gisplan.store.engine import run_write

    run_write(  # in a transaction of its own: the refused one has rolled back
        store.engine,
        lambda s: public_audit(
            s, "proposal.create", "proposal", "-", outcome="denied", detail=f"{exc.reason}: {detail}"
        ),
    )
    return exc


def submit_proposal(
    store: Store,
    form: ProposalForm,
    requester: Requester,
    *,
    limits: RateLimits | None = None,
    context: PlaceContext | None = None,
    max_photo_bytes: int = MAX_PHOTO_BYTES,
) -> Submitted:
    """Check and store a resident's proposal as ``pending``; return its id and private follow token.

    Raises
    ------
    RefusedError
        ``honeypot`` (the hidden field was filled), ``rate_limited`` (too many from this
        session or address), or a photo refusal (``photo_too_large``, ``photo_not_image``,
        ``photo_unsupported``); refusals of the first two are audited.
    InputError
        For a bad title, description, category or place (every text problem listed; the place
        as :class:`~gisplan.errors.UploadRejectedError` of the intake).
    """
    limits = limits or RateLimits()
    keys = _rate_keys(requester, limits)
    if form.honeypot.strip():
        raise _refuse_audited(
            store,
            RefusedError("the form could not be accepted; reload the page and fill it in again", reason="honeypot"),
            detail="hidden field filled",
        )
    try:  # a cheap look first, so a flood is refused before any geometry or photo work
        store.read(lambda s: check_rate(s, "proposal", keys, now=utcnow(), record=False))
    except RefusedError as exc:
        raise _refuse_audited(store, exc, detail="rate limit") from None
    problems = _text_problems(form)
    if problems:
        raise InputError("the proposal cannot be sent: " + "; ".join(problems))
    check_submission_text(form.title, {"description": form.description}, label="the proposal")
    code = form.municipality_code.strip() if form.municipality_code else None
    store_geom = to_store_crs(_shape(form.geometry), store.srid)
    check_site_geometry(store_geom, srid=store.srid, municipality_code=code or "", label="the place", context=context)
    photo, photo_type = clean_photo(form.photo, max_bytes=max_photo_bytes) if form.photo else (None, None)
    token = secrets.token_urlsafe(24)

    def work(tx: Tx) -> int:
        now = utcnow()
        check_rate(tx.session, "proposal", keys, now=now, record=True)
        row = Proposal(
            municipality_code=code,
            title=form.title.strip(),
            description=form.description.strip(),
            category=form.category,
            geom=tx.with_srid(store_geom),
            photo=photo,
            photo_type=photo_type,
            language=form.language,
            state="pending",
            feedback="",
            follow_token_hash=digest("follow", token),
            created_at=now,
            updated_at=now,
        )
        tx.session.add(row)
        tx.session.flush()
        public_audit(
            tx.session, "proposal.create", "proposal", row.id, after={"state": "pending", "category": row.category}
        )
        return row.id

    from gisplan.store.tx import SYSTEM

    try:
        proposal_id = store.transaction(SYSTEM, work)
    except RefusedError as exc:
        raise _refuse_audited(store, exc, detail="rate limit") from None
    return Submitted(proposal_id, token)


def _view(row: Proposal, srid: int) -> ProposalView:
    return ProposalView(
        id=row.id,
        title=row.title,
        description=row.description,
        category=row.category,
        state=row.state,
        feedback=row.feedback,
        estimated_cost=row.estimated_cost,
        municipality_code=row.municipality_code,
        language=row.language,
        has_photo=row.photo is not None,
        created_at=row.created_at,
        version=row.version,
        geom_lonlat=to_lonlat(row.geom, srid),
    )


def follow(store: Store, token: str) -> ProposalView | None:
    """The proposal whose private follow token is ``token``, or None (a wrong token tells nothing)."""
    if not token or len(token) > 100:
        return None
    wanted = digest("follow", token)
    row = store.read(lambda s: s.scalar(select(Proposal).where(Proposal.follow_token_hash == wanted)))
    return _view(row, store.srid) if row is not None else None


def list_proposals(
    store: Store, *, state: str | None = None, municipality_code: str | None = None, ids: list[int] | None = None
) -> list[ProposalView]:
    """Proposals, oldest first; filtered by state, municipality or ids when given."""
    stmt = select(Proposal).order_by(Proposal.id)
    if state is not None:
        stmt = stmt.where(Proposal.state == state)
    if municipality_code is not None:
        stmt = stmt.where(Proposal.municipality_code == municipality_code)
    if ids is not None:
        stmt = stmt.where(Proposal.id.in_(ids))
    return [_view(row, store.srid) for row in store.read(lambda s: list(s.scalars(stmt).all()))]


def photo_of(store: Store, proposal_id: int) -> tuple[bytes, str] | None:
    """The stored (re-encoded) photo of a proposal and its media type, or None."""
    row = store.read(lambda s: s.get(Proposal, proposal_id))
    if row is None or row.photo is None:
        return None
    return row.photo, row.photo_type or "image/jpeg"


def moderate_proposal(
    store: Store,
    actor: ActorRef,
    proposal_id: int,
    decision: str,
    *,
    expected_version: int,
    feedback: str = "",
    estimated_cost: float | None = None,
) -> ProposalView:
    """Accept (with an optional cost estimate) or reject (with a reason) a pending proposal; audited.

    Raises
    ------
    InputError
        For an unknown decision, a rejection without a reason, a cost that is not above 0,
        or a proposal that is not pending.
    PermissionDeniedError
        If ``actor`` may not organise participation for the proposal's municipality (audited).
    ConflictError
        If the proposal changed since ``expected_version``.
    """
    if decision not in ("accepted", "rejected"):
        msg = f"decision {decision!r} is unknown; use 'accepted' or 'rejected'"
        raise InputError(msg)
    if decision == "rejected" and not feedback.strip():
        msg = "a rejection needs a reason the resident can read (feedback)"
        raise InputError(msg)
    if len(feedback) > DESCRIPTION_MAX:
        msg = f"the feedback may have at most {DESCRIPTION_MAX} characters"
        raise InputError(msg)
    cost = None if estimated_cost is None else positive_amount(estimated_cost, "the estimated cost")
    if cost is not None and decision == "rejected":
        cost = None

    def work(tx: Tx) -> None:
        row = tx.fetch(Proposal, proposal_id, "proposal")
        require_organiser(tx, f"proposal.{decision[:-2]}", "proposal", proposal_id, row.municipality_code)
        changes: dict[str, Any] = {"state": decision, "feedback": feedback.strip(), "estimated_cost": cost}
        tx.expect_version(row, f"proposal {proposal_id}", expected_version, changes, _FIELDS)
        if row.state != "pending":
            msg = f"proposal {proposal_id} is {row.state!r}; only pending proposals are moderated. Reload the list"
            raise InputError(msg)
        row.moderated_by = tx.actor_id
        before, after = tx.save(row, f"proposal {proposal_id}", expected_version, changes, _FIELDS)
        tx.audit(f"proposal.{decision[:-2]}", "proposal", proposal_id, before=before, after=after)

    store.transaction(actor, work)
    return list_proposals(store, ids=[proposal_id])[0]


def is_finite_cost(value: float | None) -> bool:
    """True if ``value`` is a usable cost estimate (a finite number above 0)."""
    return value is not None and math.isfinite(value) and value > 0


__all__ = [
    "CATEGORIES",
    "STATES",
    "ProposalForm",
    "ProposalView",
    "Requester",
    "Submitted",
    "follow",
    "is_finite_cost",
    "list_proposals",
    "moderate_proposal",
    "photo_of",
    "submit_proposal",
    "to_lonlat",
    "to_store_crs",
]
