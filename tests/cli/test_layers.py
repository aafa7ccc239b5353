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


def test_scaffold_then_check_names_unfilled_slots_per_profile(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, layers = tmp_path / "data", tmp_path / "layers"
    data.mkdir()
    for rel in ("ruian_cz/OB_564729_UKSH_20140331_Decany.xml.gz", "admin_cz/admin_cz.gpkg",
                "grid/grid_hv_central_europe_dk.gpkg", "raster/lux_elev.tif"):  # fmt: skip
        (data / Path(rel).name).symlink_to(shared_data / rel)
    shutil.copytree(PROJECT_ROOT / "layers" / "profiles", layers / "profiles")
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(layers))
    assert main(["layers", "scaffold", str(data)]) == 0
    out = capsys.readouterr().out
    assert "decany_buildings: candidate -> slot buildings" in out
    assert "grid_hv_central_europe_dk_substations: context -> slot substations" in out
    assert "rooftop_pv: cannot run: no layer for slot(s) protected_areas" in out
    assert "unfilled slots: protected_areas: add a layer for each" in out
    written = layers / "region.yaml"
    assert main(["layers", "scaffold", str(data)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["layers", "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: 8 layers")
    assert "protected_areas (UNFILLED)" in out and "'unavailable: [protected_areas]'" in out
    written.write_text(written.read_text("utf-8").replace("# unavailable: [", "unavailable: ["), "utf-8")
    assert main(["layers", "check"]) == 0
    out = capsys.readouterr().out
    assert "rooftop_pv: runs; candidates: decany_buildings" in out
    assert "protected_areas (declared not available)" in out
    # the scaffolded catalogue scores and loads the region as the hand-written example does
    monkeypatch.setenv("GISPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert main(["region", "load", "--no-progress", "--profile", "rooftop_pv"]) == 0
    assert "rooftop_pv: scored 298 sites" in capsys.readouterr().out


def test_scaffold_will_not_write_into_the_demo_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GISPLAN_LAYERS_DIR", raising=False)
    assert main(["layers", "scaffold", str(tmp_path)]) == 1
    assert "give --out FILE.yaml" in capsys.readouterr().err
    assert main(["layers", "scaffold", str(tmp_path), "--out", str(tmp_path / "c.txt")]) == 1
    assert "nothing in" in capsys.readouterr().err
