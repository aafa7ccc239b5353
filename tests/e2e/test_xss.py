"""In the browser: hostile site names, notes, community names and source attributes stay text.

Each of the four payloads of issue 5 is a site name and a note; a community
name and a source attribute carry more. ``window.__xss`` must stay undefined
in every frame (the map's iframe too), no dialog may open, and no
``javascript:`` link or injected image may appear.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shapely
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from gisplan.store import SYSTEM, Store
from gisplan.store.models import Site
from tests.app.appstore import HORNI, REGION, X0, XSS_PAYLOADS, Y0
from tests.e2e.appcore import Network, ServedApp, log_in, screenshot, served_app, xss_flags

pytestmark = pytest.mark.e2e

HOSTILE_SITES = [f"tiny_brownfields:X{i}" for i in range(len(XSS_PAYLOADS))]
JAVASCRIPT_URL = "javascript:window.__xss=1"


def _hostile(store: Store) -> None:
    with Session(store.engine) as session, session.begin():
        for i, (site_id, payload) in enumerate(zip(HOSTILE_SITES, XSS_PAYLOADS, strict=True)):
            geom = shapely.box(X0 + 100 + 50 * i, Y0 + 600, X0 + 140 + 50 * i, Y0 + 640)
            session.add(
                Site(
                    id=site_id,
                    kind="brownfield",
                    name=payload,
                    source="tiny_brownfields",
                    source_id=f"X{i}",
                    area_m2=float(geom.area),
                    municipality_code=HORNI,
                    region_code=REGION,
                    attributes={"web": JAVASCRIPT_URL, "popis": payload},
                    geom=shapely.set_srid(geom, 5514),
                    minx=geom.bounds[0],
                    miny=geom.bounds[1],
                    maxx=geom.bounds[2],
                    maxy=geom.bounds[3],
                    status="new",
                )
            )
    animator = store.user("animator").id
    for payload in XSS_PAYLOADS:
        store.add_annotation(animator, HOSTILE_SITES[0], payload)
    community = store.add_community(SYSTEM, "energy_community", XSS_PAYLOADS[2], region_code=REGION)
    store.link_community(animator, HOSTILE_SITES[0], community.id, note=XSS_PAYLOADS[1])


@pytest.fixture(scope="module")
def xss_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    with served_app(tmp_path_factory.mktemp("e2e_xss"), _hostile) as app:
        yield app


def _assert_inert(page: Page, network: Network) -> None:
    page.wait_for_timeout(500)  # give an injected onerror handler time to run
    assert xss_flags(page) == [None] * len(page.frames)
    main = page.locator("[data-testid=stMain]")
    assert main.locator("a[href^='javascript' i]").count() == 0
    assert main.locator("img[src=x]").count() == 0
    assert network.dialogs == []
    assert network.errors == []
    assert network.aborted == []


@pytest.mark.parametrize("index", range(len(XSS_PAYLOADS)))
def test_a_hostile_site_name_is_shown_as_typed(page: Page, xss_app: ServedApp, index: int) -> None:
    network = Network(page)
    log_in(page, xss_app.site_url(HOSTILE_SITES[index]), "animator")
    expect(page.get_by_role("heading", name=XSS_PAYLOADS[index], exact=True)).to_be_visible(timeout=30_000)
    _assert_inert(page, network)


def test_hostile_notes_links_and_attributes_are_shown_as_text(page: Page, xss_app: ServedApp) -> None:
    network = Network(page)
    log_in(page, xss_app.site_url(HOSTILE_SITES[0]), "animator")
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_role("heading", name="Poznámky")).to_be_visible(timeout=30_000)
    for payload in XSS_PAYLOADS:
        expect(main.locator("p", has_text=payload).first).to_be_visible()
    expect(main.get_by_text(XSS_PAYLOADS[2] + " (")).to_be_visible()  # the community's name
    screenshot(page, "site_card_hostile")
    _assert_inert(page, network)
    # the map page too, with its iframe
    page.get_by_role("link", name="Mapa").click()
    expect(page.get_by_role("heading", name="Mapa kandidátních ploch")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)
    _assert_inert(page, network)
