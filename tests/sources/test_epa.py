"""The US EPA RE-Powering screening format, declared areas in catalogue layers, and land cover."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pydantic import ValidationError

from gisplan.catalogue import Layer
from gisplan.sources import read, read_layer, sniff_format
from gisplan.sources._landcover import from_osm, from_ruian

ACRE_M2 = 4_046.856_422_4


def _epa_file(tmp_path: Path, rows: list[dict[str, object]], name: str = "military.geojson") -> Path:
    features = [
        {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [-97.66, 28.36 + i]}}
        for i, props in enumerate(rows)
    ]
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


BASE = {"Site_ID": "TX317", "Site_Name": "US NAVY", "Estimated_": 466.7, "Distance_t": 18.9, "LandCover": 41}


def test_epa_file_is_sniffed_and_keeps_its_declared_acres(tmp_path: Path) -> None:
    path = _epa_file(
        tmp_path,
        [
            {**BASE, "CrossRefTx": "3133", "Acres": 2100.0, "Hectares": 849.86},
            {**BASE, "CrossRefTx": "3134", "Acres": None, "Hectares": 2.0},
            {**BASE, "CrossRefTx": "3135", "Acres": None, "Hectares": None},
        ],
    )
    assert sniff_format(path) == "us-epa"
    out = read(path)
    assert out["site_id"].tolist() == ["us-epa:3133", "us-epa:3134", "us-epa:3135"]
    assert out["name"].iloc[0] == "US NAVY"
    assert set(out["kind"]) == {"brownfield"}
    assert out["area_m2"].iloc[0] == pytest.approx(2100 * ACRE_M2)
    assert out["area_m2"].iloc[1] == pytest.approx(20_000.0)
    assert math.isnan(out["area_m2"].iloc[2])
    assert out["area_source"].tolist() == ["declared:Acres[acres]", "declared:Hectares[ha]", "not_available"]
    # truncated shapefile names get the EPA's full names; the NLCD cell under the point is not
    # the site's land cover, so it must not become land_cover
    assert out["estimated_pv_capacity"].iloc[0] == pytest.approx(466.7)
    assert out["distance_to_substation"].iloc[0] == pytest.approx(18.9)
    assert "land_cover" not in out.columns
    assert out["nlcd_land_cover_at_point"].iloc[0] == 41


def test_epa_ids_fall_back_to_site_id_and_row(tmp_path: Path) -> None:
    path = _epa_file(tmp_path, [{**BASE, "Acres": 5.0}, {**BASE, "Acres": 6.0}])
    out = read(path, format="us-epa")
    assert out["source_id"].tolist() == ["TX317/0", "TX317/1"]
    plain = tmp_path / "plain.geojson"
    gpd.GeoDataFrame({"Acres": [5.0]}, geometry=gpd.points_from_xy([14.0], [50.4]), crs=4326).to_file(plain)
    assert sniff_format(plain) == "vector"


def test_catalogue_layer_maps_a_declared_area(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"kod": ["A", "B"], "plocha_ha": [2.5, None]}, geometry=gpd.points_from_xy([14.0, 14.1], [50.4, 50.4]), crs=4326
    )
    frame.to_file(tmp_path / "body.gpkg", layer="body")
    layer = Layer.model_validate(
        {
            "id": "demo_points",
            "title": {"cs": "Body", "en": "Points"},
            "kind": "vector",
            "role": "candidate",
            "site_kind": "brownfield",
            "licence": "CC0 1.0",
            "source": {
                "type": "file",
                "path": "body.gpkg",
                "layer": "body",
                "columns": {"source_id": "kod", "area_ha": "plocha_ha"},
            },
        }
    )
    out = read_layer(layer, data_dir=tmp_path)
    assert out["area_m2"].iloc[0] == pytest.approx(25_000.0)
    assert out["area_source"].tolist() == ["declared:plocha_ha[ha]", "not_available"]
    with pytest.raises(ValidationError, match="at most one declared area"):
        Layer.model_validate(
            {**layer.model_dump(), "source": {**layer.source.model_dump(), "columns": {"area_ha": "a", "area_m2": "b"}}}
        )


def test_land_cover_vocabulary() -> None:
    ruian = from_ruian(pd.Series([2, 10, 11, 13, 14, None, 99]))
    assert ruian.tolist() == ["arable", "forest", "water", "built_up", "other", None, None]
    osm = from_osm(
        pd.DataFrame(
            {
                "landuse": ["forest", "residential", "brownfield", None, "quarry"],
                "natural": [None, "water", None, "wood", None],
            }
        )
    )
    assert osm is not None
    # natural says what covers the ground, so it wins over landuse
    assert osm.tolist() == ["forest", "water", "brownfield", "forest", None]
    assert from_osm(pd.DataFrame({"building": ["yes"]})) is None
