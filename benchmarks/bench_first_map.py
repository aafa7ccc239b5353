"""Benchmark of the first map after login, in a real browser (Playwright + Debian's Chromium).

``python benchmarks/bench_first_map.py`` builds the demo store once (``gisplan demo build``
and ``gisplan demo load`` into ``/tmp/gisplan-bench-first-map``), then for each variant
starts ``streamlit run streamlit_app.py`` on a fresh port (offline, no basemap, as in the
browser tests) and measures, in :data:`RUNS` runs, each in a new browser context (new
session, empty browser cache):

- **login to map**: from the click on "Přihlásit se" until the map frame's Leaflet
  container has drawn the sites (an SVG path of a site kind's colour);
- **page to page**: Map → Communities (its heading shown) → Map (sites drawn again).

Before the click, the run waits :data:`TYPING_S` seconds on the filled login form,
the time a person takes to type a name and a password.

Variants, run one after the other in this run:

- ``prepared``: the app as it is (the warm-up prepares the Map page at the first session);
- ``baseline``: the same code with ``GISPLAN_WARMUP=0``: the first Map page of the
  server prepares everything itself (imports, site index, context layers);
- ``old`` (``--old-root PATH``): another checkout, e.g. ``git archive <commit>``
  of the code before this work, on the same store and in the same browser.

``--sites 100000`` measures on a synthetic store of that many sites instead
(``benchmarks/bench_map.py``'s region plus the demo users), to check the 3 s target.
Results go to ``benchmarks/results_first_map.json`` and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK = Path("/tmp/gisplan-bench-first-map")
CHROMIUM = Path(os.environ.get("GISPLAN_CHROMIUM", "/usr/bin/chromium"))
#: As the browser tests launch it; every host but 127.0.0.1 fails to resolve (no internet, and no
#: Playwright request routing, which would add a round trip through Python to every request).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-dev-shm-usage",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]  # fmt: skip
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: Runs per variant (the median is reported).
RUNS = 5
#: Seconds on the filled login form before the click (a person typing).
TYPING_S = 3.0
TIMEOUT_MS = 90_000
USER, PASSWORD = "animator", "demo-animator-pass"


def _log(msg: str) -> None:
    print(f"[bench_first_map] {msg}", flush=True)


def _gisplan(*args: str, env: dict[str, str]) -> None:
    exe = shutil.which("gisplan", path=str(Path(sys.executable).parent)) or "gisplan"
    subprocess.run([exe, *args], cwd=ROOT, env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)


def demo_store(folder: Path) -> tuple[Path, Path, str]:
    """(layers, data, store URL) of the full demo region, built once in ``folder``."""
    layers, data, db = folder / "layers", folder / "data", folder / "demo.sqlite"
    url = f"sqlite:///{db.as_posix()}"
    if db.exists():
        return layers, data, url
    layers.mkdir(parents=True, exist_ok=True)
    if not (layers / "profiles").exists():
        (layers / "profiles").symlink_to(ROOT / "layers" / "profiles", target_is_directory=True)
    env = {"GISPLAN_DATA_DIR": str(data), "GISPLAN_LAYERS_DIR": str(layers)}
    started = time.monotonic()
    _gisplan("demo", "build", "--out", str(data / "demo"), "--layers-out", str(layers / "demo.yaml"), env=env)
    _gisplan("demo", "load", "--url", url, env=env)
    _log(f"demo store built in {time.monotonic() - started:.0f} s: {db}")
    return layers, data, url


def big_store(folder: Path, n: int) -> tuple[Path, Path, str]:
    """(layers, data, store URL): ``n`` synthetic sites (bench_map's region) plus the demo users."""
    from benchmarks.bench_map import build_store
    from gisplan.demo.load import DEMO_USERS
    from gisplan.store import SYSTEM, Scope, open_store

    layers, data, _ = demo_store(folder)
    url, _ = build_store(n, folder / "big")
    store = open_store(url)
    try:
        known = {u.username for u in store.users()}
        for user in DEMO_USERS:
            if user.username not in known:
                scope = Scope.parse(["region:CZ042"] if user.role != "admin" else [])
                store.add_user(SYSTEM, user.username, user.role, scope=scope, password=user.password)
    finally:
        store.close()
    return layers, data, url


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(app_root: Path, layers: Path, data: Path, url: str, extra: dict[str, str], log: Path) -> Iterator[str]:
    """``streamlit run <app_root>/streamlit_app.py`` on a free port, offline; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "GISPLAN_LAYERS_DIR": str(layers), "GISPLAN_DATA_DIR": str(data),
           "GISPLAN_DATABASE_URL": url, "GISPLAN_BASEMAP": "none", "GISPLAN_OFFLINE": "1", "GISPLAN_LANG": "cs",
           **extra}  # fmt: skip
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    command = [streamlit, "run", str(app_root / "streamlit_app.py"), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=app_root, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                msg = f"streamlit did not start:\n{log.read_text(errors='replace')[-2000:]}"
                raise RuntimeError(msg)
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Variant:
    """One variant's runs [s]."""

    name: str
    login_to_map: list[float] = field(default_factory=list)
    to_other_page: list[float] = field(default_factory=list)
    back_to_map: list[float] = field(default_factory=list)
    load_before: float = 0.0
    load_after: float = 0.0

    def summary(self) -> dict[str, Any]:
        """Medians and the first run (the first login after the server started)."""
        med = statistics.median
        return {
            "login_to_map_median_s": med(self.login_to_map),
            "login_to_map_first_s": self.login_to_map[0],
            "to_other_page_median_s": med(self.to_other_page),
            "back_to_map_median_s": med(self.back_to_map),
        }


def _sites_drawn(page: Any) -> None:
    from playwright.sync_api import expect

    from gisplan.app.mapview import KIND_COLORS

    colours = ",".join(f'path.leaflet-interactive[stroke="{c}"]' for c in KIND_COLORS.values())
    frame = page.frame_locator(MAP_IFRAME)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT_MS)
    expect(frame.locator(colours).first).to_be_attached(timeout=TIMEOUT_MS)


def one_run(browser: Any, base: str, typing_s: float) -> tuple[float, float, float]:
    """(login to map, map to the Communities page, back to the map) [s], in a new browser context."""
    from playwright.sync_api import expect

    from gisplan.app.i18n import t

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="cs-CZ")
    page = context.new_page()
    try:
        page.goto(base, wait_until="domcontentloaded")
        expect(page.get_by_label("Uživatelské jméno")).to_be_visible(timeout=TIMEOUT_MS)
        page.get_by_label("Uživatelské jméno").fill(USER)
        page.get_by_label("Heslo").fill(PASSWORD)
        page.wait_for_timeout(typing_s * 1000)
        started = time.perf_counter()
        page.get_by_role("button", name="Přihlásit se").click()
        _sites_drawn(page)
        login = time.perf_counter() - started
        page.wait_for_timeout(1500)  # let the map report its view (one rerun) before leaving
        started = time.perf_counter()
        page.get_by_role("link", name="Komunity").click()
        expect(page.get_by_role("heading", name=t("comm.heading", "cs"), exact=True)).to_be_visible(timeout=TIMEOUT_MS)
        other = time.perf_counter() - started
        page.wait_for_timeout(1000)
        started = time.perf_counter()
        page.get_by_role("link", name="Mapa", exact=True).click()
        expect(page.get_by_role("heading", name="Mapa kandidátních ploch")).to_be_visible(timeout=TIMEOUT_MS)
        _sites_drawn(page)
        back = time.perf_counter() - started
    finally:
        context.close()
    return login, other, back


def run_variant(name: str, app_root: Path, store: tuple[Path, Path, str], extra: dict[str, str], args: Any) -> Variant:
    """Start a fresh server for ``name`` and time :data:`RUNS` logins."""
    from playwright.sync_api import sync_playwright

    variant = Variant(name, load_before=os.getloadavg()[0])
    log = WORK / f"streamlit-{name}.log"
    with served(app_root, *store, extra, log) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for i in range(args.runs):
                login, other, back = one_run(browser, base, args.typing)
                variant.login_to_map.append(login)
                variant.to_other_page.append(other)
                variant.back_to_map.append(back)
                _log(f"{name} run {i + 1}: login to map {login:.2f} s, to Communities {other:.2f} s, "
                     f"back to map {back:.2f} s")  # fmt: skip
        finally:
            browser.close()
    variant.load_after = os.getloadavg()[0]
    return variant


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--typing", type=float, default=TYPING_S, help="seconds on the filled form before the click")
    parser.add_argument("--sites", type=int, default=0, help="a synthetic store of this many sites instead of the demo")
    parser.add_argument("--old-root", type=Path, help="also time the app of another checkout (e.g. before this work)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the GISPLAN_WARMUP=0 baseline")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_first_map.json")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        _log(f"Chromium not found at {CHROMIUM}; install it with 'apt-get install chromium'")
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    store = big_store(WORK, args.sites) if args.sites else demo_store(WORK)
    plan: list[tuple[str, Path, dict[str, str]]] = [("prepared", ROOT, {})]
    if not args.no_baseline:
        plan.append(("baseline", ROOT, {"GISPLAN_WARMUP": "0"}))
    if args.old_root:
        plan.append(("old", args.old_root.resolve(), {}))
    variants = [run_variant(name, root, store, extra, args) for name, root, extra in plan]
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "store": store[2],
        "sites": args.sites or "demo",
        "runs": args.runs,
        "typing_s": args.typing,
        "variants": [{**asdict(v), **v.summary()} for v in variants],
    }
    ours = variants[0].summary()["login_to_map_median_s"]
    for v in variants[1:]:
        result[f"ratio_{v.name}_over_prepared"] = v.summary()["login_to_map_median_s"] / ours
    args.out.write_text(json.dumps(result, indent=2))
    print(f"\n{'variant':<10} {'login→map median':>17} {'first':>7} {'→Communities':>13} {'→Map':>7}  load")
    for v in variants:
        s = v.summary()
        print(f"{v.name:<10} {s['login_to_map_median_s']:>16.2f}s {s['login_to_map_first_s']:>6.2f}s "
              f"{s['to_other_page_median_s']:>12.2f}s {s['back_to_map_median_s']:>6.2f}s  "
              f"{v.load_before:.1f}→{v.load_after:.1f}")  # fmt: skip
    for key, value in result.items():
        if key.startswith("ratio_"):
            print(f"{key}: {value:.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
