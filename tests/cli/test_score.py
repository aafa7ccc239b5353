"""``gisplan score`` and ``gisplan profiles`` end to end on tiny files."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
import shapely
from affine import Affine

from gisplan.cli import main

CRS = "EPSG:5514"
X0, Y0 = -750_000.0, -1_000_000.0


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    roofs = gpd.GeoDataFrame(
        {"kod": [1, 2], "roof_shape": ["flat", "gabled"]},
        geometry=[shapely.box(X0, Y0, X0 + 20, Y0 + 15), shapely.box(X0 + 100, Y0, X0 + 102, Y0 + 3)],
        crs=CRS,
    )
    out = {"sites": tmp_path / "roofs.gpkg", "context": tmp_path / "context.gpkg", "ghi": tmp_path / "ghi.tif"}
    roofs.to_file(out["sites"], layer="roofs")
    gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 800, Y0)], crs=CRS).to_file(out["context"], layer="substations")
    with rasterio.open(
        out["ghi"], "w", driver="GTiff", width=10, height=10, count=1, dtype="float32", crs=CRS,
        transform=Affine(25, 0, X0 - 100, 0, -25, Y0 + 150),
    ) as dst:  # fmt: skip
        dst.write(np.full((10, 10), 1100, dtype="float32"), 1)
    return out


def test_score_writes_the_contract_geopackage(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=CRS).iloc[:0].to_file(empty, layer="protected")
    munis = tmp_path / "munis.gpkg"
    gpd.GeoDataFrame(
        {"kod_obce": ["564729"], "nazev_obce": ["Děčany"], "pocet_obyv": [480]},
        geometry=[shapely.box(X0 - 5000, Y0 - 5000, X0 + 5000, Y0 + 5000)],
        crs=CRS,
    ).to_file(munis, layer="obce")
    out = tmp_path / "scored.gpkg"
    code = main([
        "score", "--profile", "rooftop_pv", "--sites", str(files["sites"]), "--kind", "rooftop",
        "--out", str(out), "--catalogue", str(tmp_path),
        "--layer", f"ghi={files['ghi']}", "--layer", f"substations={files['context']}",
        "--layer", f"protected_areas={empty}", "--layer", f"municipalities={munis}", "--progress",
    ])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "scored 2 sites with rooftop_pv" in printed
    assert "1 excluded" in printed
    share = float(gpd.read_file(out, layer="sites")["completeness"].median())
    assert f"median share of the criteria weight measured: {share:.0%}" in printed
    assert pyogrio.list_layers(out)[0][0] == "sites"
    scored = gpd.read_file(out, layer="sites")
    assert scored.crs == CRS
    assert scored["municipality_code"].tolist() == ["564729", "564729"]
    assert scored["ghi_mean_kwh_m2_yr"].tolist() == pytest.approx([1100.0, 1100.0])
    assert scored["dist_substation_m"].iloc[0] == pytest.approx(780.0)
    assert scored["excluded"].tolist() == [False, True]
    assert scored["yield_kwh_kwp_yr"].iloc[0] == pytest.approx(1100 * 1.15 * 0.8)
    for s, b in zip(scored["score"], scored["breakdown"], strict=True):
        assert sum(line["contribution"] for line in json.loads(b)) == pytest.approx(s, abs=1e-9)


def test_errors_are_one_line(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["score", "-p", "no_such_profile", "-s", str(files["sites"]), "-o", str(tmp_path / "x.gpkg")])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no scoring profile 'no_such_profile'")
    code = main(["score", "-p", "rooftop_pv", "-s", str(files["sites"]), "-o", str(tmp_path / "x.gpkg"), "-l", "ghi"])
    assert code == 1
    assert "slot=SOURCE" in capsys.readouterr().err


def test_profiles_lists_and_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles"]) == 0
    assert "rooftop_pv" in capsys.readouterr().out
    (tmp_path / "bad.yaml").write_text("name: bad\nversion: '1'\n", encoding="utf-8")
    assert main(["profiles", "--dir", str(tmp_path)]) == 1
    assert "bad.yaml: field title" in capsys.readouterr().err
