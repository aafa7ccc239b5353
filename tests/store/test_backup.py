"""Backup and restore on SQLite (online backup API) and PostGIS (pg_dump / pg_restore)."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from gisplan.errors import InputError, SourceNotFoundError, UnreadableSourceError
from gisplan.settings import override
from gisplan.store import Store
from gisplan.store.backup import backup, restore
from tests.store.helpers import World


def _state(store: Store) -> tuple[list[str], str, int]:
    site = store.get_site("t:in")
    return [a.text for a in store.annotations("t:in")], site.status, len(store.audit_log())


def test_backup_and_restore_round_trip(store: Store, store_url: str, world: World, tmp_path: Path) -> None:
    store.add_annotation(world.animator, "t:in", "kept by the backup")
    saved_state = _state(store)
    out = backup(store_url, tmp_path / "store.backup")
    assert out.stat().st_size > 0

    store.add_annotation(world.animator, "t:in", "made after the backup")
    store.change_status(world.animator, "t:in", "screening", expected_version=1)
    assert _state(store) != saved_state

    with override(data_dir=tmp_path / "data"):
        previous = restore(store_url, out)
    assert _state(store) == saved_state
    assert previous.is_file()
    # The store as it was before the restore is kept, so a wrong restore can be undone.
    with override(data_dir=tmp_path / "data"):
        restore(store_url, previous)
    assert _state(store)[0] == ["kept by the backup", "made after the backup"]
    assert store.get_site("t:in").status == "screening"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_sqlite_backup_includes_commits_still_in_the_wal(
    store: Store, store_url: str, world: World, tmp_path: Path
) -> None:
    db = Path(store.engine.url.database or "")
    with store.engine.connect():  # an open connection keeps the WAL from being checkpointed away
        for i in range(20):
            store.add_annotation(world.animator, "t:in", f"note {i}")
        assert Path(f"{db}-wal").stat().st_size > 0
        out = backup(store_url, tmp_path / "hot.sqlite")
    with closing(sqlite3.connect(out)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM annotations").fetchone() == (20,)


def test_backup_never_overwrites_by_accident(store: Store, store_url: str, world: World, tmp_path: Path) -> None:
    out = tmp_path / "b.backup"
    out.write_text("precious")
    with pytest.raises(InputError, match="exists already"):
        backup(store_url, out)
    assert out.read_text() == "precious"
    backup(store_url, out, overwrite=True)
    assert out.read_bytes() != b"precious"


def test_restore_refuses_what_is_not_a_backup(store: Store, store_url: str, world: World, tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError):
        restore(store_url, tmp_path / "missing.backup")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database at all" * 100)
    with override(data_dir=tmp_path / "data"), pytest.raises(UnreadableSourceError):
        restore(store_url, junk)
    assert store.get_site("t:in").status == "new"
    assert len(store.users()) == 7


@pytest.mark.parametrize("store_url", [pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True)
def test_postgis_backup_is_a_pg_dump_of_the_store_schema(
    store: Store, store_url: str, world: World, tmp_path: Path
) -> None:
    out = backup(store_url, tmp_path / "store.pgdump")
    listing = subprocess.run(["pg_restore", "--list", str(out)], capture_output=True, text=True, check=True).stdout
    assert "TABLE DATA" in listing
    assert " sites " in listing
    assert " alembic_version " in listing
    assert "spatial_ref_sys" not in listing
