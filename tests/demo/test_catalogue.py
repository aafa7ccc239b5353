"""layers/demo.yaml: committed text equals the generated one, and it validates against the files."""

from __future__ import annotations

import pyogrio
import pytest

from gisplan.catalogue import FileSource, Layer, RasterSource, load_catalogue, validate_files
from gisplan.demo._catalogue import FILES, LICENCE, catalogue_data, catalogue_text
from gisplan.sources import open_raster, read_layer
from tests.conftest import ROOT
from tests.demo.conftest import Built


def _path(layer: Layer) -> str:
    assert isinstance(layer.source, FileSource | RasterSource)
    return layer.source.path


def test_committed_catalogue_equals_the_generated_one(full_build: Built) -> None:
    committed = (ROOT / "layers" / "demo.yaml").read_text(encoding="utf-8")
    assert committed == catalogue_text("demo")
    assert full_build.layers_file.read_text(encoding="utf-8") == committed


def test_catalogue_validates_with_files(small_build: Built) -> None:
    catalogue, problems = validate_files([small_build.layers_file], data_dir=small_build.data_dir)
    assert problems == []
    roles = {layer.id: (layer.role, layer.site_kind) for layer in catalogue.layers.values()}
    assert roles["demo_buildings"] == ("candidate", "rooftop")
    assert roles["demo_brownfields"] == ("candidate", "brownfield")
    assert roles["demo_municipal_parcels"] == ("candidate", "municipal_land")
    assert roles["demo_municipalities"] == ("admin", None)
    assert {layer.id for layer in catalogue.by_role("exclusion")} == {"demo_protected_areas", "demo_flood_zones"}
    units = {
        layer.id: layer.source.unit for layer in catalogue.layers.values() if isinstance(layer.source, RasterSource)
    }
    assert units == {"demo_ghi": "kWh/m2/yr", "demo_dem": "m", "demo_slope": "degrees"}
    assert all(layer.licence == LICENCE for layer in catalogue.layers.values())
    paths = {_path(layer).split("/", 1)[1] for layer in catalogue.layers.values()}
    assert paths == set(FILES.values()) - {FILES["preview"], FILES["readme"]}


def test_catalogue_paths_follow_the_folder() -> None:
    data = catalogue_data("sub/demo")
    assert all(entry["source"]["path"].startswith("sub/demo/") for entry in data["layers"])


def test_every_layer_reads_through_the_sources_readers(small_build: Built) -> None:
    catalogue = load_catalogue(small_build.layers_file.parent)
    counts = small_build.summary.counts
    key_of = {"demo_" + k: k for k in counts} | {"demo_municipal_parcels": "parcels"}
    for layer in catalogue.layers.values():
        path = small_build.data_dir / _path(layer)
        if layer.kind == "raster":
            raster = open_raster(path)
            assert raster.crs.to_epsg() == 5514, layer.id
            assert raster.values.shape in {(400, 400), (200, 200)}, layer.id
            continue
        sites = read_layer(layer, data_dir=small_build.data_dir)
        assert sites.crs.to_epsg() == 5514, layer.id
        assert len(sites) == counts[key_of[layer.id]], layer.id
        assert sites["source_id"].is_unique, layer.id
        assert (sites["site_id"] == sites["source"] + ":" + sites["source_id"]).all(), layer.id
        if layer.site_kind:
            assert (sites["kind"] == layer.site_kind).all(), layer.id
            assert sites["name"].notna().all(), layer.id
        if isinstance(layer.source, FileSource) and layer.source.layer:
            assert pyogrio.read_info(path, layer=layer.source.layer)["features"] == len(sites)


@pytest.mark.parametrize("layer_id", ["demo_buildings", "demo_ghi"])
def test_titles_are_bilingual(layer_id: str) -> None:
    import yaml

    entries = {e["id"]: e for e in yaml.safe_load(catalogue_text())["layers"]}
    assert entries[layer_id]["title"]["cs"] != entries[layer_id]["title"]["en"]


def test_every_demo_layer_has_a_title_in_each_interface_language() -> None:
    for entry in catalogue_data()["layers"]:
        title = entry["title"]
        assert {"cs", "en", "pl", "hu", "da"} <= set(title), entry["id"]
        assert len({title[lang] for lang in ("cs", "en", "pl", "hu", "da")}) >= 4, title  # translated, not copied
