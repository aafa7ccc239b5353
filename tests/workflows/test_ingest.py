"""Ingest of scored GeoPackages: idempotent, keeps people's work, end-dates vanished sites."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from gisplan.errors import ConfigError, InputError, PermissionDeniedError, SourceNotFoundError, UnreadableSourceError
from gisplan.store import Store
from gisplan.workflows.ingest import ingest
from tests.store.helpers import World, wkt_equal, write_scored

ROWS = [
    {"source": "ruian", "source_id": "1", "score": 80.0, "name": "Cukrovar"},
    {
        "source": "ruian",
        "source_id": "2",
        "score": 40.0,
        "name": "Sklad",
        "geom": box(-769_000, -990_000, -768_800, -989_800),
    },
    {"source": "ruian", "source_id": "3", "score": 10.0, "excluded": True, "exclusion_reasons": ["flood zone Q100"]},
]


def test_ingest_loads_sites_and_scores(store: Store, world: World, tmp_path: Path) -> None:
    report = ingest(store, write_scored(tmp_path / "a.gpkg", ROWS), "pv")
    assert (report.inserted, report.updated, report.unchanged, report.ended, report.scores) == (3, 0, 0, 0, 3)
    site = store.get_site("ruian:2")
    assert (site.kind, site.name, site.source, site.source_id, site.status) == (
        "brownfield",
        "Sklad",
        "ruian",
        "2",
        "new",
    )
    assert (site.municipality_code, site.region_code) == ("111", "CZ042")
    assert site.attributes["owner"] == "obec"
    assert wkt_equal(site.geom, box(-769_000, -990_000, -768_800, -989_800))
    assert (site.minx, site.miny, site.maxx, site.maxy) == (-769_000, -990_000, -768_800, -989_800)
    [score] = store.site_scores("ruian:1")
    assert (score.profile, score.score, score.excluded, score.energy_mwh_yr) == ("pv", 80.0, False, 700.0)
    assert sum(item["contribution"] for item in score.breakdown) == pytest.approx(score.score)
    assert score.criteria == {"dist_substation_m": 800.0}
    excluded = store.site_scores("ruian:3")[0]
    assert (excluded.excluded, excluded.exclusion_reasons) == (True, ["flood zone Q100"])
    top = store.top_sites("pv")
    assert [s.id for s, _ in top] == ["ruian:1", "ruian:2"]
    in_view = store.top_sites("pv", bbox=(-769_100, -990_100, -768_700, -989_700))
    assert [s.id for s, _ in in_view] == ["ruian:2"]
    entry = store.audit_log(target_type="profile")[0]
    assert (entry.action, entry.target_id, entry.after["inserted"]) == ("ingest", "pv", 3)


@pytest.mark.parametrize("bulk", [None, False], ids=["default", "row_by_row"])
def test_reingest_is_idempotent(store: Store, world: World, tmp_path: Path, bulk: bool | None) -> None:
    path = write_scored(tmp_path / "a.gpkg", ROWS)
    ingest(store, path, "pv", bulk=bulk)
    versions = {s.id: s.version for s in store.list_sites()}
    again = ingest(store, path, "pv", bulk=bulk)
    assert (again.inserted, again.updated, again.unchanged, again.ended) == (0, 0, 3, 0)
    assert {s.id: s.version for s in store.list_sites()} == versions


@pytest.mark.parametrize("bulk", [None, False], ids=["default", "row_by_row"])
def test_reingest_updates_scores_and_attributes_and_keeps_peoples_work(
    store: Store, world: World, tmp_path: Path, bulk: bool | None
) -> None:
    ingest(store, write_scored(tmp_path / "a.gpkg", ROWS), "pv", bulk=bulk)
    site = store.get_site("ruian:1")
    site = store.change_status(world.animator, "ruian:1", "screening", expected_version=site.version)
    store.update_site(world.animator, "ruian:1", expected_version=site.version, note="call the mayor", priority="high")
    store.add_annotation(world.animator, "ruian:1", "Roof is asbestos-free.")
    store.link_community(world.animator, "ruian:1", world.municipality_111, role="owner")
    store.link_funding_call(world.animator, "ruian:1", world.call, verdict="eligible", note="OPST fits")

    changed = [dict(ROWS[0], score=91.0, name="Cukrovar (new name)", owner="kraj"), ROWS[1], ROWS[2]]
    report = ingest(store, write_scored(tmp_path / "b.gpkg", changed), "pv", bulk=bulk)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)

    site = store.get_site("ruian:1")
    assert (site.name, site.attributes["owner"]) == ("Cukrovar (new name)", "kraj")
    assert store.site_scores("ruian:1")[0].score == 91.0
    assert (site.status, site.note, site.priority) == ("screening", "call the mayor", "high")
    assert [a.text for a in store.annotations("ruian:1")] == ["Roof is asbestos-free."]
    assert [link.role for link in store.community_links("ruian:1")] == ["owner"]
    assert [(f.verdict, f.note) for f in store.funding_links("ruian:1")] == [("eligible", "OPST fits")]
    assert [h.to_status for h in store.status_history("ruian:1")] == ["screening"]


@pytest.mark.parametrize("bulk", [None, False], ids=["default", "row_by_row"])
def test_vanished_sites_are_end_dated_not_deleted_and_come_back(
    store: Store, world: World, tmp_path: Path, bulk: bool | None
) -> None:
    ingest(store, write_scored(tmp_path / "a.gpkg", ROWS), "pv", bulk=bulk)
    store.add_annotation(world.animator, "ruian:3", "keep me")
    report = ingest(store, write_scored(tmp_path / "b.gpkg", ROWS[:2]), "pv", today=dt.date(2026, 11, 30), bulk=bulk)
    assert report.ended == 1
    gone = store.get_site("ruian:3")
    assert gone.end_date == dt.date(2026, 11, 30)
    assert "ruian:3" not in {s.id for s in store.list_sites()}
    assert [a.text for a in store.annotations("ruian:3")] == ["keep me"]
    # Sites of other sources are not touched by an ingest that does not mention them.
    assert store.get_site("t:in").end_date is None
    back = ingest(store, write_scored(tmp_path / "c.gpkg", ROWS), "pv", bulk=bulk)
    assert (back.updated, back.ended) == (1, 0)
    assert store.get_site("ruian:3").end_date is None


def test_two_profiles_keep_separate_scores(store: Store, world: World, tmp_path: Path) -> None:
    ingest(store, write_scored(tmp_path / "pv.gpkg", ROWS, profile="pv"), "pv")
    ingest(
        store, write_scored(tmp_path / "ce.gpkg", [dict(r, score=20.0) for r in ROWS], profile="community"), "community"
    )
    scores = {s.profile: s.score for s in store.site_scores("ruian:1")}
    assert scores == {"community": 20.0, "pv": 80.0}


def test_ingest_reprojects_to_the_working_crs(store: Store, world: World, tmp_path: Path) -> None:
    ingest(store, write_scored(tmp_path / "wgs.gpkg", ROWS[1:2], crs="EPSG:4326"), "pv")
    site = store.get_site("ruian:2")
    assert wkt_equal(site.geom, box(-769_000, -990_000, -768_800, -989_800), tolerance=0.5)


def test_bad_file_lists_every_problem(store: Store, world: World, tmp_path: Path) -> None:
    path = write_scored(tmp_path / "bad.gpkg", [ROWS[0], dict(ROWS[0], kind="castle", score=120.0)])
    gdf = gpd.read_file(path, layer="sites")
    gdf.loc[1, "breakdown"] = "{not json"
    gdf.to_file(path, layer="sites", driver="GPKG")
    with pytest.raises(InputError) as caught:
        ingest(store, path, "pv")
    text = str(caught.value)
    assert "'ruian:1' occurs more than once" in text
    assert "row 1, field kind" in text
    assert "120.0 is outside 0–100" in text
    assert "row 1, field breakdown: not valid JSON" in text
    with pytest.raises(InputError, match="holds \\['pv'\\], not 'other'"):
        ingest(store, write_scored(tmp_path / "ok.gpkg", ROWS), "other")
    assert {s.id for s in store.list_sites()} == {"t:in", "t:out", "t:mas"}


def test_missing_or_foreign_files_are_clear_errors(store: Store, world: World, tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="gisplan score"):
        ingest(store, tmp_path / "nope.gpkg", "pv")
    other = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:5514").to_file(other, layer="roads")
    with pytest.raises(UnreadableSourceError, match="no layer 'sites'"):
        ingest(store, other, "pv")
    text_file = tmp_path / "x.gpkg"
    text_file.write_text(json.dumps({"not": "a geopackage"}))
    with pytest.raises(UnreadableSourceError):
        ingest(store, text_file, "pv")


def test_only_admins_ingest(store: Store, world: World, tmp_path: Path) -> None:
    with pytest.raises(PermissionDeniedError):
        ingest(store, write_scored(tmp_path / "a.gpkg", ROWS), "pv", actor=world.animator)
    assert {s.id for s in store.list_sites()} == {"t:in", "t:out", "t:mas"}
    ingest(store, write_scored(tmp_path / "a.gpkg", ROWS), "pv", actor=world.admin)
    assert len(store.list_sites()) == 6


def test_view_box_query_gives_the_same_answer_through_either_index(
    store: Store, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        {
            "source": "grid",
            "source_id": f"{i}",
            "score": float(i),
            "geom": box(-769_000 + 300 * i, -990_000, -768_900 + 300 * i, -989_900),
        }
        for i in range(10)
    ]
    ingest(store, write_scored(tmp_path / "grid.gpkg", rows), "pv")
    view = (-767_950.0, -990_500.0, -766_000.0, -989_000.0)
    box_first = [s.id for s, _ in store.top_sites("pv", bbox=view, limit=4)]
    monkeypatch.setattr("gisplan.store.store.BBOX_FIRST_LIMIT", 0)
    score_first = [s.id for s, _ in store.top_sites("pv", bbox=view, limit=4)]
    assert box_first == score_first == ["grid:9", "grid:8", "grid:7", "grid:6"]
    assert [s.id for s, _ in store.top_sites("pv", bbox=view, limit=50)][-1] == "grid:4"


def test_bulk_ingest_needs_postgresql(store: Store, world: World, tmp_path: Path) -> None:
    path = write_scored(tmp_path / "a.gpkg", ROWS)
    if store.engine.dialect.name == "sqlite":
        with pytest.raises(ConfigError, match="PostgreSQL"):
            ingest(store, path, "pv", bulk=True)
        assert store.counts()["site_scores"] == 0
    else:
        report = ingest(store, path, "pv", bulk=True)
        assert (report.inserted, report.scores) == (3, 3)


@pytest.mark.parametrize("store_url", [pytest.param("postgis", marks=pytest.mark.postgis)], indirect=True)
def test_bulk_and_row_by_row_give_the_same_store(store: Store, world: World, tmp_path: Path) -> None:
    """Both paths, one after the other on the same file: the second finds nothing to change (PostgreSQL only)."""
    assert store.engine.dialect.name == "postgresql"
    first = write_scored(tmp_path / "a.gpkg", ROWS)
    ingest(store, first, "pv", bulk=True)
    again = ingest(store, first, "pv", bulk=False)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    changed = write_scored(tmp_path / "b.gpkg", [dict(ROWS[0], score=91.0, name="Nový"), ROWS[1]])
    ingest(store, changed, "pv", bulk=False)
    rows = {s.id: (s.name, s.version, s.end_date, s.source_hash) for s in store.list_sites(include_ended=True)}
    back = ingest(store, changed, "pv", bulk=True)
    assert (back.inserted, back.updated, back.unchanged, back.ended) == (0, 0, 2, 0)
    assert {s.id: (s.name, s.version, s.end_date, s.source_hash) for s in store.list_sites(include_ended=True)} == rows
    assert store.site_scores("ruian:1")[0].score == 91.0
