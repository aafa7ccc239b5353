"""Region setup helpers: uploads checked before reading, slot states per profile, loads that leave nothing half done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gisplan.app.regionsetup import (
    CSV_SUFFIXES,
    TERRITORY_SUFFIXES,
    check_upload,
    load_communities,
    load_territories,
    saved_upload,
    slot_table,
)
from gisplan.errors import GisplanError, InputError
from gisplan.store import SYSTEM, Store
from tests.store.conftest import pg_schema, sqlite_template, store, store_url  # noqa: F401 - fixtures (both backends)


def boundary_geojson(rows: list[tuple[str, str, int]]) -> bytes:
    """A GeoJSON (EPSG:4326) of square municipalities: (code, name, population)."""
    features = []
    for i, (code, name, population) in enumerate(rows):
        x = 14.0 + i * 0.01
        ring = [[x, 50.0], [x + 0.01, 50.0], [x + 0.01, 50.01], [x, 50.01], [x, 50.0]]
        features.append(
            {
                "type": "Feature",
                "properties": {"kod_obce": code, "nazev_obce": name, "pocet_obyv": population},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_uploads_are_checked_for_type_size_and_content() -> None:
    assert check_upload("OB_564729.XML.GZ", b"x", suffixes=TERRITORY_SUFFIXES, limit_mb=1) == ".xml.gz"
    assert check_upload("obce.gpkg", b"x", suffixes=TERRITORY_SUFFIXES, limit_mb=1) == ".gpkg"
    with pytest.raises(InputError, match=r"not accepted here; upload one of \.xml\.gz"):
        check_upload("obce.gz", b"x", suffixes=TERRITORY_SUFFIXES, limit_mb=1)
    with pytest.raises(InputError, match="not accepted"):
        check_upload("obce.exe", b"x", suffixes=CSV_SUFFIXES, limit_mb=1)
    with pytest.raises(InputError, match="is empty"):
        check_upload("mas.csv", b"", suffixes=CSV_SUFFIXES, limit_mb=1)
    with pytest.raises(InputError, match=r"2\.0 MB, more than the 1 MB allowed"):
        check_upload("mas.csv", b"x" * (2 * 1024 * 1024), suffixes=CSV_SUFFIXES, limit_mb=1)


def test_a_saved_upload_keeps_its_ending_and_loses_path_tricks(tmp_path: Path) -> None:
    path = saved_upload(tmp_path, "../../etc/OB 564729 Děčany.xml.gz", b"data", ".xml.gz")
    assert path.parent == tmp_path
    assert path.name.endswith(".xml.gz")
    assert "/" not in path.name[: -len(".xml.gz")]
    assert path.read_bytes() == b"data"


def test_slot_table_lists_each_profile_s_slots_and_whether_it_runs() -> None:
    from gisplan.catalogue import validate_files
    from gisplan.profiles import load_profiles
    from tests.conftest import ROOT

    catalogue, problems = validate_files([ROOT / "layers" / "examples" / "decany" / "region.yaml"])
    assert problems == []
    table = slot_table(load_profiles(ROOT / "layers" / "profiles"), catalogue).set_index(["profile", "slot"])
    assert set(table["state"]) <= {"filled", "unavailable", "optional", "missing"}
    assert table.loc[("rooftop_pv", "substations"), "layer"] == "grid_substations"
    assert table.loc[("rooftop_pv", "protected_areas"), "state"] == "unavailable"
    assert table.loc[("rooftop_pv", "ghi"), "state"] == "optional"
    assert table.loc[("rooftop_pv", "slope"), "runs"]
    assert table.loc[("rooftop_pv", "slope"), "candidates"] == "decany_buildings"
    assert not table.loc[("ground_pv", "slope"), "runs"]  # no brownfield or municipal land layer


def test_a_missing_slot_stops_the_profile() -> None:
    from gisplan.catalogue import validate_files
    from gisplan.profiles import load_profiles
    from tests.conftest import ROOT

    example = (ROOT / "layers" / "examples" / "decany" / "region.yaml").read_text(encoding="utf-8")
    assert "unavailable:" in example
    catalogue, _ = validate_files([ROOT / "layers" / "examples" / "decany" / "region.yaml"])
    bare = catalogue.model_copy(update={"unavailable": {}})
    table = slot_table(load_profiles(ROOT / "layers" / "profiles"), bare).set_index(["profile", "slot"])
    assert table.loc[("rooftop_pv", "protected_areas"), "state"] == "missing"
    assert not table.loc[("rooftop_pv", "protected_areas"), "runs"]


def test_territories_load_and_a_failure_stores_nothing(store: Store, tmp_path: Path) -> None:  # noqa: F811
    good = tmp_path / "obce.geojson"
    good.write_bytes(boundary_geojson([("564729", "Děčany", 394), ("530506", "Chodovlice", 120)]))
    steps: list[str] = []
    report = load_territories(store, SYSTEM, good, region_code="CZ042", step=steps.append)
    assert sorted(report.added) == ["530506", "564729"]
    assert steps == ["read", "units", "store"]
    stored = {c.code: (c.name, c.population, c.region_code) for c in store.communities("municipality")}
    assert stored == {"564729": ("Děčany", 394, "CZ042"), "530506": ("Chodovlice", 120, "CZ042")}
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(boundary_geojson([("111111", "Nová", 10), ("111111", "Dvojí", 20)]))  # a duplicate code
    with pytest.raises(GisplanError, match="111111"):
        load_territories(store, SYSTEM, bad)
    assert len(store.communities("municipality")) == 2
    csv = tmp_path / "mas.csv"
    csv.write_text("kind,code,name,municipality_code\nmas,M1,MAS Podlesí,564729\nmas,M1,MAS Podlesí,999999\n")
    with pytest.raises(GisplanError, match="999999"):
        load_communities(store, SYSTEM, csv)
    assert store.communities("mas") == []
    csv.write_text("kind,code,name,municipality_code\nmas,M1,MAS Podlesí,564729\nmas,M1,MAS Podlesí,530506\n")
    assert load_communities(store, SYSTEM, csv).added == ["mas:M1"]
    (mas,) = store.communities("mas")
    assert (mas.name, mas.region_code) == ("MAS Podlesí", "CZ042")
