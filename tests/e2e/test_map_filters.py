"""Filtering the demo map by municipality in Chromium: the map moves, and the map and the table follow."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from gisplan.app.mapview import KIND_COLORS
from gisplan.store import open_store
from gisplan.store.models import Community, Site, SiteScore
from tests.e2e.conftest import DemoApp
from tests.e2e.test_map_offline import MAP_IFRAME, TIMEOUT_MS, Network, log_in, screenshot

pytestmark = pytest.mark.e2e

PROFILE = "community_energy"  # the first profile in the list, shown first


def _busiest_municipality(store_url: str) -> tuple[str, str, int]:
    """(code, name, kept sites) of the demo municipality with the most sites kept by the first profile."""
    store = open_store(store_url)
    try:
        stmt = (
            select(Site.municipality_code, func.count())
            .join(SiteScore, SiteScore.site_id == Site.id)
            .where(SiteScore.profile == PROFILE, SiteScore.excluded.is_(False), Site.municipality_code.is_not(None))
            .group_by(Site.municipality_code)
            .order_by(func.count().desc(), Site.municipality_code)
        )
        code, count = store.read(lambda s: s.execute(stmt).first())
        name = store.read(
            lambda s: s.scalar(select(Community.name).where(Community.kind == "municipality", Community.code == code))
        )
    finally:
        store.close()
    return str(code), str(name), int(count)


def _matching(page: Page) -> int:
    caption = page.get_by_text(re.compile(r"filtrům odpovídá \d+ ploch")).first
    expect(caption).to_be_visible(timeout=TIMEOUT_MS)
    found = re.search(r"filtrům odpovídá (\d+) ploch", caption.inner_text())
    assert found is not None
    return int(found.group(1))


def _sites_drawn(page: Page) -> int:
    frame = page.frame_locator(MAP_IFRAME)
    strokes = ",".join(f'path.leaflet-interactive[stroke="{colour}"]' for colour in KIND_COLORS.values())
    return frame.locator(strokes).count()


def _choose_municipality(page: Page, label: str) -> None:
    """Pick ``label`` in the sidebar's municipality filter; again if a rerun swallowed the first pick."""
    sidebar = page.get_by_test_id("stSidebar")
    municipality = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Obec")
    for _ in range(3):
        page.wait_for_timeout(1500)  # let the reruns of the map's first report settle
        municipality.click()
        page.keyboard.type(label.split(" (", maxsplit=1)[0])
        page.get_by_role("option", name=label).click()
        page.keyboard.press("Escape")
        try:
            expect(municipality.get_by_text(label)).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"could not choose {label} in the municipality filter")


def _wait_for_drawn(page: Page, count: int) -> int:
    """The number of sites drawn, once it is ``count`` or after about 20 s (the map redraws after the rerun)."""
    drawn = _sites_drawn(page)
    for _ in range(40):
        if drawn == count:
            break
        page.wait_for_timeout(500)
        drawn = _sites_drawn(page)
    return drawn


def test_filtering_by_municipality_changes_map_and_table(page: Page, demo_app: DemoApp) -> None:
    network = Network(page)
    code, name, count = _busiest_municipality(demo_app.store_url)
    assert 0 < count < 1500
    log_in(page, demo_app.url, "animator", demo_app.logins["animator"])
    frame = page.frame_locator(MAP_IFRAME)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT_MS)
    before = _matching(page)
    assert before > count
    expect(frame.locator("path.leaflet-interactive").first).to_be_visible(timeout=TIMEOUT_MS)
    drawn_before = _sites_drawn(page)
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()

    _choose_municipality(page, f"{name} ({code})")

    expect(page.get_by_text(f"filtrům odpovídá {count} ploch")).to_be_visible(timeout=TIMEOUT_MS)
    # the map moved to the municipality and draws exactly its matching sites
    expect(frame.locator(".leaflet-container")).to_be_visible()
    expect(page.get_by_text(f"Zobrazeno {count} z {count} ploch")).to_be_visible(timeout=TIMEOUT_MS)
    assert _wait_for_drawn(page, count) == count != drawn_before
    # the table follows: its rows are the municipality's sites
    cells = table.locator('[role="gridcell"][aria-colindex="3"]')
    shown = set(cells.all_inner_texts())
    for _ in range(40):  # the grid redraws a moment after the rerun
        if shown == {name}:
            break
        page.wait_for_timeout(500)
        shown = set(cells.all_inner_texts())
    assert shown == {name}
    screenshot(page, "map_filtered_by_municipality.png")
    assert network.errors == []
    assert network.aborted == []
