"""``layer_styles`` follows QGIS's schema, and each layer has one default style QGIS can load."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pytest

from gisplan.export import load_snapshot, write_geopackage
from gisplan.export._styles import LAYER_STYLES_COLUMNS, SCORE_CLASSES, sites_qml
from gisplan.store import Store
from tests.export.conftest import ExportWorld

#: The table QGIS creates (QgsOgrProviderMetadata::saveStyle through GDAL's GPKG driver): FID "id",
#: OFTString widths 256/30, useAsDefault OFTInteger/OFSTBoolean, update_time OFTDateTime.
QGIS_SCHEMA = [
    ("id", "INTEGER", 1),
    ("f_table_catalog", "TEXT(256)", 0),
    ("f_table_schema", "TEXT(256)", 0),
    ("f_table_name", "TEXT(256)", 0),
    ("f_geometry_column", "TEXT(256)", 0),
    ("styleName", "TEXT(30)", 0),
    ("styleQML", "TEXT", 0),
    ("styleSLD", "TEXT", 0),
    ("useAsDefault", "BOOLEAN", 0),
    ("description", "TEXT", 0),
    ("owner", "TEXT(30)", 0),
    ("ui", "TEXT(30)", 0),
    ("update_time", "DATETIME", 0),
]


@pytest.fixture
def gpkg(filled: tuple[Store, ExportWorld], tmp_path: Path) -> Path:
    store, ew = filled
    return write_geopackage(load_snapshot(store, ew.world.planner, ew.shortlist), tmp_path / "s.gpkg")


def test_layer_styles_table_follows_the_qgis_schema(gpkg: Path) -> None:
    with sqlite3.connect(gpkg) as conn:
        info = conn.execute("PRAGMA table_info(layer_styles)").fetchall()
        contents = conn.execute(
            "SELECT data_type, identifier FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
        default = conn.execute(
            "SELECT dflt_value FROM pragma_table_info('layer_styles') WHERE name = 'update_time'"
        ).fetchone()
    conn.close()
    assert [(name, kind, pk) for _, name, kind, _, _, pk in info] == QGIS_SCHEMA
    assert [(n, k) for n, k, _ in QGIS_SCHEMA] == list(LAYER_STYLES_COLUMNS)
    assert contents == ("attributes", "layer_styles")
    assert "strftime" in default[0]
    # GDAL (and so QGIS) opens it as an ordinary table with the FID column "id".
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles", fid_as_index=True)
    assert styles.index.name == "fid" or list(styles.index) == list(range(1, len(styles) + 1))
    assert pyogrio.read_info(gpkg, layer="layer_styles")["fid_column"] == "id"


def test_one_default_style_per_layer_matching_how_qgis_looks_it_up(gpkg: Path) -> None:
    with sqlite3.connect(gpkg) as conn:
        rows = conn.execute(
            'SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "styleName", "useAsDefault", '
            '"styleQML" FROM layer_styles'
        ).fetchall()
        geometry_columns = dict(conn.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        tables = [r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents WHERE table_name != 'layer_styles'")]
    conn.close()
    by_table = {r[2]: r for r in rows}
    assert sorted(by_table) == sorted(tables)
    assert len(rows) == len(tables)
    for table, (catalog, schema, _, geometry_column, name, default, qml) in by_table.items():
        assert (catalog, schema, default) == ("", "", 1)
        assert geometry_column == geometry_columns.get(table, "")  # QGIS compares with OGR_L_GetGeometryColumn
        assert len(name) <= 30
        root = ET.fromstring(qml.split("\n", 1)[1])
        assert root.tag == "qgis"
    assert geometry_columns["sites"] == "geom"


def test_sites_style_is_graduated_by_score(gpkg: Path) -> None:
    with sqlite3.connect(gpkg) as conn:
        qml = conn.execute('SELECT "styleQML" FROM layer_styles WHERE f_table_name = ?', ("sites",)).fetchone()[0]
    conn.close()
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None
    assert renderer.get("type") == "graduatedSymbol"
    assert "score" in str(renderer.get("attr"))
    ranges = renderer.findall("ranges/range")
    assert [(float(r.get("lower", "")), float(r.get("upper", ""))) for r in ranges[1:]] == [
        (lo, hi) for lo, hi, _ in SCORE_CLASSES
    ]
    symbols = {s.get("name") for s in renderer.findall("symbols/symbol")}
    assert symbols == {r.get("symbol") for r in ranges}
    aliases = {a.get("field"): a.get("name") for a in root.findall("aliases/alias")}
    assert aliases["energy_mwh_yr"] == "estimated annual PV energy [MWh/yr]"


def test_aliases_are_xml_escaped() -> None:
    qml = sites_qml([("name", 'a "quoted" <b>name</b> & more')])
    root = ET.fromstring(qml.split("\n", 1)[1])
    assert root.find("aliases/alias").get("name") == 'a "quoted" <b>name</b> & more'  # type: ignore[union-attr]
