"""Scoring provenance: measured, assumed or not available; completeness; "nothing within X" only where covered."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gisplan import score
from gisplan.measurements.raster import RasterLayer
from gisplan.measures import MIN_EXTENT_MARGIN_M
from gisplan.profiles import Profile

CRS = "EPSG:5514"
X0, Y0 = -750_000.0, -1_000_000.0  # a place in Czechia, in S-JTSK / Krovak East North
FAR = 1_000_000.0  # [m] far beyond every layer


def profile(**extra: Any) -> Profile:
    data: dict[str, Any] = {
        "name": "prov",
        "version": "1",
        "title": {"cs": "Původ", "en": "Provenance"},
        "site_kinds": ["brownfield"],
        "measures": [
            {"type": "raster", "layer": "ghi", "name": "ghi", "unit": "kwh_m2_yr", "optional": True},
            {"type": "proximity", "layer": "substations", "name": "substation", "radius_m": 5000},
            {"type": "overlay", "layer": "protected_areas", "name": "protected"},
        ],
        "handicaps": [
            {
                "id": "protected",
                "level": "medium",
                "when": {"column": "protected_share", "op": ">", "value": 0},
                "reason": {"cs": "Chráněné", "en": "Protected"},
            },
            {
                "id": "far_from_grid",
                "level": "heavy",
                "when": {"column": "dist_substation_m", "op": "missing"},
                "reason": {"cs": "Daleko od rozvodny", "en": "No substation within 5 km"},
            },
        ],
        "criteria": [
            {"column": "area_m2", "weight": 2, "ramp": {"bad": 0, "good": 10_000}},
            {"column": "dist_substation_m", "weight": 1, "ramp": {"bad": 5000, "good": 0}},
            {"column": "ghi_mean_kwh_m2_yr", "weight": 1, "ramp": {"bad": 950, "good": 1200}, "default": 0.5},
        ],
    }
    data.update(extra)
    return Profile.model_validate(data)


def layers(*, raster: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        # two substations 30 km apart: the layer covers the strip between them
        "substations": gpd.GeoDataFrame(
            geometry=[shapely.Point(X0, Y0), shapely.Point(X0 + 30_000, Y0)],
            crs=CRS,
        ),
        "protected_areas": gpd.GeoDataFrame(
            geometry=[shapely.box(X0 + 14_000, Y0 - 1000, X0 + 16_000, Y0 + 1000)], crs=CRS
        ),
    }
    if raster:
        # 1100 kWh/m²/yr on a 40 × 10 km strip over the same place, 100 m cells
        out["ghi"] = RasterLayer(np.full((100, 400), 1100.0), Affine(100, 0, X0 - 5000, 0, -100, Y0 + 5000), CRS)
    return out


def site(x: float, y: float, side: float = 100.0) -> shapely.Polygon:
    return shapely.box(x, y, x + side, y + side)


def sites(*geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kind": "brownfield", "site_id": [f"b:{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=CRS
    )


def lines(row: Any) -> dict[str, dict[str, Any]]:
    return {line["criterion"]: line for line in json.loads(row["breakdown"])}


def test_a_site_every_layer_covers_is_fully_measured() -> None:
    out = score(sites(site(X0 + 1000, Y0)), profile(), layers=layers(), language="en").iloc[0]
    got = lines(out)
    assert {got[c]["provenance"] for c in ("area_m2", "dist_substation_m", "ghi_mean_kwh_m2_yr")} == {"measured"}
    assert out["completeness"] == 1.0
    assert out["ghi_mean_kwh_m2_yr"] == pytest.approx(1100.0)


def test_a_site_beyond_every_layer_is_not_available_not_zero() -> None:
    out = score(sites(site(X0 + FAR, Y0)), profile(), layers=layers(), language="en").iloc[0]
    got = lines(out)
    # nothing says there is no substation near: the layer stops 1,000 km away
    assert math.isnan(out["dist_substation_m"])
    assert got["dist_substation_m"]["provenance"] == "not_available"
    assert got["dist_substation_m"]["normalised"] is None
    assert got["dist_substation_m"]["contribution"] == 0.0
    assert json.loads(out["handicaps"]) == []
    assert "handicap:far_from_grid" not in got
    # an overlay that does not reach is not "outside every protected area"
    assert math.isnan(out["protected_share"])
    # the irradiation raster does not reach: the profile's named default stands in, marked as assumed
    assert got["ghi_mean_kwh_m2_yr"]["provenance"] == "assumed"
    assert got["ghi_mean_kwh_m2_yr"]["contribution"] == pytest.approx(100 * 1 * 0.5 / 4)
    # area is the site's own: measured; 2 of 4 weight units
    assert got["area_m2"]["provenance"] == "measured"
    assert out["completeness"] == pytest.approx(0.5)
    assert out["score"] == pytest.approx(sum(line["contribution"] for line in got.values()))


def test_nothing_within_the_radius_is_a_measurement_where_the_layer_covers() -> None:
    # 15 km from both substations, inside the layer's extent: no substation within 5 km is a fact
    out = score(sites(site(X0 + 15_000, Y0 + 3000)), profile(), layers=layers(), language="en").iloc[0]
    got = lines(out)
    assert math.isnan(out["dist_substation_m"])
    assert got["dist_substation_m"]["provenance"] == "measured"
    assert [h["name"] for h in json.loads(out["handicaps"])] == ["far_from_grid"]
    assert got["handicap:far_from_grid"]["contribution"] < 0
    assert out["completeness"] == 1.0


def test_an_optional_layer_that_is_missing_makes_the_score_less_complete(tmp_path: Path) -> None:
    no_catalogue = {"layers": layers(raster=False), "catalogue": tmp_path}
    out = score(sites(site(X0 + 1000, Y0)), profile(), language="en", **no_catalogue).iloc[0]
    got = lines(out)
    assert got["ghi_mean_kwh_m2_yr"]["provenance"] == "assumed"
    assert out["completeness"] == pytest.approx(0.75)


def test_an_empty_layer_covers_nothing() -> None:
    empty = layers()
    empty["substations"] = gpd.GeoDataFrame(geometry=[], crs=CRS)
    out = score(sites(site(X0 + 1000, Y0)), profile(), layers=empty, language="en").iloc[0]
    assert lines(out)["dist_substation_m"]["provenance"] == "not_available"
    assert json.loads(out["handicaps"]) == []


def test_the_extent_margin_is_at_least_the_radius(tmp_path: Path) -> None:
    # just beyond the last substation by less than the margin: still covered
    inside = X0 + 30_000 + MIN_EXTENT_MARGIN_M - 500
    outside = X0 + 30_000 + MIN_EXTENT_MARGIN_M + 500
    two = sites(site(inside, Y0), site(outside, Y0))
    out = score(two, profile(), layers=layers(raster=False), catalogue=tmp_path, language="en")
    provenance = [lines(row)["dist_substation_m"]["provenance"] for _, row in out.iterrows()]
    assert provenance == ["measured", "not_available"]


def test_unknown_roof_type_is_assumed() -> None:
    prof = profile(
        site_kinds=["rooftop"],
        criteria=[
            {"column": "area_m2", "weight": 1, "ramp": {"bad": 0, "good": 400}},
            {"column": "roof_type", "weight": 1, "categories": {"flat": 1.0, "pitched": 0.8, "unknown": 0.6}},
        ],
    )
    roofs = sites(site(X0 + 1000, Y0, 20), site(X0 + 1100, Y0, 20))
    roofs["kind"] = "rooftop"
    roofs["roof_shape"] = ["flat", None]
    out = score(roofs, prof, layers=layers(), language="en")
    assert [lines(r)["roof_type"]["provenance"] for _, r in out.iterrows()] == ["measured", "assumed"]
    assert out["completeness"].tolist() == [1.0, 0.5]


# ---------------------------------------------------------------- properties

coordinate = st.floats(min_value=-60_000, max_value=60_000, allow_nan=False)
size = st.floats(min_value=0.5, max_value=30_000, allow_nan=False)


@st.composite
def polygons(draw: st.DrawFn) -> shapely.Geometry:
    x, y = draw(coordinate), draw(coordinate)
    far = draw(st.sampled_from([0.0, 0.0, FAR, -FAR]))
    w, h = draw(size), draw(size)
    shape = draw(st.sampled_from(["box", "triangle", "sliver"]))
    x0, y0 = X0 + x + far, Y0 + y
    if shape == "box":
        return shapely.box(x0, y0, x0 + w, y0 + h)
    if shape == "triangle":
        return shapely.Polygon([(x0, y0), (x0 + w, y0), (x0, y0 + h)])
    return shapely.box(x0, y0, x0 + w, y0 + 0.01)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(polygons(), min_size=1, max_size=6))
def test_random_polygons_across_and_beyond_the_layers_never_raise(geoms: list[shapely.Geometry]) -> None:
    out = score(sites(*geoms), profile(), layers=layers(), language="en")
    for _, row in out.iterrows():
        got = json.loads(row["breakdown"])
        assert row["score"] == pytest.approx(sum(line["contribution"] for line in got), abs=1e-3)
        assert 0.0 <= row["completeness"] <= 1.0
        measured = sum(line["weight"] for line in got if line.get("provenance") == "measured" and line["weight"])
        assert row["completeness"] == pytest.approx(measured / 4, abs=1e-3)
        kinds = {line["criterion"]: line["provenance"] for line in got if "provenance" in line}
        if kinds["dist_substation_m"] == "not_available":
            assert "far_from_grid" not in {h["name"] for h in json.loads(row["handicaps"])}


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=-4000, max_value=34_000), st.floats(min_value=-4000, max_value=4000))
def test_completeness_is_one_inside_every_layer_and_drops_outside_one(dx: float, dy: float) -> None:
    inside = score(sites(site(X0 + dx, Y0 + dy)), profile(), layers=layers(), language="en").iloc[0]
    assert inside["completeness"] == 1.0
    shrunk = layers()
    shrunk["ghi"] = RasterLayer(np.full((2, 2), 1100.0), Affine(100, 0, X0 + FAR, 0, -100, Y0), CRS)
    outside = score(sites(site(X0 + dx, Y0 + dy)), profile(), layers=shrunk, language="en").iloc[0]
    assert outside["completeness"] == pytest.approx(0.75)


def test_a_site_with_neither_location_nor_area_is_excluded_with_the_reason(tmp_path: Path) -> None:
    rows = sites(site(X0 + 1000, Y0), site(X0 + 2000, Y0))
    rows.loc[1, "geometry"] = None
    out = score(rows, profile(), layers=layers(raster=False), catalogue=tmp_path, language="cs")
    assert out["excluded"].tolist() == [False, True]
    assert json.loads(out["exclusion_reasons"].iloc[1]) == [
        "Lokalita nemá polohu ani výměru: není podle čeho ji hodnotit; doplňte souřadnice nebo tvar ve zdroji"
    ]
    assert out["score"].iloc[1] == 0.0


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    crs=st.sampled_from(["EPSG:4326", "EPSG:3857", "EPSG:32633", "EPSG:3035", "EPSG:5514"]),
    dlon=st.floats(min_value=-0.5, max_value=0.5),
    dlat=st.floats(min_value=-0.3, max_value=0.3),
    side_m=st.floats(min_value=1.0, max_value=50_000.0),
)
def test_polygons_in_any_crs_score_without_an_exception(
    crs: str, dlon: float, dlat: float, side_m: float, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A square near the layers (or far beyond them), given in any of several CRSs, scores; numbers stay sane."""
    from gisplan.crs import transformer

    to_lonlat = transformer(CRS, "EPSG:4326")
    lon, lat = to_lonlat.transform(X0 + 15_000, Y0)
    x, y = transformer("EPSG:4326", crs).transform(lon + dlon, lat + dlat)
    unit = 1.0 if crs != "EPSG:4326" else 1 / 111_000
    square = shapely.box(x, y, x + side_m * unit, y + side_m * unit)
    rows = gpd.GeoDataFrame({"kind": ["brownfield"], "site_id": ["b:0"]}, geometry=[square], crs=crs)
    out = score(rows, profile(), layers=layers(), catalogue=tmp_path_factory.mktemp("nocat"), language="en")
    row = out.iloc[0]
    assert 0.0 <= row["score"] <= 100.0
    assert 0.0 <= row["completeness"] <= 1.0
    assert row["area_m2"] > 0
