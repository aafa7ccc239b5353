"""RÚIAN buildings of Děčany named by address, with their use and a public-building flag (issue 13, part 5)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from gisplan.funding import facts_from_row
from gisplan.sources import read
from gisplan.sources._ruian_buildings import Lookups, label_building
from gisplan.sources._ruian_codes import BUILDING_USES, parcel_number

DECANY = "ruian_cz/OB_564729_UKSH_20140331_Decany.xml.gz"


@pytest.fixture(scope="module")
def buildings(shared_data: Path) -> gpd.GeoDataFrame:
    return read(shared_data / DECANY, layer="stavebni_objekty")


def test_every_building_is_named_by_address_or_description(buildings: gpd.GeoDataFrame) -> None:
    assert len(buildings) == 298
    assert buildings["name"].notna().all()
    assert not buildings["name"].str.startswith("ruian:").any()
    assert buildings["name"].is_unique
    numbered = buildings["cislo_domovni"].notna() & (buildings["cislo_domovni"].astype(str) != "")
    # 211 buildings with a house number, each with an address point of the file
    assert int(numbered.sum()) == int(buildings["address"].notna().sum()) == 211
    assert set(buildings.loc[numbered, "name"].str.split(" č. ").str[0]) == {"Děčany", "Solany", "Lukohořany", "Semeč"}
    assert buildings.loc[numbered, "address"].str.endswith(", 411 15 Děčany").all()
    unnumbered = buildings.loc[~numbered, "name"]
    assert unnumbered.str.contains(r"^[^,]+, st\. \d+(?:/\d+)?, k\. ú\. \w+", regex=True).mean() > 0.9


def test_a_named_house(buildings: gpd.GeoDataFrame) -> None:
    house = buildings.set_index("source_id").loc["SO.27814432"]
    assert house["name"] == "Děčany č. p. 56"
    assert house["address"] == "Děčany č. p. 56, 411 15 Děčany"
    assert house["building_use_cs"] == "rodinný dům"
    assert house["building_use_code"] == "detached_house"


def test_use_counts_match_sources_md(buildings: gpd.GeoDataFrame) -> None:
    counts = buildings["zpusob_vyuziti_kod"].value_counts()
    assert {k: int(counts[k]) for k in (3, 13, 7, 19)} == {3: 169, 13: 49, 7: 30, 19: 29}
    decoded = buildings["building_use_cs"].value_counts()
    assert decoded["objekt k bydlení"] == 169
    assert decoded["zemědělská stavba"] == 49
    assert decoded["rodinný dům"] == 30
    assert decoded["jiná stavba"] == 29
    assert buildings["building_use"].notna().all()


def test_public_buildings_are_the_civic_amenities(buildings: gpd.GeoDataFrame) -> None:
    public = buildings[buildings["public_building"].fillna(False).astype(bool)]
    assert len(public) == 8
    assert set(public["zpusob_vyuziti_kod"]) == {5}
    assert set(public["building_use"]) == {"civic"}
    assert not buildings.loc[buildings["zpusob_vyuziti_kod"] == 3, "public_building"].any()


def test_the_matcher_reads_the_same_table(buildings: gpd.GeoDataFrame) -> None:
    for row in buildings.drop(columns="building_use").head(40).to_dict("records"):
        code = int(row["zpusob_vyuziti_kod"])
        assert facts_from_row(row).building_use == BUILDING_USES[code].use
    assert facts_from_row({"kind": "rooftop", "building_use": "civic"}).building_use == "civic"


@pytest.mark.parametrize(
    ("row", "name", "address"),
    [
        (
            {"Kod": 1, "TypStavebnihoObjektuKod": 1, "CisloDomovni": [12], "CastObceKod": 7, "ZpusobVyuzitiKod": 15},
            "Hlavní 12/3a",
            "Hlavní 12/3a, Semeč, 411 15 Děčany",
        ),
        (
            {"Kod": 2, "TypStavebnihoObjektuKod": 2, "CisloDomovni": [4], "CastObceKod": 7, "ZpusobVyuzitiKod": 8},
            "Semeč č. ev. 4",
            "Semeč č. ev. 4, Děčany",
        ),
        (
            {"Kod": 3, "TypStavebnihoObjektuKod": 3, "ZpusobVyuzitiKod": 18, "IdentifikacniParcelaId": 9},
            "garáž, st. 77/2, k. ú. Solany",
            None,
        ),
        ({"Kod": 4, "TypStavebnihoObjektuKod": 3, "ZpusobVyuzitiKod": None}, "budova bez čísla (SO 4)", None),
    ],
)
def test_label_rules(row: dict[str, object], name: str, address: str | None) -> None:
    lookups = Lookups(
        parts={7: "Semeč"},
        municipalities={564729: "Děčany"},
        streets={5: "Hlavní"},
        cadastral_areas={752321: "Solany"},
        addresses={
            1: [
                {"CisloDomovni": 12, "CisloOrientacni": 3.0, "CisloOrientacniPismeno": "a", "UliceKod": 5, "Psc": 41115}
            ]
        },
        parcels={9: ("st. 77/2", 752321)},
    )
    label = label_building(row, lookups)
    assert (label.name, label.address) == (name, address)


def test_parcel_numbers() -> None:
    assert parcel_number(56, None, 1) == "st. 56"
    assert parcel_number(153.0, 36.0, 2) == "153/36"
    assert parcel_number(None, 1, 2) is None
    assert pd.isna(parcel_number(float("nan"), None, 2))
