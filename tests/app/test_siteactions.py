"""Card edits as actions, and the card's reading helpers (no Streamlit)."""

from __future__ import annotations

import pytest

from gisplan.app import siteactions, sitecard
from gisplan.profiles import load_profile
from gisplan.store import SYSTEM, Role, Store
from tests.app.appstore import GOOD_SITE, user_id


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://opst.cz/vyzva", True),
        ("HTTP://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//example.org", False),
        ("https://exa mple.org", False),
        (None, False),
    ],
)
def test_only_http_links_are_kept(url: str | None, kept: bool) -> None:
    assert (sitecard.safe_url(url) is not None) is kept


def test_moves_follow_the_workflow_table() -> None:
    assert sitecard.allowed_moves(Role.ANIMATOR, "new") == ["screening", "rejected"]
    assert sitecard.allowed_moves(Role.ADMIN, "screening") == ["new", "shortlisted", "rejected"]
    assert sitecard.allowed_moves(Role.MUNICIPALITY, "new") == []
    assert sitecard.allowed_moves(Role.ANIMATOR, "unknown-status") == []


def test_reasons_are_translated_through_the_profile() -> None:
    profile = load_profile("ground_pv")
    czech = profile.handicaps[0].reason.cs
    assert sitecard.translate_reason(czech, profile, "en") == profile.handicaps[0].reason.en
    assert sitecard.translate_reason("something else", profile, "en") == "something else"


def test_the_breakdown_adds_up_to_the_score(app_store: Store) -> None:
    score = next(s for s in app_store.site_scores(GOOD_SITE) if s.profile == "ground_pv")
    frame = sitecard.breakdown_frame(score, load_profile("ground_pv"), "en")
    assert frame["points"].sum() == pytest.approx(score.score, abs=0.05)
    assert frame["possible"].sum() == pytest.approx(100.0, abs=0.05)
    assert set(frame.loc[frame["points"] < 0, "effect"]) == {"lowered"}


def test_execute_reports_refusals_instead_of_raising(app_store: Store) -> None:
    obec = user_id(app_store, "obec")
    outcome = siteactions.execute(app_store, obec, {"op": "annotate", "site": GOOD_SITE, "text": "x"})
    assert (outcome.ok, outcome.message_key) == (False, "edit.denied")
    assert "may not site.annotate" in outcome.detail
    bad = siteactions.execute(app_store, obec, {"op": "drop_table"})
    assert (bad.ok, bad.message_key) == (False, "edit.invalid")
    assert "known edits are" in bad.detail
    missing = siteactions.execute(app_store, obec, {"op": "status", "site": GOOD_SITE, "to": "screening"})
    assert missing.message_key == "edit.invalid"


def test_keep_mine_retries_against_the_stored_version(app_store: Store) -> None:
    animator = user_id(app_store, "animator")
    site = app_store.get_site(GOOD_SITE)
    app_store.update_site(SYSTEM, GOOD_SITE, expected_version=site.version, priority="high")
    stale = {"op": "status", "site": GOOD_SITE, "to": "screening", "reason": "", "version": site.version}
    outcome = siteactions.execute(app_store, animator, stale)
    assert outcome.conflict is not None
    assert outcome.conflict.theirs["version"] == site.version + 1
    retry = siteactions.keep_mine(outcome.conflict)
    assert retry == stale | {"version": site.version + 1}
    assert siteactions.execute(app_store, animator, retry).ok
    assert app_store.get_site(GOOD_SITE).status == "screening"


def test_linking_twice_becomes_an_update_of_the_link(app_store: Store) -> None:
    animator = user_id(app_store, "animator")
    call = app_store.funding_calls()[0]
    first = {"op": "link_call", "site": GOOD_SITE, "call": call.id, "verdict": "unknown", "reasons": ["a"]}
    assert siteactions.execute(app_store, animator, first).ok
    again = siteactions.execute(app_store, animator, first | {"verdict": "eligible", "note": "mine"})
    assert again.conflict is not None
    retry = siteactions.keep_mine(again.conflict)
    assert retry is not None and retry["op"] == "update_call_link"
    assert siteactions.execute(app_store, animator, retry).ok
    (link,) = app_store.funding_links(GOOD_SITE)
    assert (link.verdict, link.note) == ("eligible", "mine")
    unlink = siteactions.execute(app_store, animator, {"op": "unlink_call", "link": link.id, "version": link.version})
    assert unlink.ok
    assert app_store.funding_links(GOOD_SITE) == []
    assert app_store.audit_log(target_type="site_funding_link", target_id=str(link.id))[0].action == (
        "site.unlink_funding_call"
    )


def test_a_stale_unlink_is_a_conflict(app_store: Store) -> None:
    animator = user_id(app_store, "animator")
    call = app_store.funding_calls()[0]
    link = app_store.link_funding_call(animator, GOOD_SITE, call.id)
    app_store.update_funding_link(animator, link.id, expected_version=link.version, note="changed")
    outcome = siteactions.execute(app_store, animator, {"op": "unlink_call", "link": link.id, "version": link.version})
    assert outcome.conflict is not None
    assert outcome.conflict.theirs["note"] == "changed"
    assert len(app_store.funding_links(GOOD_SITE)) == 1
