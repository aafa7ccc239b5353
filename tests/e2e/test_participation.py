"""In the browser: a resident proposes an idea in Hungarian without an account, the animator accepts it with a
cost, a budget vote runs with three voters using one-time codes, and the Results page shows the winners on the map.

Also: a second ballot with a used code is refused; the honeypot, the rate limit per session and the photo
checks (not an image, too large) refuse with a message. The app runs on the tiny region
(``tests/app/conftest.py``) with a SQLite store holding an animator of CZ042 and Horní Ves (567001).
Every non-local request is aborted. Screenshots go to ``test-results/artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from gisplan.app.i18n import t
from gisplan.intake._boundaries import PlaceContext
from gisplan.participation import ProposalForm, Requester, moderate_proposal, submit_proposal
from gisplan.store import SYSTEM, Scope, open_store
from tests.app.conftest import build_tiny_region
from tests.app.submitworld import HORNI, INSIDE_HORNI, REGION, square_feature
from tests.conftest import ROOT
from tests.e2e.conftest import serve_app
from tests.e2e.test_submission_flow import _block_remote

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-results" / "artifacts"
PASSWORD = "animator-heslo-2026"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 60_000
IDEA = "Napelemek az iskola tetején"


@pytest.fixture(scope="module")
def part_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(app URL, store URL): the tiny region, Horní Ves and an animator of CZ042."""
    root = tmp_path_factory.mktemp("e2e_participation")
    layers, data = build_tiny_region(root)
    store_url = f"sqlite:///{(root / 'gisplan.sqlite').as_posix()}"
    store = open_store(store_url)
    try:
        store.add_community(SYSTEM, "municipality", "Horní Ves", code=HORNI, region_code=REGION)
        store.add_user(SYSTEM, "animator", "animator", scope=Scope.parse([f"region:{REGION}"]), password=PASSWORD)
    finally:
        store.close()
    with serve_app(layers, data, root / "streamlit.log", extra_env={"GISPLAN_DATABASE_URL": store_url}) as url:
        yield url, store_url


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _open_propose(page: Page, url: str, lang: str) -> None:
    page.goto(f"{url}/propose", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=t("part.propose.title", "cs"))).to_be_visible(timeout=TIMEOUT_MS)
    if lang != "cs":
        name = {"hu": "Magyar", "en": "English"}[lang]
        page.get_by_test_id("stSidebar").get_by_test_id("stRadio").get_by_text(name, exact=True).click()
        expect(page.get_by_role("heading", name=t("part.propose.title", lang))).to_be_visible(timeout=TIMEOUT_MS)


def _pick_municipality(page: Page, lang: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text=t("part.propose.municipality", lang)).click()
    page.get_by_role("option", name="Horní Ves").click()


def _draw_marker(page: Page, lang: str) -> None:
    frame = page.frame_locator(MAP_FRAME).first
    expect(frame.get_by_role("link", name="Draw a marker")).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)  # the map's first report reruns the page once; let it settle
    frame.get_by_role("link", name="Draw a marker").click()
    container = frame.locator(".leaflet-container").first
    box = container.bounding_box()
    assert box is not None
    container.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    expect(page.get_by_text(t("part.propose.drawn", lang))).to_be_visible(timeout=TIMEOUT_MS)


def _fill_and_send(page: Page, lang: str, title: str) -> None:
    page.get_by_label(t("part.propose.title_field", lang)).fill(title)
    page.get_by_label(t("part.propose.description", lang)).fill("A tornaterem teteje délre néz, árnyék nélkül.")
    page.get_by_role("button", name=t("part.propose.send", lang)).click()


def _propose(page: Page, url: str, lang: str, title: str) -> None:
    _open_propose(page, url, lang)
    _pick_municipality(page, lang)
    _draw_marker(page, lang)
    _fill_and_send(page, lang, title)


def _log_in(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_label("Uživatelské jméno")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_label("Uživatelské jméno").fill("animator")
    page.get_by_label("Heslo").fill(PASSWORD)
    page.get_by_role("button", name="Přihlásit se").click()
    expect(page.get_by_text("Přihlášen(a): animator")).to_be_visible(timeout=TIMEOUT_MS)


def _nav(page: Page, key: str) -> None:
    """Open a page through the sidebar (a new page load would be a new session, logged out)."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=t(key, "cs"), exact=True).click()


def _accepted_by_library(store_url: str, title: str, cost: float) -> int:
    place = PlaceContext(municipalities=None, code_column="kod_obce", region_lonlat=None)
    with open_store(store_url) as store:
        form = ProposalForm(title=title, description="", category="saving", geometry=square_feature(*INSIDE_HORNI))
        done = submit_proposal(store, form, Requester(None, f"seed-{title}"), context=place)
        moderate_proposal(store, SYSTEM, done.id, "accepted", expected_version=1, estimated_cost=cost)
        return done.id


def _vote(page: Page, url: str, code: str, titles: list[str]) -> None:
    page.goto(f"{url}/vote", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=t("part.ballot.title", "cs")).first).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_label(t("part.ballot.code", "cs")).fill(code)
    page.get_by_label(t("part.ballot.code", "cs")).press("Enter")
    for title in titles:
        page.get_by_test_id("stCheckbox").filter(has_text=title).locator("label").click()
    expect(page.get_by_text(re.compile(r"^Vybráno: "))).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name=t("part.ballot.cast", "cs")).click()


def test_propose_moderate_vote_and_results(page: Page, part_app: tuple[str, str]) -> None:
    url, store_url = part_app
    aborted = _block_remote(page)

    # 1. a resident proposes in Hungarian, without an account, and follows the proposal
    _propose(page, url, "hu", IDEA)
    expect(page.get_by_text(t("part.propose.sent", "hu", id=1))).to_be_visible(timeout=TIMEOUT_MS)
    link = page.locator("[data-testid='stCode'] code").first.inner_text().strip()
    assert "?follow=" in link
    _shot(page, "participation_proposed_hu")
    page.goto(link, wait_until="domcontentloaded")
    state = t("part.follow.state", "cs", state=t("part.state.pending", "cs"))
    expect(page.get_by_text(state)).to_be_visible(timeout=TIMEOUT_MS)

    # 2. the animator accepts it with a cost and opens a vote on it and two others
    bench, lamps = (
        _accepted_by_library(store_url, "Lavička u rybníka", 50_000),
        _accepted_by_library(store_url, "LED lampy", 45_000),
    )
    _log_in(page, url)
    _nav(page, "nav.proposals")
    expect(page.get_by_text(t("part.mod.pending", "cs", n=1))).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_label(t("part.mod.cost", "cs")).fill("60000")
    page.get_by_role("button", name=t("part.mod.accept", "cs")).click()
    expect(page.get_by_text(t("part.mod.accepted", "cs", id=1))).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)  # let the reruns after the decision settle before typing into the form
    page.get_by_label(t("part.vote.name", "cs")).fill("Participativní rozpočet 2027")
    budget = page.get_by_label(t("part.vote.budget", "cs"))
    budget.fill("100000")
    budget.press("Tab")
    expect(budget).to_have_value(re.compile(r"^100000"))
    page.get_by_label(t("part.vote.codes", "cs")).fill("3")
    page.get_by_label(t("part.vote.codes", "cs")).press("Tab")
    picker = page.get_by_test_id("stMultiSelect").filter(has_text=t("part.vote.pick", "cs"))
    for pid in (1, bench, lamps):  # every accepted proposal is picked by default
        expect(picker).to_contain_text(f"#{pid} ")
    page.get_by_role("button", name=t("part.vote.open", "cs")).click()
    expect(page.get_by_text(t("part.vote.opened", "cs", id=1))).to_be_visible(timeout=TIMEOUT_MS)
    codes = page.locator("[data-testid='stCode'] code").first.inner_text().split()
    assert len(codes) == 3
    _shot(page, "participation_vote_opened")

    # 3. three voters, each with a code; the first code tried again is refused
    voter = page.context.browser.new_page()  # type: ignore[union-attr]
    _block_remote(voter)
    for code, titles in zip(codes, ([IDEA], ["Lavička u rybníka", "LED lampy"], [IDEA]), strict=True):
        _vote(voter, url, code, titles)
        expect(voter.get_by_text(t("part.ballot.thanks", "cs"))).to_be_visible(timeout=TIMEOUT_MS)
    _vote(voter, url, codes[0], ["LED lampy"])
    expect(voter.get_by_text(t("part.refused.code_used", "cs"))).to_be_visible(timeout=TIMEOUT_MS)
    _shot(voter, "participation_code_used")

    # 4. the animator closes the vote; the public Results page shows the winners on the map
    _nav(page, "nav.map")
    _nav(page, "nav.proposals")
    page.get_by_role("button", name=t("part.vote.close", "cs", id=1)).click()
    expect(page.get_by_text(t("part.vote.closed", "cs", id=1))).to_be_visible(timeout=TIMEOUT_MS)
    voter.goto(f"{url}/results", wait_until="domcontentloaded")
    expect(voter.get_by_role("heading", name=t("part.results.map", "cs"))).to_be_visible(timeout=TIMEOUT_MS)
    frame = voter.frame_locator(MAP_FRAME).first
    # idea: 2 votes, 60 000 funded (40 000 left); LED lampy 45 000 and the bench 50 000 do not fit
    expect(frame.locator(".leaflet-interactive")).to_have_count(1, timeout=TIMEOUT_MS)
    table = voter.get_by_test_id("stTable")
    expect(table).to_contain_text(IDEA)
    expect(voter.get_by_text(re.compile(r"Hlasovacích lístků: 3 \(použito 3 z 3 kódů\)"))).to_be_visible()
    _shot(voter, "participation_results")
    assert aborted == [] or all("127.0.0.1" not in u for u in aborted)


def test_honeypot_rate_limit_and_photo_checks(page: Page, part_app: tuple[str, str]) -> None:
    url, _ = part_app
    _block_remote(page)
    # the honeypot, filled as a bot would
    _open_propose(page, url, "en")
    _pick_municipality(page, "en")
    _draw_marker(page, "en")
    page.get_by_label(t("part.propose.honeypot", "en")).fill("http://spam.example", force=True)
    _fill_and_send(page, "en", "Cheap pills")
    expect(page.get_by_text(t("part.refused.honeypot", "en"))).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_label(t("part.propose.honeypot", "en")).fill("", force=True)
    # a non-image with a photo's name, then a photo over the limit
    uploader = page.get_by_test_id("stFileUploaderDropzoneInput")
    uploader.set_input_files(files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00 exe"}])
    expect(page.get_by_role("button", name="Remove photo.jpg")).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)  # the upload reaches the server
    _fill_and_send(page, "en", "Solar roof on the gym")
    expect(page.get_by_text(t("part.refused.photo_not_image", "en"))).to_be_visible(timeout=TIMEOUT_MS)
    big = b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024 + 200_000)
    uploader.set_input_files(files=[{"name": "big.jpg", "mimeType": "image/jpeg", "buffer": big}])
    expect(page.get_by_role("button", name="Remove big.jpg")).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_timeout(2000)
    _fill_and_send(page, "en", "Solar roof on the gym")
    expect(page.get_by_text(t("part.refused.photo_too_large", "en", mb=5))).to_be_visible(timeout=TIMEOUT_MS)
    _shot(page, "participation_photo_refused")
    # three proposals from one session pass, the fourth is refused
    page.get_by_role("button", name=re.compile(r"^Remove big\.jpg")).click()
    for n in range(3):
        if n:
            _pick_municipality(page, "en")
            _draw_marker(page, "en")
        _fill_and_send(page, "en", f"Idea number {n + 1}")
        expect(page.get_by_text(re.compile(r"^Thank you! Your proposal no\."))).to_be_visible(timeout=TIMEOUT_MS)
        page.get_by_role("button", name=t("part.propose.another", "en")).click()
    _pick_municipality(page, "en")
    _draw_marker(page, "en")
    _fill_and_send(page, "en", "Idea number 4")
    expect(page.get_by_text(re.compile(r"^Too many proposals from here in a short time"))).to_be_visible(
        timeout=TIMEOUT_MS
    )
    _shot(page, "participation_rate_limited")
