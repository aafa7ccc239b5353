"""build_demo: counts, size, completion marker, --force, determinism."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from geopandas.testing import assert_geodataframe_equal

from gisplan import settings
from gisplan.demo import DemoRegion, build_demo
from gisplan.demo._catalogue import FILES, LAYERS
from gisplan.errors import InputError
from tests.demo.conftest import SMALL_SCALE, SMALL_SEED, Built, _build


def _frames(out_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    return {key: pyogrio.read_dataframe(out_dir / FILES[key], layer=layer) for key, layer in LAYERS.items()}


def test_full_build_has_the_required_counts(full_build: Built) -> None:
    out = full_build.summary.out_dir
    info = {key: pyogrio.read_info(out / FILES[key], layer=layer) for key, layer in LAYERS.items()}
    assert info["buildings"]["features"] >= 20_000
    assert 15 <= info["municipalities"]["features"] <= 30
    register = pd.read_csv(out / FILES["brownfields"], dtype=str, keep_default_na=False)
    assert len(register) >= 40
    assert {key: i["features"] for key, i in info.items()} == {
        key: n for key, n in full_build.summary.counts.items() if key != "brownfields"
    }
    for key, layer_info in info.items():
        assert layer_info["crs"] == "EPSG:5514", key
    print(
        f"full demo build: {full_build.summary.counts}, {full_build.summary.size_mb:.1f} MB, "
        f"{full_build.summary.seconds:.1f} s"
    )


def test_full_build_is_small_and_fast(full_build: Built) -> None:
    sizes = sum(p.stat().st_size for p in full_build.summary.out_dir.iterdir())
    assert sizes < 25e6
    assert full_build.summary.size_mb == pytest.approx(sizes / 1e6, rel=1e-6)
    assert full_build.summary.seconds < 60.0


def test_every_file_is_written_and_readme_describes_it(small_build: Built) -> None:
    out = small_build.summary.out_dir
    missing = [name for name in FILES.values() if not (out / name).is_file()]
    assert missing == []
    readme = (out / FILES["readme"]).read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme
    assert f"seed {SMALL_SEED}" in readme
    for name in FILES.values():
        if name != FILES["readme"]:
            assert f"`{name}`" in readme
    assert f"{small_build.summary.counts['buildings']:,} building footprints" in readme


def test_readme_is_written_last(small_build: Built) -> None:
    out = small_build.summary.out_dir
    readme_time = (out / FILES["readme"]).stat().st_mtime_ns
    assert all(p.stat().st_mtime_ns <= readme_time for p in out.iterdir())


def test_a_finished_build_is_not_overwritten_without_force(small_build: Built) -> None:
    out = small_build.summary.out_dir
    before = (out / FILES["readme"]).read_bytes()
    with settings.override(data_dir=small_build.data_dir), pytest.raises(InputError, match="--force"):
        build_demo(out, seed=SMALL_SEED, scale=SMALL_SCALE)
    assert (out / FILES["readme"]).read_bytes() == before


def test_force_rebuild_and_unfinished_build(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    out.mkdir()
    (out / FILES["buildings"]).write_text("left over from a killed build")
    first = build_demo(out, seed=3, scale=0.02)  # no README yet: no --force needed
    assert first.layers_file is None
    assert pyogrio.read_info(out / FILES["buildings"])["features"] == first.counts["buildings"]
    second = build_demo(out, seed=4, scale=0.02, force=True)
    assert second.seed == 4
    assert "seed 4" in (out / FILES["readme"]).read_text(encoding="utf-8")


@pytest.mark.parametrize(("seed", "scale", "match"), [(-1, 1.0, "seed"), (1, 0.0, "scale"), (1, 1.5, "scale")])
def test_bad_arguments_are_refused(tmp_path: Path, seed: int, scale: float, match: str) -> None:
    with pytest.raises(InputError, match=match):
        build_demo(tmp_path / "demo", seed=seed, scale=scale)
    assert not (tmp_path / "demo").exists()


def test_catalogue_for_a_folder_outside_the_data_dir_is_refused(tmp_path: Path) -> None:
    with settings.override(data_dir=tmp_path / "data"), pytest.raises(InputError, match="not inside the data dir"):
        build_demo(tmp_path / "elsewhere", scale=0.02, layers_out=tmp_path / "demo.yaml")


def test_same_seed_gives_equal_layers(small_build: Built, tmp_path: Path) -> None:
    again = _build(tmp_path, seed=SMALL_SEED, scale=SMALL_SCALE)
    first, second = _frames(small_build.summary.out_dir), _frames(again.summary.out_dir)
    for key in LAYERS:
        assert_geodataframe_equal(first[key], second[key])
    name = FILES["brownfields"]
    assert (small_build.summary.out_dir / name).read_bytes() == (again.summary.out_dir / name).read_bytes()
    for key in ("dem", "slope", "ghi"):
        with (
            rasterio.open(small_build.summary.out_dir / FILES[key]) as a,
            rasterio.open(again.summary.out_dir / FILES[key]) as b,
        ):
            np.testing.assert_array_equal(a.read(1), b.read(1))
    assert small_build.layers_file.read_text(encoding="utf-8") == again.layers_file.read_text(encoding="utf-8")


def test_another_seed_gives_another_region(small_build: Built, full_build: Built) -> None:
    small = pyogrio.read_dataframe(small_build.summary.out_dir / FILES["municipalities"])
    full = pyogrio.read_dataframe(full_build.summary.out_dir / FILES["municipalities"])
    assert set(small["nazev_obce"]) != set(full["nazev_obce"])
    assert not small.geometry.geom_equals(full.geometry.iloc[: len(small)]).all()


def test_written_layers_equal_the_generated_region(small_build: Built, small_region: DemoRegion) -> None:
    written = _frames(small_build.summary.out_dir)
    for key, frame in small_region.vectors().items():
        expected = frame.reset_index(drop=True)
        got = written[key]
        assert list(got.columns) == list(expected.columns), key
        assert_geodataframe_equal(got, expected, check_dtype=False, check_less_precise=True)
