"""``gisplan score`` in partitioned mode: the options, their one-line errors, and the mode chosen by memory."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from gisplan.cli import _partitioned, main
from gisplan.partitioned import read_partitioned

CRS = "EPSG:5514"
X0, Y0 = -750_000.0, -1_000_000.0


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 3000, (300, 2)) + np.array([X0, Y0])
    roofs = gpd.GeoDataFrame(
        {"kod": np.arange(300), "roof_shape": rng.choice(["flat", "gabled"], 300)},
        geometry=[shapely.box(x, y, x + rng.uniform(5, 30), y + 12) for x, y in xy],
        crs=CRS,
    )
    out = {"sites": tmp_path / "roofs.gpkg", "context": tmp_path / "context.gpkg", "munis": tmp_path / "munis.gpkg"}
    roofs.to_file(out["sites"], layer="roofs")
    gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 800, Y0)], crs=CRS).to_file(out["context"], layer="substations")
    gpd.GeoDataFrame(
        {"kod_obce": ["1", "2"], "nazev_obce": ["A", "B"], "pocet_obyv": [100, 200]},
        geometry=[
            shapely.box(X0 - 10, Y0 - 10, X0 + 1500, Y0 + 3100),
            shapely.box(X0 + 1500, Y0 - 10, X0 + 3100, Y0 + 3100),
        ],
        crs=CRS,
    ).to_file(out["munis"], layer="obce")
    return out


def _argv(files: dict[str, Path], tmp_path: Path, *extra: str) -> list[str]:
    return [
        "score", "--profile", "rooftop_pv", "--sites", str(files["sites"]), "--kind", "rooftop",
        "--catalogue", str(tmp_path), "--layer", f"substations={files['context']}",
        "--layer", f"protected_areas={files['munis']}", "--layer", f"municipalities={files['munis']}", *extra,
    ]  # fmt: skip


def test_partitioned_local_run_writes_parts_and_the_geopackage(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = tmp_path / "one.gpkg"
    assert main(_argv(files, tmp_path, "--out", str(one))) == 0
    capsys.readouterr()
    parts, gpkg = tmp_path / "parts", tmp_path / "parts.gpkg"
    argv = _argv(
        files, tmp_path, "--out-dir", str(parts), "--engine", "local", "--partition-mb", "0.5", "-o", str(gpkg)
    )
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "scored 300 sites with rooftop_pv" in captured.out
    assert "partition 1/" in captured.err and "sites scored in" in captured.err
    files_written = sorted(parts.glob("part-*.parquet"))
    assert len(files_written) >= 2
    expect = pyogrio.read_dataframe(one, layer="sites").set_index("site_id").sort_index()
    got = pyogrio.read_dataframe(gpkg, layer="sites").set_index("site_id").sort_index()
    assert got.index.equals(expect.index)
    assert np.array_equal(got["score"].to_numpy(), expect["score"].to_numpy())
    assert got["breakdown"].equals(expect["breakdown"])
    assert len(read_partitioned(parts)) == 300
    # the same command again keeps every partition
    assert main(argv) == 0
    assert f"0 partitions scored now, {len(files_written)} kept" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--engine", "spark", "--out-dir", "d"], "--engine must be one of dask, local, not 'spark'"),
        (["--engine", "local", "--scheduler", "tcp://h:8786", "--out-dir", "d"], "does not go with --engine local"),
        (["--scheduler", "nowhere", "--out-dir", "d"], "--scheduler takes a Dask scheduler address"),
        (["--partition-mb", "0", "--out-dir", "d"], "--partition-mb must be a memory budget in MiB above 0, not 0"),
        (["--no-partitioned", "--out-dir", "d"], "need partitioned mode; drop --no-partitioned"),
        (["--partitioned"], "give --out FILE.gpkg, or --partitioned --out-dir DIR"),
        ([], "give --out FILE.gpkg"),
        (["--partitioned", "--out", "x.parquet"], "--out x.parquet must end in .gpkg"),
    ],
)
def test_wrong_partition_options_are_one_error_line(
    files: dict[str, Path], tmp_path: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_argv(files, tmp_path, *extra)) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in captured.err


def test_out_dir_that_is_a_file_is_refused(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x")
    assert main(_argv(files, tmp_path, "--out-dir", str(taken))) == 1
    assert "is a file; give a folder" in capsys.readouterr().err


def test_too_many_sites_for_the_memory_go_partitioned_by_themselves(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _partitioned.site_count(str(files["sites"]), None) == 300
    monkeypatch.setattr("gisplan.partitioned.available_memory_bytes", lambda: 300 * 4_000)  # 300 sites fill it
    monkeypatch.setattr(_partitioned, "DEFAULT_ENGINE", "local")
    out = tmp_path / "auto.gpkg"
    assert main(_argv(files, tmp_path, "--out", str(out))) == 0
    captured = capsys.readouterr()
    assert "in partitions" in captured.err
    assert len(list((tmp_path / "auto.parts").glob("part-*.parquet"))) >= 1
    assert len(pyogrio.read_dataframe(out, layer="sites")) == 300


def _sites_file(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The roofs as a sites file gisplan wrote (``gisplan read``): kinds, ids and attributes."""
    sites = tmp_path / "sites.gpkg"
    assert main(["read", str(files["sites"]), "--kind", "rooftop", "--out", str(sites)]) == 0
    capsys.readouterr()
    return sites


def test_a_sites_file_is_streamed_in_batches_with_the_scores_of_a_whole_read(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gisplan import _partition_stream

    sites = _sites_file(files, tmp_path, capsys)
    argv = _argv(files, tmp_path)
    argv[argv.index(str(files["sites"]))] = str(sites)
    one = tmp_path / "one.gpkg"
    assert main([*argv, "--out", str(one)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(_partition_stream, "BATCH_ROWS", 70)  # 5 batches
    biggest: list[int] = []
    real = _partition_stream.batches

    def watched(path: Path, layer: str | None) -> object:
        for batch in real(path, layer):
            biggest.append(len(batch))
            yield batch

    monkeypatch.setattr(_partition_stream, "batches", watched)
    gpkg = tmp_path / "streamed.gpkg"
    argv_parts = [*argv, "--partitioned", "--engine", "local", "--partition-mb", "0.5", "-o", str(gpkg)]
    assert main(argv_parts) == 0
    captured = capsys.readouterr()
    assert "read in batches" in captured.err
    assert max(biggest) == 70 and sum(biggest) == 600  # two passes, never the whole file at once
    expect = pyogrio.read_dataframe(one, layer="sites").set_index("site_id").sort_index()
    got = pyogrio.read_dataframe(gpkg, layer="sites").set_index("site_id").sort_index()
    assert got.index.equals(expect.index)
    assert (got["kind"] == "rooftop").all()
    for column in ("score", "capacity_kwp", "area_m2"):
        assert np.array_equal(got[column].to_numpy(), expect[column].to_numpy()), column
    assert got["breakdown"].equals(expect["breakdown"])


def test_a_streamed_sites_file_with_an_id_twice_is_refused(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gisplan import _partition_stream

    sites = _sites_file(files, tmp_path, capsys)
    frame = pyogrio.read_dataframe(sites)
    frame.loc[250, "site_id"] = frame.loc[3, "site_id"]  # in another batch than the first
    pyogrio.write_dataframe(frame, sites, layer="sites")
    monkeypatch.setattr(_partition_stream, "BATCH_ROWS", 70)
    argv = _argv(files, tmp_path)
    argv[argv.index(str(files["sites"]))] = str(sites)
    out_dir = tmp_path / "parts"
    assert main([*argv, "--partitioned", "--engine", "local", "--out-dir", str(out_dir)]) == 1
    assert "1 site_id value(s) occur more than once" in capsys.readouterr().err
    assert not list(out_dir.glob("part-*.parquet"))
