"""``gisplan demo build`` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gisplan import settings
from gisplan.cli import main
from gisplan.demo._catalogue import FILES


def test_default_build_then_refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, layers = tmp_path / "data", tmp_path / "layers"
    argv = ["demo", "build", "--seed", "11", "--scale", "0.02"]
    with settings.override(data_dir=data, layers_dir=layers):
        assert main(argv) == 0
        printed = capsys.readouterr().out
        assert "[demo] buildings:" in printed
        assert printed.strip().splitlines()[-1].startswith(f"ok: demo region in {data / 'demo'}")
        # the default folder gets its catalogue in the layers dir, with paths relative to the data dir
        assert (data / "demo" / FILES["readme"]).is_file()
        assert "path: demo/buildings.gpkg" in (layers / "demo.yaml").read_text(encoding="utf-8")

        assert main(argv) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and "--force" in err and len(err.splitlines()) == 1


def test_bad_scale_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "build", "--out", str(tmp_path / "d"), "--scale", "2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --scale 2.0 is outside (0, 1]")
    assert not (tmp_path / "d").exists()
