"""Vector files and CSV: in-code round trips through every supported format."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from gisplan.errors import InputError, MissingCRSError, SourceNotFoundError, UnreadableSourceError
from gisplan.sources import read


def _check_round_trip(out: gpd.GeoDataFrame, original: gpd.GeoDataFrame) -> None:
    assert len(out) == len(original)
    assert out.crs.to_epsg() == 5514
    assert sorted(out["name"]) == sorted(original["nazev"])
    polygons = out[out.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    assert polygons["area_m2"].to_numpy() == pytest.approx([10_000.0, 10_000.0], rel=1e-4)
    assert out["site_id"].is_unique


@pytest.mark.parametrize(
    ("suffix", "driver"),
    [(".gpkg", "GPKG"), (".geojson", "GeoJSON"), (".fgb", "FlatGeobuf"), (".shp", "ESRI Shapefile"), (".kml", "KML")],
)
def test_round_trip(tmp_path: Path, czech_sites: gpd.GeoDataFrame, suffix: str, driver: str) -> None:
    path = tmp_path / f"sites{suffix}"
    original = czech_sites[czech_sites.geom_type == "Polygon"] if driver == "ESRI Shapefile" else czech_sites
    data = original.to_crs(4326) if driver in {"GeoJSON", "KML"} else original
    if driver == "KML":
        data = data.rename(columns={"nazev": "Name"})  # KML keeps the feature name in <name>
    pyogrio.write_dataframe(data, path, driver=driver)
    out = read(path, kind="brownfield")
    _check_round_trip(out, original)
    assert set(out["kind"]) == {"brownfield"}
    assert out["source"].iloc[0] == "sites"


def test_geoparquet_round_trip(tmp_path: Path, czech_sites: gpd.GeoDataFrame) -> None:
    path = tmp_path / "sites.parquet"
    czech_sites.to_parquet(path)
    out = read(path, columns={"source_id": "kod"})
    _check_round_trip(out, czech_sites)
    assert out["site_id"].tolist() == ["sites:A1", "sites:B2", "sites:C3"]


def test_zipped_shapefile(tmp_path: Path, czech_sites: gpd.GeoDataFrame) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(czech_sites[czech_sites.geom_type == "Polygon"], folder / "plochy.shp")
    archive = tmp_path / "plochy.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in folder.iterdir():
            zf.write(member, f"data/{member.name}")
    out = read(archive)
    assert len(out) == 2
    assert out.crs.to_epsg() == 5514
    assert out["area_m2"].sum() == pytest.approx(20_000.0)


def test_zip_with_unsafe_member_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.geojson", "{}")
        zf.writestr("layer.vrt", "<OGRVRTDataSource>" + " " * 1000 + "</OGRVRTDataSource>")
    with pytest.raises(UnreadableSourceError, match=r"unsafe member 'layer\.vrt'"):
        read(archive)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../etc/a.shp", "x" * 100)
    with pytest.raises(UnreadableSourceError, match="unsafe member"):
        read(archive)


def test_shapefile_without_prj(tmp_path: Path, czech_sites: gpd.GeoDataFrame) -> None:
    path = tmp_path / "noprj.shp"
    pyogrio.write_dataframe(czech_sites.iloc[:2], path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(MissingCRSError, match="declares no coordinate reference system"):
        read(path)
    out = read(path, crs="EPSG:5514")
    assert len(out) == 2
    assert out["area_m2"].iloc[0] == pytest.approx(10_000.0)


def test_crs_argument_must_not_contradict_the_file(tmp_path: Path, czech_sites: gpd.GeoDataFrame) -> None:
    path = tmp_path / "sites.gpkg"
    pyogrio.write_dataframe(czech_sites, path)
    with pytest.raises(InputError, match="declares EPSG:5514"):
        read(path, crs="EPSG:4326")


def test_multi_layer_gpkg_needs_a_layer_and_filters(tmp_path: Path, czech_sites: gpd.GeoDataFrame) -> None:
    path = tmp_path / "multi.gpkg"
    pyogrio.write_dataframe(czech_sites, path, layer="a")
    pyogrio.write_dataframe(czech_sites.iloc[:1], path, layer="b")
    with pytest.raises(InputError, match=r"2 layers \(a, b\)"):
        read(path)
    with pytest.raises(SourceNotFoundError, match="no layer 'c'"):
        read(path, layer="c")
    assert len(read(path, layer="b")) == 1
    filtered = read(path, layer="a", where="kod IN ('A1', 'C3')")
    assert sorted(filtered["name"]) == ["Bod", "Cukrovar"]
    assert filtered["source"].iloc[0] == "multi/a"
    with pytest.raises(InputError, match="filter"):
        read(path, layer="a", where="no_such_field = 1")


def test_csv_with_lat_lon(tmp_path: Path) -> None:
    path = tmp_path / "body.csv"
    path.write_text(
        "id;name;lat;lon;kod\n1;Děčany;50,4470;13,9977;01\n2;Třebívlice;50.4617;13.8980;02\n3;prázdný;;;03\n",
        encoding="utf-8",
    )
    out = read(path, columns={"source_id": "id"})
    assert out.crs.to_epsg() == 5514
    assert out["source_id"].tolist() == ["1", "2", "3"]
    assert out["name"].tolist() == ["Děčany", "Třebívlice", "prázdný"]
    assert out.geometry.iloc[2] is None
    assert out["kod"].tolist() == ["01", "02", "03"]  # codes with leading zeros stay text
    assert out["area_m2"].isna().all()  # points with no declared area: NaN, not 0 (issue 12)
    assert set(out["area_source"]) == {"not_available"}
    assert -800_000 < out.geometry.iloc[0].x < -700_000


def test_csv_with_wkt_and_ewkt(tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text(
        "v_id#name#wkt_srid_4326\n1#'Rozvodna ''Výškov'''#SRID=4326;POINT(13.62 50.40)\n"
        "2#'Hradec'#SRID=4326;POLYGON((13.0 50.0,13.01 50.0,13.01 50.01,13.0 50.0))\n",
        encoding="utf-8",
    )
    out = read(path)
    assert out["name"].tolist() == ["Rozvodna 'Výškov'", "Hradec"]
    assert out.crs.to_epsg() == 5514
    assert out["area_m2"].iloc[1] > 0


def test_csv_wkt_projected_needs_crs(tmp_path: Path) -> None:
    path = tmp_path / "krovak.csv"
    path.write_text(
        'kod,wkt\nA,"POLYGON((-773500 -999900,-773400 -999900,-773400 -999800,-773500 -999800,-773500 -999900))"\n'
    )
    with pytest.raises(MissingCRSError, match="--crs"):
        read(path)
    out = read(path, crs="EPSG:5514")
    assert out["area_m2"].iloc[0] == pytest.approx(10_000.0)


def test_csv_reports_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,wkt\na,POINT(1 2)\nb,POINT(1\nc,NOTWKT\n")
    with pytest.raises(UnreadableSourceError) as info:
        read(path)
    assert [p.location for p in info.value.problems] == ["row 2, field wkt", "row 3, field wkt"]
    path.write_text("name,lat,lon\na,50,x\nb,50,\nc,50,14\n")
    with pytest.raises(UnreadableSourceError) as info:
        read(path)
    assert [p.location for p in info.value.problems] == ["row 1, field lon", "row 1", "row 2"]


def test_csv_without_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(UnreadableSourceError, match="name them lat and lon"):
        read(path)


def test_corrupt_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(UnreadableSourceError, match="cannot be read"):
        read(broken)
    json = tmp_path / "broken.geojson"
    json.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(UnreadableSourceError):
        read(json)
    parquet = tmp_path / "broken.parquet"
    parquet.write_bytes(b"PAR1 not really")
    with pytest.raises(UnreadableSourceError):
        read(parquet)


def test_topojson_without_crs_is_lonlat(tmp_path: Path) -> None:
    path = tmp_path / "t.topojson"
    path.write_text(
        '{"type":"Topology","objects":{"obce":{"type":"GeometryCollection","geometries":'
        '[{"type":"Polygon","arcs":[[0]],"properties":{"kod":"564729","nazev":"Děčany"}}]}},'
        '"arcs":[[[13.99,50.44],[14.0,50.44],[14.0,50.45],[13.99,50.44]]]}'
    )
    out = read(path, columns={"source_id": "kod"})
    assert out["site_id"].tolist() == ["t:564729"]
    assert out.crs.to_epsg() == 5514
    assert out["name"].tolist() == ["Děčany"]


def test_a_projected_equal_area_input_keeps_its_crs(tmp_path: Path) -> None:
    """A file in EPSG:5070 (NAD83 Conus Albers, metres, equal-area) is read in it, not reprojected."""
    import geopandas as gpd
    import shapely

    from gisplan.sources import read

    path = tmp_path / "conus.gpkg"
    # a few hundred metres apart: from their extent alone, a UTM zone would be chosen
    squares = [shapely.box(x, 1_500_000, x + 100, 1_500_100) for x in (0, 300, 600)]
    gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=squares, crs="EPSG:5070").to_file(path, layer="sites")
    out = read(path)
    assert out.crs.to_epsg() == 5070
    assert out.geometry.area.tolist() == pytest.approx([10_000.0] * 3)
