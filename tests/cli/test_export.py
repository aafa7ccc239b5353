"""``gisplan shortlist …`` and ``gisplan export`` end to end on a small SQLite store."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pyogrio
import pypdf
import pytest

from gisplan.cli import main
from gisplan.store import open_store
from tests.export.conftest import ExportWorld, filled_template, sqlite_template  # noqa: F401 - shared fixtures


@pytest.fixture
def url(tmp_path: Path, filled_template: tuple[Path, ExportWorld]) -> str:  # noqa: F811
    path = tmp_path / "store.sqlite"
    shutil.copyfile(filled_template[0], path)
    return f"sqlite:///{path}"


def test_shortlist_by_status_and_by_hand_then_list_and_show(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shortlist", "add", "screening", "--status", "screening", "--create", "--url", url]) == 0
    assert "added 1 of 1 sites to 'screening'; it now holds 1" in capsys.readouterr().out
    assert main(["shortlist", "add", "screening", "uk:1", "t:in", "--url", url]) == 0
    assert "added 1 of 2 sites" in capsys.readouterr().out
    assert main(["shortlist", "list", "--url", url]) == 0
    listed = capsys.readouterr().out
    assert "screening\t2 sites\t-\tby system" in listed
    assert "Ústí 2027\t4 sites\tground_pv\tby planner" in listed
    assert main(["shortlist", "show", "screening", "--url", url]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[1:] == ["t:in", "uk:1"]
    assert "'by': 'status'" in shown[0]


def test_shortlist_by_score_and_remove_and_delete(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shortlist", "create", "best", "--profile", "ground_pv", "--url", url]) == 0
    code = main(["shortlist", "add", "best", "--profile", "ground_pv", "--min-score", "30", "--url", url])
    assert code == 0
    assert "added 2 of 2 sites" in capsys.readouterr().out  # t:in 72.5 and t:out 31; t:mas scores 0
    assert main(["shortlist", "remove", "best", "t:out", "--url", url]) == 0
    assert "removed 1 sites" in capsys.readouterr().out
    assert main(["shortlist", "delete", "best", "--url", url]) == 0
    assert main(["shortlist", "show", "best", "--url", url]) == 1
    assert "there is no shortlist 'best'" in capsys.readouterr().err


def test_errors_are_one_line(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shortlist", "add", "x", "t:in", "--url", url]) == 1
    assert capsys.readouterr().err.startswith("error: there is no shortlist 'x'")
    assert main(["shortlist", "add", "x", "--url", url]) == 1
    assert "name sites to add" in capsys.readouterr().err
    assert main(["shortlist", "add", "Ústí 2027", "t:in", "--as", "animator", "--url", url]) == 1
    assert "only the creator" in capsys.readouterr().err
    assert main(["shortlist", "add", "y", "--min-score", "50", "--create", "--url", url]) == 1
    assert "needs the scoring profile" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", ["gpkg", "csv", "xlsx", "pdf", "html"])
def test_export_writes_each_format(url: str, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"out.{suffix}"
    code = main(["export", "--shortlist", "Ústí 2027", "--out", str(out), "--as", "planner", "--url", url])
    assert code == 0, capsys.readouterr().err
    assert f"exported 4 sites of shortlist 'Ústí 2027' (ground_pv) -> {out}" in capsys.readouterr().out
    if suffix == "gpkg":
        assert pyogrio.read_info(out, layer="sites")["features"] == 3
    elif suffix == "csv":
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert len(rows) == 5
    elif suffix == "pdf":
        assert len(pypdf.PdfReader(out).pages) == 4
    elif suffix == "html":
        assert out.read_text(encoding="utf-8").count('<section class="page">') == 4
    else:
        assert out.stat().st_size > 0
    store = open_store(url)
    assert store.audit_log(target_type="export")[0].actor_name == "planner"
    store.close()


def test_export_one_dossier_and_a_register_csv(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "t_in.pdf"
    args = ["export", "--shortlist", "Ústí 2027", "--out", str(pdf), "--site", "t:in", "--lang", "en", "--url", url]
    assert main(args) == 0
    assert "Site dossier" in pypdf.PdfReader(pdf).pages[0].extract_text()
    uk = tmp_path / "uk.csv"
    assert main(["export", "--shortlist", "Ústí 2027", "--out", str(uk), "--variant", "uk-blr", "--url", url]) == 0
    assert uk.read_text(encoding="utf-8-sig").startswith("resource-date,entry-date,organisation,site,")


def test_export_refusals(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["export", "--shortlist", "Ústí 2027", "--url", url]
    assert main([*base, "--out", str(tmp_path / "x.shp")]) == 1
    assert "must end in one of .gpkg" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path / "x.gpkg"), "--site", "t:in"]) == 1
    assert "--site is only for dossiers" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path / "x.gpkg"), "--as", "obec111"]) == 1
    assert "permission denied" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path / "nope" / "x.gpkg")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_an_unknown_export_language_is_refused(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.xlsx"
    code = main(["export", "--shortlist", "Ústí 2027", "--out", str(out), "--lang", "de", "--url", url])
    assert code != 0
    assert "--lang 'de': use one of cs, en, pl, hu, da" in capsys.readouterr().err
    assert not out.exists()
    assert main(["export", "--shortlist", "Ústí 2027", "--out", str(out), "--lang", "hu", "--url", url]) == 0
    import openpyxl

    assert openpyxl.load_workbook(out).sheetnames[0] == "Áttekintés"
