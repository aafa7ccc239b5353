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
