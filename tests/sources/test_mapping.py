"""Brownfield lists in their own column layout, read through a mapping YAML (issue 13, part 6).

The list below is modelled on an export of CzechInvest's national brownfield database:
Czech headers, Czech category words, WGS84 GPS columns and the area in m² with a space
as thousands separator. Its sites lie in the demo region, so every context layer reaches them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest

from gisplan import settings
from gisplan.cli import main
from gisplan.errors import ConfigError, InvalidDataError
from gisplan.funding import FundingCall, facts_from_row, match_site
from gisplan.scoring import score
from gisplan.sources._mapping import load_mapping, read_mapped

ROOT = Path(__file__).resolve().parents[2]
CZECHINVEST = ROOT / "layers" / "mappings" / "czechinvest.yaml"

HEADER = (
    "ID lokality;Název lokality;Kraj;Obec;Kód obce;Původní využití;Vlastnictví;Ekologická zátěž;"
    "Elektřina;Voda;Kanalizace;Plyn;Příjezdová komunikace;Celková plocha (m2);GPS N;GPS E"
)
ROWS = [
    "BF-0101;Areál bývalé cihelny;Ústecký;Demo;999001;Průmysl;Obec;Ne;ano;ano;ne;ne;ano;25 000;50,51241;13,79990",
    "BF-0102;Odval u dolu;Ústecký;Demo;999001;Těžba;Obec;Ne;ano;ano;ne;ne;ano;25 000;50,51241;13,79990",
    "BF-0103;Bývalý kravín;Ústecký;Demo;999001;Zemědělství;Soukromé;Podezření;v areálu;ne;ne;ne;ano;8 400;"
    "50,5215;13,8192",
]


def _csv(folder: Path, rows: list[str] = ROWS) -> Path:
    path = folder / "brownfieldy.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def listed(tmp_path: Path) -> gpd.GeoDataFrame:
    return read_mapped(_csv(tmp_path), CZECHINVEST)


def test_foreign_columns_become_canonical_attributes(listed: gpd.GeoDataFrame) -> None:
    assert listed["site_id"].tolist() == ["czechinvest:BF-0101", "czechinvest:BF-0102", "czechinvest:BF-0103"]
    assert set(listed["kind"]) == {"brownfield"}
    assert listed.crs.to_epsg() == 5514
    assert listed["name"].tolist()[2] == "Bývalý kravín"
    assert listed["previous_use"].tolist() == ["industrial", "mining", "agricultural"]
    assert listed["ownership"].tolist() == ["municipal", "municipal", "private"]
    assert listed["contamination"].tolist() == ["none_known", "none_known", "suspected"]
    assert listed["utilities"].tolist() == ["electricity;water;road_access"] * 2 + ["electricity;road_access"]
    assert listed["municipality_code"].tolist() == ["999001"] * 3
    assert listed["declared_area"].tolist() == [25_000, 25_000, 8_400]
    assert set(listed["declared_area_unit"]) == {"m2"}
    assert listed["area_m2"].tolist() == [25_000, 25_000, 8_400]
    assert set(listed["area_source"]) == {"declared:Celková plocha (m2)[m2]"}
    assert "puvodni_vyuziti" in listed.columns or "původní_využití" in listed.columns  # the source column is kept


@pytest.fixture
def demo_catalogue(demo_data_dir: Path) -> Iterator[Path]:
    with settings.override(data_dir=demo_data_dir):
        yield demo_data_dir / "layers"


def test_previous_use_changes_the_redevelopment_score(listed: gpd.GeoDataFrame, demo_catalogue: Path) -> None:
    scored = score(listed, "redevelopment", catalogue=demo_catalogue, language="en").set_index("source_id")
    brick, heap = scored.loc["BF-0101"], scored.loc["BF-0102"]
    # same place, same area: only the previous use differs, and mining costs the medium handicap (15 points)
    assert brick["score"] > 15
    assert brick["score"] - heap["score"] == pytest.approx(15.0)
    reasons = [h["name"] for h in json.loads(heap["handicaps"])]
    assert reasons == ["former_mining_or_military"]
    assert json.loads(brick["handicaps"]) == []
    cowshed = scored.loc["BF-0103"]
    assert "contamination_suspected" in [h["name"] for h in json.loads(cowshed["handicaps"])]


def _call(**rules: object) -> FundingCall:
    return FundingCall.model_validate(
        {
            "id": "test_brownfields",
            "programme": "Test programme",
            "title": {"cs": "Regenerace průmyslových brownfieldů", "en": "Industrial brownfield regeneration"},
            "provider": "Test",
            "url": "https://example.org/call",
            "source_date": "2026-01",
            "intake": {"open": "2026-01-01", "close": "2026-12-31"},
            "applicants": "any",
            "site_kinds": ["brownfield"],
            "uses": "any",
            "territory": {"national": True},
            **rules,
        }
    )


def test_previous_use_and_ownership_change_the_funding_match(listed: gpd.GeoDataFrame) -> None:
    call = _call(previous_uses=["industrial", "mining"], owners=["municipal"])
    when = dt.date(2026, 6, 1)
    verdicts = {
        row["source_id"]: match_site(facts_from_row(row), [call], today=when)[0]
        for row in listed.drop(columns="geometry").to_dict("records")
    }
    assert verdicts["BF-0101"].verdict == "eligible"
    assert verdicts["BF-0102"].verdict == "eligible"
    cowshed = verdicts["BF-0103"]
    assert cowshed.verdict == "not_eligible"
    failing = {r.rule: r.reason for r in cowshed.failing()}
    assert set(failing) == {"previous_use", "owner"}
    assert "agricultural" in failing["previous_use"]
    # a call that names no previous use has no such rule
    assert "previous_use" not in {
        r.rule for r in match_site(facts_from_row({"kind": "brownfield"}), [_call()], today=when)[0].rules
    }


def test_unmapped_values_are_listed_with_rows(tmp_path: Path) -> None:
    rows = [*ROWS, ROWS[0].replace("BF-0101", "BF-0104").replace("Průmysl", "Skládka").replace(";Obec;", ";Církev;")]
    with pytest.raises(InvalidDataError) as caught:
        read_mapped(_csv(tmp_path, rows), CZECHINVEST)
    text = str(caught.value)
    assert "column 'Původní využití': value 'Skládka' (rows 5) is not mapped; add it under values.previous_use" in text
    assert "column 'Vlastnictví': value 'Církev' (rows 5)" in text


def test_bad_mapping_files_name_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x1\nsource: Bad Name\ncolumns: {source_id: ID, area: {column: A, unit: sqm}}\n"
        "values: {ownership: {obec: city}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_mapping(bad)
    text = str(caught.value)
    assert f"{bad}: field source:" in text
    assert f"{bad}: field columns.area.unit:" in text
    assert f"{bad}: field values:" in text and "'obec' -> 'city'" in text
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 2"):
        load_mapping(bad)


@pytest.mark.parametrize(
    ("mapping", "csv", "expected"),
    [
        (
            "regional_cz.yaml",
            "Číslo,Lokalita,Kód obce,Bývalé využití,Vlastník,Zátěž,Rozloha [ha],X,Y\n"
            '7,Sklady u nádraží,564729,prům.,obec,?,"1,5",-773600,-999400\n'
            "8,Statek,564729,statek,soukr.,ne,0.8,-773000,-999000\n",
            {
                "previous_use": ["industrial", "unknown"],
                "ownership": ["municipal", "private"],
                "area_m2": [15_000, 8_000],
            },
        ),
        (
            "uk_blr.yaml",
            "SiteReference,SiteNameAddress,GeoX,GeoY,Hectares,OwnershipStatus,HazardousSubstances\n"
            "BLR-1,Former colliery,-1.0867,53.4870,51.7,owned by a public authority,yes\n",
            {
                "previous_use": ["unknown"],
                "ownership": ["public"],
                "contamination": ["suspected"],
                "area_m2": [517_000],
            },
        ),
    ],
)
def test_shipped_mappings(tmp_path: Path, mapping: str, csv: str, expected: dict[str, list[object]]) -> None:
    path = tmp_path / "list.csv"
    path.write_text(csv, encoding="utf-8")
    sites = read_mapped(path, ROOT / "layers" / "mappings" / mapping)
    for column, values in expected.items():
        assert (
            sites[column].tolist() == pytest.approx(values) if column == "area_m2" else sites[column].tolist() == values
        )


def test_cli_read_with_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bf.gpkg"
    assert main(["read", str(_csv(tmp_path)), "--mapping", str(CZECHINVEST), "--out", str(out)]) == 0
    assert "mapping czechinvest: 3 rows, 3 with a location" in capsys.readouterr().out
    back = gpd.read_file(out, layer="sites")
    assert back["previous_use"].tolist() == ["industrial", "mining", "agricultural"]
    assert main(["read", str(_csv(tmp_path)), "--mapping", str(tmp_path / "none.yaml"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "mapping file not found" in err
