"""In the browser, on a real region: Děčany from public files, set up by README's commands only (issue 13).

README's "Using your own region's data" block runs as it stands (as in
``tests/test_region_setup.py``) into a temp folder: RÚIAN buildings of Děčany
scored and loaded, municipalities with okres and kraj, and an animator scoped to
``region:CZ042`` (Ústecký kraj). The test then gives that animator a password
and adds one scoped to ``region:CZ010`` (Praha). The app runs on that
store with the environment the block exports. The Ústecký animator finds a
Děčany house by its address through the Map page's search, opens its card and
adds a note, which the store then holds; the Praha animator finds the same house
and reads its card but gets no way to write on it, and the store refuses them.
An admin loads the same VFR again through the Admin page's region setup form
(with ``admin_cz.gpkg`` from the data folder for okres and kraj) and sees the
catalogue's layer slots.
Screenshots go to ``test-results/artifacts/``. Skipped with a reason when the
shared data is absent (``shared_data``), failed instead in CI.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gisplan.store import SYSTEM, Scope, open_store
from tests.e2e.appcore import Network, choose, log_in, screenshot
from tests.e2e.conftest import serve_app
from tests.test_region_setup import readme_block, run_shell

pytestmark = [pytest.mark.e2e, pytest.mark.shared_data]

DECANY = "564729"
HOUSE = "Děčany č. p. 12"
NOTE = "Škola? Zeptat se starosty na střechu."
PASSWORDS = {"animator": "ustecky-kraj-2026", "praha": "praha-jinde-2026", "spravce": "spravce-regionu-2026"}
TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class RealApp:
    """The app on the Děčany store: its base URL and the store's URL."""

    url: str
    store_url: str
    folder: Path


@pytest.fixture(scope="module")
def real_app(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealApp]:
    """README's block run into a temp folder, two passwords set, and the app served on the result."""
    folder = tmp_path_factory.mktemp("real_region") / "my-region"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GISPLAN_")}
    env |= {
        "SHARED": str(shared_data),
        "REGION": str(folder),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    }
    started = time.monotonic()
    result = run_shell(readme_block(), env)
    assert "rooftop_pv: scored 298 sites" in result.stdout
    # the database the block exports as GISPLAN_DATABASE_URL (the app gets its folders from serve_app)
    store_url = f"sqlite:///{folder / 'gisplan.sqlite'}"
    with open_store(store_url) as store:
        store.transaction(SYSTEM, lambda tx: tx.set_password("animator", PASSWORDS["animator"]))
        store.add_user(SYSTEM, "praha", "animator", scope=Scope.parse(["region:CZ010"]), password=PASSWORDS["praha"])
        store.add_user(SYSTEM, "spravce", "admin", password=PASSWORDS["spravce"])
    print(f"[e2e] Děčany set up by README's commands in {time.monotonic() - started:.1f} s")
    log = tmp_path_factory.mktemp("streamlit_real") / "streamlit.log"
    with serve_app(folder / "layers", folder / "data", log, {"GISPLAN_DATABASE_URL": store_url}) as url:
        yield RealApp(url, store_url, folder)


def _house_id(store_url: str) -> str:
    with open_store(store_url) as store:
        (site,) = [s for s in store.list_sites() if s.name == HOUSE]
        assert (site.municipality_code, site.region_code) == (DECANY, "CZ042")
        return site.id


def _search_and_open(page: Page, query: str, shot: str) -> None:
    main = page.locator("[data-testid=stMain]")
    expect(page.get_by_role("heading", name="Mapa kandidátních ploch")).to_be_visible(timeout=TIMEOUT_MS)
    main.get_by_label("Hledat adresu nebo název").fill(query)
    main.get_by_label("Hledat adresu nebo název").press("Enter")
    first = main.get_by_text(f"{HOUSE} · {HOUSE}, 411 15 Děčany")
    expect(first).to_be_visible(timeout=TIMEOUT_MS)
    # the best match first: the house whose name starts with the query's first word
    expect(main.locator("[data-testid=stMarkdownContainer]").filter(has_text=" · ").first).to_contain_text(HOUSE)
    screenshot(page, shot)
    main.get_by_role("button", name="Otevřít kartu").first.click()
    heading = page.get_by_role("heading", name=HOUSE)
    try:
        expect(heading).to_be_visible(timeout=15_000)
    except AssertionError:
        # Known flake on a loaded 2-core CI machine (about 1 run in 3 of this module): the click is
        # lost and the Map page stays, as for a user who then clicks again. Logged, not hidden; the
        # card must open on the second click.
        print("[e2e] 'Otevřít kartu' did not open the card within 15 s; clicking again")
        main.get_by_role("button", name="Otevřít kartu").first.click()
        expect(heading).to_be_visible(timeout=TIMEOUT_MS)


def test_an_animator_of_the_kraj_finds_a_house_by_address_and_notes_it(page: Page, real_app: RealApp) -> None:
    network = Network(page)
    site_id = _house_id(real_app.store_url)
    log_in(page, real_app.url, "animator", PASSWORDS["animator"])
    # typed as people type it: no diacritics, no "č. p."
    _search_and_open(page, "decany 12", "real_region_search")
    screenshot(page, "real_region_card")
    main = page.locator("[data-testid=stMain]")
    main.get_by_label("Nová poznámka").fill(NOTE)
    main.get_by_role("button", name="Přidat poznámku").click()
    expect(main.get_by_text("Poznámka přidána.")).to_be_visible(timeout=TIMEOUT_MS)
    expect(main.locator("p", has_text=NOTE)).to_be_visible()
    screenshot(page, "real_region_note")
    with open_store(real_app.store_url) as store:
        notes = store.annotations(site_id)
        assert [a.text for a in notes] == [NOTE]
        assert notes[0].author_id == store.user("animator").id
    assert network.errors == []
    assert network.aborted == []


def test_an_animator_of_another_kraj_reads_the_house_but_cannot_write(page: Page, real_app: RealApp) -> None:
    from gisplan.errors import PermissionDeniedError

    site_id = _house_id(real_app.store_url)
    log_in(page, real_app.url, "praha", PASSWORDS["praha"])
    _search_and_open(page, "Děčany č.p. 12", "real_region_search_other_kraj")
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_role("heading", name="Práce s plochou")).to_be_visible()
    for label in ("Přidat poznámku", "Změnit stav", "Propojit s výzvou"):
        assert main.get_by_role("button", name=label).count() == 0, label
    assert main.get_by_label("Nová poznámka").count() == 0
    screenshot(page, "real_region_card_other_kraj")
    with open_store(real_app.store_url) as store:
        praha = store.user("praha").id
        with pytest.raises(PermissionDeniedError, match="outside the scope"):
            store.transaction(praha, lambda tx: tx.add_annotation(site_id, "není můj kraj"))


def test_an_admin_loads_the_vfr_through_the_region_setup_form(page: Page, real_app: RealApp) -> None:
    network = Network(page)
    log_in(page, real_app.url, "spravce", PASSWORDS["spravce"])
    more = page.get_by_text(re.compile(r"^View \d+ more$"))  # Streamlit folds a long page list
    if more.count():
        more.click()
    page.get_by_role("link", name="Správa uživatelů").click()
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_role("heading", name="Nastavení regionu")).to_be_visible(timeout=TIMEOUT_MS)
    vfr = real_app.folder / "data" / "OB_564729_UKSH_20140331_Decany.xml.gz"
    main.locator("[data-testid=stFileUploader]").first.locator("input[type=file]").set_input_files(str(vfr))
    chip = main.locator("[data-testid=stFileChipName]").first  # the name is shortened on screen, whole in its title
    expect(chip).to_have_attribute("title", vfr.name, timeout=TIMEOUT_MS)
    choose(page, "Soubor okresů a krajů z datové složky", "admin_cz.gpkg")
    main.get_by_role("button", name="Načíst obce").click()
    # loaded before by README's commands: Děčany is there already, its source is now this file
    expect(main.get_by_text("Obce načteny: 0 nových, 1 změněných, 0 beze změny.")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, "real_region_admin_setup")
    main.get_by_role("tab", name="Kontrola vrstev").click()
    expect(main.get_by_text("Katalog: 4 vrstev v 1 souborech.", exact=False)).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, "real_region_admin_slots")
    with open_store(real_app.store_url) as store:
        (decany,) = [c for c in store.communities("municipality") if c.code == DECANY]
        assert (decany.region_code, decany.population) == ("CZ042", 394)
        assert decany.attributes["territory_source"] == vfr.name
        assert decany.attributes["okres_lau"] == "CZ0423"
        audited = {(e.actor_name, e.action) for e in store.audit_log(outcome="ok", limit=20)}
        assert ("spravce", "community.edit") in audited
    assert network.errors == []
