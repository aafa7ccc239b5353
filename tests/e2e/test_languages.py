"""In the browser: the demo map and a site card in Polish and Danish, kept as screenshots.

An animator logs in (Czech by default), picks Polski in the sidebar's language
switch, reads the map and opens a roof's card, then switches to Dansk on the
card and goes back to the map. Every page is in the chosen language, with no
Czech heading left, and numbers in that language's style.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from gisplan.app.i18n import t
from gisplan.app.mapview import KIND_COLORS
from tests.e2e.conftest import DemoApp
from tests.e2e.test_map_offline import MAP_IFRAME, TIMEOUT_MS, Network, log_in, screenshot

pytestmark = pytest.mark.e2e


def _switch_language(page: Page, name: str) -> None:
    """Pick ``name`` (Polski, Dansk…) in the sidebar's language radio."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stRadio").get_by_text(name, exact=True).click()


def _map_is_drawn(page: Page) -> FrameLocator:
    # A language switch reruns the page while the map of the previous run is still mounting; until
    # that run ends Streamlit may keep its map beside the new one, collapsed to height 0: take the shown one.
    shown = page.locator(f'{MAP_IFRAME}:not([height="0"])')
    expect(shown).to_have_count(1, timeout=TIMEOUT_MS)
    frame = shown.last.content_frame
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT_MS)
    roofs = frame.locator(f'path.leaflet-interactive[stroke="{KIND_COLORS["rooftop"]}"]')
    expect(roofs.first).to_be_attached(timeout=TIMEOUT_MS)
    return frame


#: An animator of the demo region of this test's own: the language each user picks is saved in the
#: store, and the other browser tests log in as ``animator`` on the same demo app and expect Czech.
POLYGLOT, POLYGLOT_PASSWORD = "polyglot", "polyglot-heslo-2026"


def _polyglot(demo_app: DemoApp) -> None:
    from gisplan.funding._territory import DEMO_REGION
    from gisplan.store import SYSTEM, Scope, open_store

    with open_store(demo_app.store_url) as store:
        if POLYGLOT not in {user.username for user, _ in store.users()}:
            scope = Scope.parse([f"region:{DEMO_REGION}"])
            store.add_user(SYSTEM, POLYGLOT, "animator", scope=scope, password=POLYGLOT_PASSWORD)


def test_map_and_site_card_in_polish_and_danish(page: Page, demo_app: DemoApp) -> None:
    network = Network(page)
    _polyglot(demo_app)
    log_in(page, demo_app.url, POLYGLOT, POLYGLOT_PASSWORD)

    _switch_language(page, "Polski")
    expect(page.get_by_role("heading", name=t("map.heading", "pl"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name=t("map.heading", "cs"))).to_have_count(0)
    frame = _map_is_drawn(page)
    expect(frame.locator(".gisplan-legend")).to_contain_text(t("map.legend_score", "pl"), timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name=t("table.heading", "pl"))).to_be_visible()
    page.wait_for_timeout(2_000)  # let the map's tiles and the table settle before the screenshot
    screenshot(page, "map_pl.png")

    roofs = frame.locator(f'path.leaflet-interactive[stroke="{KIND_COLORS["rooftop"]}"]')
    roofs.first.dispatch_event("click")
    page.wait_for_url("**/site?site=*", timeout=TIMEOUT_MS)
    main = page.locator("[data-testid=stMain]")
    for key in ("site.scores", "site.energy", "site.source", "site.history"):
        expect(main.get_by_role("heading", name=t(key, "pl"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(main.get_by_role("heading", name=t("site.scores", "cs"))).to_have_count(0)
    page.wait_for_timeout(2_500)  # the card's charts and tables draw after the headings
    screenshot(page, "site_card_pl.png")

    _switch_language(page, "Dansk")
    for key in ("site.energy", "site.source", "site.history"):
        expect(main.get_by_role("heading", name=t(key, "da"))).to_be_visible(timeout=TIMEOUT_MS)
    # the card's profile box shows the Danish title, not the Polish one it was picked in
    expect(main.get_by_text("Fotowoltaika dachowa")).to_have_count(0, timeout=TIMEOUT_MS)
    caption = main.get_by_text(re.compile(r"\d m²")).first
    expect(caption).to_be_visible()
    assert not re.search(r"\d,\d{3} m²", caption.inner_text()), "an English thousands comma in Danish"
    page.wait_for_timeout(2_500)
    screenshot(page, "site_card_da.png")

    page.get_by_test_id("stSidebar").get_by_role("link", name=t("nav.map", "da"), exact=True).click()
    expect(page.get_by_role("heading", name=t("map.heading", "da"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(_map_is_drawn(page).locator(".gisplan-legend")).to_contain_text(
        t("map.legend_score", "da"), timeout=TIMEOUT_MS
    )
    page.wait_for_timeout(2_000)
    screenshot(page, "map_da.png")

    assert network.errors == []
    assert network.aborted == []
