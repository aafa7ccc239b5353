"""GeoPackage export: styleSLD is a valid SLD or NULL, numbers are numbers, mixed kinds keep their scores."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pandas as pd
import pyogrio
import pytest
import shapely

from gisplan.export import load_snapshot, write_geopackage
from gisplan.export._gpkg import _plain
from gisplan.export._styles import SLD_NS
from gisplan.store import SYSTEM, Store, Tx
from gisplan.store.models import Site, SiteScore
from gisplan.workflows import shortlists as sl
from tests.export.conftest import ExportWorld
from tests.export.test_gpkg import validate_gpkg  # noqa: F401 - fixture

NUMERIC = ("area_m2", "area_ha", "score", "capacity_kwp", "energy_mwh_yr", "households", "annotations")


def _export(store: Store, ew: ExportWorld, path: Path, shortlist: str | None = None) -> Path:
    return write_geopackage(load_snapshot(store, ew.world.planner, shortlist or ew.shortlist), path)


def test_style_sld_is_a_valid_sld_or_null(
    filled: tuple[Store, ExportWorld],
    tmp_path: Path,
    validate_gpkg: ModuleType,  # noqa: F811
) -> None:
    path = _export(*filled, tmp_path / "out.gpkg")
    assert validate_gpkg.check(str(path), abort_at_first_error=False) == []
    with sqlite3.connect(path) as conn:
        rows = conn.execute('SELECT f_table_name, f_geometry_column, "styleSLD" FROM layer_styles').fetchall()
    conn.close()
    assert rows
    for table, geometry, sld in rows:
        assert sld != "", table  # an empty string breaks clients that parse it
        if not geometry:
            assert sld is None, table  # attribute tables have no symbology
            continue
        root = ET.fromstring(sld.split("?>", 1)[1] if sld.startswith("<?xml") else sld)
        assert root.tag == f"{{{SLD_NS}}}StyledLayerDescriptor", table
        assert root.findtext(f".//{{{SLD_NS}}}NamedLayer/{{{SLD_NS}}}Name") == table
        rules = root.findall(f".//{{{SLD_NS}}}Rule")
        assert rules, table
        if table != "annotations":
            assert len(rules) == 6  # five score classes and "no score"
            assert root.find(f".//{{{SLD_NS}}}ElseFilter") is not None


def test_numeric_columns_are_stored_as_numbers(filled: tuple[Store, ExportWorld], tmp_path: Path) -> None:
    path = _export(*filled, tmp_path / "out.gpkg")
    for layer in ("sites", "sites_points"):
        info = pyogrio.read_info(path, layer=layer)
        types = dict(zip(info["fields"], info["dtypes"], strict=True))
        for column in NUMERIC:
            assert types[column] in {"float64", "int64", "int32"}, (layer, column, types[column])
        points = [c for c in types if c.startswith(("pts_", "val_"))]
        assert points
        assert all(types[c] == "float64" for c in points), {c: types[c] for c in points}
    with sqlite3.connect(path) as conn:
        for column in ("score", "area_m2", "capacity_kwp"):
            found = {t for (t,) in conn.execute(f'SELECT DISTINCT typeof("{column}") FROM sites_points')}
            assert found <= {"real", "integer", "null"}, (column, found)
    conn.close()


def test_an_all_empty_numeric_column_is_typed_as_a_number() -> None:
    frame = pd.DataFrame({"score": [None, None], "pts_area_m2": [None, None], "name": [None, "x"], "val_x": [1, None]})
    plain = _plain(frame)
    assert str(plain["score"].dtype) == "float64"
    assert str(plain["pts_area_m2"].dtype) == "float64"
    assert str(plain["val_x"].dtype) == "float64"
    assert pd.isna(plain["name"][0])
    assert plain["name"][1] == "x"
    mixed = _plain(pd.DataFrame({"val_roof": ["flat", 2.0]}))
    assert mixed["val_roof"].tolist() == ["flat", "2.0"]  # a text criterion stays text


def _rooftop(tx: Tx) -> None:
    tx.session.add(
        Site(
            id="t:roof",
            kind="rooftop",
            name="Škola",
            source="t",
            source_id="roof",
            area_m2=800.0,
            municipality_code="564729",
            geom=tx.with_srid(shapely.box(-766_000.0, -986_000.0, -765_960.0, -985_980.0)),
            status="new",
        )
    )
    tx.session.add(
        SiteScore(
            site_id="t:roof",
            profile="rooftop_pv",
            profile_version="2",
            score=64.0,
            excluded=False,
            exclusion_reasons=[],
            handicaps=[],
            breakdown=[{"criterion": "roof_area_m2", "raw": 800.0, "unit": "m2", "contribution": 64.0}],
            capacity_kwp=120.0,
        )
    )


def test_a_mixed_shortlist_exports_each_site_with_a_profile_that_scores_it(
    filled: tuple[Store, ExportWorld], tmp_path: Path
) -> None:
    store, ew = filled
    store.transaction(SYSTEM, _rooftop)
    sl.create_shortlist(
        store, ew.world.planner, "mixed", profile="ground_pv", site_ids=["t:in", "t:roof", "uk:1"], description=""
    )
    snap = load_snapshot(store, ew.world.planner, "mixed")
    sites = snap.sites.set_index("site_id")
    assert snap.profile == "ground_pv"
    assert (sites.at["t:in", "profile"], sites.at["t:in", "score"]) == ("ground_pv", 72.5)
    # before: the rooftop had no ground_pv score and was exported with an empty score
    assert (sites.at["t:roof", "profile"], sites.at["t:roof", "score"]) == ("rooftop_pv", 64.0)
    assert sites.at["t:roof", "capacity_kwp"] == 120.0
    assert "ground_pv does not score this rooftop" in sites.at["t:roof", "score_note"]
    assert sites.at["t:roof", "pts_roof_area_m2"] == 64.0
    assert pd.isna(sites.at["t:roof", "pts_area_m2"])
    assert snap.breakdown["t:roof"][0]["criterion"] == "roof_area_m2"
    # a site no profile scored says so, with NULL profile and score
    assert pd.isna(sites.at["uk:1", "profile"])
    assert pd.isna(sites.at["uk:1", "score"])
    assert sites.at["uk:1", "score_note"].startswith("no score")
    assert sites.at["t:in", "score_note"] == ""
    assert any("uk:1" in w for w in snap.warnings)
    assert any("rooftop_pv" in w for w in snap.warnings)
    path = write_geopackage(snap, tmp_path / "mixed.gpkg")
    polygons = pyogrio.read_dataframe(path, layer="sites").set_index("site_id")
    assert polygons.at["t:roof", "score"] == 64.0
    assert polygons.at["t:roof", "profile"] == "rooftop_pv"
    uk = pyogrio.read_dataframe(path, layer="sites_points").set_index("site_id")
    assert pd.isna(uk.at["uk:1", "profile"])
    assert pd.isna(uk.at["uk:1", "score"])


@pytest.mark.parametrize("language", ["en", "cs"])
def test_funding_link_reasons_are_worded_in_the_configured_language(
    filled: tuple[Store, ExportWorld], monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    from gisplan.funding import RuleResult

    store, ew = filled
    record = RuleResult("capacity", "not_eligible", "above_max", {"value_kwp": 1400.0, "max_kwp": 1000.0}).stored()
    link = store.funding_links("t:in")[0]
    reasons = ["region CZ042 is eligible", record]  # an older plain-text reason, then a record
    store.transaction(
        SYSTEM, lambda tx: tx.update_funding_link(link.id, expected_version=link.version, reasons=reasons)
    )
    monkeypatch.setenv("GISPLAN_LANG", language)
    snap = load_snapshot(store, ew.world.planner, ew.shortlist)
    worded = {
        "en": "region CZ042 is eligible; capacity 1.4 MWp exceeds the 1 MWp limit",
        "cs": "region CZ042 is eligible; výkon 1,4 MWp překračuje limit 1 MWp",
    }
    assert snap.funding_links["reasons"].tolist() == [worded[language]]
