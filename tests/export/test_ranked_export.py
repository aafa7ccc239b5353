"""A shortlist that remembers its profile: filled by filter with the best kept sites, exported best first.

The demo brownfields are scored with ground_pv (46 sites, 13 of them excluded) and
ingested; a shortlist made with ``--profile ground_pv`` is filled with
``shortlist add --municipality … --limit 10`` (no ``--profile``), then exported.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyogrio
import pytest

from gisplan import settings
from gisplan.cli import main
from gisplan.store import Store, open_store
from gisplan.workflows import shortlists as sl
from gisplan.workflows.ingest import ingest

PROFILE = "ground_pv"


@dataclass
class Scored:
    """A store with the scored demo brownfields, its URL and the kept sites best first."""

    store: Store
    url: str
    best_kept: list[str]
    municipalities: list[str]


@pytest.fixture(scope="module")
def scored(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Scored]:
    folder = tmp_path_factory.mktemp("ranked")
    out = folder / "scored.gpkg"
    layers = demo_data_dir / "layers"
    with settings.override(data_dir=demo_data_dir):
        assert main(["score", "-p", PROFILE, "-s", "demo_brownfields", "--catalogue", str(layers), "-o", str(out)]) == 0
    shutil.copyfile(sqlite_template, folder / "store.sqlite")
    url = f"sqlite:///{folder / 'store.sqlite'}"
    store = open_store(url, upgrade=False)
    ingest(store, out, PROFILE)
    ranked = store.top_sites(PROFILE, limit=1000, include_excluded=True)
    kept = [site.id for site, score in ranked if not score.excluded]
    assert len(kept) >= 10 and len(kept) < len(ranked)  # some are excluded, or the test proves nothing
    codes = sorted({site.municipality_code for site, _ in ranked if site.municipality_code})
    yield Scored(store, url, kept, codes)
    store.close()


def _scores(store: Store, site_ids: list[str]) -> dict[str, tuple[float, bool]]:
    found = {}
    for site_id in site_ids:
        (score,) = [s for s in store.site_scores(site_id) if s.profile == PROFILE]
        found[site_id] = (float(score.score or 0.0), bool(score.excluded))
    return found


def test_add_by_filter_takes_the_best_kept_sites_of_the_shortlists_profile(
    scored: Scored, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = scored.url
    assert main(["shortlist", "create", "best10", "--profile", PROFILE, "--url", url]) == 0
    places = [arg for code in scored.municipalities for arg in ("--municipality", code)]
    assert main(["shortlist", "add", "best10", *places, "--limit", "10", "--url", url]) == 0
    assert f"best score under {PROFILE} first" in capsys.readouterr().out
    members = sl.members(scored.store, "best10")
    assert sorted(members) == sorted(scored.best_kept[:10])
    scores = _scores(scored.store, members)
    assert not any(excluded for _, excluded in scores.values())
    worst_in = min(score for score, _ in scores.values())
    others = _scores(scored.store, scored.best_kept[10:])
    assert all(score <= worst_in for score, _ in others.values())

    gpkg, table = tmp_path / "best10.gpkg", tmp_path / "best10.csv"
    assert main(["export", "--shortlist", "best10", "--out", str(gpkg), "--url", url]) == 0
    assert main(["export", "--shortlist", "best10", "--out", str(table), "--url", url]) == 0
    layer = pyogrio.read_dataframe(gpkg, layer="sites")
    assert list(layer["rank"]) == list(range(1, 11))
    assert list(layer["site_id"]) == scored.best_kept[:10]
    assert list(layer["score"]) == sorted(layer["score"], reverse=True)
    assert set(layer["profile"]) == {PROFILE}
    assert pyogrio.read_info(gpkg)["dataset_metadata"]["gisplan_profile"] == PROFILE
    with table.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [row["rank"] for row in rows] == [str(i) for i in range(1, 11)]
    assert [row["site_id"] for row in rows] == scored.best_kept[:10]
    assert [float(row["score"]) for row in rows] == sorted((float(r["score"]) for r in rows), reverse=True)
    assert {row["profile"] for row in rows} == {PROFILE}


def test_include_excluded_and_a_changed_profile(scored: Scored, capsys: pytest.CaptureFixture[str]) -> None:
    url = scored.url
    assert main(["shortlist", "create", "all", "--url", url]) == 0
    assert main(["shortlist", "edit", "all", "--profile", "no_such_profile", "--url", url]) == 1
    assert "is not a scoring profile" in capsys.readouterr().err
    assert main(["shortlist", "edit", "all", "--profile", PROFILE, "--url", url]) == 0
    assert sl.get_shortlist(scored.store, "all").profile == PROFILE
    assert main(["shortlist", "add", "all", "--kind", "brownfield", "--include-excluded", "--url", url]) == 0
    members = sl.members(scored.store, "all")
    assert any(excluded for _, excluded in _scores(scored.store, members).values())


def test_a_shortlist_without_a_profile_says_how_it_was_exported(
    scored: Scored, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = scored.url
    assert main(["shortlist", "add", "plain", *scored.best_kept[:3], "--create", "--url", url]) == 0
    out = tmp_path / "plain.csv"
    assert main(["export", "--shortlist", "plain", "--out", str(out), "--url", url]) == 0
    assert f"names no scoring profile; exported with {PROFILE}" in capsys.readouterr().err


def test_the_xlsx_rounds_every_number_and_keeps_the_rank(scored: Scored, tmp_path: Path) -> None:
    import openpyxl

    url = scored.url
    assert main(["shortlist", "add", "xlsx", *scored.best_kept[:5], "--create", "--url", url]) == 0
    assert main(["shortlist", "edit", "xlsx", "--profile", PROFILE, "--url", url]) == 0
    out = tmp_path / "best.xlsx"
    assert main(["export", "--shortlist", "xlsx", "--out", str(out), "--url", url]) == 0
    sheet = openpyxl.load_workbook(out, read_only=True)["sites"]
    rows = list(sheet.iter_rows(values_only=True))
    head, body = list(rows[0]), rows[1:]
    assert [row[head.index("rank")] for row in body] == [1, 2, 3, 4, 5]
    too_precise = [
        (name, value)
        for row in body
        for name, value in zip(head, row, strict=True)
        if isinstance(value, float) and name not in {"longitude", "latitude"} and round(value, 2) != value
    ]
    assert too_precise == []
