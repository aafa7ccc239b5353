"""In the browser: a site outside every raster is uploaded, previewed, submitted and accepted (issue 11, point 1).

The tiny region gets an irradiation raster over the western half of Horní Ves
only, and a profile that uses it. The municipality uploads a GeoJSON polygon in
the eastern half: the preview and the animator's Accept must not crash (they
did: a percentile of an empty cell run), and the accepted site's card says
"not available" for the irradiation criterion, with the completeness and the
yield source. Every non-local request is aborted; screenshots go to
``test-results/artifacts/``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import yaml
from playwright.sync_api import Page, expect

from gisplan.crs import WGS84, transformer
from gisplan.export import dossier_html, load_snapshot
from gisplan.store import SYSTEM, Scope, open_store
from gisplan.workflows import shortlists as sl
from tests.app.conftest import X0, Y0, build_tiny_region
from tests.app.submitworld import DOLNI, HORNI, REGION, TINY_PROFILE
from tests.conftest import ROOT
from tests.e2e.conftest import serve_app
from tests.e2e.test_submission_flow import PASSWORDS, SiteForm, _block_remote, _log_in, _shot, fill_form

pytestmark = pytest.mark.e2e

SITE_NAME = "Stará sušárna za humny"
#: Uses the irradiation raster, which covers only the western half of Horní Ves.
SUN_PROFILE = """
name: tiny_sun
version: "1"
title: {cs: Slunce a vedení, en: Sun and the power line}
site_kinds: [brownfield, municipal_land]
energy_irradiation: ghi_mean_kwh_m2_yr
measures:
  - {type: raster, layer: ghi, name: ghi, unit: kwh_m2_yr, stats: [mean]}
  - {type: proximity, layer: lines, name: line, radius_m: 5000}
criteria:
  - {column: ghi_mean_kwh_m2_yr, label: {cs: Globální záření, en: Irradiation}, weight: 2, ramp: {bad: 950, good: 1200}}
  - {column: dist_line_m, weight: 1, ramp: {bad: 2000, good: 0}}
  - {column: area_m2, weight: 1, ramp: {bad: 0, good: 40000}}
"""


def _write_west_raster(data: Path) -> None:
    """1100 kWh/m²/yr on X0…X0+1000 (the western half of Horní Ves), 50 m cells, EPSG:5514."""
    import rasterio
    from affine import Affine

    values = np.full((40, 20), 1100.0, dtype="float32")
    with rasterio.open(
        data / "tiny" / "ghi_west.tif",
        "w",
        driver="GTiff",
        height=40,
        width=20,
        count=1,
        dtype="float32",
        crs="EPSG:5514",
        transform=Affine(50, 0, X0, 0, -50, Y0 + 2000),
        nodata=-9999.0,
    ) as out:
        out.write(values, 1)


@pytest.fixture(scope="module")
def raster_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(app URL, store URL) of the tiny region with a half-covering raster and ``tiny_sun``."""
    root = tmp_path_factory.mktemp("e2e_outside_rasters")
    layers, data = build_tiny_region(root)
    _write_west_raster(data)
    raster = {
        "layers": [
            {
                "id": "tiny_ghi",
                "title": {"cs": "Globální záření (západ)", "en": "Irradiation (west)"},
                "kind": "raster",
                "role": "criterion",
                "source": {"type": "raster", "path": "tiny/ghi_west.tif", "band": 1, "unit": "kWh/m2/yr"},
                "licence": "Synthetic test data, CC0 1.0",
            }
        ]
    }
    (layers / "tiny_raster.yaml").write_text(yaml.safe_dump(raster, allow_unicode=True), encoding="utf-8")
    shutil.copytree(ROOT / "layers" / "profiles", layers / "profiles")
    (layers / "profiles" / "tiny_lines.yaml").write_text(TINY_PROFILE, encoding="utf-8")
    (layers / "profiles" / "tiny_sun.yaml").write_text(SUN_PROFILE, encoding="utf-8")
    store_url = f"sqlite:///{(root / 'gisplan.sqlite').as_posix()}"
    with open_store(store_url) as store:
        store.add_community(SYSTEM, "municipality", "Horní Ves", code=HORNI, region_code=REGION)
        store.add_community(SYSTEM, "municipality", "Dolní Ves", code=DOLNI, region_code=REGION)
        store.add_user(
            SYSTEM, "obec", "municipality", scope=Scope.parse([f"municipality:{HORNI}"]), password=PASSWORDS["obec"]
        )
        store.add_user(
            SYSTEM, "animator", "animator", scope=Scope.parse([f"region:{REGION}"]), password=PASSWORDS["animator"]
        )
    with serve_app(layers, data, root / "streamlit.log", extra_env={"GISPLAN_DATABASE_URL": store_url}) as url:
        yield url, store_url


def _east_polygon(path: Path) -> Path:
    """A 300 × 300 m square in the eastern half of Horní Ves, away from its brownfields, as GeoJSON (EPSG:4326)."""
    xs = np.array([X0 + 1400, X0 + 1700, X0 + 1700, X0 + 1400, X0 + 1400])
    ys = np.array([Y0 + 300, Y0 + 300, Y0 + 600, Y0 + 600, Y0 + 300])
    lon, lat = transformer("EPSG:5514", WGS84).transform(xs, ys)
    ring = [[round(float(a), 7), round(float(b), 7)] for a, b in zip(lon, lat, strict=True)]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path


def test_a_site_outside_every_raster_is_previewed_submitted_accepted_and_scored(
    page: Page, raster_app: tuple[str, str], tmp_path: Path
) -> None:
    url, store_url = raster_app
    aborted = _block_remote(page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 1. the municipality uploads the file and previews it: scores, no error page
    _log_in(page, url, "obec")
    page.get_by_role("link", name="Podat lokalitu").click()
    expect(page.get_by_role("heading", name="Podat kandidátní lokalitu")).to_be_visible(timeout=30_000)
    page.get_by_text("Nahrát soubor").click()
    page.locator('input[type="file"]').set_input_files(str(_east_polygon(tmp_path / "susarna.geojson")))
    page.get_by_role("button", name="Zkontrolovat soubor").click()
    expect(page.get_by_role("heading", name="Náhled")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Hodnocení podle profilů")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Slunce a vedení").first).to_be_attached()  # a cell of the preview table
    expect(page.get_by_text("This app has encountered an error")).to_have_count(0)
    _shot(page, "outside_rasters_preview")

    fill_form(
        page,
        SiteForm(
            SITE_NAME, "Za humny, Horní Ves", "zemědělství", "není známa", "Petr Svoboda", "podatelna@hornives.cz"
        ),
    )
    page.get_by_role("button", name="Odeslat podání").click()
    expect(page.get_by_text("Odesláno: 1 lokalit")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Odhlásit se").click()

    # 2. the animator accepts it: no crash, the new site has scores
    _log_in(page, url, "animator")
    page.get_by_role("link", name="Moderace").click()
    expect(page.get_by_role("heading", name=SITE_NAME)).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Přijmout").click()
    expect(page.get_by_text("Přijato: lokalita submission:1 je v databázi a na mapě.")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Skóre nové lokality")).to_be_visible()
    _shot(page, "outside_rasters_accepted")

    with open_store(store_url) as store:
        scores = {s.profile: s for s in store.site_scores("submission:1")}
    sun = scores["tiny_sun"]
    lines = {line["criterion"]: line for line in sun.breakdown}
    assert lines["ghi_mean_kwh_m2_yr"]["provenance"] == "not_available"
    assert lines["ghi_mean_kwh_m2_yr"]["contribution"] == 0.0
    assert lines["dist_line_m"]["provenance"] == "measured"
    assert sun.completeness == pytest.approx(0.5)
    assert sun.score is not None
    assert sun.score > 0

    # 3. its card says what was not measured
    page.goto(f"{url}/?site=submission:1", wait_until="domcontentloaded")
    _log_in(page, f"{url}/?site=submission:1", "animator")
    expect(page.get_by_role("heading", name=SITE_NAME)).to_be_visible(timeout=60_000)
    page.get_by_label("Profil", exact=True).click()
    page.get_by_role("option", name="Slunce a vedení", exact=True).click()
    expect(page.get_by_text("Změřeno: 50 % váhy kritérií")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)  # let the chart and tables draw before the screenshot
    _shot(page, "outside_rasters_card")

    # 4. the planner's dossier of it says the same
    with open_store(store_url) as store:
        sl.create_shortlist(store, SYSTEM, "susarna", profile="tiny_sun", site_ids=["submission:1"])
        snapshot = load_snapshot(store, SYSTEM, "susarna")
    page.set_content(dossier_html(snapshot, "submission:1", lang="cs"))
    expect(page.get_by_text("50 % váhy kritérií")).to_be_visible()
    expect(page.get_by_text("Není k dispozici (vrstva sem nesahá)")).to_be_visible()  # the irradiation criterion
    expect(page.get_by_text("Zdroj výnosu")).to_be_visible()
    _shot(page, "outside_rasters_dossier")
    assert aborted == []
    assert errors == []
