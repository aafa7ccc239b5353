"""``gisplan backup OUT`` and ``gisplan restore IN``.

SQLite: the online backup API copies a consistent snapshot while others keep
working; restore copies the backup *into* the live file through the same API, so
connections open elsewhere see either the old or the new database, never a mix.
PostgreSQL: ``pg_dump --format=custom`` of the store's schema; restore turns the
dump into SQL with ``pg_restore`` and runs it, after dropping the store's tables,
in one ``psql --single-transaction``. Before any restore the current store is
backed up to ``backups/before-restore-<time>`` so a wrong restore can be undone.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import URL, make_url

from gisplan import settings
from gisplan.errors import ConfigError, InputError, SourceNotFoundError, UnreadableSourceError
from gisplan.store.migrate import head_revision
from gisplan.store.models import Base, utcnow

SQLITE_MAGIC = b"SQLite format 3\x00"


def _stamp() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S%fZ")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        msg = f"cannot back up the in-memory SQLite store {url}; use a file URL"
        raise ConfigError(msg)
    return Path(url.database).expanduser()


def _check_sqlite_file(path: Path) -> str:
    """Integrity-check a SQLite store file; return its schema revision."""
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            msg = f"{path} is not a SQLite database; pass a file written by `gisplan backup`"
            raise UnreadableSourceError(msg)
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            msg = f"{path} fails PRAGMA integrity_check: {result[:5]}; it cannot be restored"
            raise UnreadableSourceError(msg)
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            row = None
    if row is None:
        msg = f"{path} is not a gisplan store (no schema version); pass a file written by `gisplan backup`"
        raise UnreadableSourceError(msg)
    return str(row[0])


def _sqlite_copy(src: Path, dst: Path) -> None:
    with closing(sqlite3.connect(src, timeout=60)) as source, closing(sqlite3.connect(dst, timeout=60)) as target:
        source.backup(target)


def backup(url: str | None, out: Path | str, *, overwrite: bool = False) -> Path:
    """Write a backup of the store at ``url`` (default: the configured store) to ``out``.

    Raises
    ------
    InputError
        If ``out`` exists and ``overwrite`` is false.
    """
    out = Path(out).expanduser()
    if out.exists() and not overwrite:
        msg = f"{out} exists already; choose a new file name or pass --overwrite"
        raise InputError(msg)
    out.parent.mkdir(parents=True, exist_ok=True)
    parsed = make_url(url or settings.get().database_url)
    if parsed.get_backend_name() == "sqlite":
        src = _sqlite_path(parsed)
        if not src.is_file():
            msg = f"there is no SQLite store at {src}; create it with `gisplan db upgrade`"
            raise SourceNotFoundError(msg)
        tmp = out.with_name(out.name + ".partial")
        tmp.unlink(missing_ok=True)
        _sqlite_copy(src, tmp)
        _check_sqlite_file(tmp)
        tmp.replace(out)
        return out
    _pg_dump(parsed, out)
    return out


def restore(url: str | None, source: Path | str) -> Path:
    """Replace the store at ``url`` by the backup ``source``; return where the old store was saved first.

    Raises
    ------
    SourceNotFoundError
        If ``source`` does not exist.
    UnreadableSourceError
        If it is not an intact gisplan backup of the right kind.
    """
    source = Path(source).expanduser()
    if not source.is_file():
        msg = f"backup {source} does not exist"
        raise SourceNotFoundError(msg)
    parsed = make_url(url or settings.get().database_url)
    if parsed.get_backend_name() == "sqlite":
        revision = _check_sqlite_file(source)
        _check_revision(source, revision)
        target = _sqlite_path(parsed)
        saved = target.parent / "backups" / f"before-restore-{_stamp()}.sqlite"
        saved.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file():
            _sqlite_copy(target, saved)
        _sqlite_copy(source, target)
        return saved
    saved = settings.get().data_dir / "backups" / f"before-restore-{_stamp()}.pgdump"
    saved.parent.mkdir(parents=True, exist_ok=True)
    _pg_dump(parsed, saved)
    _pg_restore(parsed, source)
    return saved


def _check_revision(path: Path, revision: str) -> None:
    known = _known_revisions()
    if revision not in known:
        msg = f"{path} has schema {revision}, unknown to this gisplan (newest {head_revision()}); upgrade gisplan first"
        raise UnreadableSourceError(msg)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from gisplan.store.migrate import alembic_config

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


# --- PostgreSQL -----------------------------------------------------------------------------------
def _schema(url: URL) -> str:
    """The schema named first in a ``options=-csearch_path=...`` URL parameter, else ``public``."""
    options = url.query.get("options")
    text = unquote(options if isinstance(options, str) else " ".join(options or ()))
    for raw in text.split():
        part = raw.removeprefix("-c")
        if part.startswith("search_path="):
            return part.split("=", 1)[1].split(",")[0].strip().strip('"') or "public"
    return "public"


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq conninfo string for ``url`` and the environment that carries its password."""
    parts = {
        "host": url.host,
        "port": str(url.port) if url.port else None,
        "user": url.username,
        "dbname": url.database,
    }
    conninfo = " ".join(f"{key}={value}" for key, value in parts.items() if value)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        msg = f"{name} is not installed; install the PostgreSQL client tools (apt-get install postgresql-client)"
        raise ConfigError(msg)
    return path


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}"
        raise ConfigError(msg)


def _pg_dump(url: URL, out: Path) -> None:
    conninfo, env = _libpq(url)
    tmp = out.with_name(out.name + ".partial")
    args = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--schema={_schema(url)}", f"--file={tmp}", conninfo]
    _run(args, env, "pg_dump")
    tmp.replace(out)


def _pg_restore(url: URL, source: Path) -> None:
    conninfo, env = _libpq(url)
    schema = _schema(url)
    listing = subprocess.run([_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        msg = f"{source} is not a pg_dump custom-format file ({listing.stderr.strip()}); pass a `gisplan backup` file"
        raise UnreadableSourceError(msg)
    if "TABLE DATA" not in listing.stdout or " alembic_version " not in listing.stdout:
        msg = f"{source} is not a gisplan store dump (no alembic_version table); pass a `gisplan backup` file"
        raise UnreadableSourceError(msg)
    # Keep the schema and extensions as they are; replace only the store's own objects.
    keep = [line for line in listing.stdout.splitlines() if " SCHEMA " not in line and " EXTENSION " not in line]
    with tempfile.TemporaryDirectory() as tmp_dir:
        toc = Path(tmp_dir) / "toc.list"
        toc.write_text("\n".join(keep) + "\n")
        script = Path(tmp_dir) / "restore.sql"
        _run(
            [_tool("pg_restore"), "--no-owner", f"--use-list={toc}", f"--file={script}", str(source)], env, "pg_restore"
        )
        tables = [*Base.metadata.tables, "alembic_version"]
        drops = "".join(f'DROP TABLE IF EXISTS "{schema}"."{table}" CASCADE;\n' for table in tables)
        combined = Path(tmp_dir) / "combined.sql"
        combined.write_text(drops + script.read_text())
        args = [_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1"]
        _run([*args, f"--file={combined}", conninfo], env, "psql restore")
