"""Migrations: the schema they build matches the models, on SQLite and PostGIS; they ship with the package."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from gisplan.errors import ConfigError
from gisplan.settings import override
from gisplan.store import Store, migrate, open_store
from gisplan.store.engine import make_engine
from gisplan.store.models import Base

ROOT = Path(__file__).resolve().parents[2]
GIST_INDEXES = {"ix_sites_geom", "ix_submissions_geom"}
ONLY_POSTGIS = pytest.mark.parametrize("store_url", [pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True)


def _diffs(store: Store) -> list[object]:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": migrate.include_name})
        diffs = compare_metadata(ctx, Base.metadata)
    # The GiST indexes exist only on PostGIS and only in the migration.
    return [d for d in diffs if not (isinstance(d, tuple) and d[0] == "remove_index" and d[1].name in GIST_INDEXES)]


@pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry'")
def test_migrated_schema_matches_the_models(store: Store) -> None:
    assert _diffs(store) == []
    assert migrate.current_revision(store.engine) == migrate.head_revision()


def test_sites_are_indexed_for_the_map(store: Store) -> None:
    names = {ix["name"] for ix in inspect(store.engine).get_indexes("sites")}
    assert {"ix_sites_kind", "ix_sites_status", "ix_sites_bbox"} <= names
    score_ix = {ix["name"]: ix["column_names"] for ix in inspect(store.engine).get_indexes("site_scores")}
    assert score_ix["ix_site_scores_profile_score"] == ["profile", "score"]


@ONLY_POSTGIS
def test_postgis_geometry_has_srid_and_gist_index(store: Store) -> None:
    with store.engine.connect() as conn:
        srid = conn.execute(text("SELECT Find_SRID(current_schema()::varchar, 'sites', 'geom')")).scalar()
        gist = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'ix_sites_geom'")
        ).scalar()
    assert srid == 5514
    assert gist is not None
    assert "USING gist (geom)" in gist


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert migrate.upgrade(engine) == migrate.head_revision()
    assert "sites" in inspect(engine).get_table_names()
    assert migrate.downgrade(engine, "base") is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrate.upgrade(engine) == migrate.head_revision()
    engine.dispose()


def test_new_store_takes_the_working_crs(tmp_path: Path) -> None:
    with override(working_crs="EPSG:32633"):
        store = open_store(f"sqlite:///{tmp_path / 'utm.sqlite'}")
    assert store.srid == 32633
    store.close()
    # An existing store keeps its CRS whatever the setting says now.
    assert open_store(f"sqlite:///{tmp_path / 'utm.sqlite'}").srid == 32633


def test_store_behind_head_asks_for_db_upgrade_when_not_upgrading(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    with pytest.raises(ConfigError, match="run `gisplan db upgrade`"):
        open_store(f"sqlite:///{empty}", upgrade=False)


def test_migrations_ship_as_package_data() -> None:
    """Every file of gisplan/store/migrations matches a package-data glob, so wheels carry them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["gisplan"]
    package = ROOT / "gisplan"
    shipped = {p for pattern in globs for p in package.glob(pattern)}
    files = {p for p in (package / "store" / "migrations").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert files, "no migration files found"
    assert files <= shipped, sorted(str(p.relative_to(package)) for p in files - shipped)
    assert any(p.name.startswith("0001_") for p in files)


def test_processes_opening_a_new_sqlite_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    import threading

    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            open_store(url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    engine = make_engine(url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM store_meta")).scalar() == 1
    engine.dispose()
