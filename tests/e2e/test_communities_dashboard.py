"""Browser tests: the Communities, Funding calls and Dashboard pages on the demo region in Chromium.

The store is built once for this file from the demo region of ``app_data``:
the demo brownfields and municipal land scored with ``ground_pv`` and ingested,
the demo municipalities (Ústecký kraj), a MAS of three of them, an energy
community, the funding catalogue with the matcher's verdicts for the
brownfields, and workflow moves spread over the last months (so the pipeline
chart has history). Users log in through the login form. Screenshots go to
``test-results/artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import serve_app

playwright_sync = pytest.importorskip("playwright.sync_api")
Page = playwright_sync.Page
expect = playwright_sync.expect

ARTIFACTS = ROOT / "test-results" / "artifacts"
PASSWORDS = {"admin": "admin-demo-heslo", "planner": "planner-demo-heslo", "animator": "animator-demo-heslo"}
REGION = "CZ042"
TIMEOUT_MS = 30_000


def _score_and_ingest(store: Any, layers: Path, data: Path, work: Path) -> None:
    from gisplan import settings
    from gisplan.cli import main
    from gisplan.workflows.ingest import ingest

    profile = ROOT / "layers" / "profiles" / "ground_pv.yaml"
    with settings.override(data_dir=data, layers_dir=layers):
        for layer in ("demo_brownfields", "demo_municipal_parcels", "tiny_brownfields", "tiny_municipal"):
            if not any(layer in p.read_text(encoding="utf-8") for p in layers.glob("*.yaml")):
                continue
            out = work / f"{layer}.gpkg"
            assert main(["score", "-p", str(profile), "-s", layer, "-o", str(out)]) == 0
            ingest(store, out, "ground_pv")


def _municipalities(store: Any, data: Path) -> list[str]:
    import pyogrio

    from gisplan.communities import add_municipalities, municipalities_from_layer
    from gisplan.store import SYSTEM

    path = data / "demo" / "municipalities.gpkg"
    if path.is_file():
        frame = municipalities_from_layer(pyogrio.read_dataframe(path, read_geometry=False), source=str(path))
    else:  # the tiny region: codes from the sites
        import pandas as pd

        codes = sorted({str(s.municipality_code) for s in store.list_sites() if s.municipality_code})
        frame = pd.DataFrame({"code": codes, "name": [f"Obec {c}" for c in codes], "population": 800})
    add_municipalities(store, SYSTEM, frame, region_code=REGION)
    return [str(c) for c in frame["code"]]


def _history(store: Any) -> None:
    """Back-date the sites and move some of them through the workflow over the last five months."""
    from sqlalchemy import update

    from gisplan.store import SYSTEM
    from gisplan.store.models import Site, StatusChange

    sites = sorted(s.id for s in store.list_sites())
    start = dt.datetime.now(dt.UTC).replace(hour=12) - dt.timedelta(days=150)
    path = ["new", "screening", "shortlisted", "project_in_preparation", "funded", "realised"]

    def work(tx: Any) -> None:
        tx.session.execute(update(Site).values(first_seen=start))
        for i, site_id in enumerate(sites[:40]):
            steps = 1 + i % 5
            final = path[steps] if i % 7 else "rejected"
            when = start
            moves = list(pairwise(path[: steps + 1])) if final != "rejected" else [("new", "rejected")]
            for before, after in moves:
                when += dt.timedelta(days=25)
                tx.session.add(StatusChange(site_id=site_id, from_status=before, to_status=after, changed_at=when))
            tx.session.execute(update(Site).where(Site.id == site_id).values(status=final))

    store.transaction(SYSTEM, work)


def _communities_and_funding(store: Any, codes: list[str]) -> None:
    from gisplan import funding
    from gisplan.store import SYSTEM, Member

    store.add_community(
        SYSTEM,
        "mas",
        "MAS Podkrušnohoří (demo)",
        code="MAS_DEMO",
        region_code=REGION,
        members=[Member(f"Obec {c}", municipality_code=c) for c in codes[:3]],
    )
    community = store.add_community(
        SYSTEM,
        "energy_community",
        "Energetické společenství <b>Údolí</b>",
        region_code=REGION,
        municipality_code=codes[0],
        members=[Member("Obec", municipality_code=codes[0]), Member("Družstvo Slunce", role="organisation")],
        attributes={"households": 150},
    )
    catalogue = funding.load_calls()
    funding.sync_calls(store, SYSTEM, catalogue)
    for site in store.list_sites()[:25]:
        store.link_community(SYSTEM, site.id, community.id)
        facts = funding.facts_from_store(store, site.id, applicant="municipality")
        funding.record_matches(store, SYSTEM, site.id, funding.match_site(facts, catalogue))


#: The name of one MAS member in the choropleth's tooltip; ``window.__xss`` must stay undefined.
HOSTILE_NAME = 'Obec <img src=x onerror="window.__xss=1">${window.__xss=1}'


def _outlines(store: Any, data: Path, codes: list[str]) -> None:
    """The MAS members' outlines from the demo boundaries (as ``territories load`` keeps them); one hostile name."""
    import pyogrio

    from gisplan.store import SYSTEM
    from gisplan.territories import boundaries_geojson

    frame = pyogrio.read_dataframe(data / "demo" / "municipalities.gpkg")
    frame = frame[frame["kod_obce"].astype(str).isin(codes)]
    shapes = dict(zip(frame["kod_obce"].astype(str), boundaries_geojson(frame), strict=True))
    for community in store.communities("municipality"):
        if community.code in shapes:
            name = HOSTILE_NAME if community.code == codes[0] else community.name
            attributes = dict(community.attributes or {}) | {"boundary": shapes[community.code]}
            store.update_community(
                SYSTEM, community.id, expected_version=community.version, name=name, attributes=attributes
            )


@pytest.fixture(scope="module")
def community_app_url(app_data: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the demo region with a store of scored sites, communities, calls and history."""
    from gisplan.store import SYSTEM, Scope, open_store

    layers, data = app_data
    work = tmp_path_factory.mktemp("communities_store")
    url = f"sqlite:///{work / 'store.sqlite'}"
    store = open_store(url)
    try:
        _score_and_ingest(store, layers, data, work)
        codes = _municipalities(store, data)
        _history(store)
        _communities_and_funding(store, codes)
        _outlines(store, data, codes[:3])
        store.add_user(SYSTEM, "admin", "admin", password=PASSWORDS["admin"])
        store.add_user(SYSTEM, "planner", "planner", password=PASSWORDS["planner"])
        store.add_user(
            SYSTEM, "animator", "animator", scope=Scope.parse([f"region:{REGION}"]), password=PASSWORDS["animator"]
        )
        assert len(store.list_sites()) > 10
    finally:
        store.close()
    # a data dir of our own (the funding catalogue is saved there), holding the region's files
    own = work / "data"
    own.mkdir()
    for child in data.iterdir():
        (own / child.name).symlink_to(child, target_is_directory=child.is_dir())
    env = {"GISPLAN_DATABASE_URL": url, "GISPLAN_DATA_DIR": str(own)}
    with serve_app(layers, data, work / "streamlit.log", env) as base:
        yield base


def _log_in(page: Page, base: str, user: str) -> None:
    page.goto(base)
    page.get_by_label("Uživatelské jméno").fill(user)
    page.get_by_label("Heslo").fill(PASSWORDS[user])
    page.get_by_role("button", name="Přihlásit se").click()
    expect(page.get_by_text(re.compile(r"Přihlášen\(a\)"))).to_be_visible(timeout=TIMEOUT_MS)


def _open(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _charts_drawn(page: Page, count: int) -> None:
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(count, timeout=TIMEOUT_MS)
    for i in range(count):
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT_MS)


def test_an_animator_reads_an_energy_community_page(page: Page, community_app_url: str) -> None:
    _log_in(page, community_app_url, "animator")
    _open(page, "Komunity")
    expect(page.get_by_role("heading", name="Komunity")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_text("Energetické společenství", exact=True).click()
    # the community's name is shown as typed, never as markup
    expect(page.get_by_text("Energetické společenství <b>Údolí</b>")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("odhad z 150 domácností")).to_be_visible()
    expect(page.get_by_text("Plochy podle stavu").first).to_be_visible()
    expect(page.get_by_text("Potenciál a spotřeba po obcích")).to_be_visible()
    _charts_drawn(page, 2)  # statuses, and potential against demand of the member municipalities
    expect(page.get_by_role("button", name="Stáhnout CSV")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Stáhnout CSV").click()
    saved = download.value.path()
    assert saved is not None
    assert Path(saved).read_text(encoding="utf-8-sig").startswith("municipality_code,municipality_name,action_id")
    page.get_by_role("heading", name="Komunity").scroll_into_view_if_needed()
    _shot(page, "communities_energy_community.png")


def test_a_planner_sees_the_dashboard_charts(page: Page, community_app_url: str) -> None:
    _log_in(page, community_app_url, "planner")
    _open(page, "Přehled regionu")
    expect(page.get_by_role("heading", name="Přehled regionu")).to_be_visible(timeout=TIMEOUT_MS)
    _charts_drawn(page, 5)
    expect(page.get_by_text("Pozemní fotovoltaika na brownfieldech").first).to_be_visible()  # titles, not names
    summary = page.get_by_text(re.compile(r"^\d+ ploch, potenciál v \d+ obcích"))
    everything = summary.inner_text()
    page.get_by_text("MAS", exact=True).first.click()
    expect(summary).not_to_have_text(everything, timeout=TIMEOUT_MS)  # the MAS holds fewer sites
    _charts_drawn(page, 5)
    _shot(page, "dashboard_mas.png")


def test_funding_calls_page_links_are_http_only(page: Page, community_app_url: str) -> None:
    _log_in(page, community_app_url, "admin")
    _open(page, "Dotační výzvy")
    expect(page.get_by_role("heading", name="Dotační výzvy")).to_be_visible(timeout=TIMEOUT_MS)
    links = page.locator('[data-testid="stMarkdownContainer"] a[href]:not([href^="#"])')  # not heading anchors
    expect(links.first).to_be_visible(timeout=TIMEOUT_MS)
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    expect(page.get_by_role("button", name="Uložit výzvu")).to_be_visible()  # admins edit
    _shot(page, "funding_calls_admin.png")


def test_a_mas_page_maps_potential_against_demand_offline(page: Page, community_app_url: str) -> None:
    from tests.e2e.test_map_offline import MAP_IFRAME, Network

    network = Network(page)
    _log_in(page, community_app_url, "animator")
    _open(page, "Komunity")
    page.get_by_text("MAS", exact=True).click()
    expect(page.get_by_text("Potenciál a spotřeba po obcích")).to_be_visible(timeout=TIMEOUT_MS)
    frame = page.frame_locator(MAP_IFRAME)
    shapes = frame.locator("path.leaflet-interactive")
    expect(shapes).to_have_count(3, timeout=TIMEOUT_MS)  # one outline per member municipality
    shapes.first.hover(force=True)
    expect(frame.locator(".leaflet-tooltip").first).to_contain_text("Potenciál", timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile("Podíl spotřeby pokrytý potenciálem"))).to_be_visible()
    _charts_drawn(page, 2)  # statuses, and potential against demand
    assert page.evaluate("() => window.__xss") is None
    for child in page.frames:
        assert child.evaluate("() => window.__xss") is None, child.url
    assert not network.aborted, network.aborted  # Leaflet and the tooltips load from the app itself
    frame.locator(".leaflet-container").scroll_into_view_if_needed()
    _shot(page, "communities_mas_choropleth.png")
