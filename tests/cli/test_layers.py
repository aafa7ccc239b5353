from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gisplan.cli import main
from gisplan.settings import PROJECT_ROOT


def test_shipped_catalogue_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers", "check", "--no-files"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ")
    assert main(["layers", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing.strip().endswith("layers")


def test_broken_copy_fails_with_file_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "layers"
    shutil.copytree(PROJECT_ROOT / "layers", copy)
    victim = sorted(copy.glob("*.yaml"))[0]
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace("role: candidate", "role: candidat", 1), encoding="utf-8")
    (copy / "zz_broken.yaml").write_text("layers:\n  - id: bad\n    kind: vector\n", encoding="utf-8")
    assert main(["layers", "check", "--no-files", "--dir", str(copy)]) == 1
    err = capsys.readouterr().err
    assert f"{victim}: layer " in err and ", field role: " in err
    assert f"{copy / 'zz_broken.yaml'}: layer bad, field title: Field required" in err
    assert "Traceback" not in err


def test_missing_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers", "list", "--dir", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: layer catalogue folder") and "\n" not in err


def test_malformed_yaml_is_one_line_per_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("layers: [\n", encoding="utf-8")
    assert main(["layers", "list", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "a.yaml: line" in err and "not valid YAML" in err and "Traceback" not in err
