"""Numbers a planner can trust on real data (issue 12): declared areas, land cover, population.

Real public data from ``../shared/data`` (see its SOURCES.md), read only through the
``shared_data`` fixture; context layers come from the demo catalogue, as ``gisplan score``
would use them. The demo layers lie in Czechia, so they cover none of the English or US sites.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gisplan import score, settings
from gisplan.energy import capacity_kwp
from gisplan.measurements.demand import allocate_population, assign_municipality, demand_within
from gisplan.measurements.geometry import usable_area
from gisplan.sources import read

pytestmark = pytest.mark.shared_data

UK_COUNCILS = ("bar", "bns", "dnc", "nel", "rot", "sto", "wkf")
ACRE_M2 = 4_046.856_422_4
DECANY = "564729"


@pytest.fixture(scope="module")
def uk_sites(shared_data: Path) -> gpd.GeoDataFrame:
    folder = shared_data / "brownfields"
    parts = [read(folder / f"uk_blr_local-authority-eng-{code}.csv") for code in UK_COUNCILS]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=parts[0].crs)


@pytest.fixture(scope="module")
def demo_catalogue(demo_data_dir: Path) -> Iterator[Path]:
    with settings.override(data_dir=demo_data_dir):
        yield demo_data_dir / "layers"


@pytest.fixture(scope="module")
def decany_parcels(shared_data: Path) -> gpd.GeoDataFrame:
    vfr = shared_data / "ruian_cz" / "OB_564729_UKSH_20140331_Decany.xml.gz"
    return read(vfr, layer="parcely", kind="municipal_land")


@pytest.fixture(scope="module")
def obce(shared_data: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(shared_data / "admin_cz" / "admin_cz.gpkg", layer="obce", bbox=(13.8, 50.35, 14.2, 50.55))
    return frame.to_crs("EPSG:5514")


# ---------------------------------------------------------------- 1. declared areas


def test_all_uk_register_sites_get_their_declared_hectares(uk_sites: gpd.GeoDataFrame) -> None:
    assert len(uk_sites) == 556
    np.testing.assert_allclose(uk_sites["area_m2"], uk_sites["hectares"] * 10_000, rtol=1e-12, equal_nan=True)
    # one Doncaster row is blank (no site, place or hectares): not available, not 0
    blank = uk_sites["hectares"].isna()
    assert blank.sum() == 1
    assert set(uk_sites.loc[~blank, "area_source"]) == {"declared:hectares[ha]"}
    assert set(uk_sites.loc[blank, "area_source"]) == {"not_available"}
    assert (uk_sites["area_m2"] != 0).all()
    hatfield = uk_sites.loc[uk_sites["hectares"].idxmax()]
    assert hatfield["area_m2"] == pytest.approx(2_683_860.0)  # the 268 ha Doncaster site


@pytest.fixture(scope="module")
def uk_scored(uk_sites: gpd.GeoDataFrame, demo_catalogue: Path) -> gpd.GeoDataFrame:
    return score(uk_sites, "redevelopment", catalogue=demo_catalogue, language="en")


def test_uk_sites_keep_their_area_through_scoring(uk_scored: gpd.GeoDataFrame, uk_sites: gpd.GeoDataFrame) -> None:
    np.testing.assert_allclose(uk_scored["area_m2"], uk_sites["hectares"] * 10_000, rtol=1e-9, equal_nan=True)
    assert uk_scored["area_source"].tolist() == uk_sites["area_source"].tolist()
    assert uk_scored["excluded"].sum() == 1  # the blank Doncaster row: no location
    # a point has no shape: compactness is not available rather than 0
    assert uk_scored["compactness"].isna().all()
    # every site with more than the redevelopment area ramp's 1,000 m² scores above 0
    sized = uk_scored["area_m2"] > 1_000
    assert sized.sum() == 447
    assert (uk_scored.loc[sized, "score"] > 0).all()


def test_every_uk_site_nothing_excludes_scores_above_zero(uk_scored: gpd.GeoDataFrame) -> None:
    kept = uk_scored.loc[~uk_scored["excluded"]]
    assert len(kept) == 555
    assert (kept["score"] > 0).all()
    # Rotherham lists 82 sites by address and hectares only: scored on their area, the rest not available
    unplaced = kept.geometry.isna()
    assert unplaced.sum() == 82
    # the demo (Czech) context layers do not reach England: only the area (weight 2 of 10) is measured
    assert np.allclose(kept["completeness"], 0.2)
    first = {line["criterion"]: line["provenance"] for line in json.loads(kept["breakdown"].iloc[0])}
    assert first["area_m2"] == "measured"
    assert first["dist_road_m"] == first["buildings_within_1000m"] == "not_available"
    assert all(json.loads(h) == [] for h in kept["handicaps"])  # no "no road within 5 km" from a Czech layer
    # the blank Doncaster row (no coordinates, no hectares) is excluded, and says why
    blank = uk_scored.loc[uk_scored["excluded"]]
    assert len(blank) == 1
    assert json.loads(blank["exclusion_reasons"].iloc[0]) == [
        "The site has neither a location nor an area: nothing to score it on; add coordinates or a shape at the source"
    ]


@pytest.mark.parametrize("group", ["military", "agriculture"])
def test_epa_sites_with_acres_get_capacity(shared_data: Path, group: str) -> None:
    sites = read(shared_data / "brownfields" / f"us_epa_repowering_{group}.geojson")
    assert sites["source"].iloc[0] == "us-epa"
    with_acres = sites["acres"] > 0
    assert with_acres.all()
    assert set(sites["area_source"]) == {"declared:Acres[acres]"}
    np.testing.assert_allclose(sites["area_m2"], sites["acres"] * ACRE_M2, rtol=1e-12)
    usable = usable_area(sites)
    capacity = capacity_kwp(usable, sites["kind"])
    assert (capacity[with_acres.to_numpy()] > 0).all()
    assert "estimated_pv_capacity" in sites.columns  # the EPA attributes keep their full names


def test_a_2100_acre_base_is_not_under_0_2_ha(shared_data: Path, demo_catalogue: Path) -> None:
    sites = read(shared_data / "brownfields" / "us_epa_repowering_military.geojson")
    base = sites[sites["acres"] == 2_100].head(1)
    out = score(base, "ground_pv", catalogue=demo_catalogue, language="en").iloc[0]
    assert out["area_m2"] == pytest.approx(2_100 * ACRE_M2)
    assert out["usable_area_m2"] > 0.95 * out["area_m2"]
    assert out["capacity_kwp"] > 100_000
    assert "under 0.2 ha" not in str(out["exclusion_reasons"])


# ---------------------------------------------------------------- 6. land cover


def test_decany_parcels_carry_land_cover(decany_parcels: gpd.GeoDataFrame) -> None:
    counts = decany_parcels["land_cover"].value_counts()
    assert counts["forest"] == 71
    assert counts["water"] == 325
    assert decany_parcels["land_cover"].notna().all()


@pytest.mark.parametrize(
    ("profile", "forest", "water"),
    [
        ("ground_pv", "Lesní pozemek: FVE vyžaduje vynětí z PUPFL", "Vodní plocha"),
        ("redevelopment", "Lesní pozemek: zástavba vyžaduje vynětí z PUPFL", "Vodní plocha"),
        ("community_energy", "Lesní pozemek: FVE vyžaduje vynětí z PUPFL", "Vodní plocha"),
    ],
)
def test_decany_forest_and_water_parcels_are_excluded_with_a_reason(
    decany_parcels: gpd.GeoDataFrame, demo_catalogue: Path, profile: str, forest: str, water: str
) -> None:
    out = score(decany_parcels, profile, catalogue=demo_catalogue, language="cs")
    for cover, reason in (("forest", forest), ("water", water)):
        chosen = out[out["land_cover"] == cover]
        assert chosen["excluded"].all()
        assert chosen["score"].eq(0).all()
        assert chosen["exclusion_reasons"].astype(str).str.contains(reason, regex=False).all()
    others = out[~out["land_cover"].isin(["forest", "water"])]
    assert not others["exclusion_reasons"].astype(str).str.contains("PUPFL|Vodní plocha").any()


# ---------------------------------------------------------------- 5. population


def test_decany_population_sums_to_each_municipality(shared_data: Path, obce: gpd.GeoDataFrame) -> None:
    buildings = read(shared_data / "ruian_cz" / "OB_564729_UKSH_20140331_Decany.xml.gz")
    assert len(buildings) == 298
    population = allocate_population(buildings, obce)
    owner = assign_municipality(buildings, obce)
    codes = pd.Series(obce["kod_obce"].to_numpy()[np.maximum(owner, 0)], index=buildings.index).where(owner >= 0)
    sums = population.groupby(codes).sum(min_count=1)
    pocet = obce.set_index("kod_obce")["pocet_obyv"]
    assert sums[DECANY] == pytest.approx(pocet[DECANY])  # 394
    # each municipality that got people got exactly its own population, never more
    allocated = sums.dropna()
    np.testing.assert_allclose(allocated.to_numpy(), pocet[allocated.index].to_numpy())
    # the one barn inside the generalised Třebívlice boundary gets none of its 839 inhabitants
    trebivlice = codes != DECANY
    assert trebivlice.sum() == 1
    assert population[trebivlice].isna().all()
    # dwellings first: non-residential buildings of Děčany get nobody
    dwelling = buildings["zpusob_vyuziti_kod"].isin([2, 3, 6, 7])
    assert population[~dwelling & (codes == DECANY)].fillna(0).eq(0).all()
    near = demand_within(buildings, buildings.assign(population=population), radius_m=500)
    assert near["population_within_500m"].max() <= pocet[DECANY]
