"""Municipal parcels."""

from __future__ import annotations

import numpy as np
import shapely

from gisplan.demo import DemoRegion
from gisplan.demo._parcels import LAND_USE


def test_parcels_belong_to_their_municipality(small_region: DemoRegion) -> None:
    p = small_region.parcels
    munis = small_region.municipalities.set_index("kod_obce")
    assert len(p) >= 2 * len(munis)
    assert set(p["kod_obce"]) == set(munis.index)
    for code, group in p.groupby("kod_obce"):
        inside = shapely.within(np.asarray(group.geometry.values, dtype=object), munis.geometry[code].buffer(0.01))
        assert inside.all(), code
        assert (group["obec"] == munis.loc[code, "nazev_obce"]).all()
        assert group["vlastnik"].str.endswith(munis.loc[code, "nazev_obce"]).all()


def test_parcel_attributes(small_region: DemoRegion) -> None:
    p = small_region.parcels
    assert set(p["druh_pozemku_kod"]) <= set(LAND_USE)
    assert {2, 7, 13, 14} <= set(p["druh_pozemku_kod"])
    assert (p["druh_pozemku"] == p["druh_pozemku_kod"].map(LAND_USE)).all()
    assert p["kod"].is_unique
    assert not p.duplicated(["kod_obce", "parcelni_cislo"]).any()
    built = p[p["druh_pozemku_kod"] == 13]
    assert built["parcelni_cislo"].str.fullmatch(r"st\. \d+").all()
    np.testing.assert_allclose(p["vymera_m2"], p.area, atol=1.0)
    assert p.is_valid.all()


def test_parcels_do_not_overlap_and_hold_civic_buildings(small_region: DemoRegion) -> None:
    geoms = np.asarray(small_region.parcels.geometry.values, dtype=object)
    left, _right = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    assert left.size == 0
    b = small_region.buildings
    civic = np.asarray(b.geometry[b["building_type"] == "civic"].values, dtype=object)
    built = shapely.union_all(geoms[(small_region.parcels["druh_pozemku_kod"] == 13).to_numpy()])
    assert shapely.within(civic, built.buffer(0.01)).all()
