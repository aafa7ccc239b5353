from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gisplan.errors import ConflictError, InputError, PermissionDeniedError, RefusedError, UploadRejectedError
from gisplan.intake._boundaries import PlaceContext
from gisplan.participation import (
    ProposalForm,
    RateLimits,
    Requester,
    follow,
    list_proposals,
    moderate_proposal,
    photo_of,
    submit_proposal,
)
from gisplan.store import Store
from gisplan.store.models import AuditEntry, Proposal, RateEvent
from tests.participation.conftest import jpeg_with_exif, point
from tests.store.helpers import World


def form(**changes: object) -> ProposalForm:
    fields: dict[str, object] = {
        "title": "Solar roof on the <b>school</b>",
        "description": "The gym roof faces south.",
        "category": "solar",
        "geometry": point(),
        "municipality_code": "111",
        "language": "hu",
    }
    return ProposalForm(**(fields | changes))  # type: ignore[arg-type]


def test_proposal_is_stored_pending_and_followed_by_its_token(store: Store, no_place: PlaceContext) -> None:
    done = submit_proposal(store, form(), Requester("10.0.0.1", "s1"), context=no_place)
    view = follow(store, done.follow_token)
    assert view is not None
    assert (view.id, view.state, view.title, view.language) == (
        done.id,
        "pending",
        "Solar roof on the <b>school</b>",
        "hu",
    )
    assert view.geom_lonlat is not None
    assert view.geom_lonlat.x == pytest.approx(14.42, abs=1e-5)
    assert follow(store, done.follow_token + "x") is None
    stored = store.read(lambda s: s.scalar(select(Proposal.follow_token_hash)))
    assert done.follow_token not in str(stored)
    audit = store.audit_log(target_type="proposal")
    assert [(a.action, a.actor_name, a.outcome) for a in audit] == [("proposal.create", "public", "ok")]


def test_text_problems_are_listed_together(store: Store, no_place: PlaceContext) -> None:
    with pytest.raises(InputError) as info:
        submit_proposal(store, form(title="x", category="casino"), Requester(), context=no_place)
    assert "title" in str(info.value)
    assert "casino" in str(info.value)
    assert list_proposals(store) == []


def test_place_goes_through_the_intake_checks(store: Store) -> None:
    region = PlaceContext(municipalities=None, code_column="kod_obce", region_lonlat=(12.0, 48.5, 19.0, 51.1))
    with pytest.raises(UploadRejectedError) as info:
        submit_proposal(store, form(geometry=point(50.08, 14.42)), Requester(), context=region)  # lat/lon swapped
    assert info.value.reason == "outside_region"
    line = {"type": "LineString", "coordinates": [[14.4, 50.0], [14.5, 50.1]]}
    with pytest.raises(UploadRejectedError) as info:
        submit_proposal(store, form(geometry=line), Requester(), context=region)
    assert info.value.reason == "bad_geometry_type"
    assert list_proposals(store) == []


def test_honeypot_is_refused_and_audited(store: Store, no_place: PlaceContext) -> None:
    with pytest.raises(RefusedError) as info:
        submit_proposal(store, form(honeypot="http://spam.example"), Requester("10.0.0.9", "bot"), context=no_place)
    assert info.value.reason == "honeypot"
    assert list_proposals(store) == []
    denied = [a for a in store.audit_log(target_type="proposal") if a.outcome == "denied"]
    assert len(denied) == 1
    assert denied[0].detail.startswith("honeypot")


def test_rate_limit_per_session_and_per_address(store: Store, no_place: PlaceContext) -> None:
    limits = RateLimits(per_session=2, per_address=3)
    for _ in range(2):
        submit_proposal(store, form(), Requester("10.0.0.1", "s1"), limits=limits, context=no_place)
    with pytest.raises(RefusedError) as info:
        submit_proposal(store, form(), Requester("10.0.0.1", "s1"), limits=limits, context=no_place)
    assert info.value.reason == "rate_limited"
    assert info.value.retry_after_s > 3000
    submit_proposal(store, form(), Requester("10.0.0.1", "s2"), limits=limits, context=no_place)  # new session
    with pytest.raises(RefusedError):  # but the address has sent 3
        submit_proposal(store, form(), Requester("10.0.0.1", "s3"), limits=limits, context=no_place)
    submit_proposal(store, form(), Requester("10.0.0.2", "s4"), limits=limits, context=no_place)
    assert len(list_proposals(store)) == 4
    keys = store.read(lambda s: list(s.scalars(select(RateEvent.key_hash)).all()))
    assert all("10.0.0" not in k and len(k) == 64 for k in keys)  # stored hashed


def test_rate_limit_survives_a_new_store_object(store: Store, no_place: PlaceContext) -> None:
    from gisplan.store import open_store

    limits = RateLimits(per_session=1)
    submit_proposal(store, form(), Requester(None, "s1"), limits=limits, context=no_place)
    again = open_store(store.engine.url.render_as_string(hide_password=False))
    try:
        with pytest.raises(RefusedError):
            submit_proposal(again, form(), Requester(None, "s1"), limits=limits, context=no_place)
    finally:
        again.close()


def test_photo_is_stored_without_metadata_and_bad_photo_refused(store: Store, no_place: PlaceContext) -> None:
    pytest.importorskip("PIL")
    done = submit_proposal(store, form(photo=jpeg_with_exif()), Requester(), context=no_place)
    found = photo_of(store, done.id)
    assert found is not None
    assert found[1] == "image/jpeg"
    assert b"SecretCam" not in found[0]
    with pytest.raises(RefusedError) as info:
        submit_proposal(store, form(photo=b"MZ\x90\x00 an executable"), Requester(), context=no_place)
    assert info.value.reason == "photo_not_image"
    assert len(list_proposals(store)) == 1


def test_moderation_by_organisers_only(store: Store, world: World, no_place: PlaceContext) -> None:
    done = submit_proposal(store, form(), Requester(), context=no_place)
    with pytest.raises(PermissionDeniedError):
        moderate_proposal(store, world.planner, done.id, "accepted", expected_version=1, estimated_cost=100)
    with pytest.raises(PermissionDeniedError):  # a municipality moderates only its own code
        moderate_proposal(store, world.other_municipality, done.id, "accepted", expected_version=1)
    with pytest.raises(InputError):
        moderate_proposal(store, world.animator, done.id, "rejected", expected_version=1)  # no reason
    with pytest.raises(InputError):
        moderate_proposal(store, world.animator, done.id, "accepted", expected_version=1, estimated_cost=-5)
    view = moderate_proposal(store, world.animator, done.id, "accepted", expected_version=1, estimated_cost=250_000)
    assert (view.state, view.estimated_cost, view.version) == ("accepted", 250_000, 2)
    with pytest.raises(ConflictError):
        moderate_proposal(store, world.municipality, done.id, "rejected", expected_version=1, feedback="no")
    with pytest.raises(InputError):  # no longer pending
        moderate_proposal(store, world.municipality, done.id, "rejected", expected_version=2, feedback="no")
    actions = store.read(
        lambda s: s.execute(
            select(AuditEntry.action, AuditEntry.outcome, func.count())
            .where(AuditEntry.target_type == "proposal")
            .group_by(AuditEntry.action, AuditEntry.outcome)
        ).all()
    )
    counts = {(a, o): n for a, o, n in actions}
    assert counts[("proposal.accept", "ok")] == 1
    assert counts[("proposal.accept", "denied")] == 2
