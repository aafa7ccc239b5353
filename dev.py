#!/usr/bin/env python3
"""Quick start for gisplan: ``python3 dev.py run`` or ``python3 dev.py test``.

``run``   creates ``.venv``, installs gisplan, builds the demo region if it is not
          there yet, creates or upgrades the store, scores the demo into it when
          it holds no sites (``gisplan demo load``: sites, municipalities, funding
          calls, demo users), prints the demo logins and starts the app on
          http://localhost:8501 with the embedded SQLite store.
``test``  creates ``.venv``, installs gisplan with its test extras, and runs ruff,
          mypy, the import contracts (import-linter) and the whole pytest suite.
          Extra arguments go to pytest.

Only the Python standard library is used here, so it works on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def _say(msg: str) -> None:
    print(f"[gisplan] {msg}", flush=True)


def _bootstrap_pip() -> None:
    """Install pip into a venv made without it (Debian's python3 lacks ensurepip without python3-venv)."""
    import json
    import tempfile
    import urllib.request

    _say("this Python has no ensurepip; fetching pip from PyPI instead")
    import urllib.parse

    index = "https://pypi.org/pypi/pip/json"
    with urllib.request.urlopen(index, timeout=60) as resp:
        info = json.load(resp)
    wheel = next(u for u in info["urls"] if u["filename"].endswith(".whl"))
    wheel["url"] = urllib.parse.urljoin(index, wheel["url"])
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / wheel["filename"]
        urllib.request.urlretrieve(wheel["url"], target)  # noqa: S310
        subprocess.run([str(PY), f"{target}/pip", "install", "-q", str(target)], check=True)


def _ensure_venv() -> None:
    if (BIN / "pip").exists():
        return
    _say(f"creating a virtual environment in {VENV}")
    try:
        import ensurepip  # noqa: F401

        has_ensurepip = True
    except ImportError:
        has_ensurepip = False
    try:
        venv.EnvBuilder(with_pip=has_ensurepip, upgrade_deps=False, clear=PY.exists()).create(VENV)
        if not has_ensurepip:
            _bootstrap_pip()
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(
            f"[gisplan] could not create {VENV}: {exc}\n"
            "On Debian/Ubuntu install the venv module first: sudo apt-get install python3-venv"
        )


#: Installed with --no-deps: gdal-utils would otherwise pull GDAL's Python bindings, which
#: need a GDAL build; its validate_gpkg script needs only sqlite3 (used by the export tests).
NO_DEPS_TEST_PACKAGES = ["gdal-utils>=3.8"]


def _pip(*args: str) -> None:
    subprocess.run([str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args], cwd=ROOT, check=True)


def _ensure_installed(extras: str) -> None:
    """pip-install gisplan[extras] unless pyproject.toml is unchanged since last time."""
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    _say(f"installing gisplan{('[' + extras + ']') if extras else ''} (first run takes a few minutes)")
    _pip("-e", target)
    if extras == "dev":
        _pip("--no-deps", *NO_DEPS_TEST_PACKAGES)
    stamp.write_text(digest)


def _run(args: list[str]) -> int:
    return subprocess.run(args, cwd=ROOT, check=False).returncode


def _store_is_empty() -> bool:
    """True when the store (GISPLAN_DATABASE_URL) holds no sites yet."""
    check = "import sys; from gisplan.store import open_store; sys.exit(0 if open_store().counts()['sites'] else 3)"
    return subprocess.run([str(PY), "-c", check], cwd=ROOT, check=False).returncode == 3


def _demo_logins() -> str:
    show = (
        "from gisplan.demo.load import DEMO_USERS; print(', '.join(f'{u.username} / {u.password}' for u in DEMO_USERS))"
    )
    found = subprocess.run([str(PY), "-c", show], cwd=ROOT, check=False, capture_output=True, text=True)
    return found.stdout.strip() or "see README"


def cmd_run(extra: list[str]) -> int:
    _ensure_venv()
    _ensure_installed("")
    demo_marker = ROOT / "data" / "demo" / "README.md"
    if not demo_marker.exists():
        _say("building the demo region in data/demo (about a minute)")
        if _run([str(BIN / "gisplan"), "demo", "build"]) != 0:
            return 1
    if _run([str(BIN / "gisplan"), "db", "upgrade"]) != 0:
        return 1
    if _store_is_empty():
        _say("scoring the demo region into the store (about a minute)")
        if _run([str(BIN / "gisplan"), "demo", "load"]) != 0:
            return 1
    port = os.environ.get("GISPLAN_PORT", "8501")
    _say("demo logins (for the demo only): " + _demo_logins())
    _say(f"starting the app on http://localhost:{port} (Ctrl+C stops it)")
    return _run(
        [
            str(BIN / "streamlit"),
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.port",
            port,
            "--server.headless",
            "true",
            *extra,
        ]
    )


def cmd_test(extra: list[str]) -> int:
    _ensure_venv()
    _ensure_installed("dev")
    failures = 0
    _say("ruff check")
    failures += _run([str(BIN / "ruff"), "check", "gisplan", "tests", "benchmarks", "streamlit_app.py", "dev.py"]) != 0
    _say("mypy (strict on gisplan/)")
    failures += _run([str(BIN / "mypy"), "gisplan", "streamlit_app.py"]) != 0
    _say("import contracts (import-linter, [tool.importlinter] in pyproject.toml)")
    failures += _run([str(BIN / "lint-imports")]) != 0
    _say("pytest")
    failures += _run([str(PY), "-m", "pytest", *extra]) != 0
    if failures:
        _say(f"{failures} check(s) failed")
        return 1
    _say("all checks passed")
    return 0


def main() -> int:
    commands = {"run": cmd_run, "test": cmd_test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        print("usage: python3 dev.py run|test [args...]", file=sys.stderr)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
