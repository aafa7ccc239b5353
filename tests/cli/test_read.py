"""``gisplan read``: writes a GeoPackage, and fails with one actionable line on bad input."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from gisplan.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_read_writes_sites_layer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "plochy.csv"
    source.write_text("kod,nazev,lat,lon\nA,Cukrovar,50.447,13.998\nB,Statek,50.450,14.001\n", encoding="utf-8")
    out = tmp_path / "sites.gpkg"
    code, stdout, err = _run(["read", str(source), "--kind", "brownfield", "--out", str(out)], capsys)
    assert code == 0, err
    assert "2 features (brownfield 2) in EPSG:5514" in stdout
    assert [row[0] for row in pyogrio.list_layers(out)] == ["sites"]
    written = pyogrio.read_dataframe(out, layer="sites")
    assert written["site_id"].tolist() == ["plochy:1", "plochy:2"]
    assert written["name"].tolist() == ["Cukrovar", "Statek"]
    assert written.crs.to_epsg() == 5514


def test_read_osm_pbf_real(shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "li.gpkg"
    pbf = shared_data / "osm" / "liechtenstein-2013-08-03.osm.pbf"
    code, stdout, err = _run(["read", str(pbf), "--layer", "power_lines", "--out", str(out)], capsys)
    assert code == 0, err
    assert stdout.startswith("3 features (none 3) in EPSG:32632")
    assert len(pyogrio.read_dataframe(out)) == 3


def _no_prj_shapefile(tmp_path: Path) -> Path:
    frame = gpd.GeoDataFrame({"kod": ["A"]}, geometry=gpd.GeoSeries.from_wkt(["POINT (-773500 -999900)"]))
    path = tmp_path / "noprj.shp"
    pyogrio.write_dataframe(frame, path)
    path.with_suffix(".prj").unlink(missing_ok=True)
    return path


def _corrupt_gpkg(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 4)
    return path


def _vrt(tmp_path: Path) -> Path:
    path = tmp_path / "layer.vrt"
    path.write_text("<OGRVRTDataSource/>")
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: tmp / "missing.gpkg", "file not found; check the path"),
        (_no_prj_shapefile, "declares no coordinate reference system; add the .prj file"),
        (_corrupt_gpkg, "cannot be read"),
        (_vrt, ".vrt files are not accepted"),
        (lambda tmp: "/vsizip//tmp/x.zip/a.shp", "GDAL virtual paths"),
    ],
    ids=["missing", "no-crs", "corrupt", "vrt", "vsi"],
)
def test_unreadable_input_gives_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, expected: str
) -> None:
    source = make(tmp_path)  # type: ignore[operator]
    code, stdout, err = _run(["read", str(source), "--out", str(tmp_path / "out.gpkg")], capsys)
    assert code == 1
    assert "Traceback" not in err + stdout
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert not (tmp_path / "out.gpkg").exists()


def test_out_must_be_gpkg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["read", "whatever.csv", "--out", str(tmp_path / "sites.shp")], capsys)
    assert code == 1
    assert err.strip() == f"error: --out {tmp_path / 'sites.shp'} must end in .gpkg (the output is a GeoPackage)"


def test_no_crs_csv_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "krovak.csv"
    source.write_text("kod,wkt\nA,POINT(-773500 -999900)\n")
    code, _, err = _run(["read", str(source), "--out", str(tmp_path / "o.gpkg")], capsys)
    assert code == 1
    assert "pass their CRS with --crs" in err
    code, stdout, err = _run(["read", str(source), "--crs", "EPSG:5514", "--out", str(tmp_path / "o.gpkg")], capsys)
    assert code == 0, err
    assert stdout.startswith("1 feature (none 1) in EPSG:5514")
