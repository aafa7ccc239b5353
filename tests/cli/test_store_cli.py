"""``gisplan db|users|ingest|backup|restore`` on SQLite (default store in the data dir) and PostGIS."""

from __future__ import annotations

import io
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from gisplan.cli import main
from gisplan.store import migrate, open_store
from tests.conftest import skip_or_fail
from tests.store.helpers import write_scored

HEAD = migrate.head_revision()  # the newest migration; every new one moves it

PG_URL = os.environ.get("GISPLAN_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/gisplan_test")


@pytest.fixture
def db(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The default SQLite store of an isolated data dir; commands run from an unrelated folder."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return isolated_settings / "gisplan.sqlite"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str], stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(argv)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def test_db_upgrade_creates_the_default_sqlite_store(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["db", "current"], capsys)[1].startswith("schema empty")
    code, out, _ = _run(["db", "upgrade"], capsys)
    assert code == 0
    assert f"schema empty -> {HEAD}" in out
    assert db.is_file()
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert f"schema {HEAD} -> {HEAD}" in _run(["db", "upgrade"], capsys)[1]


def test_installed_command_upgrades_without_a_checkout(tmp_path: Path) -> None:
    """The console script, run from an unrelated folder, finds the migrations inside the package."""
    script = Path(sys.executable).with_name("gisplan")
    if not script.exists():
        skip_or_fail(f"the gisplan console script is not installed next to {sys.executable}; pip install -e .")
    env = dict(os.environ, GISPLAN_DATA_DIR=str(tmp_path / "data"))
    env.pop("GISPLAN_DATABASE_URL", None)
    done = subprocess.run(
        [str(script), "db", "upgrade"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "gisplan.sqlite").is_file()


def test_users_add_list_set_role_disable(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        [
            "users",
            "add",
            "jana",
            "--role",
            "animator",
            "--scope",
            "region:CZ042",
            "--scope",
            "mas:MAS1",
            "--password-stdin",
        ],
        capsys,
        stdin="a very long passphrase\n",
    )
    assert (code, err) == (0, "")
    assert "added user jana" in out
    assert _run(["users", "add", "petr", "--role", "planner", "--no-password"], capsys)[0] == 0
    listing = _run(["users", "list"], capsys)[1]
    assert "jana" in listing and "animator" in listing and "mas:MAS1,region:CZ042" in listing
    assert "a very long passphrase" not in listing
    with closing(sqlite3.connect(db)) as conn:
        (stored,) = conn.execute("SELECT password_hash FROM users WHERE username = 'jana'").fetchone()
        dump = "\n".join(conn.iterdump())
    assert stored.startswith("$argon2id$")
    assert "a very long passphrase" not in dump
    store = open_store()
    assert store.authenticate("jana", "a very long passphrase") is not None
    store.close()

    assert _run(["users", "set-role", "jana", "planner"], capsys)[0] == 0
    assert _run(["users", "disable", "jana"], capsys)[0] == 0
    line = next(line for line in _run(["users", "list"], capsys)[1].splitlines() if "jana" in line)
    assert "planner" in line and "disabled" in line
    store = open_store()
    assert store.authenticate("jana", "a very long passphrase") is None
    assert [e.action for e in store.audit_log(target_type="user")][:3] == ["user.disable", "user.set_role", "user.add"]
    store.close()


def test_user_errors_are_one_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["users", "add", "x", "--role", "wizard", "--no-password"], capsys)
    assert code == 1
    assert err.startswith("error: role 'wizard' is unknown") and err.count("\n") == 1
    code, _, err = _run(["users", "add", "y", "--role", "animator", "--no-password"], capsys)
    assert (code, err.startswith("error: a animator user needs a scope")) == (1, True)
    code, _, err = _run(["users", "add", "z", "--role", "planner", "--password-stdin"], capsys, stdin="short\n")
    assert code == 1 and "too short" in err
    code, _, err = _run(["users", "disable", "nobody"], capsys)
    assert code == 1 and "no user 'nobody'" in err


def test_password_role_and_disable_end_sessions_and_keep_an_admin(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["users", "add", "boss", "--role", "admin", "--no-password"], capsys)[0] == 0
    assert _run(["users", "add", "eva", "--role", "planner", "--no-password"], capsys)[0] == 0
    assert _run(["users", "password", "eva", "--password-stdin"], capsys, stdin="a very long passphrase\n")[0] == 0
    assert _run(["users", "set-role", "eva", "animator", "--scope", "region:CZ042"], capsys)[0] == 0
    assert _run(["users", "disable", "eva"], capsys)[0] == 0
    with open_store() as store:
        assert store.user("eva").session_epoch == 3  # every change ended eva's open sessions
    for argv in (["users", "set-role", "boss", "planner"], ["users", "disable", "boss"]):
        code, out, err = _run(argv, capsys)
        assert (code, out) == (1, "")
        assert err.startswith("error: ") and err.count("\n") == 1
        assert "would leave no active admin" in err
    with open_store() as store:
        boss = store.user("boss")
    assert (boss.role, boss.disabled) == ("admin", False)


def test_ingest_and_reingest(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"source": "ruian", "source_id": str(i), "score": 10.0 * i} for i in range(1, 4)]
    path = write_scored(tmp_path / "scored.gpkg", rows)
    code, out, err = _run(["ingest", str(path), "--profile", "pv"], capsys)
    assert (code, err) == (0, "")
    assert "3 new, 0 updated, 0 unchanged, 0 end-dated, 3 scores written" in out
    out = _run(["ingest", str(path), "--profile", "pv"], capsys)[1]
    assert "0 new, 0 updated, 3 unchanged" in out
    code, _, err = _run(["ingest", str(path), "--profile", "other"], capsys)
    assert code == 1 and "not 'other'" in err


def test_backup_and_restore(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(["users", "add", "first", "--role", "planner", "--no-password"], capsys)
    out = tmp_path / "backup.sqlite"
    code, text_out, _ = _run(["backup", str(out)], capsys)
    assert code == 0 and "backup written" in text_out
    _run(["users", "add", "second", "--role", "planner", "--no-password"], capsys)
    code, text_out, _ = _run(["restore", str(out), "--yes"], capsys)
    assert code == 0 and "previous store was saved" in text_out
    listing = _run(["users", "list"], capsys)[1]
    assert "first" in listing and "second" not in listing
    assert _run(["backup", str(out)], capsys)[0] == 1


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty schema on the PostGIS test server, dropped afterwards."""
    schema = f"gisplan_cli_{os.getpid()}_{secrets.token_hex(3)}"
    engine = create_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        engine.dispose()
        skip_or_fail(f"PostgreSQL with PostGIS unreachable at {PG_URL}: {exc}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema},public"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.mark.postgis
def test_postgis_upgrade_users_backup_restore(
    pg_url: str, isolated_settings: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["users", "list", "--url", pg_url], capsys)
    assert code == 1 and "run `gisplan db upgrade`" in err
    assert f"schema empty -> {HEAD}" in _run(["db", "upgrade", "--url", pg_url], capsys)[1]
    assert _run(["users", "add", "ana", "--role", "planner", "--no-password", "--url", pg_url], capsys)[0] == 0
    dump = tmp_path / "pg.dump"
    assert _run(["backup", str(dump), "--url", pg_url], capsys)[0] == 0
    assert _run(["users", "disable", "ana", "--url", pg_url], capsys)[0] == 0
    assert _run(["restore", str(dump), "--yes", "--url", pg_url], capsys)[0] == 0
    line = next(line for line in _run(["users", "list", "--url", pg_url], capsys)[1].splitlines() if "ana" in line)
    assert "active" in line
