"""Inputs that are accepted, or handled as specified: repairs, border crossings, encodings, drawings."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gisplan.errors import UploadRejectedError
from gisplan.intake import check_drawing, check_upload
from tests.intake.conftest import (
    A_BOX,
    A_CENTRE,
    feature_collection,
    geojson_bytes,
    lonlat,
    polygon,
    shapefile_members,
    square_lonlat,
    zip_bytes,
)


def test_bow_tie_is_repaired_and_flagged(municipalities: gpd.GeoDataFrame) -> None:
    x, y = A_CENTRE
    # a bow-tie: the ring crosses itself in the middle
    ring = [list(lonlat(*p)) for p in [(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)]]
    result = check_upload(
        geojson_bytes(polygon(ring)), "bowtie.geojson", municipality_code="500001", municipalities=municipalities
    )
    assert result.needs_confirmation
    site = result.sites.iloc[0]
    assert bool(site["repaired"])
    assert "Self-intersection" in site["repair_note"]
    assert "2 parts" in site["repair_note"]
    assert site.geometry.is_valid
    assert site["area_m2"] == pytest.approx(5000, rel=0.01)  # two triangles of 50 × 100 m
    assert not result.original.iloc[0].is_valid
    assert [w.code for w in result.warnings] == ["repaired"]


def test_cp1250_csv_with_semicolons(municipalities: gpd.GeoDataFrame) -> None:
    lon, lat = lonlat(*A_CENTRE)
    text = f"název;poznámka;lat;lon\nStará pekárna;žluťoučký kůň;{lat:.6f};{lon:.6f}\n".replace(".", ",")
    result = check_upload(
        text.encode("cp1250"), "plochy.csv", municipality_code="500001", municipalities=municipalities
    )
    assert result.sites["name"].tolist() == ["Stará pekárna"]
    assert result.sites["poznámka"].tolist() == ["žluťoučký kůň"]
    assert result.sites.crs.to_epsg() == 5514
    point = result.sites.geometry.iloc[0]
    assert point.distance(shapely.Point(A_CENTRE)) < 1.0


def test_border_crossing_is_flagged_not_refused(municipalities: gpd.GeoDataFrame) -> None:
    east = A_BOX[2]
    ring = square_lonlat(east, A_CENTRE[1], half=100.0)  # half in A, half in B
    result = check_upload(
        geojson_bytes(polygon(ring)), "edge.geojson", municipality_code="500001", municipalities=municipalities
    )
    assert result.flagged
    assert result.sites["inside_share"].iloc[0] == pytest.approx(0.5, abs=0.01)
    assert any(w.code == "crosses_border" and "50 %" in w.message for w in result.warnings)


def test_site_just_outside_within_tolerance_is_flagged(municipalities: gpd.GeoDataFrame) -> None:
    ring = square_lonlat(A_BOX[0] - 300.0, A_CENTRE[1], half=50.0)  # 250–350 m west of A, no other municipality
    result = check_upload(
        geojson_bytes(polygon(ring)), "near.geojson", municipality_code="500001", municipalities=municipalities
    )
    assert result.flagged
    assert result.sites["inside_share"].iloc[0] == 0.0


def test_unknown_municipality_skips_place_check_with_warning(municipalities: gpd.GeoDataFrame) -> None:
    result = check_upload(
        geojson_bytes(polygon(square_lonlat(*A_CENTRE))),
        "site.geojson",
        municipality_code="999999",
        municipalities=municipalities,
    )
    assert not result.place_checked
    assert result.sites["inside_share"].isna().all()
    assert not result.flagged
    assert [w.code for w in result.warnings] == ["place_not_checked"]


def test_rows_without_coordinates_are_left_out(municipalities: gpd.GeoDataFrame) -> None:
    lon, lat = lonlat(*A_CENTRE)
    text = f"name,latitude,longitude\nA,{lat},{lon}\nB,,\nC,{lat},{lon}\n"
    result = check_upload(text.encode(), "reg.csv", municipality_code="500001", municipalities=municipalities)
    assert result.sites["name"].tolist() == ["A", "C"]
    assert result.sites["site_no"].tolist() == [1, 2]
    warning = next(w for w in result.warnings if w.code == "rows_without_geometry")
    assert "rows 2" in warning.message


def test_zipped_shapefile_with_prj(tmp_path: Path, municipalities: gpd.GeoDataFrame) -> None:
    x, y = A_CENTRE
    frame = gpd.GeoDataFrame(
        {"nazev": ["Sklad", "Dvůr"], "repaired": ["x", "y"]},
        geometry=[shapely.box(x, y, x + 50, y + 40), shapely.box(x + 100, y, x + 130, y + 30)],
        crs="EPSG:5514",
    )
    members = {f"data/{k}": v for k, v in shapefile_members(tmp_path, frame).items()}
    result = check_upload(zip_bytes(members), "plochy.zip", municipality_code="500001", municipalities=municipalities)
    assert result.source_format == "shapefile"
    assert result.sites["name"].tolist() == ["Sklad", "Dvůr"]
    assert result.sites["area_m2"].round().tolist() == [2000.0, 900.0]
    # a file column named like a result column is kept under another name, never overwriting it
    assert result.sites["repaired_src"].tolist() == ["x", "y"]
    assert not result.sites["repaired"].any()


def test_kml_is_accepted(municipalities: gpd.GeoDataFrame) -> None:
    lon, lat = lonlat(*A_CENTRE)
    kml = (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<Placemark><name>Pila</name><Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>"
        "</Document></kml>"
    )
    result = check_upload(kml.encode(), "pila.kml", municipality_code="500001", municipalities=municipalities)
    assert result.source_format == "kml"
    assert result.sites["name"].tolist() == ["Pila"]
    assert result.sites["geometry_type"].tolist() == ["Point"]


def test_file_name_is_never_opened(municipalities: gpd.GeoDataFrame) -> None:
    # a name that is a real path of another file changes nothing: only the bytes count
    result = check_upload(
        geojson_bytes(polygon(square_lonlat(*A_CENTRE))),
        "/etc/passwd",
        municipality_code="500001",
        municipalities=municipalities,
    )
    assert result.source_format == "geojson"
    assert len(result.sites) == 1


def test_drawing_polygon_and_point(municipalities: gpd.GeoDataFrame) -> None:
    drawn = [
        {"type": "Feature", "properties": {}, "geometry": polygon(square_lonlat(*A_CENTRE))},
        {
            "type": "Feature",
            "properties": {"radius": 10},
            "geometry": {"type": "Point", "coordinates": [*lonlat(*A_CENTRE)]},
        },
    ]
    result = check_drawing(drawn, municipality_code="500001", municipalities=municipalities)
    assert result.source_format == "drawing"
    assert result.sites["geometry_type"].tolist() == ["Polygon", "Point"]
    assert result.sites["area_m2"].iloc[0] == pytest.approx(40_000, rel=0.001)
    assert result.sites["inside_share"].tolist() == [1.0, 1.0]
    assert result.sites.crs.to_epsg() == 5514


def test_drawing_in_another_municipality_is_refused(municipalities: gpd.GeoDataFrame) -> None:
    drawn = feature_collection(polygon(square_lonlat(-765_000.0, -995_000.0)))
    with pytest.raises(UploadRejectedError) as info:
        check_drawing(drawn, municipality_code="500001", municipalities=municipalities)
    assert info.value.reason == "outside_municipality"
    assert "5,0" in str(info.value) or "4,9" in str(info.value)  # about 4.9 km beyond the border


def test_drawing_that_is_not_geojson_is_refused(municipalities: gpd.GeoDataFrame) -> None:
    with pytest.raises(UploadRejectedError) as info:
        check_drawing(
            {"type": "Polygon", "coordinates": "x"}, municipality_code="500001", municipalities=municipalities
        )
    assert info.value.reason == "parse_failed"
    with pytest.raises(UploadRejectedError) as empty:
        check_drawing([], municipality_code="500001", municipalities=municipalities)
    assert empty.value.reason == "no_geometry"
