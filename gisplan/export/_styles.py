"""QGIS default styles in the GeoPackage's ``layer_styles`` table.

QGIS looks for a table ``layer_styles`` in a GeoPackage and applies the row with
``useAsDefault = 1`` whose ``f_table_name`` and ``f_geometry_column`` match the
layer it opens (``f_table_schema`` is ``''``). We create the table with the
schema QGIS itself creates through OGR (``QgsOgrProviderMetadata::saveStyle``:
FID column ``id``, the same columns, widths and types) and register it in
``gpkg_contents`` as an attributes table, as GDAL does for QGIS.

The ``sites`` style is graduated by score (five classes from red to green, grey
for sites without a score); annotations are note markers; the attribute tables
get field aliases from the data dictionary.

``styleSLD`` holds the same symbology as an OGC Styled Layer Descriptor 1.0.0
(what QGIS falls back to and other clients read) for the spatial layers, and is
NULL for attribute tables, which have no symbology: never an empty string,
which clients fail to parse.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The layer_styles table as QGIS creates it in a GeoPackage (through GDAL's GPKG driver).
LAYER_STYLES_DDL = """CREATE TABLE "layer_styles" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "f_table_catalog" TEXT(256),
  "f_table_schema" TEXT(256),
  "f_table_name" TEXT(256),
  "f_geometry_column" TEXT(256),
  "styleName" TEXT(30),
  "styleQML" TEXT,
  "styleSLD" TEXT,
  "useAsDefault" BOOLEAN,
  "description" TEXT,
  "owner" TEXT(30),
  "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)"""
#: (column, declared type) of layer_styles, in order; tests compare a written file with it.
LAYER_STYLES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "INTEGER"),
    ("f_table_catalog", "TEXT(256)"),
    ("f_table_schema", "TEXT(256)"),
    ("f_table_name", "TEXT(256)"),
    ("f_geometry_column", "TEXT(256)"),
    ("styleName", "TEXT(30)"),
    ("styleQML", "TEXT"),
    ("styleSLD", "TEXT"),
    ("useAsDefault", "BOOLEAN"),
    ("description", "TEXT"),
    ("owner", "TEXT(30)"),
    ("ui", "TEXT(30)"),
    ("update_time", "DATETIME"),
)
#: Score classes of the sites style: (lower, upper, RGB), ColorBrewer RdYlGn.
SCORE_CLASSES: tuple[tuple[float, float, str], ...] = (
    (0.0, 20.0, "215,25,28"),
    (20.0, 40.0, "253,174,97"),
    (40.0, 60.0, "255,255,191"),
    (60.0, 80.0, "166,217,106"),
    (80.0, 100.0, "26,150,65"),
)
NO_SCORE_COLOUR = "190,190,190"
_QGIS_VERSION = "3.34.0-Prizren"
#: QgsWkbTypes::GeometryType of the layerGeometryType element.
_GEOMETRY_TYPE = {"point": "0", "line": "1", "polygon": "2", "none": "4"}


@dataclass(frozen=True)
class LayerStyle:
    """One default style: the layer, its geometry column ('' for tables) and the QML."""

    table: str
    geometry_column: str
    name: str
    description: str
    qml: str
    sld: str | None = None


def _options(parent: ET.Element, props: Mapping[str, str]) -> None:
    """Symbol layer properties, both as QGIS ≥ 3.26 (Option map) and older (prop) read them."""
    option = ET.SubElement(parent, "Option", type="Map")
    for key, value in props.items():
        ET.SubElement(option, "Option", type="QString", name=key, value=value)
    for key, value in props.items():
        ET.SubElement(parent, "prop", k=key, v=value)


def _fill(parent: ET.Element, name: str, rgb: str) -> None:
    symbol = ET.SubElement(parent, "symbol", type="fill", name=name, alpha="0.85", clip_to_extent="1", force_rhr="0")
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
    _options(
        layer,
        {
            "color": f"{rgb},255",
            "style": "solid",
            "outline_color": "35,35,35,255",
            "outline_style": "solid",
            "outline_width": "0.26",
            "outline_width_unit": "MM",
            "joinstyle": "bevel",
        },
    )


def _marker(parent: ET.Element, name: str, rgb: str, shape: str) -> None:
    symbol = ET.SubElement(parent, "symbol", type="marker", name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})
    _options(
        layer,
        {
            "name": shape,
            "color": f"{rgb},255",
            "size": "3",
            "size_unit": "MM",
            "outline_color": "35,35,35,255",
            "outline_style": "solid",
            "outline_width": "0.2",
            "outline_width_unit": "MM",
        },
    )


def _root(geometry: str) -> ET.Element:
    return ET.Element(
        "qgis",
        version=_QGIS_VERSION,
        styleCategories="Symbology|Fields|Forms|AttributeTable|MapTips",
        hasScaleBasedVisibilityFlag="0",
    )


def _aliases(root: ET.Element, aliases: Sequence[tuple[str, str]]) -> None:
    element = ET.SubElement(root, "aliases")
    for index, (field, alias) in enumerate(aliases):
        ET.SubElement(element, "alias", field=field, index=str(index), name=alias)


def _finish(root: ET.Element, geometry: str, preview: str) -> str:
    ET.SubElement(root, "previewExpression").text = preview
    ET.SubElement(root, "layerGeometryType").text = _GEOMETRY_TYPE[geometry]
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"


def sites_qml(aliases: Sequence[tuple[str, str]], *, no_score_label: str = "no score") -> str:
    """QML of the sites layer: polygons graduated by ``score`` [0–100], grey without a score."""
    root = _root("polygon")
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        type="graduatedSymbol",
        attr='coalesce("score", -1)',
        graduatedMethod="GraduatedColor",
        symbollevels="0",
        forceraster="0",
        enableorderby="0",
    )
    ranges = ET.SubElement(renderer, "ranges")
    symbols = ET.SubElement(renderer, "symbols")
    ET.SubElement(ranges, "range", lower="-1", upper="-0.5", symbol="0", label=no_score_label, render="true")
    _fill(symbols, "0", NO_SCORE_COLOUR)
    for i, (lower, upper, rgb) in enumerate(SCORE_CLASSES, start=1):
        label = f"{lower:.0f} – {upper:.0f}"
        ET.SubElement(
            ranges, "range", lower=f"{lower:g}", upper=f"{upper:g}", symbol=str(i), label=label, render="true"
        )
        _fill(symbols, str(i), rgb)
    ET.SubElement(renderer, "mode", name="fixed")
    _aliases(root, aliases)
    ET.SubElement(root, "mapTip").text = '[% "name" %] – [% round("score", 1) %]'
    return _finish(root, "polygon", '"name"')


def points_qml(aliases: Sequence[tuple[str, str]], *, rgb: str = "31,120,180", preview: str = '"site_id"') -> str:
    """QML of a point layer (annotations): one marker for every feature."""
    root = _root("point")
    renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0")
    symbols = ET.SubElement(renderer, "symbols")
    _marker(symbols, "0", rgb, "square")
    _aliases(root, aliases)
    return _finish(root, "point", preview)


def table_qml(aliases: Sequence[tuple[str, str]], *, preview: str) -> str:
    """QML of an attribute table: field aliases and the display expression."""
    root = _root("none")
    _aliases(root, aliases)
    return _finish(root, "none", preview)


SLD_NS = "http://www.opengis.net/sld"
OGC_NS = "http://www.opengis.net/ogc"
_SLD = f"{{{SLD_NS}}}"
_OGC = f"{{{OGC_NS}}}"


def _hex(rgb: str) -> str:
    return "#" + "".join(f"{int(c):02x}" for c in rgb.split(","))


def _css(parent: ET.Element, tag: str, values: Mapping[str, str]) -> None:
    element = ET.SubElement(parent, _SLD + tag)
    for name, value in values.items():
        ET.SubElement(element, _SLD + "CssParameter", name=name).text = value


def _symbolizer(rule: ET.Element, geometry: str, rgb: str) -> None:
    fill, stroke = {"fill": _hex(rgb)}, {"stroke": "#232323", "stroke-width": "0.5"}
    if geometry == "polygon":
        symbolizer = ET.SubElement(rule, _SLD + "PolygonSymbolizer")
        _css(symbolizer, "Fill", fill | {"fill-opacity": "0.85"})
        _css(symbolizer, "Stroke", stroke)
        return
    graphic = ET.SubElement(ET.SubElement(rule, _SLD + "PointSymbolizer"), _SLD + "Graphic")
    mark = ET.SubElement(graphic, _SLD + "Mark")
    ET.SubElement(mark, _SLD + "WellKnownName").text = "square" if geometry == "note" else "circle"
    _css(mark, "Fill", fill)
    _css(mark, "Stroke", stroke)
    ET.SubElement(graphic, _SLD + "Size").text = "8"


def _compare(parent: ET.Element, op: str, value: float) -> None:
    element = ET.SubElement(parent, _OGC + op)
    ET.SubElement(element, _OGC + "PropertyName").text = "score"
    ET.SubElement(element, _OGC + "Literal").text = f"{value:g}"


def _sld_document(layer: str, title: str) -> tuple[ET.Element, ET.Element]:
    ET.register_namespace("sld", SLD_NS)
    ET.register_namespace("ogc", OGC_NS)
    root = ET.Element(_SLD + "StyledLayerDescriptor", version="1.0.0")
    named = ET.SubElement(root, _SLD + "NamedLayer")
    ET.SubElement(named, _SLD + "Name").text = layer
    style = ET.SubElement(named, _SLD + "UserStyle")
    ET.SubElement(style, _SLD + "Name").text = title
    return root, ET.SubElement(style, _SLD + "FeatureTypeStyle")


def score_sld(layer: str, geometry: str, *, no_score_label: str = "no score") -> str:
    """SLD 1.0.0 of a sites layer: ``score`` in :data:`SCORE_CLASSES`, grey without a score.

    ``geometry`` is ``polygon`` or ``point``. The last class includes its upper bound (100).
    """
    root, features = _sld_document(layer, f"gisplan {layer}")
    last = len(SCORE_CLASSES) - 1
    for i, (lower, upper, rgb) in enumerate(SCORE_CLASSES):
        rule = ET.SubElement(features, _SLD + "Rule")
        ET.SubElement(rule, _SLD + "Name").text = f"{lower:.0f} – {upper:.0f}"
        both = ET.SubElement(ET.SubElement(rule, _OGC + "Filter"), _OGC + "And")
        _compare(both, "PropertyIsGreaterThanOrEqualTo", lower)
        _compare(both, "PropertyIsLessThanOrEqualTo" if i == last else "PropertyIsLessThan", upper)
        _symbolizer(rule, geometry, rgb)
    rule = ET.SubElement(features, _SLD + "Rule")
    ET.SubElement(rule, _SLD + "Name").text = no_score_label
    ET.SubElement(rule, _SLD + "ElseFilter")
    _symbolizer(rule, geometry, NO_SCORE_COLOUR)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def marker_sld(layer: str, *, rgb: str = "31,120,180") -> str:
    """SLD 1.0.0 of a point layer (annotations): one square marker for every feature."""
    root, features = _sld_document(layer, f"gisplan {layer}")
    rule = ET.SubElement(features, _SLD + "Rule")
    ET.SubElement(rule, _SLD + "Name").text = layer
    _symbolizer(rule, "note", rgb)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def write_layer_styles(path: Path, styles: Sequence[LayerStyle]) -> None:
    """Create ``layer_styles`` in the GeoPackage ``path`` (as QGIS does) and add ``styles`` as defaults."""
    with sqlite3.connect(path) as conn:
        conn.execute(LAYER_STYLES_DDL)
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles', "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
        )
        has_ogr_contents = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_ogr_contents'"
        ).fetchone()
        conn.executemany(
            'INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "styleName", '
            '"styleQML", "styleSLD", "useAsDefault", description, owner, ui) '
            "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL)",
            [(s.table, s.geometry_column, s.name[:30], s.qml, s.sld, s.description) for s in styles],
        )
        if has_ogr_contents:
            conn.execute(
                "INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES ('layer_styles', ?)", (len(styles),)
            )
    conn.close()


__all__ = [
    "LAYER_STYLES_COLUMNS",
    "LAYER_STYLES_DDL",
    "SCORE_CLASSES",
    "LayerStyle",
    "marker_sld",
    "points_qml",
    "score_sld",
    "sites_qml",
    "table_qml",
    "write_layer_styles",
]
