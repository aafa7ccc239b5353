"""Measured demand: the CSV reader, the load (SQLite and PostGIS) and its use on the community pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from gisplan.cli import main
from gisplan.communities import PERSONS_PER_HOUSEHOLD, community_report
from gisplan.demand import latest_measured, load_measured_demand, read_demand_csv
from gisplan.errors import InputError, InvalidDataError, PermissionDeniedError
from gisplan.store import SYSTEM, Role, Store
from gisplan.store.models import MeasuredDemand
from gisplan.store.permissions import Scope
from tests.funding.pipeline_world import PipelineWorld, build_pipeline_world
from tests.store.conftest import pg_schema, sqlite_template, store, store_url  # noqa: F401 - fixtures (both backends)


@pytest.fixture
def world(store: Store) -> PipelineWorld:  # noqa: F811 - the store fixture above
    return build_pipeline_world(store)


def _csv(tmp_path: Path, text: str, name: str = "demand.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(store: Store) -> int:  # noqa: F811
    return int(store.read(lambda s: s.scalar(select(func.count()).select_from(MeasuredDemand))))


# ------------------------------------------------------------------------------------------ reader
def test_reader_lists_every_bad_line(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "municipality_code;site_id;mwh_yr;year;source\n"
        "599101;;1200,5;2024;ČEZ\n"  # decimal comma is fine
        "599102;;-3;2024;ČEZ\n"  # negative
        "599102;;lots;2024;ČEZ\n"  # not a number
        ";;10;2024;ČEZ\n"  # neither key
        "599101;t:s1;10;2024;ČEZ\n"  # both keys
        "599101;;10;1890;ČEZ\n"  # year out of range
        "599101;;10;2024;\n"  # no source
        "599101;;99;2024;EG.D\n",  # same place and year as line 2
    )
    with pytest.raises(InvalidDataError) as caught:
        read_demand_csv(path)
    where = [p.location for p in caught.value.problems]
    assert where == [
        "line 3, field mwh_yr",
        "line 4, field mwh_yr",
        "line 5",
        "line 6",
        "line 7, field year",
        "line 8, field source",
        "line 9",
    ]
    assert "nothing was stored" in str(caught.value)


def test_reader_default_source_and_missing_columns(tmp_path: Path) -> None:
    path = _csv(tmp_path, "site_id,mwh_yr,year\nt:s1,12.5,2023\n")
    (record,) = read_demand_csv(path, default_source="meter readings")
    assert (record.scope, record.key, record.year, record.mwh_yr, record.source) == (
        "site",
        "t:s1",
        2023,
        12.5,
        "meter readings",
    )
    with pytest.raises(InvalidDataError, match="field source"):
        read_demand_csv(path)
    with pytest.raises(InputError, match=r"missing column\(s\) \['year'\]"):
        read_demand_csv(_csv(tmp_path, "municipality_code,mwh_yr\n1,2\n", "b.csv"))
    with pytest.raises(InputError, match="municipality_code or a site_id"):
        read_demand_csv(_csv(tmp_path, "code,mwh_yr,year,source\n1,2,2024,x\n", "c.csv"))
    with pytest.raises(InputError, match="no rows"):
        read_demand_csv(_csv(tmp_path, "municipality_code,mwh_yr,year,source\n", "d.csv"))


# ------------------------------------------------------------------------------------------- store
def test_load_refuses_unknown_places_and_stores_nothing(store: Store, world: PipelineWorld, tmp_path: Path) -> None:  # noqa: F811
    path = _csv(
        tmp_path,
        "municipality_code,site_id,mwh_yr,year,source\n599101,,5000,2024,ČEZ\n999999,,10,2024,ČEZ\n,t:nope,1,2024,x\n",
    )
    with pytest.raises(InvalidDataError) as caught:
        load_measured_demand(store, SYSTEM, read_demand_csv(path), file=path.name)
    assert [str(p) for p in caught.value.problems] == [
        "demand.csv: line 3: there is no municipality '999999' in the store",
        "demand.csv: line 4: there is no site 't:nope' in the store",
    ]
    assert _count(store) == 0


def test_load_replaces_the_same_year_and_keeps_others(store: Store, world: PipelineWorld, tmp_path: Path) -> None:  # noqa: F811
    first = _csv(tmp_path, "municipality_code,mwh_yr,year,source\n599101,5000,2023,ČEZ\n599101,5200,2024,ČEZ\n")
    report = load_measured_demand(store, SYSTEM, read_demand_csv(first))
    assert (report.added, report.replaced) == (2, 0)
    again = _csv(tmp_path, "municipality_code,mwh_yr,year,source\n599101,5300,2024,EG.D\n", "again.csv")
    report = load_measured_demand(store, SYSTEM, read_demand_csv(again))
    assert (report.added, report.replaced) == (0, 1)
    assert _count(store) == 2
    newest = latest_measured(store, "municipality")
    assert newest.loc["599101", ["year", "mwh_yr", "source"]].tolist() == [2024, 5300.0, "EG.D"]


def test_load_checks_the_scope(store: Store, world: PipelineWorld, tmp_path: Path) -> None:  # noqa: F811
    animator = store.add_user(SYSTEM, "ani", Role.ANIMATOR, scope=Scope.parse(["region:CZ080"]))
    path = _csv(tmp_path, "municipality_code,mwh_yr,year,source\n554821,9,2024,x\n599101,5,2024,x\n")
    with pytest.raises(PermissionDeniedError, match="599101"):
        load_measured_demand(store, animator.id, read_demand_csv(path))
    assert _count(store) == 0


# ------------------------------------------------------------------------------------- communities
def test_community_pages_use_measured_where_present(store: Store, world: PipelineWorld, tmp_path: Path) -> None:  # noqa: F811
    assert community_report(store, world.brehice).demand.source == "estimated"  # type: ignore[union-attr]
    path = _csv(
        tmp_path,
        "municipality_code,site_id,mwh_yr,year,source\n599101,,4100,2023,ČEZ Distribuce\n,t:s1,55,2024,meter\n",
    )
    load_measured_demand(store, SYSTEM, read_demand_csv(path))

    brehice = community_report(store, world.brehice).demand
    assert brehice is not None
    assert (brehice.mwh_yr, brehice.source, brehice.year, brehice.data_source) == (
        4100.0,
        "measured",
        2023,
        "ČEZ Distribuce",
    )
    assert brehice.basis == "measured in 2023 (ČEZ Distribuce)"

    dizky = community_report(store, world.dizky).demand  # nothing measured: the estimate, said so
    assert dizky is not None
    assert (dizky.source, dizky.basis) == ("estimated", "estimated from 989 inhabitants")

    mas = community_report(store, world.mas)  # Brehice measured, Dižky estimated
    assert mas.demand is not None
    assert mas.demand.source == "mixed"
    assert mas.demand.mwh_yr == pytest.approx(4100.0 + 989 / PERSONS_PER_HOUSEHOLD * 3.0)
    assert mas.demand.basis.startswith("measured for 1 of 2 municipalities in 2023 (ČEZ Distribuce), plus estimated")
    ground = mas.potential.set_index("profile").loc["ground_pv"]
    assert ground["coverage"] == pytest.approx(2100.0 / mas.demand.mwh_yr)

    ek = community_report(store, world.energy_community).demand  # 120 households + the measured school roof s1
    assert ek is not None
    assert (ek.source, ek.mwh_yr) == ("mixed", pytest.approx(55.0 + 360.0))


# --------------------------------------------------------------------------------------------- CLI
def test_cli_load(store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    from gisplan.store import open_store

    with open_store(store_url, upgrade=False) as opened:
        build_pipeline_world(opened)
    good = _csv(tmp_path, "municipality_code,mwh_yr,year\n599101,4100,2023\n")
    assert main(["demand", "load", str(good), "--source", "ČEZ", "--url", store_url]) == 0
    assert "1 added, 0 replaced (1 municipalities" in capsys.readouterr().out
    bad = _csv(tmp_path, "municipality_code,mwh_yr,year,source\n599102,-1,2023,x\n", "bad.csv")
    assert main(["demand", "load", str(bad), "--url", store_url]) == 1
    assert "line 2, field mwh_yr" in capsys.readouterr().err
    with open_store(store_url, upgrade=False) as opened:
        assert _count(opened) == 1
