"""Scoring before and after a restructuring: same output, bit for bit, and time within 5 %.

One command (from a clone with its git history, after ``python3 dev.py test`` made the venv)::

    .venv/bin/python benchmarks/bench_refactor.py                    # 100k rooftops, 3 runs each
    .venv/bin/python benchmarks/bench_refactor.py --old-commit fe97d2f --sites 100000 --runs 3

It checks out ``--old-commit`` (default: the last landed commit before issue 14 moved the
store's use cases into ``gisplan/workflows`` and the measures, formats and funding rules into
registries) into a git worktree under ``/tmp``, builds the synthetic region of
``bench_scoring.py``, and scores it with ``rooftop_pv`` in fresh processes, old and new
alternating (so load drifts hit both alike). Each run writes its scored frame; the script
then compares the old and new frames column by column (names, order, dtypes, every value,
geometry as WKB) and reports the median times and their ratio (new / old).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

OLD_COMMIT = "fe97d2f"  # landed before issue 14's restructuring
LAYER_NAMES = ("roads", "substations", "protected_areas", "municipalities")


def _child(code_root: str, data: str, n: int, out: str) -> dict[str, Any]:
    """Score the synthetic region with the gisplan of ``code_root``; seconds, and the frame saved to ``out``."""
    sys.path.insert(0, code_root)
    import pyogrio
    from synthetic import build

    import gisplan
    from gisplan.scoring import score

    assert Path(gisplan.__file__).resolve().is_relative_to(Path(code_root).resolve()), gisplan.__file__
    paths = build(n, Path(data) / str(n))
    sites = pyogrio.read_dataframe(paths["sites"], layer="sites", use_arrow=True)
    context = {name: pyogrio.read_dataframe(paths["context"], layer=name, use_arrow=True) for name in LAYER_NAMES}
    layers = {**context, "ghi": paths["ghi"], "slope": paths["slope"]}
    no_catalogue = paths["sites"].parent / "no-catalogue"
    no_catalogue.mkdir(exist_ok=True)
    t0, c0 = time.perf_counter(), time.process_time()
    scored = score(sites, "rooftop_pv", layers=layers, catalogue=no_catalogue)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    scored.to_pickle(out)
    return {"score_s": round(seconds, 2), "cpu_s": round(cpu, 2), "rows": len(scored)}


def _worktree(commit: str) -> Path:
    path = Path(f"/tmp/gisplan-bench-refactor/{commit}")
    if not (path / "gisplan").is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=True)
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(path), commit],
            check=True,
            capture_output=True,
        )
    return path


def _spawn(code_root: Path, data: Path, n: int, out: Path) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        str(code_root),
        "--data",
        str(data),
        "--sites",
        str(n),
        "--out",
        str(out),
    ]
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, cwd=str(code_root))
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        msg = f"scoring with {code_root} failed (exit {done.returncode})"
        raise SystemExit(msg)
    return dict(json.loads(lines[-1][len("RESULT ") :]))


def compare(old: Path, new: Path) -> list[str]:
    """Every difference between two scored frames (empty when they are identical, bit for bit)."""
    import numpy as np
    import pandas as pd

    a, b = pd.read_pickle(old), pd.read_pickle(new)
    found: list[str] = []
    if list(a.columns) != list(b.columns):
        found.append(f"columns differ: {list(a.columns)} vs {list(b.columns)}")
        return found
    if not a.index.equals(b.index):
        found.append("index differs")
    for column in a.columns:
        x, y = a[column], b[column]
        if str(x.dtype) != str(y.dtype):
            found.append(f"{column}: dtype {x.dtype} vs {y.dtype}")
        elif column == a.geometry.name:
            if not np.array_equal(x.to_wkb().to_numpy(), y.to_wkb().to_numpy()):
                found.append(f"{column}: geometries differ")
        elif x.dtype.kind == "f":
            if not np.array_equal(x.to_numpy().view(np.int64), y.to_numpy().view(np.int64)):
                found.append(f"{column}: float bits differ")
        elif not x.equals(y):
            found.append(f"{column}: values differ")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-commit", default=OLD_COMMIT)
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", default="/tmp/gisplan-bench-scoring")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(_child(args.child, args.data, args.sites, args.out)), flush=True)
        return 0
    if args.runs < 1 or args.sites < 1:
        parser.error("--runs and --sites must be at least 1")
    old_root = _worktree(args.old_commit)
    data = Path(args.data)
    outs = {"old": data / "refactor_old.pkl", "new": data / "refactor_new.pkl"}
    times: dict[str, list[float]] = {"old": [], "new": []}
    cpu: dict[str, list[float]] = {"old": [], "new": []}
    for run in range(args.runs):
        for which, root in (("old", old_root), ("new", ROOT)) if run % 2 == 0 else (("new", ROOT), ("old", old_root)):
            result = _spawn(root, data, args.sites, outs[which])
            times[which].append(result["score_s"])
            cpu[which].append(result["cpu_s"])
            print(f"run {run + 1} {which}: {result['score_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU", flush=True)
    differences = compare(outs["old"], outs["new"])
    old_s, new_s = statistics.median(times["old"]), statistics.median(times["new"])
    report = {
        "sites": args.sites,
        "old_commit": args.old_commit,
        "old_s": times["old"],
        "new_s": times["new"],
        "old_cpu_s": cpu["old"],
        "new_cpu_s": cpu["new"],
        "median_ratio_new_over_old": round(new_s / old_s, 3),
        "cpu_ratio_new_over_old": round(statistics.median(cpu["new"]) / statistics.median(cpu["old"]), 3),
        "identical": not differences,
        "differences": differences,
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(report, indent=2))
    (HERE / "results_refactor.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if not differences else 1


if __name__ == "__main__":
    raise SystemExit(main())
