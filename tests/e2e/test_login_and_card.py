"""In the browser: an animator logs in, reads a site's card, adds a note, moves the status, links a call;
a municipality user sees none of that, and an action forced after a role change is refused and audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from gisplan.app.sitecard import status_label
from gisplan.store import SYSTEM, Scope, Store
from tests.app.appstore import GOOD_SITE, REGION
from tests.e2e.appcore import Network, ServedApp, choose, log_in, screenshot, served_app, xss_flags

pytestmark = pytest.mark.e2e

SITE_HEADING = "Bývalý důl Jan"
NOTE = "Starosta souhlasí, prohlídka v pondělí."
SECOND_PASSWORD = "druhy-animator-2026"
ANIMATOR_ACTIONS = ("Přidat poznámku", "Změnit stav", "Propojit s výzvou", "Propojit s komunitou")


def _second_animator(store: Store) -> None:
    store.add_user(SYSTEM, "animator2", "animator", scope=Scope.parse([f"region:{REGION}"]), password=SECOND_PASSWORD)


@pytest.fixture(scope="module")
def core_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    with served_app(tmp_path_factory.mktemp("e2e_core"), _second_animator) as app:
        yield app


def test_an_animator_reads_the_card_and_works_on_the_site(page: Page, core_app: ServedApp) -> None:
    network = Network(page)
    log_in(page, core_app.site_url(GOOD_SITE), "animator")
    expect(page.get_by_role("heading", name=SITE_HEADING)).to_be_visible(timeout=30_000)
    main = page.locator("[data-testid=stMain]")
    for heading in ("Hodnocení", "Energie", "Zdroj a atributy", "Práce s plochou", "Historie změn"):
        expect(main.get_by_role("heading", name=heading)).to_be_visible()
    expect(main.locator("[data-testid=stVegaLiteChart]").first).to_be_visible(timeout=30_000)
    expect(main.get_by_text("Znevýhodnění (těžké): Zčásti v chráněném území")).to_be_visible()
    screenshot(page, "site_card_animator")

    main.get_by_label("Nová poznámka").fill(NOTE)
    main.get_by_role("button", name="Přidat poznámku").click()
    expect(main.get_by_text("Poznámka přidána.")).to_be_visible(timeout=30_000)
    expect(main.locator("p", has_text=NOTE)).to_be_visible()

    choose(page, "Nový stav", status_label("screening", "cs"))
    main.get_by_label("Důvod").fill("prohlídka domluvena")
    main.get_by_role("button", name="Změnit stav").click()
    expect(main.get_by_text("Stav změněn.")).to_be_visible(timeout=30_000)

    main.get_by_role("button", name="Propojit s výzvou").click()
    expect(main.get_by_text("Plocha propojena s výzvou.")).to_be_visible(timeout=30_000)
    screenshot(page, "site_card_after_edits")

    store = core_app.store()
    try:
        assert [a.text for a in store.annotations(GOOD_SITE)] == [NOTE]
        assert store.get_site(GOOD_SITE).status == "screening"
        assert len(store.funding_links(GOOD_SITE)) == 1
        audited = {(e.actor_name, e.action) for e in store.audit_log(outcome="ok", limit=10)}
        assert {
            ("animator", "annotation.add"),
            ("animator", "site.status"),
            ("animator", "site.link_funding_call"),
        } <= audited
    finally:
        store.close()
    assert xss_flags(page) == [None] * len(page.frames)
    assert network.errors == []
    assert network.aborted == []


def test_a_municipality_user_reads_the_card_without_animator_actions(page: Page, core_app: ServedApp) -> None:
    network = Network(page)
    log_in(page, core_app.site_url(GOOD_SITE), "obec")
    expect(page.get_by_role("heading", name=SITE_HEADING)).to_be_visible(timeout=30_000)
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_role("heading", name="Práce s plochou")).to_be_visible()
    expect(main.get_by_role("heading", name="Historie změn")).to_be_visible()
    for label in ANIMATOR_ACTIONS:
        assert main.get_by_role("button", name=label).count() == 0, label
    assert main.get_by_label("Nová poznámka").count() == 0
    assert page.get_by_role("link", name="Správa uživatelů").count() == 0  # admin page not in the navigation
    screenshot(page, "site_card_municipality")
    assert network.errors == []


def test_an_action_after_losing_the_role_ends_the_session_and_writes_nothing(page: Page, core_app: ServedApp) -> None:
    log_in(page, core_app.site_url(GOOD_SITE), "animator2", SECOND_PASSWORD)
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_role("button", name="Přidat poznámku")).to_be_visible(timeout=30_000)
    store = core_app.store()
    try:
        store.set_role(SYSTEM, "animator2", "municipality", scope=Scope.parse(["municipality:567001"]))
        main.get_by_label("Nová poznámka").fill("poslední pokus")
        main.get_by_role("button", name="Přidat poznámku").click()
        # a role change moves the user's session epoch: the open session ends before the note is written
        expect(
            main.get_by_text("Vaše přihlášení skončilo, protože se změnilo heslo, role nebo působnost")
        ).to_be_visible(timeout=30_000)
        expect(main.get_by_role("heading", name="Přihlášení do gisplanu")).to_be_visible()
        expect(main.get_by_role("button", name="Přidat poznámku")).to_have_count(0)
        screenshot(page, "site_card_session_ended")
        assert "poslední pokus" not in [a.text for a in store.annotations(GOOD_SITE)]
    finally:
        store.close()
