"""Storing a checked submission: all sites or none, with the form and the intake findings."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from gisplan.errors import PermissionDeniedError, UploadRejectedError
from gisplan.intake import IntakeResult, check_drawing, validate_form
from gisplan.store import SYSTEM, Scope, Store, open_store
from gisplan.workflows.submissions import submit
from tests.intake.conftest import A_BOX, A_CENTRE, feature_collection, lonlat, polygon, square_lonlat
from tests.intake.test_form import good_form


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh SQLite store with a municipality user of 500001 (id 1) and one of 500002 (id 2)."""
    opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    opened.add_user(SYSTEM, "obec_a", "municipality", scope=Scope.parse(["municipality:500001"]))
    opened.add_user(SYSTEM, "obec_b", "municipality", scope=Scope.parse(["municipality:500002"]))
    return opened


def _two_sites(municipalities: gpd.GeoDataFrame) -> IntakeResult:
    x, y = A_CENTRE
    edge = square_lonlat(A_BOX[2], y, half=100.0)
    return check_drawing(
        feature_collection(polygon(square_lonlat(x, y)), polygon(edge), props=[{"name": "Sklad"}, {}]),
        municipality_code="500001",
        municipalities=municipalities,
    )


def test_submit_stores_every_site_with_form_and_findings(store: Store, municipalities: gpd.GeoDataFrame) -> None:
    result = _two_sites(municipalities)
    form = validate_form(good_form())
    user = store.user("obec_a")
    stored = submit(store, user.id, result, form)
    assert [s.name for s in stored] == ["Bývalý cukrovar – Sklad", "Bývalý cukrovar – 2"]
    rows = store.submissions(municipality_code="500001")
    assert len(rows) == 2
    first, second = rows
    assert first.kind == "brownfield"
    assert first.state == "submitted"
    assert first.geom is not None
    assert first.geom.area == pytest.approx(40_000, rel=0.001)  # stored in the store's CRS (EPSG:5514)
    assert first.attributes["form"]["contamination"] == "suspected"
    assert first.attributes["intake"]["crosses_border"] is False
    assert second.attributes["intake"]["crosses_border"] is True
    assert second.attributes["intake"]["warnings"][0]["code"] == "crosses_border"
    assert first.attributes["file_attributes"] == {"name_src": "Sklad"}


def test_submit_for_another_municipality_stores_nothing(store: Store, municipalities: gpd.GeoDataFrame) -> None:
    result = _two_sites(municipalities)
    with pytest.raises(PermissionDeniedError):
        submit(store, store.user("obec_b").id, result, validate_form(good_form()))
    assert store.submissions() == []


def test_repaired_shapes_need_confirmation(store: Store, municipalities: gpd.GeoDataFrame) -> None:
    x, y = A_CENTRE
    ring = [list(lonlat(*p)) for p in [(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)]]
    result = check_drawing(polygon(ring), municipality_code="500001", municipalities=municipalities)
    form = validate_form(good_form())
    user = store.user("obec_a").id
    with pytest.raises(UploadRejectedError) as info:
        submit(store, user, result, form)
    assert info.value.reason == "needs_confirmation"
    assert store.submissions() == []
    stored = submit(store, user, result, form, confirm_repairs=True)
    assert stored[0].geom is not None
    assert stored[0].geom.is_valid
    assert stored[0].attributes["intake"]["repaired"] is True


def test_submit_without_form_needs_a_kind(store: Store, municipalities: gpd.GeoDataFrame) -> None:
    result = _two_sites(municipalities)
    user = store.user("obec_a").id
    with pytest.raises(UploadRejectedError):
        submit(store, user, result, None)
    stored = submit(store, user, result, None, kind="municipal_land")
    assert [s.name for s in stored] == ["Sklad", "site 2"]
    assert stored[0].attributes["form"] is None
