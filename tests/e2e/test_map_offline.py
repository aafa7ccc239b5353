"""The map appears with no internet (every request to a host other than localhost is aborted).

On the demo store (``demo_app``): an animator logs in, the map shows the stored
sites coloured by score with the legend and the layer control, the table lists
them, and a click on a site opens its card. On a tiny store whose site names are
hostile: the names show as text in tooltips and run nothing. Screenshots go to
``test-results/artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, Request, Route, expect

from gisplan.app.mapview import KIND_COLORS, SCORE_CLASSES
from gisplan.store import open_store
from tests.app.appstore import ACCOUNTS, XSS_PAYLOADS
from tests.app.appstore import build as build_app_store
from tests.app.conftest import build_tiny_region
from tests.conftest import ROOT
from tests.e2e.conftest import DemoApp, serve_app

pytestmark = pytest.mark.e2e

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
ARTIFACTS = ROOT / "test-results" / "artifacts"
TIMEOUT_MS = 60_000


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


def log_in(page: Page, url: str, username: str, password: str) -> None:
    """Log in through the login form and wait for the Map page."""
    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_label("Uživatelské jméno")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_label("Uživatelské jméno").fill(username)
    page.get_by_label("Heslo").fill(password)
    page.get_by_role("button", name="Přihlásit se").click()
    expect(page.get_by_role("heading", name="Mapa kandidátních ploch")).to_be_visible(timeout=TIMEOUT_MS)


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot in ``test-results/artifacts/``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_demo_map_renders_offline_from_the_store_and_a_click_opens_the_card(page: Page, demo_app: DemoApp) -> None:
    network = Network(page)
    log_in(page, demo_app.url, "animator", demo_app.logins["animator"])
    frame = page.frame_locator(MAP_IFRAME)
    container = frame.locator(".leaflet-container")
    expect(container).to_be_visible(timeout=TIMEOUT_MS)
    # stored sites, outlined by kind and filled by score class
    brownfields = frame.locator(f'path.leaflet-interactive[stroke="{KIND_COLORS["brownfield"]}"]')
    expect(brownfields.first).to_be_visible(timeout=TIMEOUT_MS)
    roofs = frame.locator(f'path.leaflet-interactive[stroke="{KIND_COLORS["rooftop"]}"]')
    assert roofs.count() > 10
    fills = {brownfields.nth(i).get_attribute("fill") for i in range(min(brownfields.count(), 20))}
    assert fills <= {fill for _, fill in SCORE_CLASSES}
    expect(frame.locator(".gisplan-legend")).to_contain_text("Skóre profilu")
    control = frame.locator(".leaflet-control-layers")
    for label in ("Brownfield", "Střecha", "Obce (demo)", "Chráněná území (demo)"):
        expect(control).to_contain_text(label)
    # Leaflet's CSS from static/vendor is applied (the control would be unstyled without it)
    assert container.evaluate("el => getComputedStyle(el).overflow") == "hidden"
    expect(page.get_by_role("heading", name="Kandidátní plochy")).to_be_visible()
    expect(page.get_by_text("Zobrazeno", exact=False).first).to_be_visible()
    screenshot(page, "map_demo_offline.png")

    # a circle marker reports its own position as the click: that site's card opens
    roofs.first.dispatch_event("click")
    expect(page.get_by_role("heading", name="Mapa kandidátních ploch")).to_have_count(0, timeout=TIMEOUT_MS)
    page.wait_for_url("**/site?site=*", timeout=TIMEOUT_MS)
    site_id = parse_qs(urlparse(page.url).query)["site"][0]
    store = open_store(demo_app.store_url)
    try:
        site = store.get_site(site_id)
    finally:
        store.close()
    assert site.kind == "rooftop"
    expect(page.get_by_role("heading", name=site.name).first).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_timeout(2_500)  # let the card's charts and tables draw before the screenshot
    screenshot(page, "map_click_site_card.png")

    assert network.failed_static == []
    assert network.errors == []
    assert network.aborted == [], f"the page asked for external hosts: {sorted(set(network.aborted))}"


def test_on_a_phone_the_legend_and_layer_control_start_folded(page: Page, demo_app: DemoApp) -> None:
    network = Network(page)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, demo_app.url, "animator", demo_app.logins["animator"])
    frame = page.frame_locator(MAP_IFRAME)
    expect(frame.locator(f'path.leaflet-interactive[stroke="{KIND_COLORS["rooftop"]}"]').first).to_be_attached(
        timeout=TIMEOUT_MS
    )
    legend = frame.locator("details.gisplan-legend")
    expect(legend).to_be_visible()
    assert legend.evaluate("el => el.open") is False
    expect(legend.locator("summary")).to_have_text("Legenda")
    expect(frame.locator(".gisplan-legend div").first).to_be_hidden()
    control = frame.locator(".leaflet-control-layers")
    expect(control).not_to_have_class(re.compile(r"leaflet-control-layers-expanded"))
    # the folded legend is small: most of the map stays visible
    box = legend.bounding_box()
    container = frame.locator(".leaflet-container").bounding_box()
    assert box is not None and container is not None
    assert box["height"] * box["width"] < 0.05 * container["height"] * container["width"]
    page.frame_locator(MAP_IFRAME).locator(".leaflet-container").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map_phone_legend_folded.png"))
    # one tap unfolds it, and the tap does not count as a click on the map
    legend.locator("summary").click()
    assert legend.evaluate("el => el.open") is True
    expect(legend).to_contain_text("Skóre profilu")
    expect(page.get_by_role("heading", name="Mapa kandidátních ploch")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "map_phone_legend_open.png"))
    assert network.errors == []
    assert network.aborted == []


def test_hostile_site_names_show_as_text_and_run_nothing(page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("e2e_hostile_map")
    layers, data = build_tiny_region(root)
    store_url = f"sqlite:///{build_app_store(root / 'store.sqlite').as_posix()}"
    with serve_app(layers, data, root / "streamlit.log", {"GISPLAN_DATABASE_URL": store_url}) as url:
        network = Network(page)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log_in(page, url, "animator", ACCOUNTS["animator"].password)
        frame = page.frame_locator(MAP_IFRAME)
        brownfields = frame.locator(f'path.leaflet-interactive[stroke="{KIND_COLORS["brownfield"]}"]')
        expect(brownfields.first).to_be_visible(timeout=TIMEOUT_MS)
        assert brownfields.count() == 2
        shown = []
        for index in range(2):
            brownfields.nth(index).hover(force=True)
            tooltip = frame.locator(".leaflet-tooltip")
            expect(tooltip).to_be_visible()
            shown.append(tooltip.inner_text())
        assert XSS_PAYLOADS[0] in "\n".join(shown)
        assert frame.locator("img[src=x]").count() == 0
        # the table shows the name as typed
        expect(page.get_by_text("Kandidátní plochy")).to_be_visible()
        page.wait_for_timeout(500)
        flags = [f.evaluate("() => window.__xss") for f in page.frames]
        assert flags == [None] * len(flags)
        screenshot(page, "map_hostile_names.png")
        assert dialogs == []
        assert network.errors == []
        assert network.aborted == []
