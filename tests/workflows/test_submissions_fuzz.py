"""The store's submission API, fuzzed (issue 11, acceptance), on SQLite and PostGIS.

Generated shapes (good, degenerate, hostile, near and far) go to ``submit_site``: it
stores the site or refuses with :class:`~gisplan.errors.UploadRejectedError`, and a
refusal stores nothing. The region and boundaries come from a tiny catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gisplan.errors import UploadRejectedError
from gisplan.store import SYSTEM, Scope, Store
from gisplan.store.models import Submission
from gisplan.workflows.submissions import submit_site
from tests.intake.fuzzing import CODE, PROPS, fuzz_region, shapes_5514

__all__ = ["fuzz_region"]  # the fixture, used by name

#: Shapes sent through ``submit_site`` on each backend.
STORE_EXAMPLES = 480


def _count(store: Store) -> int:
    return int(store.read(lambda s: s.scalar(select(func.count()).select_from(Submission))))


@pytest.fixture
def obec(store: Store) -> int:
    """A municipality user of 500001 in the parametrized store."""
    return store.add_user(SYSTEM, "obec", "municipality", scope=Scope.parse([f"municipality:{CODE}"])).id


def test_store_submission_api_never_stores_what_it_refuses(
    store: Store, obec: int, fuzz_region: tuple[Path, Path]
) -> None:
    seen = {"stored": 0, "refused": 0}

    @settings(max_examples=STORE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(geom=shapes_5514(), attributes=PROPS, name=st.text(max_size=40))
    def one(geom: Any, attributes: dict[str, Any], name: str) -> None:
        before = _count(store)
        try:
            submit_site(store, obec, CODE, "brownfield", name, geom, attributes=attributes)
        except UploadRejectedError:
            assert _count(store) == before
            seen["refused"] += 1
            return
        assert _count(store) == before + 1
        seen["stored"] += 1

    one()
    # both outcomes were exercised
    assert seen["stored"] > 0
    assert seen["refused"] > 0
