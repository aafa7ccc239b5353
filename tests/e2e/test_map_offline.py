"""The map appears with no internet: every request to a host other than localhost is aborted."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Request, Route, expect

pytestmark = pytest.mark.e2e

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
SCREENSHOT = Path("/tmp/gisplan_e2e_map.png")
SCREENSHOT_CARD = Path("/tmp/gisplan_e2e_card.png")
BROWNFIELD_FILL = "#8c510a"  # gisplan.app.mapview.KIND_COLORS["brownfield"]


class Network:
    """Blocks every non-local request; remembers what was blocked, failed or threw.

    The sync Playwright API runs route handlers only inside Playwright calls, so
    tests wait with ``expect``/``wait_for_timeout``, never ``time.sleep``.
    """

    def __init__(self, page: Page) -> None:
        self.aborted: list[str] = []
        self.failed_static: list[str] = []
        self.errors: list[str] = []
        page.context.route("**/*", self._route)
        page.on("response", self._response)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route: Route, request: Request) -> None:
        host = urlparse(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.aborted.append(request.url)
            route.abort()

    def _response(self, response: object) -> None:
        url = str(getattr(response, "url", ""))
        status = int(getattr(response, "status", 0))
        if "/app/static/" in url and status >= 400:
            self.failed_static.append(f"{status} {url}")


def test_map_renders_offline_and_a_click_opens_the_site_card(page: Page, app_url: str) -> None:
    network = Network(page)
    page.goto(app_url, wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Mapa kandidátních ploch")).to_be_visible(timeout=60_000)
    frame = page.frame_locator(MAP_IFRAME)
    container = frame.locator(".leaflet-container")
    expect(container).to_be_visible(timeout=60_000)
    # vector sites and context layers are drawn as SVG paths; rooftops as clusters
    expect(frame.locator(f'path.leaflet-interactive[fill="{BROWNFIELD_FILL}"]').first).to_be_visible(timeout=30_000)
    assert frame.locator("path.leaflet-interactive").count() >= 5
    expect(frame.locator(".marker-cluster").first).to_be_visible()
    expect(frame.locator(".gisplan-legend")).to_contain_text("Brownfield")
    expect(frame.locator(".leaflet-control-layers")).to_contain_text("Obecní pozemek")
    # Leaflet's CSS from static/vendor is applied (the control would be unstyled without it)
    assert container.evaluate("el => getComputedStyle(el).overflow") == "hidden"
    # the table under the map
    expect(page.get_by_role("heading", name="Kandidátní plochy")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    frame.locator(f'path.leaflet-interactive[fill="{BROWNFIELD_FILL}"]').first.click()
    expect(page.get_by_role("heading", name="Vybraná plocha")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(SCREENSHOT_CARD), full_page=True)

    assert network.failed_static == []
    assert network.errors == []
    assert network.aborted == [], f"the page asked for external hosts: {sorted(set(network.aborted))}"


def test_hostile_site_names_show_as_text_and_run_nothing(page: Page, tiny_app_url: str) -> None:
    network = Network(page)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(tiny_app_url, wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_IFRAME)
    brownfields = frame.locator(f'path.leaflet-interactive[fill="{BROWNFIELD_FILL}"]')
    expect(brownfields.first).to_be_visible(timeout=60_000)
    assert brownfields.count() == 4
    shown = []
    for index in range(4):
        brownfields.nth(index).hover()
        tooltip = frame.locator(".leaflet-tooltip")
        expect(tooltip).to_be_visible()
        shown.append(tooltip.inner_text())
    text = "\n".join(shown)
    assert "<img src=x onerror=alert(1)>" in text
    assert "`${alert(1)}`" in text
    assert "C:\\users\\new [link](javascript:alert(1))" in text
    assert frame.locator("img[src=x]").count() == 0
    # the card heading shows the name as typed, not as markdown or HTML
    for index in range(4):
        brownfields.nth(index).click()
        page.wait_for_timeout(300)
    expect(page.get_by_role("heading", name="Vybraná plocha")).to_be_visible(timeout=30_000)
    assert page.locator("[data-testid=stMain] a[href^=javascript]").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    assert network.errors == []
    assert network.aborted == []
