"""In the browser: a municipality draws a polygon, fills the form and submits; the animator accepts it;
it becomes a site with a score.

The app runs on the tiny region (``tests/app/conftest.py``) with the project's
profiles plus ``tiny_lines`` (a profile the tiny region can score), and a SQLite
store with an animator of CZ042 and the municipality user of Horní Ves
(567001). Every non-local request is aborted. Screenshots go to
``test-results/artifacts/`` (gitignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from playwright.sync_api import FrameLocator, Page, Request, Route, expect

from gisplan.store import SYSTEM, Scope, open_store
from tests.app.conftest import build_tiny_region
from tests.app.submitworld import DOLNI, HORNI, REGION, TINY_PROFILE
from tests.conftest import ROOT
from tests.e2e.conftest import serve_app

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-results" / "artifacts"
PASSWORDS = {"obec": "obec-heslo-2026", "animator": "animator-heslo-2026"}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SITE_NAME = "Bývalá pila u nádraží"


@pytest.fixture(scope="module")
def flow_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(app URL, store URL) of the app on the tiny region with users and municipalities."""
    root = tmp_path_factory.mktemp("e2e_submission")
    layers, data = build_tiny_region(root)
    shutil.copytree(ROOT / "layers" / "profiles", layers / "profiles")
    (layers / "profiles" / "tiny_lines.yaml").write_text(TINY_PROFILE, encoding="utf-8")
    store_url = f"sqlite:///{(root / 'gisplan.sqlite').as_posix()}"
    store = open_store(store_url)
    try:
        store.add_community(SYSTEM, "municipality", "Horní Ves", code=HORNI, region_code=REGION)
        store.add_community(SYSTEM, "municipality", "Dolní Ves", code=DOLNI, region_code=REGION)
        store.add_user(
            SYSTEM, "obec", "municipality", scope=Scope.parse([f"municipality:{HORNI}"]), password=PASSWORDS["obec"]
        )
        store.add_user(
            SYSTEM, "animator", "animator", scope=Scope.parse([f"region:{REGION}"]), password=PASSWORDS["animator"]
        )
    finally:
        store.close()
    extra = {"GISPLAN_DATABASE_URL": store_url}
    with serve_app(layers, data, root / "streamlit.log", extra_env=extra) as url:
        yield url, store_url


def _block_remote(page: Page) -> list[str]:
    aborted: list[str] = []

    def route(route: Route, request: Request) -> None:
        host = urlparse(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:", "about:")) or host in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            aborted.append(request.url)
            route.abort()

    page.context.route("**/*", route)
    return aborted


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _log_in(page: Page, url: str, username: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Přihlášení do gisplanu")).to_be_visible(timeout=60_000)
    page.get_by_label("Uživatelské jméno").fill(username)
    page.get_by_label("Heslo").fill(PASSWORDS[username])
    page.get_by_role("button", name="Přihlásit se").click()
    expect(page.get_by_text(f"Přihlášen(a): {username}")).to_be_visible(timeout=30_000)


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


@dataclass(frozen=True)
class SiteForm:
    """What a municipality user types into the submission form (Czech option labels)."""

    name: str
    location: str
    previous_use: str
    contamination: str
    contact: str
    email: str


def fill_form(page: Page, form: SiteForm) -> None:
    """Fill the submission form: municipal owner, PV as the intended use, consent to publish."""
    page.get_by_label("Název lokality *").fill(form.name)
    page.get_by_label("Adresa nebo popis místa *").fill(form.location)
    _choose(page, "Původní využití *", form.previous_use)
    _choose(page, "Vlastnictví *", "obec")
    _choose(page, "Kontaminace *", form.contamination)
    uses = page.get_by_label("Zamýšlené využití *", exact=True)
    uses.click()
    uses.press_sequentially("fotovolt")
    uses.press("Enter")
    uses.press("Escape")
    page.get_by_text("Ano, lokalitu lze zveřejnit").click()
    page.get_by_label("Jméno *").fill(form.contact)
    page.get_by_label("E-mail").fill(form.email)


def _draw_polygon(map_frame: FrameLocator) -> None:
    """Draw a polygon around the middle of the map with Leaflet.draw; close it on its first point."""
    map_frame.get_by_role("link", name="Draw a polygon").click()
    expect(map_frame.locator(".leaflet-draw-tooltip").first).to_be_visible()
    container = map_frame.locator(".leaflet-container").first
    box = container.bounding_box()
    assert box is not None
    cx, cy = box["width"] / 2, box["height"] / 2
    corners = [(cx - 70, cy - 50), (cx + 70, cy - 50), (cx + 70, cy + 50), (cx - 70, cy + 50), (cx - 70, cy - 50)]
    for x, y in corners:
        container.click(position={"x": x, "y": y})
        container.page.wait_for_timeout(400)  # apart, so no two clicks make a double click


def test_submit_a_drawn_site_and_accept_it(page: Page, flow_app: tuple[str, str]) -> None:
    url, store_url = flow_app
    aborted = _block_remote(page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. the municipality draws a polygon, fills the form and submits
    _log_in(page, url, "obec")
    page.get_by_role("link", name="Podat lokalitu").click()
    expect(page.get_by_role("heading", name="Podat kandidátní lokalitu")).to_be_visible(timeout=30_000)
    map_frame = page.frame_locator(MAP_FRAME).first
    expect(map_frame.get_by_role("link", name="Draw a polygon")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Zatím není nic nakresleno.")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)  # the map's first report to Streamlit reruns the page once; let it settle
    _draw_polygon(map_frame)
    expect(page.get_by_text("Nakreslené tvary: 1")).to_be_visible(timeout=30_000)
    _shot(page, "submission_drawn")
    page.get_by_role("button", name="Zkontrolovat nakreslené").click()
    expect(page.get_by_role("heading", name="Náhled")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Hodnocení podle profilů")).to_be_visible(timeout=60_000)

    fill_form(
        page,
        SiteForm(SITE_NAME, "Za nádražím, Horní Ves", "průmysl", "podezření", "Jana Nováková", "starostka@hornives.cz"),
    )
    _shot(page, "submission_form")
    page.get_by_role("button", name="Odeslat podání").click()
    expect(page.get_by_text("Odesláno: 1 lokalit")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Odhlásit se").click()

    # 2. the animator accepts it
    _log_in(page, url, "animator")
    page.get_by_role("link", name="Moderace").click()
    expect(page.get_by_role("heading", name="Moderace podání")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Čeká na posouzení: 1")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name=SITE_NAME)).to_be_visible()
    _shot(page, "moderation_queue")
    page.get_by_role("button", name="Přijmout").click()

    # 3. it is a site with a score
    expect(page.get_by_text("Přijato: lokalita submission:1 je v databázi a na mapě.")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Skóre nové lokality")).to_be_visible()
    _shot(page, "moderation_accepted")
    store = open_store(store_url)
    try:
        site = store.get_site("submission:1")
        assert (site.name, site.source, site.municipality_code) == (SITE_NAME, "submission", HORNI)
        assert site.area_m2 is not None
        assert site.area_m2 > 1000
        scores = {s.profile: s.score for s in store.site_scores(site.id)}
        assert scores["tiny_lines"] is not None
        assert scores["tiny_lines"] > 0
        sub = store.submissions()[0]
        assert (sub.state, sub.site_id) == ("accepted", site.id)
        assert sub.attributes["form"]["contact"]["email"] == "starostka@hornives.cz"
    finally:
        store.close()
    assert aborted == []
    assert errors == []
