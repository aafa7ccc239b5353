"""Benchmark of ingesting N scored sites into PostGIS: the current bulk path against the ingest before it.

``python benchmarks/bench_ingest.py`` (default 100,000 sites; ``--sites 1000000`` for the
national-scale figure) writes the synthetic scored GeoPackage of ``bench_map.py`` once (in
``/tmp/gisplan-bench-ingest``), then, for each path, in a fresh schema of the PostgreSQL
test database (``GISPLAN_TEST_DATABASE_URL``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/gisplan_test``)
and in its own process (so one path's memory does not weigh on the other):

- **load**: the first ingest into the empty store (every site new);
- **re-ingest**: the same file again (every site unchanged, every score rewritten), the
  nightly re-score of a region.

Paths:

- ``new``: :func:`gisplan.workflows.ingest.ingest` as it is (``COPY`` into temporary tables and
  set-based statements on PostgreSQL; cells converted column by column);
- ``old``: ``gisplan/store/ingest.py`` as of ``--old-commit`` (default ``2cd95bf``, the ingest
  before the bulk path: rows prepared one by one, executemany of INSERT/UPDATE/upsert in
  chunks of 2,000), loaded from git into this process beside the current store code.

Times include reading the GeoPackage, the checks, preparing the rows, the transaction and
the ``ANALYZE`` after it. Results go to ``benchmarks/results_ingest.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/gisplan_test"
OLD_COMMIT = "6d60f76"  # the ingest before the COPY path (the last landed commit before it)


def _log(msg: str) -> None:
    print(f"[bench_ingest] {msg}", flush=True)


def scored_file(n: int, folder: Path) -> Path:
    """The synthetic scored GeoPackage of ``n`` sites (``bench_map.synthetic_sites``), written once."""
    from bench_map import synthetic_sites

    from gisplan.scoring import write_scored

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sites-{n}.gpkg"
    if not path.exists():
        _log(f"writing {n:,} scored sites to {path}")
        tmp = folder / f"writing-{n}.gpkg"
        tmp.unlink(missing_ok=True)
        write_scored(synthetic_sites(n), tmp)
        tmp.rename(path)
    return path


def postgis_problem(url: str) -> str | None:
    """Why the PostgreSQL database at ``url`` cannot hold a bench store, or None when it can."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first() is None:
                return f"PostGIS is not installed in {url}: run CREATE EXTENSION postgis there"
    except Exception as exc:  # any connection failure: say what to do, no traceback
        return (
            f"PostgreSQL is not reachable at {url} ({exc.__class__.__name__}); start it, or point "
            "GISPLAN_TEST_DATABASE_URL or --url at a database with PostGIS"
        )
    finally:
        engine.dispose()
    return None


def _old_ingest(commit: str) -> Any:
    """``gisplan/store/ingest.py`` as of ``commit``, as a module."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:gisplan/store/ingest.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(f"/tmp/gisplan-bench-ingest/old_ingest_{commit}.py")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("gisplan_old_ingest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def one_path(which: str, gpkg: Path, base_url: str, commit: str) -> dict[str, Any]:
    """Load and re-ingest ``gpkg`` with one path, in a fresh schema; seconds and rows/s."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from gisplan.store import migrate, open_store
    from gisplan.store.engine import make_engine
    from gisplan.workflows.ingest import ingest as new_ingest

    ingest = _old_ingest(commit).ingest if which == "old" else new_ingest
    schema = f"bench_ingest_{which}_{secrets.token_hex(3)}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        engine = make_engine(url.render_as_string(hide_password=False))
        migrate.upgrade(engine)
        engine.dispose()
        store = open_store(url.render_as_string(hide_password=False), upgrade=False)
        out: dict[str, Any] = {"path": which}
        for step in ("load", "reingest"):
            start = time.perf_counter()
            report = ingest(store, gpkg, "community_energy")
            seconds = time.perf_counter() - start
            out[f"{step}_s"] = round(seconds, 1)
            out[f"{step}_rows_per_s"] = round(report.scores / seconds)
            out[f"{step}_report"] = str(report)
            _log(f"{which:<3} {step:<8} {seconds:7.1f} s  {report.scores / seconds:9,.0f} rows/s  {report}")
        out["sites_in_store"] = store.counts()["sites"]
        store.close()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    out["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    return out


def _in_process(which: str, gpkg: Path, base_url: str, commit: str) -> dict[str, Any]:
    """Run :func:`one_path` in a fresh Python process; its JSON result."""
    cmd = [sys.executable, __file__, "--child", which, "--file", str(gpkg), "--url", base_url, "--old-commit", commit]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        msg = f"the {which} path failed (exit {done.returncode}); see the output above"
        raise SystemExit(msg)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    for line in done.stdout.splitlines():
        if not line.startswith("{"):
            print(line, flush=True)
    return dict(json.loads(lines[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100_000, help="scored sites to ingest")
    parser.add_argument("--url", default=os.environ.get("GISPLAN_TEST_DATABASE_URL", DEFAULT_URL), help="PostgreSQL")
    parser.add_argument("--old-commit", default=OLD_COMMIT, help="commit of the ingest to compare with")
    parser.add_argument("--no-old", action="store_true", help="skip the old path")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/gisplan-bench-ingest"), help="where the file is kept")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_ingest.json", help="results file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_path(args.child, args.file, args.url, args.old_commit)), flush=True)
        return 0
    problem = postgis_problem(args.url)
    if problem:
        _log(problem)
        return 2
    gpkg = scored_file(args.sites, args.folder)
    load_before = os.getloadavg()[0]
    paths = ["new"] if args.no_old else ["old", "new"]
    results = {which: _in_process(which, gpkg, args.url, args.old_commit) for which in paths}
    summary: dict[str, Any] = {
        "sites": args.sites,
        "old_commit": args.old_commit,
        "load_before": round(load_before, 1),
        "load_after": round(os.getloadavg()[0], 1),
        **results,
    }
    if "old" in results:
        for step in ("load", "reingest"):
            summary[f"{step}_ratio"] = round(results["old"][f"{step}_s"] / results["new"][f"{step}_s"], 2)
            _log(f"{step}: old / new = {summary[f'{step}_ratio']}x")
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    _log(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
