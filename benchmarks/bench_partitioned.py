"""Benchmark partitioned scoring against one-process scoring: peak memory and time, in the same run.

For N synthetic rooftops (``benchmarks/synthetic.py``, default 1,000,000) it runs, each in a fresh process:

- **one process**: ``gisplan.score(sites, "rooftop_pv", layers=...)`` then one GeoParquet file, the baseline;
- **partitioned, local**: ``gisplan.partitioned.score_partitioned`` with ``engine="local"`` (one partition after
  another in that process), default partition budget (256 MiB);
- **partitioned, Dask**: the same on a ``LocalCluster`` of ``--workers`` worker processes (default 2);
- **stream** and **stream-dask** (only when asked with ``--modes``): the same two, given the sites FILE instead of
  a GeoDataFrame, so the driver reads it in batches and never holds every site (the path for more sites than fit).

Every mode reads the sites and the context layers itself. A sampler thread reads the resident memory of the
process and of every process it started (Dask's nannies and workers) every 0.1 s; reported are the peak of the
largest single process and the peak of their sum [MiB], the wall time [s] and the ratios to the one-process
baseline of the same run. Results go to ``benchmarks/results_partitioned.json``; BENCHMARKS.md records them.

Run ``.venv/bin/python benchmarks/bench_partitioned.py`` (``--n 300000`` on a slow machine).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LAYER_NAMES = ("roads", "substations", "protected_areas", "municipalities")
MODES = ("one", "local", "dask", "stream", "stream-dask")
MIB = 2**20


class Sampler:
    """Peak resident memory of this process and its descendants, sampled in a thread [bytes]."""

    def __init__(self, every_s: float = 0.1) -> None:
        import psutil

        self._me = psutil.Process()
        self._every = every_s
        self._stop = threading.Event()
        self.peak_single = 0
        self.peak_total = 0
        self.processes = 1
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            rss = []
            for proc in [self._me, *self._me.children(recursive=True)]:
                try:
                    rss.append(proc.memory_info().rss)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self.peak_single = max(self.peak_single, max(rss, default=0))
            self.peak_total = max(self.peak_total, sum(rss))
            self.processes = max(self.processes, len(rss))
            self._stop.wait(self._every)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _load(paths: dict[str, Path], mode: str) -> tuple[Any, dict[str, Any]]:
    import pyogrio

    streamed = mode.startswith("stream")
    sites = paths["sites"] if streamed else pyogrio.read_dataframe(paths["sites"], layer="sites", use_arrow=True)
    layers: dict[str, Any] = {
        name: pyogrio.read_dataframe(paths["context"], layer=name, use_arrow=True) for name in LAYER_NAMES
    }
    return sites, {**layers, "ghi": paths["ghi"], "slope": paths["slope"]}


def _worker(mode: str, n: int, data: Path, workers: int, keep: bool = False) -> dict[str, Any]:
    from synthetic import build

    from gisplan.partitioned import PartitionOptions, score_partitioned
    from gisplan.scoring import score

    paths = build(n, data / str(n))
    no_catalogue = paths["sites"].parent / "no-catalogue"
    no_catalogue.mkdir(exist_ok=True)
    out = data / str(n) / f"partitioned_{mode}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    result: dict[str, Any] = {"mode": mode}
    with Sampler() as sampler:
        t0 = time.perf_counter()
        c0 = time.process_time()
        sites, layers = _load(paths, mode)
        if mode == "one":
            scored = score(sites, "rooftop_pv", layers=layers, catalogue=no_catalogue)
            scored.to_parquet(out / "scored.parquet")
            result["rows"] = len(scored)
        else:
            engine = "local" if mode in ("local", "stream") else "dask"
            options = PartitionOptions(out_dir=out, engine=engine, workers=workers)
            done = score_partitioned(
                sites, "rooftop_pv", options=options, sites_layer="sites", layers=layers, catalogue=no_catalogue
            )
            result["rows"] = done.rows
            result["partitions"] = len(done.files)
            manifest = json.loads((out / "manifest.json").read_text())
            seconds = [p["seconds"] for p in manifest["partitions"].values()]
            result["partition_s"] = {"min": min(seconds), "max": max(seconds), "sum": round(sum(seconds), 1)}
        result["wall_s"] = round(time.perf_counter() - t0, 1)
        result["cpu_s_driver"] = round(time.process_time() - c0, 1)
    result["peak_rss_single_mib"] = round(sampler.peak_single / MIB)
    result["peak_rss_total_mib"] = round(sampler.peak_total / MIB)
    result["processes"] = sampler.processes
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    return result


def _spawn(mode: str, n: int, data: str, workers: int, keep: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", mode, "--n", str(n), "--data", data, "--workers", str(workers)]
    cmd += ["--check"] if keep else []
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        msg = f"{mode} at n={n} failed (exit {done.returncode})"
        raise RuntimeError(msg)
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return result


def identical(folder: Path, mode: str) -> str:
    """``"yes"``, or the first difference between the one-process output and ``mode``'s, site by site.

    Both are sorted by ``site_id``; every column is compared exactly (names, order, dtypes, values,
    geometries), as ``tests/test_partitioned.py`` does at 100,000 sites in CI.
    """
    import geopandas as gpd
    import pandas as pd

    from gisplan.partitioned import read_partitioned

    one = gpd.read_parquet(folder / "partitioned_one" / "scored.parquet")
    parts = read_partitioned(folder / f"partitioned_{mode}")
    if not parts["site_id"].is_unique:
        return "site ids repeat in the partitioned output"
    try:
        pd.testing.assert_frame_equal(
            one.sort_values("site_id").reset_index(drop=True),
            parts.sort_values("site_id").reset_index(drop=True),
            check_exact=True,
        )
    except AssertionError as exc:
        return str(exc).splitlines()[0][:300]
    return f"yes ({len(one):,} sites, {len(one.columns)} columns)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2, help="Dask LocalCluster worker processes")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=["one", "local", "dask"])
    parser.add_argument("--label", default="", help="results.json key suffix, to keep runs with other modes apart")
    parser.add_argument("--data", default="/tmp/gisplan-bench", help="where the synthetic regions are built")
    parser.add_argument("--results", default=str(HERE / "results_partitioned.json"))
    parser.add_argument(
        "--check",
        action="store_true",
        help="also compare every partitioned output with the one-process output, column by column (needs mode one)",
    )
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = _worker(args.worker, args.n, Path(args.data), args.workers, keep=args.check)
        print("RESULT " + json.dumps(result), flush=True)
        return
    from synthetic import build

    t0 = time.perf_counter()
    build(args.n, Path(args.data) / str(args.n))
    entry: dict[str, Any] = {
        "n": args.n,
        "build_s": round(time.perf_counter() - t0, 1),
        "cpus": os.cpu_count(),
        "load_before": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    for mode in args.modes:
        entry[mode] = _spawn(mode, args.n, args.data, args.workers, keep=args.check)
        print(f"n={args.n} {mode}: {json.dumps(entry[mode])}", flush=True)
    if "one" in entry:
        base = entry["one"]
        for mode in set(args.modes) - {"one"}:
            entry[mode]["vs_one"] = {
                "peak_single_ratio": round(entry[mode]["peak_rss_single_mib"] / base["peak_rss_single_mib"], 2),
                "peak_total_ratio": round(entry[mode]["peak_rss_total_mib"] / base["peak_rss_total_mib"], 2),
                "time_ratio": round(entry[mode]["wall_s"] / base["wall_s"], 2),
            }
            print(f"n={args.n} {mode} vs one process: {json.dumps(entry[mode]['vs_one'])}", flush=True)
    if args.check and "one" in args.modes:
        for mode in [m for m in args.modes if m != "one"]:
            entry[mode]["identical_to_one"] = identical(Path(args.data) / str(args.n), mode)
            print(f"n={args.n} {mode} identical to one process: {entry[mode]['identical_to_one']}", flush=True)
    entry["load_after"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    path = Path(args.results)
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    entry["workers"] = args.workers
    results[f"{args.n}-{args.label}" if args.label else str(args.n)] = entry
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
