"""Engines and units of work: SQLite pragmas, BEGIN IMMEDIATE, retry of PostgreSQL serialization failures."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from gisplan.store import Store, Tx
from gisplan.store.engine import is_retryable, run_write
from gisplan.store.models import Site
from tests.store.helpers import World

ONLY_SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


class _FakeDriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _pg_error(sqlstate: str) -> OperationalError:
    return OperationalError("UPDATE sites ...", {}, _FakeDriverError(sqlstate))


def test_retryable_codes_are_serialization_failure_and_deadlock() -> None:
    assert is_retryable(_pg_error("40001"))
    assert is_retryable(_pg_error("40P01"))
    assert not is_retryable(_pg_error("23505"))
    assert not is_retryable(ValueError("40001"))


@ONLY_SQLITE
def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


@ONLY_SQLITE
def test_sqlite_write_transactions_take_the_write_lock_at_begin(store: Store, world: World) -> None:
    """BEGIN IMMEDIATE: a second writer waits at BEGIN instead of failing to upgrade a read lock."""
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first(session: Session) -> None:
        site = session.get(Site, "t:in")  # the first statement opens the transaction: BEGIN IMMEDIATE
        order.append("first begins")
        inside.set()
        release.wait(5)
        site.note = "first"  # type: ignore[union-attr]
        session.flush()
        order.append("first writes")

    def second(session: Session) -> None:
        site = session.get(Site, "t:in")
        order.append("second begins")
        site.note = "second"  # type: ignore[union-attr]

    t1 = threading.Thread(target=run_write, args=(store.engine, first))
    t1.start()
    inside.wait(5)
    t2 = threading.Thread(target=run_write, args=(store.engine, second))
    t2.start()
    t2.join(0.3)
    assert t2.is_alive(), "the second writer should wait for the first one's lock"
    release.set()
    t1.join(5)
    t2.join(5)
    assert order == ["first begins", "first writes", "second begins"]
    assert store.get_site("t:in").note == "second"


def test_foreign_keys_are_enforced(store: Store, world: World) -> None:
    from gisplan.errors import NotFoundError

    with pytest.raises(NotFoundError):
        store.add_annotation(world.admin, "no:such", "dangling")


@pytest.mark.parametrize("store_url", [pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True)
def test_postgres_serialization_failure_is_retried(store: Store, world: World) -> None:
    attempts: list[int] = []
    retries: list[Any] = []

    def work(session: Session) -> int:
        attempts.append(1)
        site = session.get(Site, "t:in")
        assert site is not None
        if len(attempts) == 1:
            # Another user saves the same site after this transaction took its snapshot.
            store.update_site(world.admin, "t:in", expected_version=site.version, note="theirs")
        site.note = f"mine after {len(attempts)} attempts"
        session.flush()
        return site.version

    # READ COMMITTED (the default) re-checks the version instead; REPEATABLE READ provokes a real 40001.
    version = run_write(
        store.engine, work, on_retry=lambda n, exc: retries.append(exc), isolation_level="REPEATABLE READ"
    )
    assert len(attempts) == 2
    assert is_retryable(retries[0])
    site = store.get_site("t:in")
    assert (site.note, site.version, version) == ("mine after 2 attempts", 3, 3)


@pytest.mark.parametrize("store_url", [pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True)
def test_postgres_save_racing_a_commit_becomes_a_conflict(store: Store, world: World) -> None:
    """Read committed: the versioned UPDATE finds no row at the version read, and the ConflictError shows theirs."""
    from gisplan.errors import ConflictError

    def work(tx: Tx) -> None:
        site = tx.fetch(Site, "t:in", "site")
        store.update_site(world.admin, "t:in", expected_version=site.version, note="theirs")
        tx.save(site, "site t:in", site.version, {"note": "mine"}, ("note",))

    with pytest.raises(ConflictError) as caught:
        store.transaction(world.admin, work)
    assert caught.value.theirs == {"note": "theirs", "version": 2}
    assert caught.value.mine == {"note": "mine", "version": 1}
    assert store.get_site("t:in").note == "theirs"


def test_unique_key_collisions_are_conflicts(store: Store, world: World) -> None:
    from gisplan.errors import ConflictError
    from tests.store.helpers import add_sites, site_row

    with pytest.raises(ConflictError, match="saved meanwhile"):
        add_sites(store, [site_row("t:in", region=None, municipality=None)])
    assert store.get_site("t:in").region_code == "CZ042"
