"""Worker processes for the concurrency and crash tests: ``python -m tests.store.workers MODE ...``.

``edit URL ACTOR SEED N SITES``
    After ``ready`` and a line on stdin, make N edits of the note of random sites
    (comma-separated ids), each based on the version just read; print one JSON
    line with what was accepted, what conflicted, how many were denied, and errors.
``batch URL ACTOR SITE SIZE START``
    Forever: print ``begin B``, write SIZE annotations plus one site edit in one
    transaction, print ``committed B``; the test kills it with SIGKILL.
"""

from __future__ import annotations

import json
import random
import sys
import time

from gisplan.errors import ConflictError, PermissionDeniedError
from gisplan.store import Tx, open_store
from gisplan.store.models import Site


def edit(url: str, actor: int, seed: int, n: int, sites: list[str]) -> None:
    """Race other workers on the same sites."""
    store = open_store(url, upgrade=False)
    rng = random.Random(seed)
    print("ready", flush=True)
    sys.stdin.readline()
    accepted: list[list[object]] = []
    conflicts: list[list[object]] = []
    denied = 0
    errors: list[str] = []
    for i in range(n):
        site_id = rng.choice(sites)
        base = -1
        try:
            base = store.get_site(site_id).version
            time.sleep(rng.uniform(0.0, 0.002))  # a user looking at the form
            note = f"w{actor}-e{i}"
            saved = store.update_site(actor, site_id, expected_version=base, note=note)
            accepted.append([site_id, base, saved.version, note])
        except ConflictError as exc:
            conflicts.append([site_id, base, exc.theirs["version"]])
        except PermissionDeniedError:
            denied += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    store.close()
    print(json.dumps({"accepted": accepted, "conflicts": conflicts, "denied": denied, "errors": errors}), flush=True)


def batch(url: str, actor: int, site_id: str, size: int, start: int) -> None:
    """Commit batches until killed."""
    store = open_store(url, upgrade=False)
    b = start
    while True:
        print(f"begin {b}", flush=True)

        def work(tx: Tx, b: int = b) -> None:
            for k in range(size):
                tx.add_annotation(site_id, f"batch {b} item {k}")
            site = tx.fetch(Site, site_id, "site")
            tx.update_site(site_id, expected_version=site.version, note=f"batch {b}")

        store.transaction(actor, work)
        print(f"committed {b}", flush=True)
        b += 1


def main(argv: list[str]) -> None:
    """Dispatch on the mode."""
    mode, url = argv[0], argv[1]
    if mode == "edit":
        edit(url, int(argv[2]), int(argv[3]), int(argv[4]), argv[5].split(","))
    elif mode == "batch":
        batch(url, int(argv[2]), argv[3], int(argv[4]), int(argv[5]))
    else:
        sys.exit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
