"""``gisplan community create|add-member|list`` and ``gisplan secap``, acting as a user on a SQLite store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gisplan.cli import main
from gisplan.secap import SECAP_COLUMNS
from gisplan.store import SYSTEM, Store, open_store
from tests.store.helpers import REGION_IN, World, build_world


@pytest.fixture
def world_url(tmp_path: Path) -> tuple[Store, World, str]:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = open_store(url)
    world = build_world(store)
    store.add_community(SYSTEM, "municipality", "Obec 112", code="112", region_code=REGION_IN)
    store.add_community(SYSTEM, "municipality", "Obec 113", code="113", region_code=REGION_IN)
    return store, world, url


def _members(store: Store, name: str) -> list[str | None]:
    [found] = [c for c in store.communities() if c.name == name]
    return sorted(m.municipality_code for m in store.community_members(found.id))


def test_create_add_members_and_list(world_url: tuple[Store, World, str], capsys: pytest.CaptureFixture[str]) -> None:
    store, _, url = world_url
    args = ["community", "create", "energy_community", "EK Děčany", "--code", "EK1", "--region", REGION_IN]
    assert main([*args, "--member", "111", "--as", "animator", "--url", url]) == 0
    assert _members(store, "EK Děčany") == ["111"]
    assert (
        main(["community", "add-member", "energy_community:EK1", "112", "111", "--as", "animator", "--url", url]) == 0
    )
    assert _members(store, "EK Děčany") == ["111", "112"]  # 111 stays once
    assert "1 member(s) added, 2 in all" in capsys.readouterr().out
    assert main(["community", "list", "--kind", "energy_community", "--url", url]) == 0
    listed = capsys.readouterr().out
    assert "EK1" in listed
    assert "EK Děčany" in listed
    entries = [e for e in store.audit_log() if e.action in {"community.add", "community.edit"} and e.outcome == "ok"]
    assert len([e for e in entries if e.actor_name == "animator"]) == 2


def test_bad_input_is_refused_and_changes_nothing(
    world_url: tuple[Store, World, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, _, url = world_url
    before = len(store.communities())
    assert main(["community", "create", "club", "X", "--as", "animator", "--url", url]) == 1
    assert "not one of municipality, mas, energy_community" in capsys.readouterr().err
    args = ["community", "create", "mas", "MAS 2", "--code", "MAS2", "--region", REGION_IN, "--member", "999999"]
    assert main([*args, "--as", "animator", "--url", url]) == 1
    assert "no municipality with code(s) 999999" in capsys.readouterr().err
    assert main(["community", "add-member", "mas:NOPE", "112", "--as", "animator", "--url", url]) == 1
    assert "no community 'mas:NOPE'" in capsys.readouterr().err
    # a municipality user may not create a MAS: refused by the store, audited, nothing stored
    args = ["community", "create", "mas", "MAS 3", "--region", REGION_IN, "--as", "obec111", "--url", url]
    assert main(args) == 1
    assert len(store.communities()) == before
    assert any(e.outcome == "denied" and e.actor_name == "obec111" for e in store.audit_log())


def test_secap_export_writes_the_template_and_is_audited(world_url: tuple[Store, World, str], tmp_path: Path) -> None:
    store, _, url = world_url
    out = tmp_path / "secap.csv"
    assert main(["secap", "111", "--out", str(out), "--as", "animator", "--url", url]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns) == SECAP_COLUMNS
    assert any(e.action == "export" and "secap 111" in e.target_id for e in store.audit_log())


def test_secap_export_refused_for_a_municipality_user_writes_nothing(
    world_url: tuple[Store, World, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, url = world_url
    out = tmp_path / "secap.xlsx"
    assert main(["secap", "111", "--out", str(out), "--as", "obec111", "--url", url]) == 1
    assert not out.exists()
    assert main(["secap", "111", "--out", str(tmp_path / "secap.pdf"), "--as", "animator", "--url", url]) == 1
    assert "write SECAP actions to a .csv or .xlsx file" in capsys.readouterr().err


def test_secap_export_to_a_missing_folder_is_one_error_line(
    world_url: tuple[Store, World, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, url = world_url
    out = tmp_path / "no-such-folder" / "secap.csv"
    assert main(["secap", "111", "--out", str(out), "--as", "animator", "--url", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: No such file or directory")
    assert "Traceback" not in err
    assert not out.exists()
