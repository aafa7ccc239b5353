"""Every store path that writes a submission's shape runs the intake checks (issue 11, point 9).

``submit_site``, ``update_submission`` and the moderation loop's ``resubmit`` refuse what an
upload would be refused for (bow-tie, empty, a line, NaN, far away, outside the municipality),
store nothing, and a submission can be withdrawn only while it is waiting or returned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box
from sqlalchemy import func, select

from gisplan.errors import InputError, UploadRejectedError
from gisplan.store import Store
from gisplan.store.models import Submission
from gisplan.workflows import moderation as mod
from gisplan.workflows.submissions import submit_site, update_submission
from tests.intake.conftest import write_catalogue
from tests.store.helpers import World

X0, Y0 = -770_000.0, -990_000.0
GOOD = box(X0, Y0, X0 + 200, Y0 + 100)
#: Shapes any caller might hand the store, and the refusal each gets without a catalogue.
BAD: dict[str, tuple[Any, str]] = {
    "bow-tie": (
        shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100), (X0, Y0)]),
        "invalid_geometry",
    ),
    "no shape": (None, "no_geometry"),
    "empty polygon": (shapely.Polygon(), "empty_geometry"),
    "a line": (shapely.LineString([(X0, Y0), (X0 + 100, Y0)]), "bad_geometry_type"),
    "NaN corner": (shapely.Polygon([(X0, Y0), (float("nan"), Y0), (X0, Y0 + 10), (X0, Y0)]), "bad_coordinates"),
    "a point 1,500 km away": (shapely.Point(X0 + 1_500_000, Y0), "outside_region"),
    "1e300 coordinates": (shapely.Point(1e300, -1e300), "bad_coordinates"),
    "zero area": (shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 20, Y0 + 20), (X0, Y0)]), "unrepairable"),
}


def count(store: Store) -> int:
    """Submissions stored."""
    return int(store.read(lambda s: s.scalar(select(func.count()).select_from(Submission))))


@pytest.mark.parametrize("case", list(BAD))
def test_submit_site_refuses_what_intake_refuses(store: Store, world: World, case: str) -> None:
    geom, reason = BAD[case]
    with pytest.raises(UploadRejectedError) as info:
        submit_site(store, world.municipality, "111", "brownfield", "Hostile", geom)
    assert info.value.reason == reason, str(info.value)
    assert count(store) == 0


@pytest.mark.parametrize("case", ["bow-tie", "a point 1,500 km away", "no shape"])
def test_update_and_resubmit_refuse_bad_shapes(store: Store, world: World, case: str) -> None:
    geom, reason = BAD[case]
    sub = submit_site(store, world.municipality, "111", "brownfield", "Farm", GOOD)
    with pytest.raises(UploadRejectedError) as info:
        update_submission(store, world.municipality, sub.id, expected_version=sub.version, geom=geom)
    assert info.value.reason == reason
    returned = mod.return_for_changes(store, world.animator, sub.id, expected_version=sub.version, comment="Fix it")
    with pytest.raises(UploadRejectedError):
        mod.resubmit(store, world.municipality, sub.id, expected_version=returned.version, geom=geom)
    (kept,) = store.submissions()
    assert kept.state == "returned"
    assert kept.geom.equals(GOOD)
    # a good shape still goes through
    again = mod.resubmit(store, world.municipality, sub.id, expected_version=returned.version, geom=GOOD.buffer(5))
    assert again.state == "submitted"


def test_a_valid_shape_is_stored_as_given(store: Store, world: World) -> None:
    sub = submit_site(store, world.municipality, "111", "brownfield", "Farm", GOOD)
    assert sub.geom.equals(GOOD)
    assert count(store) == 1


def test_catalogue_region_and_boundary_are_checked(
    store: Store, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    obce = gpd.GeoDataFrame(
        {"kod_obce": ["111", "112"]},
        geometry=[
            box(X0 - 5_000, Y0 - 5_000, X0 + 5_000, Y0 + 5_000),
            box(X0 + 5_000, Y0 - 5_000, X0 + 15_000, Y0 + 5_000),
        ],
        crs="EPSG:5514",
    )
    data = write_catalogue(tmp_path, obce)
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(tmp_path / "layers"))
    # inside the CRS's area, but 100 km from the region (no boundary known for 999)
    far = box(X0 + 100_000, Y0, X0 + 100_200, Y0 + 100)
    with pytest.raises(UploadRejectedError) as info:
        submit_site(store, world.municipality, "111", "brownfield", "Far", far)
    assert info.value.reason == "outside_region"
    # in the region, but in municipality 112, not 111
    other = box(X0 + 10_000, Y0, X0 + 10_200, Y0 + 100)
    with pytest.raises(UploadRejectedError) as info:
        submit_site(store, world.municipality, "111", "brownfield", "Neighbour's", other)
    assert info.value.reason == "outside_municipality"
    assert count(store) == 0
    submit_site(store, world.municipality, "111", "brownfield", "Ours", GOOD)
    assert count(store) == 1


def test_withdraw_after_acceptance_is_refused(store: Store, world: World) -> None:
    sub = submit_site(store, world.municipality, "111", "brownfield", "Farm", GOOD)
    accepted = mod.accept(store, world.animator, sub.id, expected_version=sub.version, profiles=[]).submission
    with pytest.raises(InputError, match="withdrawn"):
        mod.withdraw(store, world.municipality, sub.id, expected_version=accepted.version)
    (kept,) = store.submissions()
    assert kept.state == "accepted"


def test_withdraw_while_waiting_still_works(store: Store, world: World) -> None:
    sub = submit_site(store, world.municipality, "111", "brownfield", "Farm", GOOD)
    gone = mod.withdraw(store, world.municipality, sub.id, expected_version=sub.version)
    assert gone.state == "withdrawn"


@pytest.mark.parametrize("field", ["name", "attributes"])
def test_nul_characters_are_refused_not_a_database_error(store: Store, world: World, field: str) -> None:
    # found by the fuzz test: PostgreSQL text and JSONB cannot hold NUL, and the error was not ours
    name, attributes = ("Farm\x00", {}) if field == "name" else ("Farm", {"note": "a\x00b"})
    with pytest.raises(UploadRejectedError, match="NUL character"):
        submit_site(store, world.municipality, "111", "brownfield", name, GOOD, attributes=attributes)
    assert count(store) == 0
