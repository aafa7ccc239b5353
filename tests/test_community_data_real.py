"""Real data (Děčany, kód 564729, RÚIAN 2014): measured demand, an energy community's boundary and its sites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely

from gisplan.cli import main
from gisplan.communities import community_report
from gisplan.store import SYSTEM, Member, Store, open_store
from gisplan.store.models import Site
from gisplan.territories import read_municipalities, store_municipalities

pytestmark = pytest.mark.shared_data

DECANY = "564729"


@pytest.fixture
def decany(shared_data: Path, tmp_path: Path) -> tuple[str, Path]:
    """A SQLite store with Děčany (boundary from the VFR file) and its 298 RÚIAN buildings as rooftop sites."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    gpkg = shared_data / "ruian_cz" / "decany_564729_ruian2014.gpkg"
    table = read_municipalities(shared_data / "ruian_cz" / "OB_564729_UKSH_20140331_Decany.xml.gz")
    table["region_code"] = "CZ042"
    buildings = pyogrio.read_dataframe(gpkg, layer="stavebni_objekty")
    with open_store(url) as store:
        store_municipalities(store, SYSTEM, table, source="VFR")

        def add_sites(tx: Any) -> None:
            for code, geom in zip(buildings["Kod"], buildings.geometry, strict=True):
                x0, y0, x1, y1 = geom.bounds
                tx.session.add(
                    Site(
                        id=f"ruian:SO.{code}",
                        kind="rooftop",
                        name=f"SO {code}",
                        source="ruian",
                        source_id=str(code),
                        municipality_code=DECANY,
                        region_code="CZ042",
                        attributes={},
                        geom=tx.with_srid(geom),
                        minx=x0,
                        miny=y0,
                        maxx=x1,
                        maxy=y1,
                    )
                )

        store.transaction(SYSTEM, add_sites)
    return url, gpkg


def test_decany_measured_demand_and_an_energy_community_by_its_area(decany: tuple[str, Path], tmp_path: Path) -> None:
    url, gpkg = decany
    demand = tmp_path / "spotreba.csv"
    demand.write_text("municipality_code;mwh_yr;year;source\n564729;1 150,5;2024;EG.D odečty\n", encoding="utf-8")
    assert main(["demand", "load", str(demand), "--url", url]) == 0

    # the cadastral area of Solany as an energy community's area, from its own file
    areas = pyogrio.read_dataframe(gpkg, layer="katastralni_uzemi")
    name_column = next(c for c in areas.columns if c.lower().startswith("nazev"))
    solany = areas[areas[name_column] == "Solany"]
    assert len(solany) == 1
    area_file = tmp_path / "solany.gpkg"
    solany.to_file(area_file, driver="GPKG")
    buildings = pyogrio.read_dataframe(gpkg, layer="stavebni_objekty")
    points = shapely.point_on_surface(buildings.geometry.to_numpy())
    expected = int(shapely.contains_xy(solany.geometry.iloc[0], shapely.get_x(points), shapely.get_y(points)).sum())
    assert 0 < expected < len(buildings)

    with open_store(url) as store:
        ek = store.add_community(
            SYSTEM, "energy_community", "EK Solany", code="EKS", members=[Member("Děčany", municipality_code=DECANY)]
        )
    assert main(["territories", "boundary", "energy_community:EKS", str(area_file), "--url", url]) == 0

    with open_store(url) as store:
        municipality = next(c for c in store.communities("municipality") if c.code == DECANY)
        report = community_report(store, municipality.id)
        assert report.demand is not None
        assert (report.demand.source, report.demand.year, report.demand.mwh_yr) == ("measured", 2024, 1150.5)
        assert report.demand.data_source == "EG.D odečty"
        assert len(report.sites) == len(buildings) == 298
        energy = community_report(store, ek.id)
        # the simplified stored boundary (5 m) may move a building on its edge: allow one either way
        assert abs(len(energy.sites) - expected) <= 1
        assert len(energy.sites) < len(report.sites)
        assert _share_inside(store, energy.sites["site_id"].tolist(), solany) > 0.99


def _share_inside(store: Store, site_ids: list[str], area: gpd.GeoDataFrame) -> float:
    sites = [store.get_site(i) for i in site_ids]
    inside = [area.geometry.iloc[0].buffer(10).contains(s.geom.representative_point()) for s in sites]
    return sum(inside) / len(inside)
