"""The hostile and broken corpus: every input is generated here, and each is refused with a clear message.

Each case names the refusal ``reason`` and a phrase the message must hold. The
checks run in this (the "app") process; parsing runs in a child, so a crash or a
limit there comes back as a refusal while this process goes on.
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gisplan.errors import UploadRejectedError
from gisplan.intake import REASON_CODES, IntakeLimits, check_upload
from tests.intake.conftest import (
    A_CENTRE,
    B_CENTRE,
    geojson_bytes,
    lonlat,
    polygon,
    shapefile_members,
    square_lonlat,
    zip_bytes,
)


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, and what the refusal must say."""

    make: Callable[[Path], tuple[str, bytes]]
    reason: str
    phrase: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def _site_ring() -> list[list[float]]:
    return square_lonlat(*A_CENTRE)


# ----------------------------------------------------------------------------- archives


def zip_bomb(_: Path) -> tuple[str, bytes]:
    # 210 MB of zeros deflate to ~200 kB; the cap is 200 MB.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("sites.geojson", "w") as member:
        chunk = b"\x00" * (1024 * 1024)
        for _ in range(210):
            member.write(chunk)
    return "bomb.zip", buffer.getvalue()


def zip_bomb_lying_header(_: Path) -> tuple[str, bytes]:
    # The header claims 100 bytes; the member inflates to 5 MB. Reading stops at the claim and the CRC fails.
    data = bytearray(zip_bytes({"sites.geojson": b" " * (5 * 1024 * 1024)}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    data[26 - 4 : 26] = (100).to_bytes(4, "little")
    return "liar.zip", bytes(data)


def zip_slip(_: Path) -> tuple[str, bytes]:
    return "slip.zip", zip_bytes({"../../etc/cron.d/evil.geojson": geojson_bytes(polygon(_site_ring()))})


def zip_absolute(_: Path) -> tuple[str, bytes]:
    return "abs.zip", zip_bytes({"/etc/passwd.csv": b"lat,lon\n50,14\n"})


def zip_symlink(_: Path) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("sites.geojson")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return "link.zip", buffer.getvalue()


def zip_many_members(_: Path) -> tuple[str, bytes]:
    return "many.zip", zip_bytes({f"part{i}.txt": b"x" for i in range(60)})


def zip_shapefile_without_sidecars(tmp_path: Path) -> tuple[str, bytes]:
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(*A_CENTRE, A_CENTRE[0] + 50, A_CENTRE[1] + 50)])
    members = shapefile_members(tmp_path, frame.set_crs("EPSG:5514"))
    return "nodbf.zip", zip_bytes({k: v for k, v in members.items() if not k.endswith((".dbf", ".shx"))})


def zip_nested(_: Path) -> tuple[str, bytes]:
    return "nested.zip", zip_bytes({"inner.zip": zip_bytes({"a.csv": b"lat,lon\n50,14\n"})})


def zip_with_vrt(_: Path) -> tuple[str, bytes]:
    return "vrt.zip", zip_bytes({"sites.vrt": b"<OGRVRTDataSource/>", "sites.csv": b"lat,lon\n50,14\n"})


# ----------------------------------------------------------------------------- disguised and hostile files

VRT = b"""<OGRVRTDataSource>
  <OGRVRTLayer name="passwd"><SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer>
</OGRVRTDataSource>"""


def vrt_as_geojson(_: Path) -> tuple[str, bytes]:
    return "sites.geojson", VRT


def kml_doc(body: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{prolog}<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{body}</Document></kml>'
    ).encode()


PLACEMARK = "<Placemark><name>&x;</name><Point><coordinates>14.1,50.5</coordinates></Point></Placemark>"


def kml_xxe(_: Path) -> tuple[str, bytes]:
    return "xxe.kml", kml_doc(PLACEMARK, '<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>')


def kml_billion_laughs(_: Path) -> tuple[str, bytes]:
    entities = '<!ENTITY x0 "lol">' + "".join(f'<!ENTITY x{i} "{f"&x{i - 1};" * 10}">' for i in range(1, 10))
    return "laughs.kml", kml_doc(PLACEMARK.replace("&x;", "&x9;"), f"<!DOCTYPE kml [{entities}]>")


def kml_network_link(_: Path) -> tuple[str, bytes]:
    return "link.kml", kml_doc("<NetworkLink><Link><href>http://example.invalid/x.kml</href></Link></NetworkLink>")


def _gpkg(tmp_path: Path, name: str = "base.gpkg") -> Path:
    path = tmp_path / name
    frame = gpd.GeoDataFrame(
        {"name": ["Cukrovar"]},
        geometry=[shapely.box(A_CENTRE[0], A_CENTRE[1], A_CENTRE[0] + 80, A_CENTRE[1] + 60)],
        crs="EPSG:5514",
    )
    frame.to_file(path, layer="sites", driver="GPKG")
    return path


def gpkg_trigger(tmp_path: Path) -> tuple[str, bytes]:
    path = _gpkg(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE loot (x TEXT)")
        conn.execute("CREATE TRIGGER steal AFTER INSERT ON sites BEGIN INSERT INTO loot VALUES (NEW.name); END")
    return "trigger.gpkg", path.read_bytes()


def gpkg_disguised_rtree_trigger(tmp_path: Path) -> tuple[str, bytes]:
    path = _gpkg(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TRIGGER rtree_sites_geom_update9 AFTER UPDATE ON sites BEGIN DELETE FROM gpkg_contents; END"
        )
    return "rtree.gpkg", path.read_bytes()


def gpkg_view(tmp_path: Path) -> tuple[str, bytes]:
    path = _gpkg(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIEW sneaky AS SELECT * FROM sites")
    return "view.gpkg", path.read_bytes()


def gpkg_500_layers(tmp_path: Path) -> tuple[str, bytes]:
    path = _gpkg(tmp_path)
    with sqlite3.connect(path) as conn:
        for i in range(500):
            conn.execute(f'CREATE TABLE "l{i}" (fid INTEGER PRIMARY KEY, geom BLOB)')
            conn.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, 5514)",
                (f"l{i}", f"l{i}"),
            )
    return "layers.gpkg", path.read_bytes()


def sqlite_not_gpkg(tmp_path: Path) -> tuple[str, bytes]:
    path = tmp_path / "plain.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    return "data.gpkg", path.read_bytes()


# ----------------------------------------------------------------------------- types


def empty_file(_: Path) -> tuple[str, bytes]:
    return "empty.geojson", b""


def png_file(_: Path) -> tuple[str, bytes]:
    return "map.geojson", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def gzip_file(_: Path) -> tuple[str, bytes]:
    return "sites.geojson.gz", gzip.compress(geojson_bytes(polygon(_site_ring())))


def gml_file(_: Path) -> tuple[str, bytes]:
    return "sites.gml", b'<?xml version="1.0"?><gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml"/>'


def topojson_file(_: Path) -> tuple[str, bytes]:
    return "sites.json", b'{"type": "Topology", "objects": {}, "arcs": []}'


def plain_json(_: Path) -> tuple[str, bytes]:
    return "sites.json", b'{"sites": [1, 2, 3]}'


def not_json_geojson(_: Path) -> tuple[str, bytes]:
    # issue 11, point 13: used to be read as CSV and refused for its columns
    return "not_json.geojson", b"this is not JSON at all\nname;lat;lon\n"


def csv_named_geojson(_: Path) -> tuple[str, bytes]:
    return "sites.geojson", b"name,lat,lon\nCukrovar,50.5,14.1\n"


def geojson_named_kml(_: Path) -> tuple[str, bytes]:
    return "sites.kml", geojson_bytes(polygon(_site_ring()))


def text_named_gpkg(_: Path) -> tuple[str, bytes]:
    return "sites.gpkg", b"lat,lon\n50,14\n"


def vsi_name(_: Path) -> tuple[str, bytes]:
    return "/vsicurl/http://example.invalid/x.geojson", geojson_bytes(polygon(_site_ring()))


def too_large(_: Path) -> tuple[str, bytes]:
    return "big.geojson", geojson_bytes(polygon(_site_ring())) + b" " * 20_000


def truncated_geojson(_: Path) -> tuple[str, bytes]:
    return "cut.geojson", geojson_bytes(polygon(_site_ring()))[:-40]


def csv_without_coordinates(_: Path) -> tuple[str, bytes]:
    return "sites.csv", "nazev;obec\nCukrovar;Áčko\n".encode("cp1250")


# ----------------------------------------------------------------------------- geometry


def empty_geometry(_: Path) -> tuple[str, bytes]:
    return "empty.geojson", geojson_bytes({"type": "Polygon", "coordinates": []})


def infinite_coordinates(_: Path) -> tuple[str, bytes]:
    return "inf.csv", b"name,lat,lon\nA,inf,14.2\n"


def huge_coordinates(_: Path) -> tuple[str, bytes]:
    return "huge.geojson", geojson_bytes({"type": "Point", "coordinates": [1e300, 1e300]})


def huge_projected(_: Path) -> tuple[str, bytes]:
    return "huge.csv", b"name,wkt\nA,SRID=5514;POINT (1e300 -1e300)\n"


def two_million_vertices(_: Path) -> tuple[str, bytes]:
    # 1,000,000 repeats of two vertices plus the closing one: 2,000,001 vertices in 16 MB of text.
    body = "[14.1,50.5],[14.2,50.5]," * 1_000_000
    text = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":'
    text += '{"type":"Polygon","coordinates":[[' + body + "[14.1,50.5]]]}}]}"
    return "huge.geojson", text.encode()


def gpkg_many_vertices(tmp_path: Path) -> tuple[str, bytes]:
    x, y = A_CENTRE
    angles = np.linspace(0.0, 2.0 * np.pi, 150_000, endpoint=False)
    ring = shapely.Polygon(np.column_stack([x + 100 * np.cos(angles), y + 100 * np.sin(angles)]))  # 150,001 vertices
    path = tmp_path / "dense.gpkg"
    gpd.GeoDataFrame({"name": ["dense"]}, geometry=[ring], crs="EPSG:5514").to_file(path, layer="sites")
    return "dense.gpkg", path.read_bytes()


def line_string(_: Path) -> tuple[str, bytes]:
    return "road.geojson", geojson_bytes({"type": "LineString", "coordinates": _site_ring()[:2]})


def too_many_features(_: Path) -> tuple[str, bytes]:
    ring = _site_ring()
    return "many.geojson", geojson_bytes(*[polygon(ring)] * 30)


# ----------------------------------------------------------------------------- CRS and place


def swapped_latlon(_: Path) -> tuple[str, bytes]:
    lon, lat = lonlat(*A_CENTRE)
    return "swapped.csv", f"name,lat,lon\nCukrovar,{lon},{lat}\n".encode()


def shapefile_without_prj(tmp_path: Path) -> tuple[str, bytes]:
    return "noprj.zip", zip_bytes(shapefile_members(tmp_path, _krovak_frame(), prj=False))


def _krovak_frame() -> gpd.GeoDataFrame:
    x, y = A_CENTRE
    return gpd.GeoDataFrame({"name": ["Statek"]}, geometry=[shapely.box(x, y, x + 120, y + 80)], crs="EPSG:5514")


def krovak_swapped_axes(_: Path) -> tuple[str, bytes]:
    # S-JTSK written as positive (Y, X), a common mix-up: outside the area EPSG:5514 is made for
    return "yx.csv", f"name,wkt\nA,SRID=5514;POINT ({-A_CENTRE[1]} {-A_CENTRE[0]})\n".encode()


def csv_metres_without_crs(_: Path) -> tuple[str, bytes]:
    return "metres.csv", f"name,x,y\nA,{A_CENTRE[0]},{A_CENTRE[1]}\n".encode()


def other_municipality(_: Path) -> tuple[str, bytes]:
    return "b.geojson", geojson_bytes(polygon(square_lonlat(*B_CENTRE)))


def crs_conflict(_: Path) -> tuple[str, bytes]:
    return "site.geojson", geojson_bytes(polygon(_site_ring()))


TIGHT = IntakeLimits(max_upload_mb=0.01)
CASES: dict[str, Case] = {
    "zip bomb": Case(zip_bomb, "zip_bomb", "inflate to 210 MB"),
    "zip bomb with a lying header": Case(zip_bomb_lying_header, "zip_content", "cannot be unpacked"),
    "zip with ../ paths": Case(zip_slip, "zip_unsafe", "climbs out of the archive"),
    "zip with an absolute path": Case(zip_absolute, "zip_unsafe", "an absolute path"),
    "zip with a symbolic link": Case(zip_symlink, "zip_unsafe", "symbolic link"),
    "zip with 60 members": Case(zip_many_members, "zip_bomb", "60 members"),
    "zipped shapefile without .shx/.dbf": Case(zip_shapefile_without_sidecars, "zip_content", "lacks plochy.shx"),
    "zip inside a zip": Case(zip_nested, "zip_unsafe", "nested archives"),
    "zip with a .vrt member": Case(zip_with_vrt, "zip_unsafe", "VRT"),
    "OGR VRT renamed .geojson": Case(vrt_as_geojson, "vrt", "VRT"),
    "KML with an external entity": Case(kml_xxe, "xml_unsafe", "DTD"),
    "billion-laughs KML": Case(kml_billion_laughs, "xml_unsafe", "expand without end"),
    "KML with a NetworkLink": Case(kml_network_link, "xml_unsafe", "NetworkLink"),
    "GPKG with a trigger": Case(gpkg_trigger, "gpkg_unsafe", "trigger steal on sites"),
    "GPKG with a trigger named like GDAL's": Case(gpkg_disguised_rtree_trigger, "gpkg_unsafe", "gpkg_contents"),
    "GPKG with a view": Case(gpkg_view, "gpkg_unsafe", "view sneaky"),
    "500-layer GPKG": Case(gpkg_500_layers, "gpkg_unsafe", "501 layers, more than 50"),
    "SQLite that is not a GPKG": Case(sqlite_not_gpkg, "not_geopackage", "not a GeoPackage"),
    "empty file": Case(empty_file, "empty_file", "empty"),
    "PNG named .geojson": Case(png_file, "unknown_type", "binary file"),
    "gzipped GeoJSON": Case(gzip_file, "unknown_type", "compressed"),
    "GML": Case(gml_file, "unknown_type", "not KML"),
    "TopoJSON": Case(topojson_file, "unknown_type", "TopoJSON"),
    "JSON that is not GeoJSON": Case(plain_json, "unknown_type", "not GeoJSON"),
    "text named .geojson": Case(
        not_json_geojson, "extension_mismatch", "ends in .geojson but is not valid GeoJSON (its content is plain"
    ),
    "CSV named .geojson": Case(csv_named_geojson, "extension_mismatch", "starting 'name,lat,lon"),
    "GeoJSON named .kml": Case(geojson_named_kml, "extension_mismatch", "ends in .kml but is not valid KML"),
    "text named .gpkg": Case(text_named_gpkg, "extension_mismatch", "ends in .gpkg but is not a valid GeoPackage"),
    "a /vsi file name": Case(vsi_name, "vsi_path", "/vsi"),
    "file over the size limit": Case(too_large, "too_large", "MB limit", {"limits": TIGHT}),
    "truncated GeoJSON": Case(truncated_geojson, "parse_failed", "GeoJSON"),
    "CSV without coordinate columns": Case(csv_without_coordinates, "parse_failed", "no coordinate columns"),
    "empty geometry": Case(empty_geometry, "empty_geometry", "feature 1: the geometry is empty"),
    "infinite coordinates": Case(infinite_coordinates, "bad_coordinates", "infinite or not numbers"),
    "1e300 lon/lat coordinates": Case(huge_coordinates, "bad_coordinates", "not valid in WGS 84"),
    "1e300 S-JTSK coordinates": Case(huge_projected, "bad_coordinates", "coordinates out of range"),
    "polygon of 2 M vertices": Case(two_million_vertices, "too_many_vertices", "too many vertices"),
    "GPKG polygon of 150 k vertices": Case(gpkg_many_vertices, "too_many_vertices", "150,001 vertices, more than"),
    "a line": Case(line_string, "bad_geometry_type", "lines are not sites"),
    "more features than the cap": Case(
        too_many_features, "too_many_features", "30 features, more than 20", {"limits": IntakeLimits(max_features=20)}
    ),
    "swapped lat/lon": Case(swapped_latlon, "outside_region", "x and y (lon/lat) seem swapped"),
    "S-JTSK with swapped, positive axes": Case(krovak_swapped_axes, "outside_region", "swapped axes or a wrong CRS"),
    "shapefile without .prj": Case(shapefile_without_prj, "crs_missing", "declares no coordinate reference system"),
    "CSV in metres without a CRS": Case(csv_metres_without_crs, "crs_missing", "not lon/lat degrees"),
    "polygon in another municipality": Case(other_municipality, "outside_municipality", "outside the municipality"),
    "CRS chosen against the file's": Case(crs_conflict, "crs_conflict", "declares WGS 84", {"crs": "EPSG:5514"}),
    "parsing over the time limit": Case(
        crs_conflict, "parse_limits", "longer than 0 s", {"limits": IntakeLimits(timeout_s=0.05)}
    ),
    "parsing over the memory limit": Case(
        crs_conflict, "parse_limits", "more than the 100 MB allowed", {"limits": IntakeLimits(memory_mb=100)}
    ),
}


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused(name: str, tmp_path: Path, municipalities: gpd.GeoDataFrame) -> None:
    case = CASES[name]
    filename, data = case.make(tmp_path)
    with pytest.raises(UploadRejectedError) as info:
        check_upload(data, filename, municipality_code="500001", municipalities=municipalities, **case.kwargs)
    error = info.value
    assert error.reason == case.reason, str(error)
    assert case.phrase in str(error), str(error)
    assert error.reason in REASON_CODES
    # messages name the upload, never our private temp folder
    assert "gisplan-intake-" not in str(error)


def test_missing_crs_offers_the_fitting_choice_first(tmp_path: Path, municipalities: gpd.GeoDataFrame) -> None:
    filename, data = shapefile_without_prj(tmp_path)
    with pytest.raises(UploadRejectedError) as info:
        check_upload(data, filename, municipality_code="500001", municipalities=municipalities)
    assert info.value.choices[0] == "EPSG:5514"
    assert "EPSG:4326" in info.value.choices
    result = check_upload(data, filename, municipality_code="500001", municipalities=municipalities, crs="EPSG:5514")
    assert result.source_crs == "EPSG:5514"
    assert result.sites["area_m2"].iloc[0] == pytest.approx(120 * 80)
    assert result.sites["name"].tolist() == ["Statek"]


def test_choose_layer_lists_the_layers(tmp_path: Path, municipalities: gpd.GeoDataFrame) -> None:
    path = _gpkg(tmp_path)
    extra = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(A_CENTRE)], crs="EPSG:5514")
    extra.to_file(path, layer="points", driver="GPKG")
    with pytest.raises(UploadRejectedError) as info:
        check_upload(path.read_bytes(), "two.gpkg", municipality_code="500001", municipalities=municipalities)
    assert info.value.reason == "choose_layer"
    assert set(info.value.choices) == {"sites", "points"}
    result = check_upload(
        path.read_bytes(), "two.gpkg", municipality_code="500001", municipalities=municipalities, layer="points"
    )
    assert result.layer == "points"
    assert result.sites.geometry.iloc[0].equals(shapely.Point(A_CENTRE))


def test_bad_geometry_problems_are_all_listed(municipalities: gpd.GeoDataFrame) -> None:
    data = geojson_bytes(
        {"type": "Polygon", "coordinates": []},
        {"type": "LineString", "coordinates": [[14.1, 50.5], [14.2, 50.5]]},
        {"type": "Polygon", "coordinates": []},
    )
    with pytest.raises(UploadRejectedError) as info:
        check_upload(data, "mix.geojson", municipality_code="500001", municipalities=municipalities)
    where = [p.location for p in info.value.problems]
    assert where == ["feature 1", "feature 3", "feature 2"]


def test_unused_case_json_is_geojson() -> None:
    # guard: the fixtures themselves are what they claim to be
    assert json.loads(geojson_bytes(polygon(_site_ring())))["type"] == "FeatureCollection"
