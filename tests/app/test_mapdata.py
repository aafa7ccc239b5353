"""What the Map page reads: the site index and geometries from the store, context layers from the catalogue."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select, update

from gisplan.app.mapdata import (
    INDEX_COLUMNS,
    data_revision,
    load_context,
    load_geometries,
    load_site_index,
    municipalities,
    scored_profiles,
    status_dtype,
)
from gisplan.store import Store
from gisplan.store.models import Site, SiteScore
from tests.app.appstore import DOLNI, GOOD_SITE, HORNI, ROOF_SITE
from tests.app.conftest import build_tiny_region
from tests.store.conftest import pg_schema, sqlite_template, store, store_url  # noqa: F401 - fixtures (both backends)

HOSTILE_SITE = "tiny_brownfields:BF2"


def test_context_holds_only_context_layers(tiny_region: tuple[Path, Path]) -> None:
    loaded = load_context(*tiny_region)
    assert loaded.missing_files == ()
    assert loaded.failed == ()
    assert [item.layer.id for item in loaded.context] == ["tiny_obce", "tiny_lines"]  # admin first
    assert all(item.frame.crs.to_epsg() == 5514 for item in loaded.context)
    assert len(loaded.layers) == 5  # the candidate layers are known, not read


def test_missing_file_is_reported_and_the_rest_still_loads(tmp_path: Path) -> None:
    layers, data = build_tiny_region(tmp_path)
    (data / "tiny" / "obce.gpkg").unlink()
    loaded = load_context(layers, data)
    assert len(loaded.missing_files) == 1
    assert "obce.gpkg" in loaded.missing_files[0].message
    assert loaded.missing_files[0].location == "layer tiny_obce"
    assert [item.layer.id for item in loaded.context] == ["tiny_lines"]


def test_unreadable_layer_is_reported_not_raised(tmp_path: Path) -> None:
    layers, data = build_tiny_region(tmp_path)
    (data / "tiny" / "grid.gpkg").write_bytes(b"this is not a geopackage")
    loaded = load_context(layers, data)
    assert [p.location for p in loaded.failed] == ["layer tiny_lines"]
    assert [item.layer.id for item in loaded.context] == ["tiny_obce"]


def test_no_catalogue_means_no_context(tmp_path: Path) -> None:
    (tmp_path / "layers").mkdir()
    loaded = load_context(tmp_path / "layers", tmp_path)
    assert loaded.context == ()
    assert loaded.layers == ()


def test_revision_changes_when_a_data_file_changes(tmp_path: Path) -> None:
    layers, data = build_tiny_region(tmp_path)
    before = data_revision(layers, data)
    assert len(before) == 6  # one catalogue file + five data files
    assert data_revision(layers, data) == before
    target = data / "tiny" / "municipal.gpkg"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert data_revision(layers, data) != before
    shutil.rmtree(data / "tiny")
    assert all(size == -1 for path, size, _ in data_revision(layers, data) if path.endswith(".gpkg"))


def test_site_index_has_one_row_per_scored_site(app_store: Store) -> None:
    index = load_site_index(app_store, "ground_pv")
    assert list(index.columns) == [*INDEX_COLUMNS, "x", "y", "lon", "lat"]
    assert sorted(index["site_id"]) == sorted([GOOD_SITE, ROOF_SITE, HOSTILE_SITE])
    stored = dict(
        app_store.read(
            lambda s: (
                s.execute(select(SiteScore.site_id, SiteScore.score).where(SiteScore.profile == "ground_pv"))
                .tuples()
                .all()
            )
        )
    )
    assert dict(zip(index["site_id"], index["score"], strict=True)) == pytest.approx(stored)
    row = index.set_index("site_id").loc[GOOD_SITE]
    assert (row["kind"], row["municipality_code"], row["status"]) == ("brownfield", HORNI, "new")
    assert (row["x"], row["y"]) == pytest.approx((-782_000 + 250, -992_000 + 200))
    assert 50.4 < row["lat"] < 50.6
    assert 13.7 < row["lon"] < 13.9
    assert index["excluded"].dtype == bool
    assert load_site_index(app_store, "no_such_profile").empty


def test_site_index_leaves_out_end_dated_sites(app_store: Store) -> None:
    with app_store.engine.begin() as conn:
        conn.execute(update(Site).where(Site.id == ROOF_SITE).values(end_date=dt.date(2026, 1, 1)))
    assert ROOF_SITE not in set(load_site_index(app_store, "ground_pv")["site_id"])


def test_geometries_of_the_drawn_sites_only(app_store: Store) -> None:
    geoms = load_geometries(app_store, [ROOF_SITE, "nope:1", GOOD_SITE, ROOF_SITE])
    assert list(geoms.index) == [ROOF_SITE, GOOD_SITE]
    assert geoms.crs.to_epsg() == 5514
    assert geoms.loc[GOOD_SITE].geometry.area == pytest.approx(300 * 200)
    assert load_geometries(app_store, []).empty


def test_profiles_and_municipalities(app_store: Store) -> None:
    assert scored_profiles(app_store) == ["ground_pv", "rooftop_pv"]
    table = municipalities(app_store)
    assert table["name"].tolist() == ["Dolní Ves", "Horní Ves"]
    assert table["code"].tolist() == [DOLNI, HORNI]
    assert table["population"].tolist() == [420, 850]


def test_index_and_geometries_on_both_backends(store: Store) -> None:  # noqa: F811 - the imported fixture
    from tests.app.appstore import populate

    populate(store)
    index = load_site_index(store, "rooftop_pv")
    assert sorted(index["site_id"]) == sorted([GOOD_SITE, ROOF_SITE, HOSTILE_SITE])
    roof = index.set_index("site_id").loc[ROOF_SITE]
    assert not roof["excluded"]
    assert (roof["minx"], roof["maxy"]) == pytest.approx((-782_000 + 2150, -992_000 + 1512))
    geoms = load_geometries(store, [ROOF_SITE])
    assert geoms.loc[ROOF_SITE].geometry.area == pytest.approx(20 * 12)
    assert scored_profiles(store) == ["ground_pv", "rooftop_pv"]


def test_with_statuses_sets_the_worked_statuses_and_shares_the_other_columns() -> None:
    from gisplan.app.mapdata import with_statuses

    index = pd.DataFrame({"site_id": ["a", "b", "c"], "status": ["screening", "new", "new"], "score": [1.0, 2.0, 3.0]})
    index["status"] = index["status"].astype(status_dtype())
    moved = with_statuses(index, {"b": "shortlisted", "gone": "rejected"})
    assert moved["status"].tolist() == ["new", "shortlisted", "new"]
    assert isinstance(moved["status"].dtype, pd.CategoricalDtype)
    assert np.shares_memory(moved["score"].to_numpy(), index["score"].to_numpy())
    assert index["status"].tolist() == ["screening", "new", "new"]  # the cached frame other sessions hold is untouched
    assert with_statuses(moved, {"b": "shortlisted"}) is moved  # nothing changed: the same frame
    odd = with_statuses(moved, {"c": "parked_by_hand"})  # a status the workflow does not know still shows
    assert odd["status"].tolist() == ["new", "new", "parked_by_hand"]
