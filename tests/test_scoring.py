"""Scoring: hand-computed scores, exclusions, handicaps, the breakdown property, and real Děčany buildings."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gisplan import score
from gisplan.catalogue import Catalogue
from gisplan.errors import ConfigError, InputError
from gisplan.profiles import Profile
from gisplan.scoring import apply_rules, write_scored

CRS = "EPSG:5514"
X0, Y0 = -750_000.0, -1_000_000.0  # a place in Czechia, in S-JTSK / Krovak East North


def profile(**extra: Any) -> Profile:
    data: dict[str, Any] = {
        "name": "tiny",
        "version": "1",
        "title": {"cs": "Malý", "en": "Tiny"},
        "site_kinds": ["rooftop"],
        "measures": [
            {"type": "proximity", "layer": "substations", "name": "substation", "radius_m": 5000},
            {"type": "overlay", "layer": "protected_areas", "name": "protected"},
        ],
        "exclusions": [
            {
                "id": "far",
                "when": {"column": "dist_substation_m", "op": ">", "value": 900},
                "reason": {"cs": "Daleko", "en": "Too far"},
            }
        ],
        "handicaps": [
            {
                "id": "protected",
                "level": "medium",
                "when": {"column": "protected_share", "op": ">", "value": 0},
                "reason": {"cs": "Chráněné", "en": "Protected"},
            }
        ],
        "criteria": [
            {"column": "usable_area_m2", "weight": 1, "ramp": {"bad": 0, "good": 400}},
            {"column": "dist_substation_m", "weight": 1, "ramp": {"bad": 1000, "good": 0}},
        ],
    }
    data.update(extra)
    return Profile.model_validate(data)


def layers() -> dict[str, gpd.GeoDataFrame]:
    return {
        "substations": gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 270, Y0 + 10)], crs=CRS),
        "protected_areas": gpd.GeoDataFrame(geometry=[shapely.box(X0 - 1000, Y0 + 500, X0, Y0 + 600)], crs=CRS),
    }


def roofs() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"kind": "rooftop", "roof_shape": "flat", "site_id": ["r:a", "r:b", "r:c"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 20, Y0 + 20),  # 250 m from the substation
            shapely.box(X0 - 10, Y0 + 540, X0 + 10, Y0 + 560),  # half in the protected area
            shapely.box(X0 + 5000, Y0, X0 + 5020, Y0 + 20),  # 4.7 km away
        ],
        crs=CRS,
    )


def test_hand_computed_scores() -> None:
    out = score(roofs(), profile(), layers=layers(), language="en")
    # usable: 0.6 x (400 m² - 0.5 m x 80 m) = 216 m² -> 0.54 -> 27 points; 250 m -> 0.75 -> 37.5 points
    first = out.iloc[0]
    assert first["usable_area_m2"] == pytest.approx(216.0)
    assert first["dist_substation_m"] == pytest.approx(250.0)
    assert first["score"] == pytest.approx(64.5)
    assert not first["excluded"]
    lines = json.loads(first["breakdown"])
    assert [line["criterion"] for line in lines] == ["usable_area_m2", "dist_substation_m"]
    assert lines[1] == {
        "criterion": "dist_substation_m",
        "raw": 250.0,
        "unit": "m",
        "normalised": 0.75,
        "weight": 1.0,
        "contribution": 37.5,
        "provenance": "measured",
    }
    # half inside the protected area: a medium handicap takes 15 points
    second = out.iloc[1]
    assert second["protected_share"] == pytest.approx(0.5)
    assert json.loads(second["handicaps"]) == [
        {"name": "protected", "level": "medium", "penalty": 15.0, "reason": "Protected"}
    ]
    assert math.isclose(second["score"], sum(line["contribution"] for line in json.loads(second["breakdown"])))
    # too far: excluded with its reason, score 0
    third = out.iloc[2]
    assert third["excluded"]
    assert third["score"] == 0.0
    assert json.loads(third["exclusion_reasons"]) == ["Too far"]
    assert sum(line["contribution"] for line in json.loads(third["breakdown"])) == 0.0


def test_output_follows_the_geopackage_contract(tmp_path: Path) -> None:
    out = score(roofs(), profile(), layers=layers())
    head = [
        "site_id", "kind", "name", "source", "source_id", "area_m2", "area_source", "profile", "profile_version",
        "score",
        "completeness", "excluded", "exclusion_reasons", "handicaps", "breakdown",
        "capacity_kwp", "yield_kwh_kwp_yr", "energy_mwh_yr", "co2_t_yr", "households",
    ]  # fmt: skip
    assert list(out.columns[: len(head)]) == head
    assert out["site_id"].tolist() == ["r:a", "r:b", "r:c"]
    assert out.crs == CRS
    path = write_scored(out, tmp_path / "scored.gpkg")
    back = gpd.read_file(path, layer="sites")
    assert list(back.columns[: len(head)]) == head
    assert back["excluded"].dtype == bool
    assert json.loads(back["breakdown"].iloc[0])[0]["criterion"] == "usable_area_m2"


def test_other_kinds_are_excluded_with_a_reason() -> None:
    sites = roofs()
    sites.loc[0, "kind"] = "brownfield"
    out = score(sites, profile(), layers=layers(), language="en")
    assert out["excluded"].iloc[0]
    assert "does not score this kind" in json.loads(out["exclusion_reasons"].iloc[0])[0]


def test_missing_layers_and_columns_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"needs layer\(s\) \['protected_areas'\]"):
        score(roofs(), profile(), layers={"substations": layers()["substations"]}, catalogue=tmp_path)
    no_kind = roofs().drop(columns="kind")
    multi = profile(site_kinds=["rooftop", "brownfield"])
    with pytest.raises(InputError, match="no 'kind' column"):
        score(no_kind, multi, layers=layers())
    with pytest.raises(InputError, match="not slots"):
        score(roofs(), profile(), layers={**layers(), "roads": layers()["substations"]})


def test_optional_layer_missing_gives_empty_criterion(tmp_path: Path) -> None:
    prof = profile(
        measures=[
            {"type": "proximity", "layer": "substations", "name": "substation", "radius_m": 5000},
            {"type": "overlay", "layer": "protected_areas", "name": "protected"},
            {"type": "overlay", "layer": "flood_zones", "name": "flood", "optional": True},
        ]
    )
    out = score(roofs(), prof, layers=layers(), catalogue=tmp_path)
    assert out["flood_share"].isna().all()


def test_energy_columns_without_a_raster_come_from_pvlib() -> None:
    out = score(roofs(), profile(), layers=layers())
    assert ((out["yield_kwh_kwp_yr"] > 900) & (out["yield_kwh_kwp_yr"] < 1200)).all()
    assert out["capacity_kwp"].iloc[0] == pytest.approx(216.0 * 0.2)
    assert out["energy_mwh_yr"].iloc[0] == pytest.approx(43.2 * out["yield_kwh_kwp_yr"].iloc[0] / 1000)


# ------------------------------------------------------------------ property: the breakdown adds up

LEVELS = ("light", "medium", "heavy")
OPS = (">", ">=", "<", "<=", "==", "!=", "missing")


@st.composite
def profile_and_frame(draw: st.DrawFn) -> tuple[Profile, pd.DataFrame]:
    n_crit = draw(st.integers(1, 5))
    columns = [f"c{i}" for i in range(6)]
    values = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(float("nan")))
    rows = draw(st.integers(1, 30))
    frame = pd.DataFrame({c: draw(st.lists(values, min_size=rows, max_size=rows)) for c in columns})
    frame["kind"] = draw(st.lists(st.sampled_from(["rooftop", "brownfield"]), min_size=rows, max_size=rows))
    criteria = []
    for i in range(n_crit):
        bad, good = draw(st.floats(-1e3, 1e3)), draw(st.floats(-1e3, 1e3))
        if bad == good:
            good = bad + 1.0
        criteria.append(
            {
                "column": columns[i],
                "weight": draw(st.floats(0.01, 100)),
                "ramp": {"bad": bad, "good": good},
                "default": draw(st.floats(0, 1)),
            }
        )

    def rule(kind: str, i: int) -> dict[str, Any]:
        op = draw(st.sampled_from(OPS))
        when: dict[str, Any] = {"column": draw(st.sampled_from(columns)), "op": op}
        if op != "missing":
            when["value"] = draw(st.floats(-1e3, 1e3))
        out = {"id": f"{kind}_{i}", "when": when, "reason": {"cs": "d", "en": "r"}}
        if kind == "h":
            out["level"] = draw(st.sampled_from(LEVELS))
        return out

    prof = Profile.model_validate(
        {
            "name": "prop",
            "version": "1",
            "title": {"cs": "p", "en": "p"},
            "site_kinds": ["rooftop"],
            "site_columns": columns,
            "criteria": criteria,
            "handicaps": [rule("h", i) for i in range(draw(st.integers(0, 4)))],
            "exclusions": [rule("e", i) for i in range(draw(st.integers(0, 2)))],
            "penalties": {"light": draw(st.floats(0, 100)), "medium": draw(st.floats(0, 100)), "heavy": 100},
        }
    )
    return prof, frame


@settings(max_examples=100, deadline=None)
@given(profile_and_frame())
def test_breakdown_contributions_sum_to_the_score(case: tuple[Profile, pd.DataFrame]) -> None:
    prof, frame = case
    rules = apply_rules(frame, prof, language="en")
    for i, breakdown in enumerate(rules.breakdown.to_pylist()):
        lines = json.loads(breakdown)
        total = sum(line["contribution"] for line in lines)
        assert total == pytest.approx(rules.score[i], abs=1e-9)
        assert 0.0 <= rules.score[i] <= 100.0 + 1e-9
        if rules.excluded[i]:
            assert rules.score[i] == 0.0
            assert json.loads(rules.exclusion_reasons[i].as_py())
        assert len(json.loads(rules.handicaps[i].as_py())) == sum(
            1 for x in lines if x["criterion"].startswith("handicap:")
        )


# ------------------------------------------------------------------ real data: 298 buildings of Děčany


@pytest.mark.shared_data
def test_decany_rooftops_have_plausible_capacity(shared_data: Path) -> None:
    from gisplan.sources import read

    buildings = read(shared_data / "ruian_cz" / "OB_564729_UKSH_20140331_Decany.xml.gz", layer="stavebni_objekty")
    assert len(buildings) == 298
    nodes = gpd.read_file(shared_data / "grid" / "grid_hv_central_europe_dk.gpkg", layer="nodes")
    substations = nodes[nodes["typ"] == "substation"].to_crs(CRS)
    obce = gpd.read_file(shared_data / "admin_cz" / "admin_cz.gpkg", layer="obce", bbox=(13.8, 50.3, 14.3, 50.6))
    out = score(
        buildings,
        "rooftop_pv",
        catalogue=Catalogue(layers={}),  # only the real layers below; the demo catalogue is elsewhere
        layers={
            "substations": substations,
            "municipalities": obce.to_crs(CRS),
            "protected_areas": gpd.GeoDataFrame(geometry=[], crs=CRS),
        },
    )
    assert len(out) == 298
    assert out["municipality_code"].value_counts().index[0] == "564729"
    footprint = shapely.area(buildings.geometry.values).sum()
    total_kwp = out["capacity_kwp"].sum()
    assert 0 < total_kwp <= footprint * 0.2  # never more than footprint x module density
    assert 0.2 * footprint * 0.2 < total_kwp  # and not absurdly little
    kept = out[~out["excluded"]]
    assert ((kept["yield_kwh_kwp_yr"] >= 900) & (kept["yield_kwh_kwp_yr"] <= 1200)).all()
    assert 3 <= kept["capacity_kwp"].median() <= 30  # a family-house roof takes a few to tens of kWp
    assert out["dist_substation_m"].notna().all()
    for s, b in zip(out["score"], out["breakdown"], strict=True):
        assert sum(line["contribution"] for line in json.loads(b)) == pytest.approx(s, abs=1e-9)
    assert np.isfinite(out["score"]).all()


# ------------------------------------------------------------------ JSON texts built from pieces (gisplan._jsontext)


def test_numbers_are_json_with_the_text_pyarrow_gives() -> None:
    from gisplan import _jsontext as jt

    values = np.array([1.0, -0.0, 0.0, np.nan, np.inf, -np.inf, 1e-05, 123.456, 1e22, 0.1 + 0.2, 1.0])
    piece = jt.numbers(values)
    texts = jt.assemble([piece], len(values)).to_pylist()
    assert texts == ["1", "-0", "0", "null", "null", "null", "0.00001", "123.456", "1e+22", "0.30000000000000004", "1"]
    assert len(piece.texts) == 10  # formatted once per distinct value (1.0 twice); -0.0 and 0.0 stay apart


def test_json_list_keeps_only_active_items_with_commas_between() -> None:
    from gisplan import _jsontext as jt

    on_a = np.array([True, False, True, False])
    on_b = np.array([True, True, False, False])
    labels = jt.labels(pd.Series(['say "hi"', None, "ž", "x"]))
    items = [[jt.constant('{"a": '), labels, jt.constant("}")], [jt.constant('"b"')]]
    out = jt.json_list(items, [on_a, on_b], 4).to_pylist()
    assert out == ['[{"a": "say \\"hi\\""},"b"]', '["b"]', '[{"a": "ž"}]', "[]"]
    assert json.loads(out[0]) == [{"a": 'say "hi"'}, "b"]
    assert jt.json_list([], [], 2).to_pylist() == ["[]", "[]"]


@settings(max_examples=40, deadline=None)
@given(profile_and_frame())
def test_breakdown_is_the_same_in_small_chunks(case: tuple[Profile, pd.DataFrame]) -> None:
    from gisplan import _jsontext as jt

    prof, frame = case
    whole = apply_rules(frame, prof, language="cs")
    previous = jt.CHUNK_ROWS
    jt.CHUNK_ROWS = 2
    try:
        chunked = apply_rules(frame, prof, language="cs")
    finally:
        jt.CHUNK_ROWS = previous
    for column in ("breakdown", "handicaps", "exclusion_reasons"):
        assert getattr(chunked, column).to_pylist() == getattr(whole, column).to_pylist()
        for text in getattr(chunked, column).to_pylist():
            assert isinstance(json.loads(text), list)


def test_breakdown_of_a_large_frame_is_chunked_and_in_row_order() -> None:
    from gisplan import _jsontext as jt

    n = 5_000
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"c0": rng.uniform(0, 100, n), "c1": rng.uniform(0, 100, n), "kind": "rooftop"})
    prof = Profile.model_validate(
        {
            "name": "big",
            "version": "1",
            "title": {"cs": "v", "en": "b"},
            "site_kinds": ["rooftop"],
            "site_columns": ["c0", "c1"],
            "criteria": [{"column": "c0", "weight": 1, "ramp": {"bad": 0, "good": 100}}],
            "handicaps": [
                {
                    "id": "half",
                    "level": "light",
                    "when": {"column": "c1", "op": ">", "value": 50},
                    "reason": {"cs": "d", "en": "r"},
                }
            ],
        }
    )
    previous = jt.CHUNK_ROWS
    jt.CHUNK_ROWS = 1_000
    try:
        rules = apply_rules(frame, prof, language="en")
    finally:
        jt.CHUNK_ROWS = previous
    assert rules.breakdown.num_chunks == 5
    for i in (0, 999, 1_000, 4_999):
        lines = json.loads(rules.breakdown[i].as_py())
        assert lines[0]["raw"] == pytest.approx(round(frame["c0"].iloc[i], 6))
        assert (len(lines) == 2) == (frame["c1"].iloc[i] > 50)
        assert sum(line["contribution"] for line in lines) == pytest.approx(rules.score[i], abs=1e-9)


# ------------------------------------------------------------------ measures side by side


def test_measures_in_threads_equal_measures_in_turn() -> None:
    import threading

    from gisplan.measures import resolve_layers, run_measures

    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 3000, (300, 2)) + np.array([X0, Y0])
    sites = gpd.GeoDataFrame(geometry=shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + 15, xy[:, 1] + 10), crs=CRS)
    prof = profile(
        measures=[
            {"type": "proximity", "layer": "substations", "name": "substation", "radius_m": 5000},
            {"type": "overlay", "layer": "protected_areas", "name": "protected"},
            {"type": "proximity", "layer": "substations", "name": "substation2"},
        ]
    )
    resolved = resolve_layers(prof, CRS, layers=layers(), catalogue=Catalogue(layers={}))
    calls: list[tuple[str, int, str]] = []

    def progress(stage: str, done: int, total: int) -> None:
        calls.append((stage, done, threading.current_thread().name))

    one = run_measures(sites, prof, resolved, workers=1)
    two = run_measures(sites, prof, resolved, progress, workers=2)
    pd.testing.assert_frame_equal(one, two)
    assert list(two.columns) == ["dist_substation_m", "protected_share", "dist_substation2_m"]
    assert sorted(c[1] for c in calls) == [0, 1, 2, 3]  # one call per measure, then "measures done"
    assert {c[2] for c in calls} == {threading.current_thread().name}


def test_side_by_side_pairs_a_raster_with_a_vector_measure(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from affine import Affine

    from gisplan import measures
    from gisplan.measurements.raster import RasterLayer

    def band(cell: float) -> RasterLayer:
        return RasterLayer(np.ones((4, 4), dtype="float32"), Affine(cell, 0, X0, 0, -cell, Y0 + 4 * cell), CRS)

    prof = profile(
        measures=[
            {"type": "raster", "layer": "ghi", "name": "ghi", "unit": "kwh_m2_yr", "stats": ["mean"]},
            {"type": "raster", "layer": "slope", "name": "slope", "unit": "deg", "stats": ["mean"]},
            {"type": "proximity", "layer": "substations", "name": "substation", "radius_m": 5000},
            {"type": "overlay", "layer": "protected_areas", "name": "protected"},
        ]
    )
    given = {**layers(), "ghi": band(25.0), "slope": band(10.0)}
    resolved = measures.resolve_layers(prof, CRS, layers=given, catalogue=Catalogue(layers={}))
    lock = threading.Lock()
    running: list[str] = []
    seen: list[tuple[str, tuple[str, ...]]] = []
    real = measures.run_measure

    def recording(sites: Any, measure: Any, resolved: Any, prof: Any) -> pd.DataFrame:
        with lock:
            seen.append((measure.layer, tuple(running)))
            running.append(measure.layer)
        time.sleep(0.05)
        try:
            return real(sites, measure, resolved, prof)
        finally:
            with lock:
                running.remove(measure.layer)

    monkeypatch.setattr(measures, "run_measure", recording)
    out = measures.run_measures(roofs(), prof, resolved, workers=2)
    assert seen[0] == ("slope", ())  # the finest raster first
    assert seen[1] == ("substations", ("slope",))  # beside it a vector measure, not the other raster
    rasters = {"ghi", "slope"}
    for layer, beside in seen:
        assert not (layer in rasters and rasters & set(beside)), seen
    assert list(out.columns)[:2] == ["ghi_mean_kwh_m2_yr", "ghi_covered_share"]


def test_contributions_never_add_up_past_100() -> None:
    """Weights 95.5 + 11 + 38, every criterion at its best: rounding each line to nearest gave 100.0001."""
    prof = profile(
        measures=[],
        exclusions=[],
        handicaps=[],
        site_columns=["c0", "c1", "c2"],
        criteria=[
            {"column": "c0", "weight": 95.5, "ramp": {"bad": 1, "good": 0}},
            {"column": "c1", "weight": 11, "ramp": {"bad": 1, "good": 0}},
            {"column": "c2", "weight": 38, "ramp": {"bad": 0, "good": 1}},
        ],
    )
    frame = pd.DataFrame({"c0": [0.0], "c1": [0.0], "c2": [1.0], "kind": ["rooftop"]})
    rules = apply_rules(frame, prof, language="en")
    lines = json.loads(rules.breakdown.to_pylist()[0])
    assert [line["contribution"] for line in lines[:3]] == [66.0899, 7.6124, 26.2975]
    assert rules.score[0] <= 100.0
    assert rules.score[0] == pytest.approx(sum(line["contribution"] for line in lines), abs=1e-9)
