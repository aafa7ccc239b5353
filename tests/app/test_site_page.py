"""The Site page in AppTest: the card's content, edits per role, refusals, conflicts, escaping, English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from gisplan.app import auth, shell
from gisplan.app.escape import escape_markdown
from gisplan.app.i18n import t
from gisplan.app.pages import site_page
from gisplan.app.sitecard import status_label
from gisplan.store import SYSTEM, Store, site_card
from tests.app.appstore import GOOD_SITE, XSS_PAYLOADS, user_id


def _page() -> None:
    from gisplan.app.pages import site_page

    site_page.render()


def _card(store: Store, username: str, site: str = GOOD_SITE, **state: Any) -> AppTest:
    at = AppTest.from_function(_page, default_timeout=60)
    at.session_state[auth.USER_KEY] = user_id(store, username)
    at.session_state[shell.SELECTED_SITE] = site
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [*at.title, *at.header, *at.subheader, *at.markdown, *at.caption, *at.success, *at.error, *at.warning]
    return "\n".join(str(p.value) for p in parts)


def _plain(markdown: str) -> str:
    """Markdown with its backslash escapes removed: the text a reader sees."""
    return markdown.replace("\\", "")


def _frames(at: AppTest) -> list[Any]:
    return [d.value for d in at.dataframe]


def test_the_card_shows_basics_scores_energy_and_source(app_store: Store) -> None:
    at = _card(app_store, "planner")
    assert not at.exception
    assert at.title[0].value == "Bývalý důl Jan"
    caption = _plain(at.caption[0].value)
    assert caption.startswith("Brownfield · 60 000 m² · Horní Ves (567001) · Stav: ")
    assert caption.endswith(status_label("new", "cs"))
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"Pozemní fotovoltaika na brownfieldech a obecních pozemcích", "Fotovoltaika na střechách"}
    stored = {s.profile: s for s in app_store.site_scores(GOOD_SITE)}
    assert metrics["Pozemní fotovoltaika na brownfieldech a obecních pozemcích"] == f"{stored['ground_pv'].score:.0f}"
    # handicaps of the selected (best) profile, translated from the profile file
    assert "Znevýhodnění (těžké): Zčásti v chráněném území" in [_plain(w.value) for w in at.warning]
    assert len(at.get("vega_lite_chart")) == 1
    breakdown = next(f for f in _frames(at) if "Kritérium" in f.columns)
    assert breakdown["Body"].sum() == pytest.approx(stored["ground_pv"].score, abs=0.05)
    assert "Globální záření" in set(breakdown["Kritérium"])
    assert set(breakdown["Vliv"]) == {"zvýšilo skóre", "brzdilo skóre", "snížilo skóre"}
    energy = next(f for f in _frames(at) if "Výkon [kWp]" in f.columns)
    assert list(energy["Výkon [kWp]"]) == [1400.0, 1400.0]
    source = next(f for f in _frames(at) if "Atribut" in f.columns)
    assert dict(zip(source["Atribut"], source["Hodnota"], strict=True))["puvodni_vyuziti"] == "tezba"


def test_another_profile_shows_its_exclusion_reason(app_store: Store) -> None:
    at = _card(app_store, "planner")
    at.selectbox(key=f"site_profile_{GOOD_SITE}").set_value("rooftop_pv").run()
    assert "Vyloučeno: Profil Fotovoltaika na střechách tento druh plochy nehodnotí" in [
        _plain(e.value) for e in at.error
    ]


def test_a_planner_reads_but_gets_no_forms(app_store: Store) -> None:
    at = _card(app_store, "planner")
    assert not at.text_area
    assert not [s for s in at.selectbox if s.key in {"site_status_to", "site_link_call_index"}]
    assert not [b for b in at.button if str(b.key).startswith("unlink")]
    assert "Přidat poznámku" not in [b.label for b in at.button]


def test_an_animator_annotates_changes_status_and_links(app_store: Store) -> None:
    at = _card(app_store, "animator")
    moves = [status_label(s, "cs") for s in ("screening", "rejected")]
    assert at.selectbox(key="site_status_to").options == moves
    at.text_area(key="site_note_text").input("Starosta souhlasí.\nDalší schůzka v pondělí.")
    at.button[0].click()  # the form's submit button comes first
    at.run()
    assert not at.exception
    assert "Poznámka přidána." in [s.value for s in at.success]
    assert [a.text for a in app_store.annotations(GOOD_SITE)] == ["Starosta souhlasí.\nDalší schůzka v pondělí."]
    thread = escape_markdown("Starosta souhlasí.") + "  \n" + escape_markdown("Další schůzka v pondělí.")
    assert thread in [m.value for m in at.markdown]

    at.selectbox(key="site_status_to").set_value("screening")
    at.text_input(key="site_status_reason").input("prohlídka")
    next(b for b in at.button if b.label == "Změnit stav").click()
    at.run()
    assert "Stav změněn." in [s.value for s in at.success]
    assert app_store.get_site(GOOD_SITE).status == "screening"
    assert at.selectbox(key="site_status_to").options == [status_label(s, "cs") for s in ("shortlisted", "rejected")]

    offered = at.selectbox(key="site_link_call_index")
    first = offered.options[0]
    next(b for b in at.button if b.label == "Propojit s výzvou").click()
    at.run()
    assert "Plocha propojena s výzvou." in [s.value for s in at.success]
    links = app_store.funding_links(GOOD_SITE)
    assert len(links) == 1
    assert links[0].reasons  # the matcher's reasons were saved with the link
    assert first.split(" — ")[1] in {t("verdict.eligible", "cs"), t("verdict.unknown", "cs")}  # eligible first
    linked = next(f for f in _frames(at) if "Způsobilost" in f.columns and "Poznámka k propojení" in f.columns)
    assert len(linked) == 1

    # the history names who did what
    history = next(f for f in _frames(at) if "Kdo" in f.columns and "Co" in f.columns)
    assert {"nová poznámka", "změna stavu", "propojení s výzvou"} <= set(history["Co"])
    assert set(history["Kdo"]) == {"animator"}

    at.button(key=f"unlink_call_{links[0].id}").click().run()
    assert "Propojení s výzvou zrušeno." in [s.value for s in at.success]
    assert app_store.funding_links(GOOD_SITE) == []
    history = next(f for f in _frames(at) if "Kdo" in f.columns and "Co" in f.columns)
    assert "zrušení propojení s výzvou" in set(history["Co"])


def test_an_animator_links_a_community(app_store: Store) -> None:
    at = _card(app_store, "animator")
    community = at.selectbox(key="site_link_community_id")
    target = next(c for c in app_store.communities() if c.name == "Energie pro Ves")
    community.set_value(target.id)
    next(b for b in at.button if b.label == "Propojit s komunitou").click()
    at.run()
    assert [link.community_id for link in app_store.community_links(GOOD_SITE)] == [target.id]
    assert any("Energie pro Ves" in m.value for m in at.markdown)


def test_a_forged_action_of_a_municipality_user_is_refused_shown_and_audited(app_store: Store) -> None:
    site = app_store.get_site(GOOD_SITE)
    forged = {"op": "status", "site": GOOD_SITE, "to": "screening", "reason": "", "version": site.version}
    at = _card(app_store, "obec", **{site_page.PENDING: forged})
    assert not at.exception
    assert "Tuto změnu nemáte oprávnění provést. Pokus byl zaznamenán." in [e.value for e in at.error]
    assert app_store.get_site(GOOD_SITE).status == "new"
    denied = app_store.audit_log(target_type="site", target_id=GOOD_SITE, outcome="denied")
    assert [(d.actor_name, d.action) for d in denied] == [("obec", "site.status")]
    # the municipality user sees no editing forms at all
    assert not at.text_area
    assert "Změnit stav" not in [b.label for b in at.button]


def test_a_role_taken_away_is_in_force_on_the_next_action(app_store: Store) -> None:
    at = _card(app_store, "animator")
    at.text_area(key="site_note_text").input("ještě jako animátor")
    app_store.set_role(SYSTEM, "animator", "planner")
    at.button[0].click().run()
    # the role change ended the session (a new epoch): the queued note is not written
    assert [w.value for w in at.warning] == ["Pro tuto stránku se přihlaste."]
    assert app_store.annotations(GOOD_SITE) == []
    assert not at.text_area  # the form is gone now


def test_a_stale_status_change_shows_both_versions_and_keep_mine_retries(app_store: Store) -> None:
    at = _card(app_store, "animator")
    site = app_store.get_site(GOOD_SITE)
    app_store.update_site(SYSTEM, GOOD_SITE, expected_version=site.version, note="changed meanwhile")
    at.selectbox(key="site_status_to").set_value("screening")
    next(b for b in at.button if b.label == "Změnit stav").click()
    at.run()
    assert any("Mezitím změnu uložil někdo jiný" in w.value for w in at.warning)
    mine, theirs = (j.value for j in at.json)
    assert '"status": "screening"' in mine
    assert '"note": "changed meanwhile"' in theirs
    assert app_store.get_site(GOOD_SITE).status == "new"
    at.button(key="conflict_keep_mine").click().run()
    assert "Stav změněn." in [s.value for s in at.success]
    assert app_store.get_site(GOOD_SITE).status == "screening"
    assert app_store.get_site(GOOD_SITE).note == "changed meanwhile"


def test_a_status_change_decided_on_a_stale_status_is_a_conflict_not_a_denial(app_store: Store) -> None:
    at = _card(app_store, "animator")  # the animator sees the site as 'new'
    version = app_store.get_site(GOOD_SITE).version
    version = app_store.change_status(SYSTEM, GOOD_SITE, "screening", expected_version=version).version
    app_store.change_status(SYSTEM, GOOD_SITE, "shortlisted", expected_version=version)
    at.selectbox(key="site_status_to").set_value("screening")  # from 'shortlisted' only an admin steps back
    next(b for b in at.button if b.label == "Změnit stav").click()
    at.run()
    assert any("Mezitím změnu uložil někdo jiný" in w.value for w in at.warning)
    assert not at.error
    theirs = [j.value for j in at.json][1]
    assert '"status": "shortlisted"' in theirs
    assert app_store.audit_log(target_type="site", target_id=GOOD_SITE, outcome="denied") == []
    assert app_store.get_site(GOOD_SITE).status == "shortlisted"


def test_take_theirs_drops_the_stale_edit(app_store: Store) -> None:
    at = _card(app_store, "animator")
    site = app_store.get_site(GOOD_SITE)
    app_store.update_site(SYSTEM, GOOD_SITE, expected_version=site.version, note="theirs")
    next(b for b in at.button if b.label == "Změnit stav").click()
    at.run()
    assert at.json
    at.button(key="conflict_take_theirs").click().run()
    assert not at.json
    assert app_store.get_site(GOOD_SITE).status == "new"


def test_hostile_name_and_notes_stay_text(app_store: Store) -> None:
    hostile = "tiny_brownfields:BF2"
    animator = user_id(app_store, "animator")
    for payload in XSS_PAYLOADS:
        app_store.add_annotation(animator, hostile, payload)
    at = _card(app_store, "animator", site=hostile)
    assert not at.exception
    assert at.title[0].value == escape_markdown(XSS_PAYLOADS[0])
    assert _plain(at.title[0].value) == XSS_PAYLOADS[0]
    shown = [m.value for m in at.markdown]
    for payload in XSS_PAYLOADS:
        assert escape_markdown(payload) in shown
    # every character that could open a tag, a link or a placeholder is escaped
    notes = [m for m in shown if "xss" in m]
    assert len(notes) == len(XSS_PAYLOADS)
    assert not [m for m in notes if re.search(r"(?<!\\)[<>\[\]()$`]", m)]


def test_an_unknown_site_is_reported(app_store: Store) -> None:
    at = _card(app_store, "planner", site="nope:1")
    assert "Plocha nope:1 v databázi není." in [_plain(w.value) for w in at.warning]
    assert at.text_input(key="site_pick_id")


def test_the_card_in_english(app_store: Store) -> None:
    at = _card(app_store, "planner", **{shell.LANG_KEY: "en"})
    assert _plain(at.caption[0].value).endswith("Status: " + status_label("new", "en"))
    assert [h.value for h in at.header] == ["Scores", "Energy", "Source and attributes", "Work on the site"]
    assert "Handicap (heavy): Partly inside a protected area" in [_plain(w.value) for w in at.warning]
    breakdown = next(f for f in _frames(at) if "Criterion" in f.columns)
    assert "Global horizontal irradiation" in set(breakdown["Criterion"])


def test_logged_out_visitors_get_nothing(app_store: Store) -> None:
    at = AppTest.from_function(_page, default_timeout=60)
    at.session_state[shell.SELECTED_SITE] = GOOD_SITE
    at.run()
    assert [w.value for w in at.warning] == ["Pro tuto stránku se přihlaste."]
    assert not at.title


def test_the_card_shows_completeness_origin_and_yield_source(app_store: Store) -> None:
    at = _card(app_store, "planner")
    assert not at.exception
    stored = {s.profile: s for s in app_store.site_scores(GOOD_SITE)}["ground_pv"]
    assert stored.completeness is not None
    bars = list(at.get("progress"))
    assert [b.proto.text for b in bars] == [f"Změřeno: {100 * stored.completeness:.0f} % váhy kritérií"]
    breakdown = next(f for f in _frames(at) if "Kritérium" in f.columns)
    assert set(breakdown["Původ hodnoty"]) <= {"změřeno", "odhad (výchozí hodnota profilu)", "není k dispozici", ""}
    assert "změřeno" in set(breakdown["Původ hodnoty"])
    energy = next(f for f in _frames(at) if "Výkon [kWp]" in f.columns)
    assert set(energy["Zdroj výnosu"]) == {"rastr globálního záření"}
    assert set(energy["Změřeno [% váhy]"]) == {round(100 * s.completeness) for s in app_store.site_scores(GOOD_SITE)}


def test_the_history_words_saved_funding_reasons_in_the_readers_language(app_store: Store) -> None:
    from gisplan.app import sitecard
    from gisplan.funding._reasons import record

    call = app_store.funding_calls()[0]
    reasons = [record("intake", "no_dates", "unknown")]  # as the intake rule stores it
    app_store.link_funding_call(SYSTEM, GOOD_SITE, call.id, verdict="unknown", reasons=reasons)
    card = site_card.load_card(app_store, GOOD_SITE)
    czech = sitecard.history_frame(card, {}, "cs")
    details = "\n".join(czech["Podrobnosti"])
    assert "termíny příjmu žádostí nejsou zaznamenány; ověřte výzvu" in details
    assert '"code"' not in details and "no_dates" not in details
    english = "\n".join(sitecard.history_frame(card, {}, "en")["Details"])
    assert "intake dates are not recorded; check the call" in english
