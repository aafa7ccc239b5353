"""The energy poverty indicator: reader, load (SQLite and PostGIS), CLI, and the funding rule that reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gisplan.cli import main
from gisplan.errors import InputError, InvalidDataError
from gisplan.funding import facts_for_sites
from gisplan.funding._rules import SiteFacts, energy_poverty_rule
from gisplan.poverty import latest_poverty, load_poverty, read_poverty_csv
from gisplan.store import SYSTEM, Store, open_store
from tests.funding.helpers import make_call
from tests.funding.pipeline_world import PipelineWorld, build_pipeline_world
from tests.store.conftest import pg_schema, sqlite_template, store, store_url  # noqa: F401 - fixtures (both backends)

UNIT = "% of households"


@pytest.fixture
def world(store: Store) -> PipelineWorld:  # noqa: F811
    return build_pipeline_world(store)


def _csv(tmp_path: Path, text: str, name: str = "poverty.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reader_lists_every_problem(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "municipality_code,value,unit,year,source\n"
        "599101,14.2,% of households,2023,ČSÚ SILC\n"
        "599102,n/a,% of households,2023,ČSÚ SILC\n"  # not a number
        "599102,-1,% of households,2023,ČSÚ SILC\n"  # negative
        ",3,% of households,2023,x\n"  # no code
        "554821,3,index,2023,x\n"  # a second unit
        "599101,15,% of households,2023,x\n",  # same municipality and year
    )
    with pytest.raises(InvalidDataError) as caught:
        read_poverty_csv(path)
    assert [p.location for p in caught.value.problems] == [
        "line 3, field value",
        "line 4, field value",
        "line 5, field municipality_code",
        "line 7",
        "field unit",
    ]
    short = _csv(tmp_path, "municipality_code,value,year\n599101,14.2,2023\n", "short.csv")
    (record,) = read_poverty_csv(short, unit=UNIT, source="ČSÚ")
    assert (record.value, record.unit, record.source) == (14.2, UNIT, "ČSÚ")
    with pytest.raises(InvalidDataError, match="field unit"):
        read_poverty_csv(short, source="ČSÚ")
    with pytest.raises(InputError, match="--unit is empty"):
        read_poverty_csv(short, unit=" ")


def test_load_refuses_unknown_codes_and_a_second_unit(store: Store, world: PipelineWorld, tmp_path: Path) -> None:  # noqa: F811
    bad = _csv(tmp_path, f"municipality_code,value,unit,year,source\n599101,14,{UNIT},2023,x\n999999,1,{UNIT},2023,x\n")
    with pytest.raises(InvalidDataError, match="no municipality '999999'"):
        load_poverty(store, SYSTEM, read_poverty_csv(bad))
    assert latest_poverty(store).empty
    good = _csv(
        tmp_path,
        f"municipality_code,value,unit,year,source\n599101,14,{UNIT},2022,x\n599101,16.5,{UNIT},2023,y\n",
        "good.csv",
    )
    assert load_poverty(store, SYSTEM, read_poverty_csv(good)) == (2, 0)
    newest = latest_poverty(store, ["599101", "599102"])
    assert newest.loc["599101", ["year", "value", "unit", "source"]].tolist() == [2023, 16.5, UNIT, "y"]
    assert "599102" not in newest.index  # not loaded: absent, not 0
    other = _csv(tmp_path, "municipality_code,value,unit,year,source\n599102,0.3,index,2023,x\n", "other.csv")
    with pytest.raises(InvalidDataError, match="differs from the stored unit"):
        load_poverty(store, SYSTEM, read_poverty_csv(other))


def test_funding_rule_reads_the_indicator(store: Store, world: PipelineWorld) -> None:  # noqa: F811
    from gisplan.poverty import PovertyRecord

    load_poverty(store, SYSTEM, [PovertyRecord("599101", 2023, 16.5, UNIT, "ČSÚ")])
    facts = {site.id: f for site, f in facts_for_sites(store, ["t:s1", "t:s3"])}
    assert facts["t:s1"].energy_poverty == 16.5  # Brehice
    assert facts["t:s3"].energy_poverty is None  # Dižky: not loaded
    call = make_call(limits={"energy_poverty": {"min": 15}})
    brehice = energy_poverty_rule(call, facts["t:s1"])
    assert brehice is not None
    assert (brehice.verdict, brehice.reason) == (
        "eligible",
        "energy poverty indicator 16.5 is within the limit (at least 15)",
    )
    dizky = energy_poverty_rule(call, facts["t:s3"])
    assert dizky is not None and dizky.verdict == "unknown"  # to check: the indicator is not loaded
    low = energy_poverty_rule(call, SiteFacts(energy_poverty=9.0))
    assert low is not None and low.verdict == "not_eligible"
    assert "ukazatel energetické chudoby" in low.text("cs")
    assert low.text("pl") == "Wskaźnik ubóstwa energetycznego: 9 – poniżej minimum 15"
    assert energy_poverty_rule(make_call(), SiteFacts(energy_poverty=9.0)) is None  # the call sets no such limit


def test_cli_load(store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    with open_store(store_url, upgrade=False) as opened:
        build_pipeline_world(opened)
    path = _csv(tmp_path, "municipality_code,value,year\n599101,16.5,2023\n599102,8,2023\n")
    argv = ["poverty", "load", str(path), "--unit", UNIT, "--source", "ČSÚ", "--url", store_url]
    assert main(argv) == 0
    assert f"2 added, 0 replaced ({UNIT})" in capsys.readouterr().out
    assert main(["poverty", "load", str(path), "--url", store_url]) == 1
    assert "field unit: empty" in capsys.readouterr().err
