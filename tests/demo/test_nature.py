"""Protected areas."""

from __future__ import annotations

import shapely

from gisplan.demo import EXTENT, DemoRegion
from gisplan.demo._nature import CATEGORIES


def test_categories_and_flags(small_region: DemoRegion) -> None:
    pa = small_region.protected_areas
    assert set(pa["kategorie"]) == set(CATEGORIES)
    for cat, (english, natura) in CATEGORIES.items():
        rows = pa[pa["kategorie"] == cat]
        assert (rows["kategorie_en"] == english).all()
        assert (rows["natura2000"] == natura).all()
        assert rows["nazev"].str.startswith(cat + " ").all()
    assert pa["kod"].is_unique
    assert pa.within(shapely.box(*EXTENT).buffer(0.01)).all()
    assert pa.is_valid.all()
    chko = pa[pa["kategorie"] == "CHKO"].geometry.iloc[0]
    assert chko.touches(shapely.box(*EXTENT).exterior) or chko.intersects(shapely.box(*EXTENT).exterior)  # a part


def test_river_site_follows_the_river(small_region: DemoRegion) -> None:
    pa = small_region.protected_areas
    river = small_region.terrain.river
    niva = pa[pa["nazev"].str.startswith("EVL Niva")].geometry.iloc[0]
    assert niva.intersection(river).length > 3000.0
