"""Concurrency and crash safety with real processes.

- 8 processes make 200 edits each on overlapping sites: every accepted edit is
  present, every stale edit got a ConflictError, nothing failed with "database is
  locked", and the audit count equals accepted plus denied writes.
- A process killed with SIGKILL in the middle of a batch leaves the SQLite store
  passing ``PRAGMA integrity_check``, with every committed batch present and no
  batch half-written.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gisplan.store import Scope, Store
from gisplan.store.models import AuditEntry
from tests.store.helpers import REGION_IN, REGION_OUT, World, add_sites, site_row

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 8
EDITS = 200
SITES = ["c:1", "c:2", "c:3", "c:4"]


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.workers", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_eight_processes_racing_on_overlapping_sites(store: Store, store_url: str, world: World) -> None:
    add_sites(
        store,
        [site_row(sid, region=REGION_IN, municipality="111", x0=-700_000.0 + i * 200) for i, sid in enumerate(SITES)],
    )
    actors = [
        store.add_user(world.admin, f"racer{i}", "animator", scope=Scope.parse([f"region:{REGION_IN}"])).id
        for i in range(PROCESSES)
    ]
    audit_before = store.read(lambda s: s.scalar(select(func.count()).select_from(AuditEntry)))
    choices = ",".join([*SITES, "t:out"])  # t:out lies in REGION_OUT: those edits are denied
    assert store.get_site("t:out").region_code == REGION_OUT

    started = time.perf_counter()
    workers = [_spawn("edit", store_url, str(actor), str(i), str(EDITS), choices) for i, actor in enumerate(actors)]
    for w in workers:
        assert w.stdout is not None
        assert w.stdout.readline().strip() == "ready", w.stderr.read() if w.stderr else ""
    for w in workers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    results = []
    for w in workers:
        out, err = w.communicate(timeout=240)
        assert w.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.perf_counter() - started

    accepted = [a for r in results for a in r["accepted"]]
    conflicts = [c for r in results for c in r["conflicts"]]
    denied = sum(r["denied"] for r in results)
    errors = [e for r in results for e in r["errors"]]
    print(
        f"\n{store.engine.dialect.name}: {len(accepted)} accepted, {len(conflicts)} conflicts, {denied} denied, "
        f"{len(errors)} errors in {elapsed:.1f} s"
    )
    assert errors == []
    assert not any("database is locked" in e for e in errors)
    assert len(accepted) + len(conflicts) + denied == PROCESSES * EDITS
    assert conflicts, "the workers never raced; the test proves nothing"
    assert denied > 0

    for site_id in SITES:
        mine = sorted((a for a in accepted if a[0] == site_id), key=lambda a: a[1])
        # Each accepted edit moved the site from the version it read to the next one: no two
        # accepted edits were based on the same version, so no edit overwrote another silently.
        assert [a[1] for a in mine] == list(range(1, len(mine) + 1))
        assert all(a[2] == a[1] + 1 for a in mine)
        site = store.get_site(site_id)
        assert site.version == len(mine) + 1
        assert site.note == (mine[-1][3] if mine else None)
    # Every stale edit got a ConflictError that showed a newer stored version.
    assert all(theirs > base for _, base, theirs in conflicts)

    # Every accepted edit is present, in the audit log with its before and after.
    edits = [e for e in store.audit_log(target_type="site") if e.action == "site.edit"]
    ok = {(e.target_id, e.after["version"], e.after["note"]) for e in edits if e.outcome == "ok"}
    assert ok == {(a[0], a[2], a[3]) for a in accepted}
    assert sum(e.outcome == "denied" for e in edits) == denied
    audit_after = store.read(lambda s: s.scalar(select(func.count()).select_from(AuditEntry)))
    assert audit_after - audit_before == len(accepted) + denied


def _batches(db: Path) -> tuple[Counter[int], tuple[str, int]]:
    """Annotations per batch number and the site's (note, version), after an integrity check."""
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        notes = Counter(
            int(m.group(1))
            for (text,) in conn.execute("SELECT text FROM annotations")
            if (m := re.match(r"batch (\d+) item", text))
        )
        site = conn.execute("SELECT note, version FROM sites WHERE id = 't:in'").fetchone()
    return notes, site


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_sigkill_mid_batch_leaves_sqlite_consistent(store: Store, store_url: str, world: World) -> None:
    db = Path(store.engine.url.database or "")
    size = 60
    rng = random.Random(4)
    committed: set[int] = set()
    kills = mid_batch_kills = 0
    while kills < 3 or (mid_batch_kills == 0 and kills < 8):
        worker = _spawn("batch", store_url, str(world.animator), "t:in", str(size), str(kills * 1000))
        assert worker.stdout is not None
        target = kills * 1000 + rng.randint(2, 6)
        lines: list[str] = []
        while f"begin {target}" not in lines:
            line = worker.stdout.readline()
            assert line, worker.stderr.read() if worker.stderr else "worker died"
            lines.append(line.strip())
        time.sleep(rng.uniform(0.001, 0.01))  # well inside a batch of 60 annotations
        worker.send_signal(signal.SIGKILL)
        rest, _ = worker.communicate(timeout=30)
        lines += rest.splitlines()
        kills += 1
        committed |= {int(line.split()[1]) for line in lines if line.startswith("committed")}
        last_begun = max(int(line.split()[1]) for line in lines if line.startswith("begin"))
        notes, _ = _batches(db)
        mid_batch_kills += last_begun not in notes
    notes, (note, version) = _batches(db)
    assert committed <= set(notes), "a committed batch is missing"
    assert all(count == size for count in notes.values()), f"half-written batch: {notes}"
    assert version == 1 + len(notes)  # one site edit per batch that landed
    assert note == f"batch {max(notes)}"
    with closing(sqlite3.connect(db)) as conn:
        audited = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action IN ('annotation.add', 'site.edit')"
        ).fetchone()
    assert audited == ((size + 1) * len(notes),)
    assert mid_batch_kills >= 1, "no kill landed inside a batch"
