"""``gisplan site …`` and ``gisplan moderation …``: the daily verbs, acting as a user, on a SQLite store."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import yaml

from gisplan.cli import main
from gisplan.store import Store, open_store
from gisplan.workflows import moderation as mod
from tests.store.helpers import REGION_IN, World, build_world
from tests.workflows.test_moderation import CRS, X0, Y0, submit, tiny_profile


@pytest.fixture
def world_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, World, str]:
    """A store with the store tests' world, and a catalogue with one substation and the tiny profile."""
    data, layers = tmp_path / "data", tmp_path / "layers"
    (layers / "profiles").mkdir(parents=True)
    data.mkdir()
    gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 700, Y0 + 100)], crs=CRS).to_file(
        data / "substations.gpkg", layer="substations"
    )
    entry = {
        "id": "t_substations",
        "title": {"cs": "Rozvodny", "en": "Substations"},
        "kind": "vector",
        "role": "context",
        "source": {"type": "file", "path": "substations.gpkg", "layer": "substations"},
        "licence": "test data",
    }
    (layers / "t.yaml").write_text(yaml.safe_dump({"layers": [entry]}, allow_unicode=True), encoding="utf-8")
    profile = tiny_profile().model_dump(mode="json", exclude_none=True)
    (layers / "profiles" / "tiny.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(layers))
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = open_store(url)
    return store, build_world(store), url


def _site(store: Store, site_id: str) -> tuple[object, ...]:
    site = store.get_site(site_id)
    scores = [(s.profile, s.score, s.capacity_kwp, s.energy_mwh_yr, s.excluded) for s in store.site_scores(site_id)]
    return site.kind, site.region_code, site.municipality_code, site.area_m2, site.status, scores


def test_accept_from_the_cli_stores_the_same_site_as_the_api(
    world_url: tuple[Store, World, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, world, url = world_url
    by_cli, by_api = submit(store, world.municipality), submit(store, world.municipality)
    assert main(["moderation", "list", "--as", "animator", "--url", url]) == 0
    listed = capsys.readouterr().out
    assert f"#{by_cli.id} v" in listed and f"#{by_api.id} v" in listed
    assert main(["moderation", "accept", str(by_cli.id), "--as", "animator", "--feedback", "ok", "--url", url]) == 0
    assert f"as site submission:{by_cli.id} (tiny " in capsys.readouterr().out
    mod.accept(store, world.animator, by_api.id, expected_version=by_api.version, feedback="ok")
    cli_site, api_site = _site(store, f"submission:{by_cli.id}"), _site(store, f"submission:{by_api.id}")
    assert cli_site == api_site
    assert cli_site[1] == REGION_IN and cli_site[5] and cli_site[5][0][1] is not None  # region code and a score
    told = [n.kind for n in mod.notices(store, world.municipality)]
    assert told.count("submission.accepted") == 2
    # the same submission again is refused with the state, not accepted twice
    assert main(["moderation", "accept", str(by_cli.id), "--as", "animator", "--url", url]) == 1
    assert "only" in capsys.readouterr().err


def test_reject_and_return_need_a_reason_and_respect_scope(
    world_url: tuple[Store, World, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, world, url = world_url
    sub, other = submit(store, world.municipality), submit(store, world.municipality)
    assert main(["moderation", "reject", str(sub.id), "--as", "animator", "--url", url]) == 2  # --reason missing
    assert main(["moderation", "reject", str(sub.id), "--reason", "  ", "--as", "animator", "--url", url]) == 1
    assert main(["moderation", "reject", str(sub.id), "--reason", "x", "--as", "animator_mas", "--url", url]) == 1
    assert "permission" in capsys.readouterr().err.lower()
    assert main(["moderation", "reject", str(sub.id), "--reason", "zatopená", "--as", "animator", "--url", url]) == 0
    assert main(["moderation", "return", str(other.id), "--comment", "doplňte", "--as", "animator", "--url", url]) == 0
    states = {s.id: s.state for s in store.submissions()}
    assert (states[sub.id], states[other.id]) == ("rejected", "returned")
    assert main(["moderation", "accept", "999", "--as", "animator", "--url", url]) == 1
    assert "no submission #999" in capsys.readouterr().err


def test_site_status_note_and_links_act_as_the_user(
    world_url: tuple[Store, World, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, _, url = world_url
    assert main(["site", "status", "t:in", "screening", "--as", "animator", "--url", url]) == 0
    assert "t:in: new -> screening" in capsys.readouterr().out
    assert main(["site", "status", "t:in", "funded!", "--as", "animator", "--url", url]) == 1
    assert "is not one of" in capsys.readouterr().err
    assert main(["site", "status", "t:out", "screening", "--as", "animator", "--url", url]) == 1  # outside scope
    assert store.get_site("t:out").status == "new"
    assert main(["site", "note", "t:in", "Střecha školy", "--as", "animator", "--url", url]) == 0
    assert main(["site", "note", "t:in", "   ", "--as", "animator", "--url", url]) == 1
    assert main(["site", "link-call", "t:in", "OPST-1", "--verdict", "eligible", "--as", "animator", "--url", url]) == 0
    assert main(["site", "link-call", "t:in", "NOPE", "--as", "animator", "--url", url]) == 1
    assert "gisplan funding sync" in capsys.readouterr().err
    assert main(["site", "link-community", "t:in", "111", "--as", "animator", "--url", url]) == 0
    capsys.readouterr()
    assert main(["site", "show", "t:in", "--url", url]) == 0
    shown = capsys.readouterr().out
    assert "status screening" in shown and "Střecha školy" in shown and "call OPST-1: eligible" in shown
    assert "community municipality Děčany" in shown
    writes = [e for e in store.audit_log(target_type="site", target_id="t:in") if e.outcome == "ok"]
    assert writes and {e.actor_name for e in writes} == {"animator"}  # every CLI write is the animator's
