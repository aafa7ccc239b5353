"""Browser tests: the real app in Debian's Chromium, with every non-local request blocked.

- ``browser_type_launch_args`` (pytest-playwright) launches ``/usr/bin/chromium``;
  Playwright cannot download its own browser here. Without Chromium the tests are
  skipped with a reason, and fail in CI (``CI=true``), which installs it.
- ``app_data``: the demo region built by ``gisplan demo build`` into a temp dir
  when that command exists, else the tiny region of ``tests/app/conftest.py``.
- ``app_url`` / ``tiny_app_url``: ``streamlit run streamlit_app.py`` on a free
  localhost port with ``GISPLAN_BASEMAP=none``, polled on ``/_stcore/health``,
  stopped afterwards; on the demo region and on the tiny region (hostile names).
- ``demo_app``: the app on a quarter-size demo region loaded into a store by
  ``gisplan demo load`` (scored sites, municipalities, funding calls, demo users).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import build_tiny_region
from tests.conftest import ROOT, skip_or_fail

CHROMIUM = Path(os.environ.get("GISPLAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
STARTUP_TIMEOUT_S = 60.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium instead of a Playwright download."""
    if not CHROMIUM.is_file():
        skip_or_fail(f"Chromium not found at {CHROMIUM}; install it with 'apt-get install chromium'")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A large viewport, so the map, legend and layer control are all on screen."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}, "locale": "cs-CZ"}


def _demo_command_exists() -> bool:
    try:
        from gisplan.cli import _register, app

        _register()
    except ImportError as exc:  # a command module half-written in a shared working tree
        print(f"[e2e] CLI commands not importable ({exc}); using the tiny test region")
        return False
    return any(group.name == "demo" for group in app.registered_groups)


@pytest.fixture(scope="session")
def app_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(layers_dir, data_dir) for the app under test."""
    root = tmp_path_factory.mktemp("e2e_region")
    if not _demo_command_exists():
        return build_tiny_region(root)
    from gisplan import settings
    from gisplan.cli import main

    layers, data = root / "layers", root / "data"
    layers.mkdir()
    started = time.monotonic()
    with settings.override(data_dir=data, layers_dir=layers):
        code = main(["demo", "build", "--out", str(data / "demo"), "--layers-out", str(layers / "demo.yaml")])
    print(f"[e2e] demo region built in {time.monotonic() - started:.1f} s")
    assert code == 0, "gisplan demo build failed"
    return layers, data


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit did not answer on {url} within {STARTUP_TIMEOUT_S:.0f} s:\n{log.read_text()[-3000:]}")


@contextmanager
def serve_app(layers: Path, data: Path, log: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run streamlit_app.py`` on a free localhost port; yield its base URL.

    ``extra_env`` adds or overrides environment variables (e.g. ``GISPLAN_DATABASE_URL``).
    """
    port = _free_port()
    env = {
        **os.environ,
        "GISPLAN_LAYERS_DIR": str(layers),
        "GISPLAN_DATA_DIR": str(data),
        "GISPLAN_BASEMAP": "none",
        "GISPLAN_OFFLINE": "1",
        "GISPLAN_LANG": "cs",
        **(extra_env or {}),
    }
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    command = [
        streamlit,
        "run",
        str(ROOT / "streamlit_app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(app_data: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app on the demo region (GISPLAN_BASEMAP=none, offline)."""
    with serve_app(*app_data, tmp_path_factory.mktemp("streamlit") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def tiny_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app on the tiny region, whose brownfields have hostile names."""
    layers, data = build_tiny_region(tmp_path_factory.mktemp("e2e_tiny"))
    with serve_app(layers, data, tmp_path_factory.mktemp("streamlit_tiny") / "streamlit.log") as url:
        yield url


@dataclass(frozen=True)
class DemoApp:
    """The app on a loaded demo store: base URL, store URL, and the demo logins (user -> password)."""

    url: str
    store_url: str
    logins: dict[str, str]


#: Share of the demo buildings in the browser tests' demo region (the full region takes a minute to score).
DEMO_SCALE = "0.25"


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApp]:
    """The app on a demo region (scale :data:`DEMO_SCALE`) loaded by ``gisplan demo build`` + ``gisplan demo load``.

    The store holds the scored sites of every profile, the demo municipalities,
    the funding calls and the demo users of :data:`gisplan.demo.load.DEMO_USERS`.
    """
    from gisplan import settings
    from gisplan.cli import main
    from gisplan.demo.load import DEMO_USERS

    root = tmp_path_factory.mktemp("e2e_demo_store")
    layers, data = root / "layers", root / "data"
    layers.mkdir()
    (layers / "profiles").symlink_to(ROOT / "layers" / "profiles", target_is_directory=True)
    store_url = f"sqlite:///{(root / 'store.sqlite').as_posix()}"
    started = time.monotonic()
    with settings.override(data_dir=data, layers_dir=layers):
        built = main(
            [
                "demo",
                "build",
                "--out",
                str(data / "demo"),
                "--layers-out",
                str(layers / "demo.yaml"),
                "--scale",
                DEMO_SCALE,
            ]
        )
        loaded = main(["demo", "load", "--url", store_url]) if built == 0 else 1
    print(f"[e2e] demo region built and loaded in {time.monotonic() - started:.1f} s")
    assert (built, loaded) == (0, 0), "gisplan demo build/load failed"
    with serve_app(layers, data, root / "streamlit.log", {"GISPLAN_DATABASE_URL": store_url}) as url:
        yield DemoApp(url, store_url, {user.username: user.password for user in DEMO_USERS})
