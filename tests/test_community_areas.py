"""Communities with a boundary: reading it, the sites inside it, and potential against demand per municipality."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from gisplan.cli import main
from gisplan.communities import community_report
from gisplan.community_areas import municipality_balance, read_boundary, sites_within, store_boundary
from gisplan.demand import DemandRecord, load_measured_demand
from gisplan.errors import InputError, NotFoundError
from gisplan.store import SYSTEM, Store, open_store
from gisplan.store.models import Site
from tests.funding.pipeline_world import PipelineWorld, build_pipeline_world
from tests.store.conftest import pg_schema, sqlite_template, store, store_url  # noqa: F401 - fixtures (both backends)


@pytest.fixture
def world(store: Store) -> PipelineWorld:  # noqa: F811
    ids = build_pipeline_world(store)

    def far_site(tx: Any) -> None:  # one site far outside every boundary of the tests
        tx.session.add(
            Site(
                id="t:far",
                kind="rooftop",
                name="Far",
                source="t",
                source_id="far",
                municipality_code="554821",
                attributes={},
                geom=tx.with_srid(box(X0 + 5000, Y0, X0 + 5010, Y0 + 10)),
                minx=X0 + 5000,
                miny=Y0,
                maxx=X0 + 5010,
                maxy=Y0 + 10,
            )
        )

    store.transaction(SYSTEM, far_site)
    store.transaction(SYSTEM, _with_bboxes)
    return ids


#: Where the world's sites are moved [m, EPSG:5514]: near Ústí nad Labem (S-JTSK is ill-conditioned at 0, 0).
X0, Y0 = -760_000.0, -970_000.0


def _with_bboxes(tx: Any) -> None:
    """Move the world's sites (0–10 m squares) to (X0, Y0) and give them their view boxes."""
    for site in tx.session.query(Site).all():
        if site.minx is None:
            site.geom = tx.with_srid(box(X0, Y0, X0 + 10, Y0 + 10))
            site.minx, site.miny, site.maxx, site.maxy = X0, Y0, X0 + 10, Y0 + 10


def _area_file(tmp_path: Path, srid: int, name: str = "area.geojson") -> Path:
    """Two squares (joined) around the world's sites (0–10 m), written in EPSG:4326."""
    frame = gpd.GeoDataFrame(
        {"name": ["<b>west</b>", "east"]},
        geometry=[box(X0 - 50, Y0 - 50, X0 + 20, Y0 + 50), box(X0 + 15, Y0 - 50, X0 + 60, Y0 + 50)],
        crs=srid,
    )
    path = tmp_path / name
    frame.to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def test_read_boundary_joins_the_shapes_and_refuses_what_is_no_area(tmp_path: Path) -> None:
    shape = read_boundary(_area_file(tmp_path, 5514))
    assert shape["type"] == "Polygon"  # the two squares overlap: one polygon
    lines = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=4326)
    lines.to_file(tmp_path / "line.geojson", driver="GeoJSON")
    with pytest.raises(InputError, match="holds no polygon"):
        read_boundary(tmp_path / "line.geojson")
    with pytest.raises(InputError, match="does not exist"):
        read_boundary(tmp_path / "nope.gpkg")


def test_sites_inside_a_boundary_are_listed_with_the_community(
    store: Store,  # noqa: F811
    world: PipelineWorld,
    tmp_path: Path,
) -> None:
    before = community_report(store, world.energy_community)
    assert before.sites["site_id"].tolist() == ["t:s1", "t:s6"]  # linked only
    shape = read_boundary(_area_file(tmp_path, store.srid))
    assert sites_within(store, shape) == ["t:s1", "t:s2", "t:s3", "t:s4", "t:s5", "t:s6"]  # not t:far
    assert store_boundary(store, SYSTEM, str(world.energy_community), shape, source="area.geojson") == (
        world.energy_community
    )
    after = community_report(store, world.energy_community, include_ended=True)
    assert after.sites["site_id"].tolist() == ["t:s1", "t:s2", "t:s3", "t:s4", "t:s5", "t:s6"]
    assert after.community["attributes"]["boundary_source"] == "area.geojson"
    with pytest.raises(NotFoundError, match="no community 'energy_community:NOPE'"):
        store_boundary(store, SYSTEM, "energy_community:NOPE", shape, source="x")


def test_balance_per_municipality_says_measured_or_estimated(store: Store, world: PipelineWorld) -> None:  # noqa: F811
    from gisplan._storeframes import StoreFrames

    load_measured_demand(store, SYSTEM, [DemandRecord("municipality", "599101", 2024, 4000.0, "ČEZ")])
    report = community_report(store, world.mas)
    frames = StoreFrames(store)
    scores = frames.scores(report.sites["site_id"].tolist(), profile="rooftop_pv")
    balance = municipality_balance(frames, report.sites, scores, ["599101", "599102"]).set_index("municipality_code")
    brehice, dizky = balance.loc["599101"], balance.loc["599102"]
    assert (brehice["potential_mwh_yr"], brehice["demand_mwh_yr"], brehice["demand_source"]) == (
        130.0,
        4000.0,
        "measured",
    )
    assert (brehice["demand_year"], brehice["demand_data_source"]) == (2024, "ČEZ")
    assert brehice["coverage"] == pytest.approx(130.0 / 4000.0)
    # s4 is excluded under rooftop_pv, s3 rejected: nothing counts in Dižky; its demand is estimated
    assert (dizky["potential_mwh_yr"], dizky["sites"], dizky["demand_source"]) == (0.0, 0, "estimated")
    assert dizky["coverage"] == 0.0


def test_cli_boundary(store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    with open_store(store_url, upgrade=False) as opened:
        ids = build_pipeline_world(opened)
        opened.transaction(SYSTEM, _with_bboxes)
        srid = opened.srid
    path = _area_file(tmp_path, srid)
    assert main(["territories", "boundary", str(ids.energy_community), str(path), "--url", store_url]) == 0
    assert "6 current site(s) inside it" in capsys.readouterr().out
    assert main(["territories", "boundary", "mas", str(path), "--url", store_url]) == 1
    assert "give its id or kind:code" in capsys.readouterr().err
    with open_store(store_url, upgrade=False) as opened:
        stored = next(c for c in opened.communities() if c.id == ids.energy_community)
        assert json.dumps(stored.attributes["boundary"]).startswith('{"type": "Polygon"')
