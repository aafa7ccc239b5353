"""Benchmark ``gisplan.score`` against a baseline of the usual tools, on synthetic regions.

One command::

    .venv/bin/python benchmarks/bench_scoring.py                      # 10k and 100k, ours and baseline
    .venv/bin/python benchmarks/bench_scoring.py --sizes 1000000 --no-baseline

For each size N it builds (or reuses) a synthetic region (``benchmarks/synthetic.py``) and runs, each in
a fresh process so that peak memory is its own:

- **ours**: ``gisplan.score(sites, "rooftop_pv", layers=...)`` with every measure of the profile
  (usable area, GHI and slope zonal statistics, distances to substations and roads, protected share,
  municipality) and ``write_scored``;
- **baseline**: the same criteria with ``rasterstats.zonal_stats``, ``geopandas.sjoin_nearest`` and
  ``geopandas.overlay``, then the same rules and GeoPackage writer;
- **accuracy**: our zonal mean of GHI and slope against exactextract on a sample of sites.

Timings start with the sites and context layers in memory (rasters as files) and end with the
GeoPackage written. Results go to ``benchmarks/results.json`` and a table to print into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LAYER_NAMES = ("roads", "substations", "protected_areas", "municipalities")


def _load(paths: dict[str, Path]) -> tuple[Any, dict[str, Any]]:
    import pyogrio

    sites = pyogrio.read_dataframe(paths["sites"], layer="sites", use_arrow=True)
    context = {name: pyogrio.read_dataframe(paths["context"], layer=name, use_arrow=True) for name in LAYER_NAMES}
    return sites, context


def run_ours(paths: dict[str, Path], out: Path) -> dict[str, Any]:
    from gisplan.scoring import score, write_scored

    t0 = time.perf_counter()
    sites, context = _load(paths)
    t_read = time.perf_counter() - t0
    events: list[tuple[str, float]] = []

    def progress(stage: str, done: int, total: int) -> None:
        events.append((stage, time.perf_counter()))

    t1 = time.perf_counter()
    c1 = time.process_time()
    layers = {**context, "ghi": paths["ghi"], "slope": paths["slope"]}
    # an empty catalogue folder: every layer is given here, none comes from the demo region's catalogue
    no_catalogue = paths["sites"].parent / "no-catalogue"
    no_catalogue.mkdir(exist_ok=True)
    scored = score(sites, "rooftop_pv", layers=layers, catalogue=no_catalogue, progress=progress)
    t_score = time.perf_counter() - t1
    c_score = time.process_time() - c1
    write_scored(scored, out)
    t_total = time.perf_counter() - t1
    c_total = time.process_time() - c1
    at = dict(events)
    # the measures run side by side, so each one's entry is when it finished, counted from the geometry stage
    stages: dict[str, float] = {
        "layers": round(at["geometry"] - t1, 2),
        "geometry + measures (side by side)": round(at["measures done"] - at["geometry"], 2),
        "energy": round(at["scoring"] - at["energy"], 2),
        "rules, breakdown JSON, assembly": round(at["done"] - at["scoring"], 2),
        "write_geopackage": round(t_total - t_score, 2),
    }
    finished = {
        stage: round(t - at["geometry"], 2)
        for stage, t in events
        if stage not in {"reading layers", "geometry", "measures done", "energy", "scoring", "done"}
    }
    return {
        "read_s": round(t_read, 2),
        "score_s": round(t_score, 2),
        "total_s": round(t_total, 2),
        "stages_s": stages,
        "measure_finished_s": finished,
        "cpu_s": round(c_total, 2),
        "cpu_score_s": round(c_score, 2),
        "kept": int((~scored["excluded"]).sum()),
        "median_score": float(scored["score"].median()),
        "total_mwp": float(scored["capacity_kwp"].sum() / 1000),
    }


def _band(path: Path) -> tuple[Any, Any, float]:
    import rasterio

    with rasterio.open(path) as src:
        return src.read(1), src.transform, float(src.nodata)


def _baseline_criteria(sites: Any, context: dict[str, Any], paths: dict[str, Path]) -> Any:
    """Criteria with rasterstats, sjoin_nearest and overlay: the straightforward way."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from rasterstats import zonal_stats

    from gisplan.measurements.geometry import roof_type, shape_metrics, usable_area

    out = pd.concat([shape_metrics(sites), usable_area(sites), roof_type(sites)], axis=1)
    # rasterstats on in-memory arrays: about 4x faster than on the file paths (boundless VRT reads per feature)
    geoms = list(sites.geometry)
    values, affine, nodata = _band(paths["ghi"])
    ghi = zonal_stats(geoms, values, affine=affine, nodata=nodata, stats=["mean"])
    out["ghi_mean_kwh_m2_yr"] = [s["mean"] for s in ghi]
    values, affine, nodata = _band(paths["slope"])
    slope = zonal_stats(geoms, values, affine=affine, nodata=nodata, stats=["mean", "max"])
    out["slope_mean_deg"] = [s["mean"] for s in slope]
    out["slope_max_deg"] = [s["max"] for s in slope]
    for layer, name, radius in (("substations", "substation", 20_000), ("roads", "road", 2_000)):
        joined = gpd.sjoin_nearest(
            sites[["geometry"]], context[layer][["geometry"]], how="left", max_distance=radius, distance_col="d"
        )
        out[f"dist_{name}_m"] = joined.groupby(level=0)["d"].min().reindex(sites.index)
    area = sites.geometry.area
    frame = sites[["geometry"]].assign(site=np.arange(len(sites)))
    protected = context["protected_areas"].dissolve()
    pieces = gpd.overlay(frame, protected[["geometry"]], how="intersection", keep_geom_type=True)
    covered = pieces.geometry.area.groupby(pieces["site"]).sum()
    out["protected_share"] = covered.reindex(np.arange(len(sites))).fillna(0.0).to_numpy() / area.to_numpy()
    out["flood_share"] = np.nan
    munis = context["municipalities"][["kod_obce", "nazev_obce", "pocet_obyv", "geometry"]]
    parts = gpd.overlay(frame, munis, how="intersection", keep_geom_type=True)
    parts["a"] = parts.geometry.area
    best = parts.sort_values(["site", "a"], ascending=[True, False]).drop_duplicates("site").set_index("site")
    best = best.reindex(np.arange(len(sites)))
    out["municipality_code"] = best["kod_obce"].to_numpy()
    out["municipality_name"] = best["nazev_obce"].to_numpy()
    out["municipality_population"] = best["pocet_obyv"].to_numpy(dtype=float)
    out["municipality_share"] = best["a"].fillna(0.0).to_numpy() / area.to_numpy()
    return out


def run_baseline(paths: dict[str, Path], out: Path) -> dict[str, Any]:
    import geopandas as gpd
    import pandas as pd

    from gisplan.energy import estimate, yield_from_irradiation
    from gisplan.profiles import load_profile
    from gisplan.scoring import _assemble, apply_rules, write_scored

    sites, context = _load(paths)
    t1 = time.perf_counter()
    criteria = _baseline_criteria(sites, context, paths)
    t_criteria = time.perf_counter() - t1
    profile = load_profile("rooftop_pv")
    power = estimate(
        criteria["usable_area_m2"], sites["kind"], yield_from_irradiation(criteria["ghi_mean_kwh_m2_yr"].astype(float))
    )
    power.index = sites.index
    power["yield_source"], power["yield_note"] = "irradiation_raster", None  # every roof lies on the GHI raster
    frame = pd.concat([criteria, power, sites[["kind"]]], axis=1)
    rules = apply_rules(frame, profile)
    sites["area_source"] = "geometry"  # polygons: the same canonical column ours settles in score()
    scored = _assemble(gpd.GeoDataFrame(sites), profile, rules, power, criteria)
    write_scored(scored, out)
    return {"criteria_s": round(t_criteria, 2), "total_s": round(time.perf_counter() - t1, 2)}


def run_accuracy(paths: dict[str, Path], sample: int = 2_000) -> dict[str, Any]:
    import numpy as np
    import pyogrio
    from exactextract import exact_extract

    from gisplan.measurements.raster import zonal_stats

    sites = pyogrio.read_dataframe(paths["sites"], layer="sites", use_arrow=True)
    pick = sites.iloc[np.random.default_rng(0).choice(len(sites), min(sample, len(sites)), replace=False)]
    out: dict[str, Any] = {"sample": len(pick)}
    for key, name, unit in (("ghi", "ghi", "kwh_m2_yr"), ("slope", "slope", "deg")):
        ours = zonal_stats(pick, paths[key], name=name, unit=unit)[f"{name}_mean_{unit}"].to_numpy()
        theirs = exact_extract(str(paths[key]), pick, ["mean"], output="pandas")["mean"].to_numpy()
        both = np.isfinite(ours) & np.isfinite(theirs)
        ok = both & (np.abs(theirs) > 1e-9)
        rel = np.abs(ours[ok] - theirs[ok]) / np.abs(theirs[ok])
        out[key] = {
            "max_rel_diff": float(rel.max()),
            "max_abs_diff": float(np.abs(ours[both] - theirs[both]).max()),
            "compared": int(both.sum()),
            "nan_disagreements": int((np.isfinite(ours) != np.isfinite(theirs)).sum()),
        }
    return out


def _worker(args: argparse.Namespace) -> None:
    from synthetic import build

    paths = build(args.n, Path(args.data) / str(args.n))
    out = Path(args.data) / str(args.n) / f"scored_{args.worker}.gpkg"
    # a fresh file each run: replacing the layer of an earlier run would time GDAL dropping a 1 GB table
    out.unlink(missing_ok=True)
    if args.worker == "ours":
        result = run_ours(paths, out)
    elif args.worker == "baseline":
        result = run_baseline(paths, out)
    else:
        result = run_accuracy(paths)
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print("RESULT " + json.dumps(result))


def _spawn(worker: str, n: int, data: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", worker, "--n", str(n), "--data", data]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        msg = f"{worker} at n={n} failed (exit {done.returncode})"
        raise RuntimeError(msg)
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    result["process_wall_s"] = round(wall, 1)
    return result


def _load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--baseline-max", type=int, default=100_000, help="no baseline above this many sites")
    parser.add_argument("--data", default="/tmp/gisplan-bench", help="where the synthetic regions are built")
    parser.add_argument("--results", default=str(HERE / "results.json"))
    parser.add_argument("--worker", choices=["ours", "baseline", "accuracy"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args)
        return
    from synthetic import build

    results_path = Path(args.results)
    results: dict[str, Any] = json.loads(results_path.read_text()) if results_path.exists() else {}
    for n in args.sizes:
        t0 = time.perf_counter()
        build(n, Path(args.data) / str(n))
        entry: dict[str, Any] = {
            "build_s": round(time.perf_counter() - t0, 1),
            "load_before": _load_average(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        }
        entry["ours"] = _spawn("ours", n, args.data)
        entry["ours"]["sites_per_s"] = round(n / entry["ours"]["total_s"])
        print(f"n={n} ours: {json.dumps(entry['ours'])}", flush=True)
        if args.baseline and n <= args.baseline_max:
            entry["baseline"] = _spawn("baseline", n, args.data)
            entry["baseline"]["sites_per_s"] = round(n / entry["baseline"]["total_s"])
            entry["speedup"] = round(entry["baseline"]["total_s"] / entry["ours"]["total_s"], 1)
            print(f"n={n} baseline: {json.dumps(entry['baseline'])} speedup {entry['speedup']}x", flush=True)
        entry["accuracy"] = _spawn("accuracy", n, args.data)
        print(f"n={n} accuracy: {json.dumps(entry['accuracy'])}", flush=True)
        entry["load_after"] = _load_average()
        results[str(n)] = entry
        results_path.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
