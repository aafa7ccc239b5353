"""Power lines and substations."""

from __future__ import annotations

import numpy as np
import shapely

from gisplan.demo import DemoRegion


def test_voltages_and_connections(small_region: DemoRegion) -> None:
    lines, subs = small_region.power_lines, small_region.substations
    assert set(lines["voltage_kv"]) == {110, 22}
    assert (subs["voltage_kv"] == 110).all() and len(subs) >= 1
    assert lines["kod"].is_unique
    yards = shapely.union_all([g.buffer(1.0) for g in subs.geometry])
    hv = lines[lines["voltage_kv"] == 110]
    assert sum(g.intersects(yards) for g in hv.geometry) >= 3  # lines end at the substations
    mv = lines[lines["voltage_kv"] == 22]
    ends = shapely.get_coordinates(shapely.boundary(np.asarray(mv.geometry.values, dtype=object)))
    # the 22 kV feeders form one tree from the substations: every end point touches another line or a yard
    network = shapely.union_all([*mv.geometry, yards])
    assert shapely.distance(shapely.points(ends), network).max() < 1e-6
    np.testing.assert_allclose(lines["delka_m"], lines.length, atol=0.1)


def test_every_municipality_is_on_the_grid(small_region: DemoRegion) -> None:
    mv = shapely.union_all(small_region.power_lines[small_region.power_lines["voltage_kv"] == 22].geometry.values)
    for name, geom in zip(small_region.municipalities["nazev_obce"], small_region.municipalities.geometry, strict=True):
        assert geom.intersects(mv), name
