"""Fixtures of the demo tests: one full build and one small build per session.

The full build (default seed and scale, about 6 s) checks the real counts; the
small build (scale 0.08) is for the slower per-feature checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gisplan import settings
from gisplan.demo import DEFAULT_SEED, DemoRegion, DemoSummary, build_demo, generate

SMALL_SEED = 7
SMALL_SCALE = 0.08


@dataclass(frozen=True)
class Built:
    """A build on disk, its data dir, and the region it came from."""

    summary: DemoSummary
    data_dir: Path
    layers_file: Path


def _build(root: Path, *, seed: int, scale: float) -> Built:
    data_dir = root / "data"
    layers_file = root / "layers" / "demo.yaml"
    with settings.override(data_dir=data_dir):
        summary = build_demo(data_dir / "demo", seed=seed, scale=scale, layers_out=layers_file)
    return Built(summary=summary, data_dir=data_dir, layers_file=layers_file)


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The demo region with the default seed and scale, written to a temp data dir."""
    return _build(tmp_path_factory.mktemp("demo_full"), seed=DEFAULT_SEED, scale=1.0)


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A thinned build (8 % of the buildings) with another seed."""
    return _build(tmp_path_factory.mktemp("demo_small"), seed=SMALL_SEED, scale=SMALL_SCALE)


@pytest.fixture(scope="session")
def small_region() -> Iterator[DemoRegion]:
    """The same region as ``small_build``, in memory."""
    yield generate(SMALL_SEED, scale=SMALL_SCALE)
