"""In the browser: tables offer no toolbar download; autolinks in user text stay text (issue 11, points 4 and 8).

A municipality user (``obec``) sees the map's results table with Streamlit's
table toolbar (search, full screen) but without its "Download as CSV" button,
and without our audited download button; a planner gets the audited button. A
site whose name holds a bare URL, a ``www.`` domain and an e-mail address shows
it as text on its card, with no link.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shapely
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from gisplan.store import Store
from gisplan.store.models import Site
from tests.app.appstore import HORNI, REGION, X0, Y0
from tests.e2e.appcore import Network, ServedApp, log_in, screenshot, served_app

pytestmark = pytest.mark.e2e

LINK_SITE = "tiny_brownfields:URL1"
LINK_NAME = "Areál https://evil.example/x www.evil.cz starosta@evil.cz"
TABLE_DOWNLOAD = "Stáhnout tabulku (CSV)"


def _linky(store: Store) -> None:
    geom = shapely.box(X0 + 100, Y0 + 700, X0 + 160, Y0 + 760)
    with Session(store.engine) as session, session.begin():
        session.add(
            Site(
                id=LINK_SITE,
                kind="brownfield",
                name=LINK_NAME,
                source="tiny_brownfields",
                source_id="URL1",
                area_m2=float(geom.area),
                municipality_code=HORNI,
                region_code=REGION,
                attributes={},
                geom=shapely.set_srid(geom, 5514),
                minx=geom.bounds[0],
                miny=geom.bounds[1],
                maxx=geom.bounds[2],
                maxy=geom.bounds[3],
                status="new",
            )
        )


@pytest.fixture(scope="module")
def table_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    with served_app(tmp_path_factory.mktemp("e2e_tables"), _linky) as app:
        yield app


def _results_table(page: Page) -> None:
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_role("heading", name="Kandidátní plochy")).to_be_visible(timeout=60_000)
    table = main.locator("[data-testid=stDataFrame]").last
    expect(table).to_be_visible(timeout=30_000)
    table.hover()
    toolbar = main.locator("[data-testid=stElementToolbar]").last
    expect(toolbar).to_be_visible(timeout=10_000)
    expect(toolbar.get_by_role("button").first).to_be_visible()  # the toolbar is there (search, full screen)
    assert toolbar.get_by_role("button", name="Download as CSV").count() == 0
    assert main.get_by_label("Download as CSV").count() == 0


def test_a_municipality_user_cannot_download_the_map_table(page: Page, table_app: ServedApp) -> None:
    network = Network(page)
    log_in(page, table_app.url, "obec")
    _results_table(page)
    assert page.get_by_role("button", name=TABLE_DOWNLOAD).count() == 0
    screenshot(page, "map_table_municipality")
    assert network.errors == []


def test_a_planner_gets_the_audited_table_download(page: Page, table_app: ServedApp) -> None:
    log_in(page, table_app.url, "planner")
    _results_table(page)
    expect(page.get_by_role("button", name=TABLE_DOWNLOAD)).to_be_visible()


def test_urls_in_a_site_name_are_not_links(page: Page, table_app: ServedApp) -> None:
    log_in(page, table_app.site_url(LINK_SITE), "animator")
    main = page.locator("[data-testid=stMain]")
    heading = main.locator("h1").first
    expect(heading).to_contain_text("evil.example", timeout=30_000)
    shown = heading.inner_text().replace("\u2060", "")
    assert LINK_NAME in shown
    hrefs = main.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    links = [h for h in hrefs if not h.startswith("#")]  # a heading's own anchor is "#<slug>"
    assert [h for h in links if "evil" in h or h.startswith("mailto")] == [], hrefs
