"""``gisplan funding check|list|match`` end to end, with one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from shapely.geometry import box

from gisplan.cli import main
from gisplan.store import SYSTEM, Tx, open_store
from gisplan.store.models import Site, SiteScore
from tests.funding.helpers import call_data


def test_check_and_list_the_shipped_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["funding", "check"]) == 0
    assert capsys.readouterr().out.startswith("ok: 23 calls in ")
    assert main(["funding", "list", "--today", "2024-06-01"]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("23 calls")
    line = next(row for row in out.splitlines() if row.startswith("res_plus_3_2022 "))
    assert " closed " in line and "2023-03-15" in line


def test_check_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "calls.yaml"
    path.write_text(yaml.safe_dump({"calls": [call_data(url="x"), call_data(id="two", uses=["casino"])]}), "utf-8")
    assert main(["funding", "check", "--file", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: call test_call, field url:" in err
    assert f"{path}: call two, field uses:" in err
    assert "2 problem(s)" in err


def test_bad_date_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["funding", "list", "--today", "1st of June"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --today '1st of June' is not a date") and "\n" not in err


def _site(tx: Tx) -> None:
    tx.session.add(
        Site(
            id="demo:roof1",
            kind="rooftop",
            name="School",
            source="demo",
            source_id="roof1",
            area_m2=2000.0,
            municipality_code="599101",
            attributes={},
            geom=tx.with_srid(box(0, 0, 40, 50)),
        )
    )
    tx.session.flush()
    tx.session.add(SiteScore(site_id="demo:roof1", profile="rooftop_pv", capacity_kwp=1400.0, score=70.0))
    tx.add_community("municipality", "Brehice", code="599101", population=2577)


def test_match_a_stored_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GISPLAN_LANG", "en")  # reasons are printed in the configured language (default cs)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = open_store(url)
    store.transaction(SYSTEM, _site)
    store.close()
    args = ["funding", "match", "demo:roof1", "--url", url, "--today", "2024-06-01", "--applicant", "municipality"]
    assert main([*args, "--demo"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    calls_end = lines.index("programmes to watch (not calls; never linked to a site):")
    assert [row.split()[1] for row in lines[calls_end + 1 :]] == [
        "komuenerg",
        "irop_2021_2027",
        "clld_mas",
        "eea_norway_grants",
    ]
    heads = [row for row in lines[:calls_end] if not row.startswith("    ")]
    verdicts = [row.split()[1] for row in heads]
    # the verdict stored as 'unknown' is shown as 'to_check' (it was printed as 'unknown' before)
    assert verdicts == sorted(verdicts, key=["eligible", "to_check", "not_eligible"].index)
    small = lines.index(next(row for row in heads if " res_plus_3_2024:" in row))
    assert lines[small].startswith("- not_eligible")
    assert lines[small + 1] == "    capacity: capacity 1.4 MWp exceeds the 1 MWp limit"
    assert any(" res_plus_3_2022 [closed]:" in row for row in heads)
    opst40 = next(row for row in heads if " opst_40_2023_ustecky:" in row)
    assert opst40.startswith("- not_eligible")  # in the demo region (Ústecký kraj), but rooftop PV is not its use
    assert main([*args, "--use", "public_services", "--demo"]) == 0
    again = capsys.readouterr().out
    assert next(r for r in again.splitlines() if " opst_40_2023_ustecky:" in r).startswith("? to_check")
    monkeypatch.setenv("GISPLAN_LANG", "cs")
    assert main(args) == 0
    assert "    capacity: výkon 1,4 MWp překračuje limit 1 MWp" in capsys.readouterr().out
    assert main(["funding", "match", "demo:nope", "--url", url]) == 1
    assert capsys.readouterr().err.startswith("error: there is no site 'demo:nope'")


def test_sync_and_save(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = open_store(url)
    store.transaction(SYSTEM, _site)
    store.close()
    assert main(["funding", "sync", "--url", url]) == 0
    assert capsys.readouterr().out.startswith("added 23, updated 0, unchanged 0")
    args = ["funding", "match", "demo:roof1", "--url", url, "--today", "2024-06-01", "--demo", "--save"]
    assert main([*args, "--applicant", "municipality"]) == 0
    out = capsys.readouterr().out
    eligible_or_unknown = sum(1 for row in out.splitlines() if row.startswith(("+ ", "? ")))
    assert out.strip().endswith(f"saved {eligible_or_unknown} link(s) for demo:roof1 as system")
    store = open_store(url)
    assert len(store.funding_links("demo:roof1")) == eligible_or_unknown
    store.close()
