"""Helpers of the login/card/XSS browser tests: a served app with a populated store, login, checks.

The app runs on the tiny region (``tests/app/conftest.py``) with the project's
scoring profiles, and on a SQLite store built by ``tests/app/appstore.py``:
users ``admin``, ``animator``, ``obec`` (municipality) and ``planner``,
municipalities, the funding calls and scored sites. Screenshots go to
``test-results/artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

from playwright.sync_api import Page, Request, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from gisplan.store import Store, open_store
from tests.app.appstore import ACCOUNTS, build
from tests.app.conftest import build_tiny_region
from tests.conftest import ROOT
from tests.e2e.conftest import serve_app

ARTIFACTS = ROOT / "test-results" / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOGIN_HEADING = "Přihlášení do gisplanu"


@dataclass(frozen=True)
class ServedApp:
    """The base URL of a running app and the URL of its store."""

    url: str
    store_url: str

    def store(self) -> Store:
        """A connection to the app's store (close it after use)."""
        return open_store(self.store_url)

    def site_url(self, site_id: str) -> str:
        """The URL that opens a site's card."""
        return f"{self.url}/?site={quote(site_id, safe='')}"


@contextmanager
def served_app(root: Path, populate: Callable[[Store], None] | None = None) -> Iterator[ServedApp]:
    """Build the tiny region and the store under ``root``, run the app on them, yield its URLs."""
    layers, data = build_tiny_region(root)
    shutil.copytree(ROOT / "layers" / "profiles", layers / "profiles")
    database = build(root / "gisplan.sqlite")
    store_url = f"sqlite:///{database.as_posix()}"
    if populate is not None:
        store = open_store(store_url)
        try:
            populate(store)
        finally:
            store.close()
    with _database_url(store_url), serve_app(layers, data, root / "streamlit.log") as url:
        yield ServedApp(url, store_url)


@contextmanager
def _database_url(url: str) -> Iterator[None]:
    """GISPLAN_DATABASE_URL set while the app starts (it inherits this process's environment)."""
    before = os.environ.get("GISPLAN_DATABASE_URL")
    os.environ["GISPLAN_DATABASE_URL"] = url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("GISPLAN_DATABASE_URL", None)
        else:
            os.environ["GISPLAN_DATABASE_URL"] = before


class Network:
    """Aborts every non-local request and remembers page errors and dialogs."""

    def __init__(self, page: Page) -> None:
        self.aborted: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.context.route("**/*", self._route)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))

    def _route(self, route: Route, request: Request) -> None:
        host = urlparse(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.aborted.append(request.url)
            route.abort()


def log_in(page: Page, url: str, username: str, password: str | None = None) -> None:
    """Open ``url`` and log in (as one of the test accounts unless ``password`` is given)."""
    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=LOGIN_HEADING)).to_be_visible(timeout=60_000)
    page.get_by_label("Uživatelské jméno").fill(username)
    page.get_by_label("Heslo").fill(password or ACCOUNTS[username].password)
    page.get_by_role("button", name="Přihlásit se").click()
    expect(page.get_by_text(f"Přihlášen(a): {username}")).to_be_visible(timeout=30_000)


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot of the whole page into the artifacts folder; return its path.

    Streamlit scrolls inside its main container, so the viewport is made as tall
    as the content for the shot (at most 6,000 px) and put back afterwards.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size or {"width": 1400, "height": 1000}
    height = page.locator("[data-testid=stMain]").evaluate("el => el.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height), size["height"]), 6_000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def xss_flags(page: Page) -> list[object]:
    """``window.__xss`` in every frame of the page (None where it is undefined)."""
    return [frame.evaluate("() => window.__xss === undefined ? null : window.__xss") for frame in page.frames]


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit select box labelled ``label``."""
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=label)
    combo = box.get_by_role("combobox")  # Streamlit's select box is a react-aria combo box
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(5):  # a click during a rerun may not open the list
        combo.click()
        try:
            wanted.wait_for(state="visible", timeout=2_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    wanted.click()
