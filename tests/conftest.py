"""Shared fixtures.

- ``shared_data``: the folder of real public test data (``../shared/data`` beside
  the checkout, or ``GISPLAN_SHARED_DATA``). Tests that use it are skipped with a
  printed reason when it is absent, and fail instead in CI (``CI=true``).
- ``isolated_settings``: points every ``GISPLAN_*`` folder at a temp dir.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip with ``reason`` on a developer machine; fail in CI, where nothing may be skipped."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ``shared/data`` folder with real public data (see its SOURCES.md)."""
    folder = Path(os.environ.get("GISPLAN_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (folder / "SOURCES.md").is_file():
        skip_or_fail(f"real test data not found at {folder}; set GISPLAN_SHARED_DATA to the shared/data folder")
    return folder


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data dir in ``tmp_path``; the catalogue folder stays the project's."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.delenv("GISPLAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("GISPLAN_WORKING_CRS", raising=False)
    yield data


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose ``demo/`` holds the full demo region, built once per session (a few seconds)."""
    from gisplan import settings
    from gisplan.demo import build_demo

    data = tmp_path_factory.mktemp("demo-data")
    with settings.override(data_dir=data):
        build_demo(data / "demo", layers_out=data / "layers" / "demo.yaml")
    return data
