"""Partitioned scoring: the same scores as one process, site by site; resumable; partitions read their neighbourhood."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from gisplan.errors import InputError, PartitionError
from gisplan.measures import EXTENT_ATTR, layer_covers
from gisplan.partitioned import (
    PartitionEvent,
    PartitionOptions,
    layer_piece,
    layer_reach,
    needs_partitions,
    plan_partitions,
    read_partitioned,
    score_partitioned,
)
from gisplan.profiles import load_profile
from gisplan.scoring import score

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
N_SITES = 3000
#: About 500 synthetic rooftops per partition (``site_bytes``: about 4.1 kB each).
SMALL_MB = 2.0
CONTEXT = ("roads", "substations", "protected_areas", "municipalities")


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from synthetic import build
    finally:
        sys.path.remove(str(BENCHMARKS))
    folder = tmp_path_factory.mktemp("region")
    paths = build(N_SITES, folder)
    sites = pyogrio.read_dataframe(paths["sites"], layer="sites", use_arrow=True)
    layers: dict[str, Any] = {n: pyogrio.read_dataframe(paths["context"], layer=n, use_arrow=True) for n in CONTEXT}
    layers |= {"ghi": paths["ghi"], "slope": paths["slope"]}
    catalogue = folder / "no-catalogue"
    catalogue.mkdir()
    return {"paths": paths, "sites": sites, "layers": layers, "catalogue": catalogue}


@pytest.fixture(scope="module")
def one_process(region: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    scored = score(region["sites"], "rooftop_pv", layers=region["layers"], catalogue=region["catalogue"])
    return _round_trip(scored, tmp_path_factory.mktemp("one") / "one.parquet")


def _round_trip(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """The frame as GeoParquet stores it, so that both sides of a comparison went through the same writer."""
    frame.to_parquet(path)
    return gpd.read_parquet(path)


def _by_site(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.sort_values("site_id").reset_index(drop=True)


def _run(region: dict[str, Any], out_dir: Path, **kwargs: Any) -> Any:
    options = PartitionOptions(out_dir=out_dir, partition_mb=SMALL_MB, **kwargs)
    return score_partitioned(
        region["sites"], "rooftop_pv", options=options, layers=region["layers"], catalogue=region["catalogue"]
    )


def _assert_identical(one: gpd.GeoDataFrame, out_dir: Path) -> None:
    parts = read_partitioned(out_dir)
    assert parts["site_id"].is_unique
    pd.testing.assert_frame_equal(_by_site(one), _by_site(parts), check_exact=True)


def test_local_engine_scores_every_site_as_one_process_does(
    region: dict[str, Any], one_process: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    events: list[PartitionEvent] = []
    gpkg = tmp_path / "all.gpkg"
    result = _run(region, tmp_path / "out", engine="local", progress=events.append, geopackage=gpkg)
    assert len(result.files) >= 5
    assert [e.status for e in events] == ["done"] * len(result.files)
    assert sorted(e.index for e in events) == list(range(len(result.files)))
    assert result.rows == N_SITES
    assert result.kept == int((~one_process["excluded"]).sum())
    _assert_identical(one_process, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {p["status"] for p in manifest["partitions"].values()} == {"done"}
    assert not list((tmp_path / "out" / "_input").glob("*"))
    written = pyogrio.read_dataframe(gpkg, layer="sites", columns=["site_id", "score"])
    assert len(written) == N_SITES
    expect = one_process.set_index("site_id")["score"]
    assert np.array_equal(written.set_index("site_id")["score"].loc[expect.index].to_numpy(), expect.to_numpy())


def test_dask_local_cluster_with_two_workers_gives_the_same_scores(
    region: dict[str, Any], one_process: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    result = _run(region, tmp_path / "out", engine="dask", workers=2, processes=False)
    assert sorted(result.scored) == list(range(len(result.files)))
    _assert_identical(one_process, tmp_path / "out")
    import dask_geopandas

    lazy = dask_geopandas.read_parquet(sorted((tmp_path / "out").glob("part-*.parquet")))
    assert lazy.npartitions == len(result.files)
    assert int(lazy["excluded"].sum().compute()) == int(one_process["excluded"].sum())


def test_a_running_scheduler_is_used_when_its_address_is_given(
    region: dict[str, Any], one_process: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        result = _run(region, tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address)
        assert "gisplan-partition" in cluster.scheduler.task_prefixes  # the partitions ran on the given cluster
        assert len(cluster.scheduler.workers) == 1
    assert sorted(result.scored) == list(range(len(result.files)))
    _assert_identical(one_process, tmp_path / "out")


def test_a_worker_killed_mid_run_leaves_every_site_scored_once(
    region: dict[str, Any], one_process: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # worker processes are spawned and re-run the parent's ``__main__`` script; an AppTest that ran
    # earlier in this session leaves its page script there (streamlit.testing), which fails outside it
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    marker = tmp_path / "killed"

    def kill_once(index: int) -> None:
        import os

        if index == 1 and not marker.exists():
            marker.touch()
            os._exit(1)  # the worker process dies mid-run; Dask's nanny restarts it and the task runs again

    result = _run(region, tmp_path / "out", engine="dask", workers=2, processes=True, before_partition=kill_once)
    assert marker.exists()
    assert sorted(result.scored) == list(range(len(result.files)))
    _assert_identical(one_process, tmp_path / "out")


def test_a_failed_partition_is_reported_and_a_rerun_scores_only_it(
    region: dict[str, Any], one_process: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()

    def flaky(index: int) -> None:
        (calls / f"{index}-{len(list(calls.glob(f'{index}-*')))}").touch()
        if index == 2 and not (tmp_path / "fixed").exists():
            msg = "disk full (injected)"
            raise OSError(msg)

    out = tmp_path / "out"
    events: list[PartitionEvent] = []
    with pytest.raises(PartitionError, match="partition 2: OSError: disk full") as failure:
        _run(region, out, engine="local", before_partition=flaky, progress=events.append)
    assert set(failure.value.failed) == {2}
    assert [e.index for e in events if e.status == "failed"] == [2]
    assert not (out / "part-00002.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["partitions"]["2"]["status"] == "failed"
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}

    (tmp_path / "fixed").touch()
    events.clear()
    result = _run(region, out, engine="local", before_partition=flaky, progress=events.append)
    assert result.scored == [2]
    assert sorted(e.index for e in events if e.status == "skipped") == sorted(set(range(len(result.files))) - {2})
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet") if p.name in first} == first
    tries = pd.Series([p.name.split("-")[0] for p in calls.iterdir()]).value_counts()
    assert tries.drop("2").eq(1).all() and tries["2"] == 2  # every other partition scored once, 2 failed once
    _assert_identical(one_process, out)
    # a third run finds everything done: nothing is scored again
    assert _run(region, out, engine="local").scored == []


def test_changed_sites_are_scored_again(region: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(region, out, engine="local")
    changed = dict(region)
    sites = region["sites"].copy()
    sites.loc[sites.index[0], "roof_shape"] = "flat" if sites["roof_shape"].iloc[0] != "flat" else "gabled"
    changed["sites"] = sites
    again = _run(changed, out, engine="local")
    assert len(again.scored) == 1  # only the partition holding the changed site


def test_partitions_read_only_the_layer_pieces_near_them(region: dict[str, Any], tmp_path: Path) -> None:
    result = _run(region, tmp_path / "out", engine="local")
    munis = region["layers"]["municipalities"]
    read = [counts["municipalities"] for counts in result.features.values()]
    assert max(read) < len(munis)  # admin measures need only the municipalities under the partition
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    reach = layer_reach(load_profile("rooftop_pv"))
    assert reach["roads"] == 2000.0 and reach["municipalities"] == 0.0
    for slot in ("roads", "municipalities", "substations"):
        bounds = region["layers"][slot].geometry.bounds.to_numpy()
        grow = reach[slot]
        for index, entry in manifest["partitions"].items():
            minx, miny, maxx, maxy = entry["bbox"]
            near = (
                (bounds[:, 0] <= maxx + grow)
                & (bounds[:, 2] >= minx - grow)
                & (bounds[:, 1] <= maxy + grow)
                & (bounds[:, 3] >= miny - grow)
            )
            assert result.features[int(index)][slot] == int(near.sum()), (slot, index)


def test_a_piece_is_covered_by_its_whole_layer() -> None:
    layer = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0), shapely.Point(100_000, 0)], crs="EPSG:5514")
    sites = gpd.GeoDataFrame(geometry=[shapely.box(60_000, 0, 60_010, 10)], crs="EPSG:5514")
    profile = load_profile("rooftop_pv")
    measure = next(m for m in profile.measures if m.layer == "substations")
    piece = layer_piece(layer, tuple(sites.total_bounds), 100.0)  # no substation within 100 m of the site
    assert len(piece) == 0
    assert piece.attrs[EXTENT_ATTR] == (0.0, 0.0, 100_000.0, 0.0)
    values = pd.DataFrame({"dist_substation_m": [np.nan]})
    assert layer_covers(sites, measure, piece, values).tolist() == [True]  # the whole layer reaches the site
    bare = piece.copy()
    bare.attrs = {}
    assert layer_covers(sites, measure, bare, values).tolist() == [False]


def test_partitions_are_sized_by_memory_and_hold_every_site_once() -> None:
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 10_000, (2000, 2))
    simple = [shapely.Point(x, y).buffer(5, quad_segs=1) for x, y in xy]
    detailed = [shapely.Point(x, y).buffer(5, quad_segs=64) for x, y in xy]
    small = plan_partitions(gpd.GeoDataFrame(geometry=simple, crs="EPSG:5514"), 1 * 2**20)
    large = plan_partitions(gpd.GeoDataFrame(geometry=detailed, crs="EPSG:5514"), 1 * 2**20)
    assert len(large) > 2 * len(small)  # many vertices per site: fewer sites per partition
    for parts in (small, large):
        assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(2000))
    # neighbours along the Hilbert curve: a partition's box is a small part of the region's
    boxes = [shapely.box(*shapely.total_bounds(np.asarray(simple, dtype=object)[p])) for p in small]
    assert np.mean([b.area for b in boxes]) < 0.5 * 10_000**2
    with pytest.raises(InputError, match="budget"):
        plan_partitions(gpd.GeoDataFrame(geometry=simple, crs="EPSG:5514"), 0)


def test_sites_without_geometry_are_scored_in_the_last_partition() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(1, 1), None, shapely.Point(2, 2)], crs="EPSG:5514")
    parts = plan_partitions(frame, 1e9)
    assert [p.tolist() for p in parts] == [[0, 1, 2]]


def test_the_memory_rule_goes_partitioned_for_millions_of_sites_on_a_small_machine() -> None:
    gib = 2**30
    assert needs_partitions(1_000_000, available_bytes=4 * gib)
    assert not needs_partitions(100_000, available_bytes=4 * gib)
    assert not needs_partitions(1_000_000, available_bytes=16 * gib)


def test_a_sites_file_is_streamed_in_batches_and_scored_as_one_process_does(
    region: dict[str, Any], one_process: gpd.GeoDataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gisplan import _partition_stream

    monkeypatch.setattr(_partition_stream, "BATCH_ROWS", 700)  # 5 batches: partitions gather rows from several
    read: list[int] = []
    real_batches = _partition_stream.batches

    def counted(path: Path, layer: str | None) -> Any:
        for batch in real_batches(path, layer):
            read.append(len(batch))
            yield batch

    monkeypatch.setattr(_partition_stream, "batches", counted)
    options = PartitionOptions(out_dir=tmp_path / "out", partition_mb=SMALL_MB, engine="local")
    kwargs: dict[str, Any] = {"layers": region["layers"], "catalogue": region["catalogue"]}
    result = score_partitioned(region["paths"]["sites"], "rooftop_pv", options=options, sites_layer="sites", **kwargs)
    assert max(read) == 700  # never more than one batch of sites at once
    assert sum(read) == 2 * N_SITES  # two passes over the file
    assert len(result.files) >= 5
    assert result.rows == N_SITES
    _assert_identical(one_process, tmp_path / "out")
    assert not list((tmp_path / "out" / "_input").glob("*"))
    again = score_partitioned(region["paths"]["sites"], "rooftop_pv", options=options, sites_layer="sites", **kwargs)
    assert again.scored == []  # the same pieces hash the same: nothing is scored twice
    assert again.rows == N_SITES


def test_a_missing_or_crs_less_sites_file_is_refused(region: dict[str, Any], tmp_path: Path) -> None:
    options = PartitionOptions(out_dir=tmp_path / "out", engine="local")
    with pytest.raises(InputError, match="does not exist"):
        score_partitioned(tmp_path / "nope.gpkg", options=options)
    bare = region["sites"].head(5).set_crs(None, allow_override=True)
    pyogrio.write_dataframe(bare, tmp_path / "bare.gpkg", layer="sites")
    with pytest.raises(InputError, match="no coordinate reference system"):
        score_partitioned(tmp_path / "bare.gpkg", options=options, sites_layer="sites")


def test_100k_rooftops_streamed_in_partitions_equal_one_process_column_by_column(tmp_path: Path) -> None:
    """Issue 15's identity check at 100,000 sites: one-process scores vs 11 partitions streamed from the file."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from synthetic import build
    finally:
        sys.path.remove(str(BENCHMARKS))
    paths = build(100_000, tmp_path / "region")
    layers: dict[str, Any] = {n: pyogrio.read_dataframe(paths["context"], layer=n, use_arrow=True) for n in CONTEXT}
    layers |= {"ghi": paths["ghi"], "slope": paths["slope"]}
    catalogue = tmp_path / "no-catalogue"
    catalogue.mkdir()
    sites = pyogrio.read_dataframe(paths["sites"], layer="sites", use_arrow=True)
    one = _round_trip(score(sites, "rooftop_pv", layers=layers, catalogue=catalogue), tmp_path / "one.parquet")
    del sites
    options = PartitionOptions(out_dir=tmp_path / "out", partition_mb=32, engine="local")
    result = score_partitioned(
        paths["sites"], "rooftop_pv", options=options, sites_layer="sites", layers=layers, catalogue=catalogue
    )
    assert len(result.files) >= 8
    assert result.rows == 100_000
    _assert_identical(one, tmp_path / "out")
