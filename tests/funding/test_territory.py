"""Municipality -> district/region lookups: hand-made, demo, and the real Czech admin layers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from gisplan import settings
from gisplan.errors import InputError, SourceNotFoundError
from gisplan.funding import (
    PlaceLookup,
    demo_places,
    facts_from_row,
    load_calls,
    match_site,
    places_from_admin_gpkg,
    region_code,
    region_name,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CZ042", "CZ042"),
        ("cz080", "CZ080"),
        ("Ústecký kraj", "CZ042"),
        ("ustecky", "CZ042"),
        ("Kraj Vysočina", "CZ063"),
        ("Hlavní město Praha", "CZ010"),
        ("Atlantis", None),
    ],
)
def test_region_code(text: str, code: str | None) -> None:
    assert region_code(text) == code


def test_region_name() -> None:
    assert region_name("CZ041") == "Karlovarský kraj"
    assert region_name("XX") == "XX"


def test_from_frame_with_names_and_defaults() -> None:
    frame = pd.DataFrame({"kod": ["1", "2"], "kraj": ["Ústecký kraj", "CZ080"], "okres": ["CZ0426", "CZ0806"]})
    lookup = PlaceLookup.from_frame(frame, code_column="kod", region_column="kraj", district_column="okres")
    place = lookup.get("1")
    assert place is not None
    assert (place.region, place.district) == ("CZ042", "CZ0426")
    assert lookup.get("3") is None
    assert lookup.get(None) is None
    with pytest.raises(InputError, match="not Czech regions"):
        PlaceLookup.from_frame(frame.assign(kraj=["Mordor", "CZ080"]), code_column="kod", region_column="kraj")
    with pytest.raises(InputError, match="lacks column"):
        PlaceLookup.from_frame(frame, code_column="kod_obce")


def test_demo_places_put_every_demo_municipality_in_usti_region() -> None:
    lookup = demo_places(["599101", "599126"])
    assert len(lookup) == 2
    assert {p.region for p in lookup.places.values()} == {"CZ042"}
    assert lookup.district_code("teplice (demo)") == "CZ0426"
    assert lookup.district_code("CZ0806") == "CZ0806"
    assert lookup.district_code("Nowhere") is None


def test_missing_admin_file() -> None:
    with pytest.raises(SourceNotFoundError):
        places_from_admin_gpkg("/nonexistent/admin.gpkg")


def test_real_admin_layers_place_every_municipality(shared_data: Path) -> None:
    lookup = places_from_admin_gpkg(shared_data / "admin_cz" / "admin_cz.gpkg")
    assert len(lookup) == 6279
    decany = lookup.get("564729")
    assert decany is not None
    assert (decany.district, decany.region, decany.district_name) == ("CZ0423", "CZ042", "Litoměřice")
    per_region = pd.Series([p.region for p in lookup.places.values()]).value_counts()
    # counts from the shared data's SOURCES.md
    assert (per_region["CZ042"], per_region["CZ041"], per_region["CZ080"]) == (354, 134, 300)
    assert lookup.district_code("Teplice") == "CZ0426"


def test_shipped_catalogue_on_real_municipalities(shared_data: Path) -> None:
    """Děčany (Ústecký kraj, 420 inhabitants) against Ostrava (Moravskoslezský kraj) on the real lookup."""
    lookup = places_from_admin_gpkg(shared_data / "admin_cz" / "admin_cz.gpkg")
    catalogue = load_calls(settings.PROJECT_ROOT / "data" / "funding_calls.yaml")
    today = dt.date(2024, 6, 1)
    decany = facts_from_row(
        {"kind": "brownfield", "kod_obce": "564729", "pocet_obyv": 420, "area_m2": 20_000.0},
        applicant="municipality",
        intended_use="public_services",
    )
    verdicts = {m.call.id: m.verdict for m in match_site(decany, catalogue, today=today, places=lookup)}
    ostrava = facts_from_row(
        {"kind": "brownfield", "kod_obce": "554821", "area_m2": 20_000.0},
        applicant="municipality",
        intended_use="public_services",
    )
    other = {m.call.id: m.verdict for m in match_site(ostrava, catalogue, today=today, places=lookup)}
    assert verdicts["opst_39_2023_karlovarsky"] == "not_eligible"
    assert verdicts["opst_40_2023_ustecky"] == "unknown"  # applicants and closing date not recorded
    assert other["opst_40_2023_ustecky"] == "not_eligible"
    assert other["opst_41_2023_moravskoslezsky"] == "unknown"
    assert lookup.get("554821") is not None
