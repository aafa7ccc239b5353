"""In the browser: one dossier page of a scored demo site, in Czech and English, kept as screenshots.

The HTML dossier is what a planner prints for a council; Chromium renders it and
``test-results/artifacts/dossier_{cs,en}.png`` keep the pictures.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page

from gisplan.export import dossier_html
from tests.conftest import ROOT
from tests.export.test_dossier import Demo, demo  # noqa: F401 - the scored demo store fixture
from tests.store.conftest import pg_schema, sqlite_template, store, store_url  # noqa: F401 - its fixtures

ARTIFACTS = ROOT / "test-results" / "artifacts"


def test_screenshots_of_a_dossier_page_in_czech_and_english(page: Page, demo: Demo) -> None:  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 900, "height": 1300})
    for lang, heading in (("cs", "Odhad energie"), ("en", "Energy estimate")):
        page.set_content(dossier_html(demo.snap, demo.site_id, lang=lang))
        body = page.inner_text("body")
        assert heading in body
        assert demo.name in body
        assert not re.search(r"\d+[.,]\d{3,}", body)  # no number with more than two decimals
        shot = ARTIFACTS / f"dossier_{lang}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
