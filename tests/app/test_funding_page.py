"""The Funding calls page in AppTest: filters, facts, safe links, matched sites, the admin's editor and conflicts."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from gisplan import funding, settings
from gisplan.app.pages.funding_page import (
    accepts_kind,
    call_state,
    edited_call,
    filter_calls,
    markdown_link,
    safe_url,
    save_call,
)
from gisplan.errors import ConflictError, PermissionDeniedError
from gisplan.store import SYSTEM
from tests.app import test_communities_page
from tests.app.test_communities_page import World, frame, run_page, texts
from tests.funding.helpers import make_call

world = test_communities_page.world  # the store world fixture
PAGE = "gisplan.app.pages.funding_page"
SHIPPED = settings.PROJECT_ROOT / "data" / "funding_calls.yaml"
CALL = "opst_22_2023_karlovarsky"  # the first call of the shipped catalogue


def _save_button(at: AppTest) -> list[object]:
    return [b for b in at.button if b.label in {"Uložit výzvu", "Save the call"}]


# ------------------------------------------------------------------------------------------ pure parts
def test_safe_url_and_markdown_link_allow_only_http() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "https://", "//x.org", "http://a b"):
        assert safe_url(bad) is None, bad
        assert markdown_link(bad) == ""
    link = markdown_link("https://example.org/a_(b)<c>")
    # the link text carries escape_markdown's invisible word joiner after the scheme (no autolink inside)
    assert link == "[https\u2060" + r"\:\/\/example\.org\/a\_\(b\)\<c\>](<https://example.org/a_%28b%29%3Cc%3E>)"


def test_filters_by_state_programme_and_kind() -> None:
    catalogue = funding.load_calls(SHIPPED)
    today = dt.date(2025, 6, 1)
    every = filter_calls(catalogue, today, states=["open", "upcoming", "unknown", "closed"], programmes=[], kind="any")
    assert len(every) == len(catalogue)
    closed = filter_calls(catalogue, today, states=["closed"], programmes=[], kind="any")
    assert closed and all(call_state(c, today) == "closed" for c in closed)
    assert all(c.intake.close is not None and c.intake.close < today for c in closed)
    programme = every[0].programme
    only = filter_calls(
        catalogue, today, states=["open", "upcoming", "unknown", "closed"], programmes=[programme], kind="any"
    )
    assert only and {c.programme for c in only} == {programme}
    assert accepts_kind(make_call(site_kinds=["brownfield"]), "brownfield")
    assert not accepts_kind(make_call(site_kinds=["brownfield"]), "rooftop")
    assert accepts_kind(make_call(site_kinds=["brownfield", "others"]), "rooftop")
    assert accepts_kind(make_call(site_kinds="unknown"), "rooftop")


def _values(**changes: object) -> dict[str, object]:
    call = funding.load_calls(SHIPPED)[CALL]
    values: dict[str, object] = {
        "title_cs": call.title.cs,
        "title_en": call.title.en,
        "programme": call.programme,
        "provider": call.provider,
        "url": call.url,
        "source_date": call.source_date,
        "sources": "",
        "open": None,
        "close": None,
        "allocation": 40_000_000.0,
        "aid_rate": 0.0,
        "applicants": list(call.applicants),
        "site_kinds": [],
        "uses": ["planning"],
        "national": False,
        "regions": ["CZ041"],
        "districts": "",
        "municipalities": "",
        "capacity_min": 0.0,
        "capacity_max": 0.0,
        "population_max": 0.0,
        "notes": call.notes or "",
    }
    return values | changes


def test_edited_call_keeps_untouched_facts_and_lists_every_problem() -> None:
    call = funding.load_calls(SHIPPED)[CALL]
    same, problems = edited_call(call, _values(site_kinds=["any"][:0]))
    assert problems == []
    assert same is not None
    assert same.model_copy(update={"site_kinds": call.site_kinds}) == call
    new, problems = edited_call(call, _values(capacity_max=1000.0, population_max=3000.0, municipalities="564729"))
    assert new is not None
    assert new.limits.capacity_kwp is not None and not isinstance(new.limits.capacity_kwp, str)
    assert new.limits.capacity_kwp.max == 1000.0
    assert not isinstance(new.territory, str) and new.territory.municipalities == ["564729"]
    bad, problems = edited_call(call, _values(url="javascript:alert(1)", source_date="last week", title_en=""))
    assert bad is None
    fields = {p.split(":", 1)[0] for p in problems}
    assert {"url", "source_date", "title.en"} <= fields


# ------------------------------------------------------------------------------------------ page
def test_everyone_reads_the_catalogue_with_facts_and_sources(world: World) -> None:
    at = run_page(PAGE, world.users["obec"])
    assert not at.exception
    assert at.title[0].value == "Dotační výzvy"
    table = frame(at, "Název")
    assert len(table) == len(funding.load_calls(SHIPPED))
    assert all(str(url).startswith(("https://", "http://")) for url in table["Zdroj"])
    facts = frame(at, "Údaj").set_index("Údaj")[" "]
    assert facts["Výzva"] == CALL
    assert facts["Území"] == "Karlovarský kraj"
    sources = [m.value for m in at.markdown if "Zdroje" in str(m.value)]
    assert sources and "(<https://www.tendera.cz/" in sources[0]
    assert not _save_button(at)  # a municipality user cannot edit


def test_planner_reads_but_cannot_edit_and_a_forged_save_is_refused(world: World) -> None:
    at = run_page(PAGE, world.users["planner"], lang="en")
    assert not at.exception
    assert at.title[0].value == "Funding calls"
    assert not _save_button(at)
    call = funding.load_calls()[CALL].model_copy(update={"allocation_czk": 1.0})
    for role in ("planner", "obec", "animator"):
        with pytest.raises(PermissionDeniedError):
            save_call(world.store, _user(world, role), call, expected_hash=funding.current_text()[1], comment="forged")
    assert not (world.data_dir / "funding_calls.yaml").exists()
    denied = world.store.audit_log(target_type="funding_call", outcome="denied")
    assert {e.actor_name for e in denied} == {"planner", "obec", "animator"}


def _user(world: World, name: str) -> object:
    from gisplan.app.auth import load_user

    return load_user(world.store, world.users[name], "local")


def test_matched_sites_of_a_call(world: World) -> None:
    funding.sync_calls(world.store, SYSTEM, funding.load_calls(SHIPPED))
    call_id = next(c.id for c in world.store.funding_calls() if c.code == CALL)
    too_big = {"value_kwp": 1400.0, "max_kwp": 1000.0}
    record = funding.RuleResult("capacity", "not_eligible", "above_max", too_big).stored()
    # an older link keeps its plain English text; a record is worded in the reader's language (Czech here)
    reasons = ["intake dates are not recorded", record]
    world.store.link_funding_call(SYSTEM, "t:s2", call_id, verdict="unknown", reasons=reasons)
    at = run_page(PAGE, world.users["planner"], fund_pick=CALL)
    table = frame(at, "ID plochy")
    assert table["ID plochy"].tolist() == ["t:s2"]
    assert table["Verdikt"].tolist() == ["K ověření"]  # the verdict 'unknown' reads "to check" (was "Nejisté")
    assert table["Důvody"].tolist() == ["intake dates are not recorded; výkon 1,4 MWp překračuje limit 1 MWp"]


def test_admin_saves_an_edit_with_history_and_sync(world: World) -> None:
    at = run_page(PAGE, world.users["admin"], fund_pick=CALL)
    assert _save_button(at)
    at.number_input(key=f"fund_{CALL}_allocation").set_value(45_000_000.0)
    at.text_input(key="fund_comment_" + CALL).set_value("allocation raised")
    at = _save_button(at)[0].click().run()  # type: ignore[attr-defined]
    assert not at.exception
    assert not at.error
    assert "Výzva uložena" in texts(at)
    saved = world.data_dir / "funding_calls.yaml"
    assert funding.load_calls(saved)[CALL].allocation_czk == 45_000_000
    assert saved.read_text(encoding="utf-8").startswith("# gisplan funding-call catalogue")  # comments kept
    assert [(v.author, v.comment) for v in funding.history()] == [("admin", "allocation raised")]
    stored = {c.code: c for c in world.store.funding_calls()}
    assert stored[CALL].rules["allocation_czk"] == 45_000_000
    assert world.store.audit_log(target_type="funding_call", target_id=CALL)[-1].actor_name == "admin"


def test_admin_sees_every_problem_and_nothing_is_saved(world: World) -> None:
    at = run_page(PAGE, world.users["admin"], fund_pick=CALL)
    at.text_input(key=f"fund_{CALL}_url").set_value("javascript:alert(1)")
    at.text_input(key=f"fund_{CALL}_title_en").set_value("")
    at = _save_button(at)[0].click().run()  # type: ignore[attr-defined]
    assert "Úprava má 2 chyb" in at.error[0].value
    assert "url" in at.code[0].value and "title.en" in at.code[0].value
    assert not (world.data_dir / "funding_calls.yaml").exists()


def test_a_stale_edit_shows_both_versions_and_keep_mine_saves(world: World) -> None:
    at = run_page(PAGE, world.users["admin"], fund_pick=CALL)  # the editor opens the catalogue here
    text, digest = funding.current_text()
    theirs = funding.load_calls()[CALL].model_copy(update={"notes": "Changed by someone else"})
    funding.save_calls(funding.replace_call(text, theirs), author="other", expected_hash=digest)
    at.number_input(key=f"fund_{CALL}_allocation").set_value(50_000_000.0)
    at = _save_button(at)[0].click().run()  # type: ignore[attr-defined]
    assert not at.exception
    assert "Katalog mezitím změnil někdo jiný" in at.warning[0].value
    versions = [c.value for c in at.code]
    assert any("allocation_czk: 50000000" in v for v in versions)
    assert any("Changed by someone else" in v for v in versions)
    assert funding.load_calls()[CALL].allocation_czk == 40_000_000  # nothing saved yet
    at = next(b for b in at.button if b.label == "Ponechat moji verzi").click().run()
    assert "Výzva uložena" in texts(at)
    assert funding.load_calls()[CALL].allocation_czk == 50_000_000
    assert [v.author for v in funding.history()] == ["admin", "other"]


def test_save_call_refuses_a_stale_hash(world: World) -> None:
    user = _user(world, "admin")
    call = funding.load_calls()[CALL].model_copy(update={"allocation_czk": 2.0})
    with pytest.raises(ConflictError):
        save_call(world.store, user, call, expected_hash="0" * 64, comment="stale")  # type: ignore[arg-type]
    assert not (world.data_dir / "funding_calls.yaml").exists()


def test_take_theirs_discards_my_edit_and_shows_the_saved_call(world: World) -> None:
    at = run_page(PAGE, world.users["admin"], fund_pick=CALL)
    text, digest = funding.current_text()
    theirs = funding.load_calls()[CALL].model_copy(update={"notes": "Changed by someone else"})
    funding.save_calls(funding.replace_call(text, theirs), author="other", expected_hash=digest)
    at.text_area(key=f"fund_{CALL}_notes").set_value("My note")
    at = _save_button(at)[0].click().run()  # type: ignore[attr-defined]
    at = next(b for b in at.button if b.label == "Převzít uloženou verzi").click().run()
    assert not at.exception
    assert at.text_area(key=f"fund_{CALL}_notes").value == "Changed by someone else"
    assert funding.load_calls()[CALL].notes == "Changed by someone else"
    assert [v.author for v in funding.history()] == ["other"]
