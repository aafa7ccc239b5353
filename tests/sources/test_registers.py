"""Brownfield registers: the Czech CSV schema (in-code fixtures) and the UK register (in-code and real)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from pyproj import Transformer

from gisplan.errors import InvalidDataError
from gisplan.sources import read, sniff_format

CZ_HEADER = (
    "kod,nazev,kod_obce,obec,vymera_m2,puvodni_vyuziti,vlastnictvi,kontaminace,"
    "elektrina,voda,kanalizace,plyn,prijezd,stav,wkt,lat,lon"
)
CZ_GOOD = [
    "BF-001,Cukrovar Děčany,564729,Děčany,10000,prumysl,obec,podezreni,ano,ne,nevime,ne,ano,chátrá,"
    '"POLYGON((-773500 -999900,-773400 -999900,-773400 -999800,-773500 -999800,-773500 -999900))",,',
    'BF-002,Statek,564729,Děčany,"2 500,5",Zemědělství,soukrome,zadna_znama,yes,,,,,,,50.447,13.998',
    "BF-003,Důl,567442,Most,120000,mining,mixed,confirmed,,,,,,,,50.50,13.64",
]


def _write(tmp_path: Path, rows: list[str], header: str = CZ_HEADER) -> Path:
    path = tmp_path / "brownfieldy.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_cz_brownfields_good_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, CZ_GOOD)
    assert sniff_format(path) == "cz-brownfields"
    out = read(path)
    assert out["site_id"].tolist() == ["cz-brownfields:BF-001", "cz-brownfields:BF-002", "cz-brownfields:BF-003"]
    assert out.crs.to_epsg() == 5514
    assert set(out["kind"]) == {"brownfield"}
    assert out["area_m2"].tolist() == pytest.approx([10_000.0, 2_500.5, 120_000.0])
    assert out["previous_use"].tolist() == ["industrial", "agricultural", "mining"]
    assert out["ownership"].tolist() == ["municipal", "private", "mixed"]
    assert out["contamination"].tolist() == ["suspected", "none_known", "confirmed"]
    assert out["electricity"].tolist() == ["yes", "yes", None]
    assert out["sewer"].tolist()[0] == "unknown"
    assert out["kod_obce"].tolist() == ["564729", "564729", "567442"]
    assert out["puvodni_vyuziti"].tolist()[1] == "Zemědělství"  # the file's own value is kept
    # the lat/lon point is projected from WGS84 to S-JTSK [m]
    x, y = Transformer.from_crs(4326, 5514, always_xy=True).transform(13.998, 50.447)
    assert (out.geometry.iloc[1].x, out.geometry.iloc[1].y) == pytest.approx((x, y))
    assert out.geometry.iloc[0].area == pytest.approx(10_000.0)


def test_cz_brownfields_lists_every_bad_row_and_field(tmp_path: Path) -> None:
    bad = [
        *CZ_GOOD[:1],
        "BF-001,Duplicate,564729,,100,prumysl,,,,,,,,,,50.4,13.9",
        "BF-010,,56472,,abc,továrna,,,,,,,maybe,,,50.4,13.9",
        "BF-011,Nula,564729,,0,,,spinave,,,,,,,,,",
        "BF-012,Lonlat WKT,564729,,5,,,,,,,,,,POINT(13.99 50.44),,",
        "BF-013,Bad WKT,564729,,5,,,,,,,,,,POLYGON((1 2,,",
    ]
    with pytest.raises(InvalidDataError) as info:
        read(_write(tmp_path, bad), format="cz-brownfields")
    found = {(p.location, p.message.split(";")[0]) for p in info.value.problems}
    expected_locations = {
        "row 2 (kod 'BF-001'), field kod",
        "row 3 (kod 'BF-010'), field nazev",
        "row 3 (kod 'BF-010'), field kod_obce",
        "row 3 (kod 'BF-010'), field vymera_m2",
        "row 3 (kod 'BF-010'), field puvodni_vyuziti",
        "row 3 (kod 'BF-010'), field prijezd",
        "row 4 (kod 'BF-011'), field vymera_m2",
        "row 4 (kod 'BF-011'), field kontaminace",
        "row 4 (kod 'BF-011')",
        "row 5 (kod 'BF-012'), field wkt",
        "row 6 (kod 'BF-013'), field wkt",
    }
    assert {loc for loc, _ in found} == expected_locations
    text = str(info.value)
    assert "'abc' is not a number" in text
    assert "'0' must be > 0" in text
    assert "unknown value 'továrna'; use one of prumysl" in text
    assert "duplicate of row 1" in text
    assert "no geometry" in text


def test_cz_brownfields_missing_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, ["X,Y,564729"], header="kod,nazev,kod_obce")
    with pytest.raises(InvalidDataError) as info:
        read(path)
    messages = [p.message for p in info.value.problems]
    assert messages == ["missing required column 'vymera_m2'", "needs a wkt column (EPSG:5514) or lat and lon columns"]


UK_CSV = """site,site-address,organisation,latitude,longitude,hectares,notes,name
BLR1,"Former Colliery, Rossington",local-authority-eng:DNC,53.47,-1.06,51.7,"Line one
line two",Doncaster Council
BLR2,Yard,local-authority-eng:DNC,,,0.5,,Doncaster Council
,Unreferenced,local-authority-eng:DNC,53.5,-1.1,,,Doncaster Council
"""


def test_uk_blr_in_code(tmp_path: Path) -> None:
    path = tmp_path / "blr.csv"
    path.write_text(UK_CSV, encoding="utf-8")
    assert sniff_format(path) == "uk-blr"
    out = read(path)
    assert len(out) == 3
    assert out["source_id"].tolist() == [
        "local-authority-eng:DNC/BLR1",
        "local-authority-eng:DNC/BLR2",
        "local-authority-eng:DNC/row-3",
    ]
    assert out["notes"].iloc[0] == "Line one\nline two"
    assert out["hectares"].iloc[0] == pytest.approx(51.7)
    assert out["area_m2"].iloc[0] == pytest.approx(517_000.0)
    assert out["area_source"].tolist()[:2] == ["declared:hectares[ha]", "declared:hectares[ha]"]
    assert out["area_m2"].iloc[1] == pytest.approx(5_000.0)  # declared even without a location
    # a point without hectares has no area: NaN and not_available, never 0 (issue 12)
    assert math.isnan(out["area_m2"].iloc[2])
    assert out["area_source"].iloc[2] == "not_available"
    assert out.geometry.iloc[1] is None
    assert out["organisation_name"].iloc[0] == "Doncaster Council"
    assert out["name"].iloc[0] == "Former Colliery, Rossington"
    assert out.crs.to_epsg() == 32630


@pytest.fixture(scope="module")
def uk_registers(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / "brownfields").glob("uk_blr_local-authority-eng-*.csv"))
    assert len(files) == 7
    return files


def test_uk_registers_real(uk_registers: list[Path]) -> None:
    total_rows = 0
    for path in uk_registers:
        with path.open(encoding="utf-8", newline="") as fh:
            raw = list(csv.DictReader(fh))
        out = read(path)
        assert len(out) == len(raw), path.name
        raw_hectares = sum(float(r["hectares"]) for r in raw if r["hectares"])
        assert out["hectares"].sum() == pytest.approx(raw_hectares), path.name
        assert out["area_m2"].sum() == pytest.approx(raw_hectares * 10_000), path.name
        assert out["site_id"].is_unique, path.name
        assert set(out["kind"]) == {"brownfield"}
        total_rows += len(out)
    assert total_rows == 556
