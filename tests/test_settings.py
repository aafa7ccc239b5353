from __future__ import annotations

from pathlib import Path

import pytest

from gisplan import settings
from gisplan.errors import ConfigError


def test_defaults_point_into_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATA_DIR", "LAYERS_DIR", "DATABASE_URL", "LANG", "BASEMAP", "MAX_UPLOAD_MB", "OFFLINE"):
        monkeypatch.delenv(f"GISPLAN_{name}", raising=False)
    s = settings.get()
    assert s.data_dir == settings.PROJECT_ROOT / "data"
    assert s.layers_dir == settings.PROJECT_ROOT / "layers"
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("/data/gisplan.sqlite")
    assert (s.language, s.basemap, s.max_upload_mb, s.offline) == ("cs", "osm", 50, False)


def test_environment_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(tmp_path))
    assert settings.get().data_dir == tmp_path
    assert settings.get().database_url == f"sqlite:///{tmp_path.as_posix()}/gisplan.sqlite"
    monkeypatch.setenv("GISPLAN_LANG", "EN")
    monkeypatch.setenv("GISPLAN_OFFLINE", "yes")
    assert settings.get().language == "en"
    assert settings.get().offline is True


def test_every_bad_variable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GISPLAN_LANG", "de")
    monkeypatch.setenv("GISPLAN_MAX_UPLOAD_MB", "lots")
    monkeypatch.setenv("GISPLAN_OFFLINE", "perhaps")
    with pytest.raises(ConfigError) as info:
        settings.get()
    names = sorted(p.file for p in info.value.problems)
    assert names == ["GISPLAN_LANG", "GISPLAN_MAX_UPLOAD_MB", "GISPLAN_OFFLINE"]
    assert isinstance(info.value, ValueError)


def test_override_is_scoped(tmp_path: Path) -> None:
    before = settings.get().data_dir
    with settings.override(data_dir=tmp_path) as s:
        assert s.data_dir == tmp_path
        assert settings.get().data_dir == tmp_path
    assert settings.get().data_dir == before
    with pytest.raises(ConfigError, match="unknown settings"), settings.override(colour="red"):
        pass
