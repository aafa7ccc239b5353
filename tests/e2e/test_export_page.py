"""Browser test: a planner downloads a shortlist as a GeoPackage and a dossier PDF in Chromium.

The store is the app tests' one (:mod:`tests.app.appstore`: three scored sites,
one named with an XSS payload) plus a shortlist of all three. The downloads are
built when the button is clicked; the files are checked as they arrive.
Screenshots go to ``test-results/artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pypdf
import pytest

from gisplan.store import SYSTEM, Store
from gisplan.workflows import shortlists as sl
from tests.app.appstore import GOOD_SITE
from tests.e2e.appcore import Network, ServedApp, log_in, screenshot, served_app, xss_flags

playwright_sync = pytest.importorskip("playwright.sync_api")
Page = playwright_sync.Page
expect = playwright_sync.expect
TIMEOUT_MS = 60_000


def _shortlist(store: Store) -> None:
    ids = [site.id for site in store.list_sites()]
    sl.create_shortlist(store, SYSTEM, "Rada kraje", profile="ground_pv", site_ids=ids)


@pytest.fixture(scope="module")
def export_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    with served_app(tmp_path_factory.mktemp("e2e_export"), _shortlist) as app:
        yield app


def test_planner_downloads_geopackage_and_dossier(page: Page, export_app: ServedApp, tmp_path: Path) -> None:
    network = Network(page)
    log_in(page, export_app.url, "planner")
    page.get_by_role("link", name="Výběr a export").click()
    expect(page.get_by_role("heading", name="Výběry lokalit a export")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("3 lokalit · profil ground_pv")).to_be_visible(timeout=TIMEOUT_MS)
    with page.expect_download(timeout=TIMEOUT_MS) as gpkg_info:
        page.get_by_role("button", name="GeoPackage pro QGIS").click()
    gpkg = tmp_path / gpkg_info.value.suggested_filename
    gpkg_info.value.save_as(gpkg)
    assert gpkg.name == "rada_kraje.gpkg"
    layers = {str(name) for name, _ in pyogrio.list_layers(gpkg)}
    assert {"sites", "layer_styles", "data_dictionary"} <= layers
    assert pyogrio.read_info(gpkg, layer="sites")["features"] == 3
    with page.expect_download(timeout=TIMEOUT_MS) as pdf_info:
        page.get_by_role("button", name="Karta lokality (PDF)").click()
    pdf = tmp_path / "dossier.pdf"
    pdf_info.value.save_as(pdf)
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == 1
    store = export_app.store()
    try:
        table = sl.member_table(store, "Rada kraje")
        audited = [entry.target_id for entry in store.audit_log(target_type="export")]
    finally:
        store.close()
    first = table[0]["site_id"]  # the dossier select box starts with the best site
    assert first == GOOD_SITE
    assert first in reader.pages[0].extract_text().replace("\n", " ")
    assert audited == ["shortlist:Rada kraje", "shortlist:Rada kraje"]  # each download is an audited export
    screenshot(page, "export_page")
    assert xss_flags(page) == [None] * len(page.frames)
    assert network.aborted == []
    assert network.errors == []
