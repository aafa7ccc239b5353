"""``gisplan participation …`` on a SQLite store: moderate, open a vote, issue codes, results, export."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest

from gisplan.cli import main
from gisplan.intake._boundaries import PlaceContext
from gisplan.participation import ProposalForm, Requester, cast_ballot, submit_proposal
from gisplan.store import SYSTEM, Scope, open_store
from tests.participation.conftest import point


@pytest.fixture
def url(tmp_path: Path) -> str:
    store_url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    place = PlaceContext(municipalities=None, code_column="kod_obce", region_lonlat=None)
    with open_store(store_url) as store:
        store.add_user(SYSTEM, "anna", "animator", scope=Scope.parse(["municipality:111"]), password=None)
        for title in ("Solar school", "Bench <script>", "LED lamps"):
            form = ProposalForm(
                title=title, description="", category="solar", geometry=point(), municipality_code="111"
            )
            submit_proposal(store, form, Requester(), context=place)
    return store_url


def test_whole_vote_from_the_command_line(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for pid, cost in ((1, "60"), (2, "50"), (3, "45")):
        assert (
            main(["participation", "moderate", str(pid), "accept", "--cost", cost, "--as", "anna", "--url", url]) == 0
        )
    assert main(["participation", "proposals", "--state", "accepted", "--url", url]) == 0
    assert "3 proposals" in capsys.readouterr().out
    argv = ["participation", "open-vote", "--title", "Budget 2027", "--budget", "100", "--as", "anna", "--url", url]
    argv += ["--proposal", "1", "--proposal", "2", "--proposal", "3", "--cost", "3=40", "--municipality", "111"]
    assert main(argv) == 0
    assert "opened vote 1" in capsys.readouterr().out
    codes_csv = tmp_path / "codes.csv"
    assert (
        main(["participation", "codes", "1", "--count", "3", "--out", str(codes_csv), "--as", "anna", "--url", url])
        == 0
    )
    assert stat.S_IMODE(codes_csv.stat().st_mode) == 0o600
    with codes_csv.open(encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    assert len(codes) == 3
    assert main(["participation", "codes", "1", "--count", "1", "--out", str(codes_csv), "--url", url]) == 1
    with open_store(url) as store:
        cast_ballot(store, 1, codes[0], [2, 3])
        cast_ballot(store, 1, codes[1], [2])
        cast_ballot(store, 1, codes[2], [1, 3])
    capsys.readouterr()
    assert main(["participation", "results", "1", "--url", url]) == 0
    out = capsys.readouterr().out
    # 2: 2 votes (50) funded, 50 left; 3: 2 votes (40) funded, 10 left; 1: 1 vote (60) does not fit.
    lines = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [(cells[1], cells[2], cells[4]) for cells in lines] == [
        ("3", "2", "yes"),
        ("2", "2", "yes"),
        ("1", "1", "no"),
    ]
    assert "ballots 3, codes used 3 of 3" in out
    assert main(["participation", "export", "1", "--out", str(tmp_path / "r.csv"), "--url", url]) == 0
    assert "Bench <script>" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert main(["participation", "export", "1", "--out", str(tmp_path / "r.gpkg"), "--url", url]) == 0
    import geopandas as gpd

    assert len(gpd.read_file(tmp_path / "r.gpkg")) == 3
    assert main(["participation", "close-vote", "1", "--as", "anna", "--url", url]) == 0


def test_bad_arguments_are_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["participation", "moderate", "1", "maybe", "--url", url]) == 1
    assert "accept or reject" in capsys.readouterr().err
    assert main(["participation", "open-vote", "--title", "T", "--budget", "-5", "--proposal", "1", "--url", url]) == 1
    assert main(["participation", "export", "1", "--out", "r.xlsx", "--url", url]) == 1
    argv = [
        "participation",
        "open-vote",
        "--title",
        "Budget",
        "--budget",
        "5",
        "--proposal",
        "1",
        "--cost",
        "x",
        "--url",
    ]
    assert main([*argv, url]) == 1
    assert "PROPOSAL_ID=AMOUNT" in capsys.readouterr().err
