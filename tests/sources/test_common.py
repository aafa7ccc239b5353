"""Path safety, column names and the canonical frame."""

from __future__ import annotations

import gzip
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gisplan.catalogue import CANONICAL_COLUMNS
from gisplan.errors import (
    CRSError,
    InputError,
    InvalidDataError,
    MissingCRSError,
    SourceNotFoundError,
    UnreadableSourceError,
)
from gisplan.sources._common import attribute_names, canonical, check_kind, check_path, flatten_lists, snake_case


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("VymeraParcely", "vymera_parcely"),
        ("DetailniTEAKod", "detailni_tea_kod"),
        ("roof:shape", "roof_shape"),
        ("building:levels", "building_levels"),
        ("site-address", "site_address"),
        ("KOD_OBEC", "kod_obec"),
        ("NAME_1", "name_1"),
        ("kod_obce", "kod_obce"),
        ("název", "název"),
    ],
)
def test_snake_case(raw: str, expected: str) -> None:
    assert snake_case(raw) == expected


def test_attribute_names_avoid_canonical_and_duplicates() -> None:
    names = attribute_names(["name", "source", "Name", "NAME", "roof:shape", "geometry"])
    assert names == {
        "name": "name_src",
        "source": "source_src",
        "Name": "name_src_2",
        "NAME": "name_src_3",
        "roof:shape": "roof_shape",
        "geometry": "geometry_src",
    }


def test_flatten_lists_joins_values() -> None:
    import numpy as np

    frame = pd.DataFrame({"a": [np.array([18, 19]), None], "b": ["x", "y"], "c": [1, 2]})
    out = flatten_lists(frame)
    assert out["a"].iloc[0] == "18;19"
    assert pd.isna(out["a"].iloc[1])
    assert out["b"].tolist() == ["x", "y"]


@pytest.mark.parametrize(
    "path",
    [
        "/vsizip//tmp/x.zip/a.shp",
        "/vsicurl/http://example.org/a.tif",
        "data.vrt",
        "DATA.VRT",
        "https://example.org/a.gpkg",
        "PG:dbname=x",
    ],
)
def test_check_path_refuses_gdal_tricks(path: str) -> None:
    with pytest.raises(UnreadableSourceError):
        check_path(path)


def test_check_path_refuses_vrt_content_under_another_name(tmp_path: Path) -> None:
    disguised = tmp_path / "sites.gpkg"
    disguised.write_text('<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>')
    with pytest.raises(UnreadableSourceError, match="VRT"):
        check_path(disguised)
    zipped = tmp_path / "sites.xml.gz"
    with gzip.open(zipped, "wt") as fh:
        fh.write("<VRTDataset rasterXSize='1'></VRTDataset>")
    with pytest.raises(UnreadableSourceError, match="VRT"):
        check_path(zipped)


def test_check_path_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="not found"):
        check_path(tmp_path / "nope.gpkg")
    with pytest.raises(SourceNotFoundError, match="folder"):
        check_path(tmp_path)


def test_check_kind() -> None:
    assert check_kind("rooftop") == "rooftop"
    assert check_kind(None) is None
    with pytest.raises(InputError, match="brownfield, rooftop, municipal_land"):
        check_kind("roof")


def test_canonical_columns_area_and_ids(czech_sites: gpd.GeoDataFrame) -> None:
    out = canonical(
        czech_sites,
        source="demo",
        source_ids=czech_sites["kod"],
        names=czech_sites["nazev"],
        kind="brownfield",
        label="t",
    )
    assert list(out.columns[: len(CANONICAL_COLUMNS)]) == list(CANONICAL_COLUMNS)
    assert out["site_id"].tolist() == ["demo:A1", "demo:B2", "demo:C3"]
    assert out.crs.to_epsg() == 5514
    # a point has no area (NaN, not 0) unless its source declares one
    assert out["area_m2"].tolist()[:2] == pytest.approx([10_000.0, 10_000.0])
    assert np.isnan(out["area_m2"].iloc[2])
    assert out["area_source"].tolist() == ["geometry", "geometry", "not_available"]
    assert out["name"].tolist()[1] == "Old <b>gasworks</b>"  # raw text, escaping is the app's job
    assert "vymera_m2" in out.columns
    assert set(out["kind"]) == {"brownfield"}


def test_canonical_declared_area_counts_only_without_a_polygon(czech_sites: gpd.GeoDataFrame) -> None:
    # Before, a declared area overrode the polygon's; now the polygon's own area wins and the
    # declared one fills in for the point only (issue 12: area from geometry, else declared).
    given = pd.Series([None, 5.0, 7.0], index=czech_sites.index)
    out = canonical(
        czech_sites, source="d", source_ids=["1", "2", "3"], area_m2=given, area_field="ha_x[m2]", label="t"
    )
    assert out["area_m2"].tolist() == pytest.approx([10_000.0, 10_000.0, 7.0])
    assert out["area_source"].tolist() == ["geometry", "geometry", "declared:ha_x[m2]"]


def test_canonical_columns_map_a_declared_area_with_its_unit(czech_sites: gpd.GeoDataFrame) -> None:
    frame = czech_sites.assign(Acres=["1", "2", "10"])
    out = canonical(frame, source="d", source_ids=["1", "2", "3"], columns={"area_acres": "Acres"}, label="f.gpkg")
    assert out["area_m2"].iloc[2] == pytest.approx(40_468.564224)
    assert out["area_source"].tolist() == ["geometry", "geometry", "declared:Acres[acres]"]
    bad = czech_sites.assign(plocha=["1", "2", "lots"])
    with pytest.raises(InvalidDataError) as info:
        canonical(bad, source="d", source_ids=["1", "2", "3"], columns={"area_ha": "plocha"}, label="f.gpkg")
    assert [(p.file, p.location) for p in info.value.problems] == [("f.gpkg", "feature 2, field plocha")]


def test_canonical_columns_mapping_wins(czech_sites: gpd.GeoDataFrame) -> None:
    frame = czech_sites.assign(druh=["brownfield", "rooftop", None])
    out = canonical(
        frame,
        source="d",
        source_ids=range(3),
        columns={"source_id": "kod", "name": "NAZEV", "kind": "druh"},
        label="t",
    )
    assert out["source_id"].tolist() == ["A1", "B2", "C3"]
    assert out["name"].tolist()[0] == "Cukrovar"
    assert out["kind"].tolist() == ["brownfield", "rooftop", None]
    with pytest.raises(InputError, match="no column 'missing'"):
        canonical(frame, source="d", source_ids=range(3), columns={"name": "missing"}, label="t")
    bad = frame.assign(druh=["roof", "rooftop", "x"])
    with pytest.raises(UnreadableSourceError, match="row 0") as info:
        canonical(bad, source="d", source_ids=range(3), columns={"kind": "druh"}, label="t")
    assert len(info.value.problems) == 2


def test_canonical_reprojects_to_utm_outside_czechia() -> None:
    # 1 km x 1 km square in Luxembourg, given in lon/lat via its UTM 31N coordinates
    square = gpd.GeoDataFrame(geometry=[box(300_000, 5_500_000, 301_000, 5_501_000)], crs="EPSG:32631").to_crs(4326)
    out = canonical(square, source="lu", source_ids=["1"], label="t")
    assert out.crs.to_epsg() == 32631
    assert out["area_m2"].iloc[0] == pytest.approx(1_000_000, rel=1e-6)
    explicit = canonical(square, source="lu", source_ids=["1"], label="t", working_crs="EPSG:3035")
    assert explicit.crs.to_epsg() == 3035
    with pytest.raises(CRSError, match="metric"):
        canonical(square, source="lu", source_ids=["1"], label="t", working_crs="EPSG:4326")


def test_canonical_refuses_missing_crs_and_missing_ids() -> None:
    frame = gpd.GeoDataFrame(geometry=[Point(1, 2)])
    with pytest.raises(MissingCRSError, match="--crs"):
        canonical(frame, source="x", source_ids=["1"], label="t")
    frame = frame.set_crs(4326)
    with pytest.raises(InputError, match="no source id"):
        canonical(frame, source="x", source_ids=[None], label="t")
