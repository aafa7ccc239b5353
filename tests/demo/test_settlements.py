"""Municipalities: tiling, codes, names, population, location in Ústecký kraj."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

from gisplan.demo import EXTENT, DemoRegion
from gisplan.demo._catalogue import FILES
from gisplan.demo._settlements import CODE_BASE
from tests.demo.conftest import Built

BOX_AREA = (EXTENT[2] - EXTENT[0]) * (EXTENT[3] - EXTENT[1])


def test_municipalities_tile_the_box(full_build: Built) -> None:
    munis = pyogrio.read_dataframe(full_build.summary.out_dir / FILES["municipalities"])
    assert munis.is_valid.all()
    assert abs(munis.area.sum() - BOX_AREA) < 1.0  # no overlaps
    union = shapely.union_all(munis.geometry.values)
    assert abs(union.area - BOX_AREA) < 1.0
    assert union.symmetric_difference(shapely.box(*EXTENT)).area < 1.0
    # the boundaries are bent, not straight Voronoi edges
    assert all(len(g.exterior.coords) > 20 for g in munis.geometry)


def test_codes_names_and_population(full_build: Built) -> None:
    munis = pyogrio.read_dataframe(full_build.summary.out_dir / FILES["municipalities"])
    codes = munis["kod_obce"].astype(str)
    assert codes.str.fullmatch(r"999\d{3}").all()
    assert codes.is_unique and munis["nazev_obce"].is_unique
    assert codes.astype(int).min() == CODE_BASE
    pop = munis["pocet_obyv"]
    towns = munis[munis["status"] == "město"]
    assert len(towns) == 1
    assert 8_000 <= int(towns["pocet_obyv"].iloc[0]) <= 12_000
    villages = pop[munis["status"] == "obec"]
    assert villages.between(200, 5_000).all()
    assert 20_000 <= pop.sum() <= 60_000
    assert (munis["rozloha_ha"] - munis.area / 10_000).abs().max() < 0.01


def test_centre_is_in_north_bohemia() -> None:
    to_lonlat = Transformer.from_crs("EPSG:5514", "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform((EXTENT[0] + EXTENT[2]) / 2, (EXTENT[1] + EXTENT[3]) / 2)
    assert 13.6 <= lon <= 14.0
    assert 50.4 <= lat <= 50.6


def test_box_lies_in_ustecky_kraj_and_names_are_not_real(shared_data: Path, full_build: Built) -> None:
    gpkg = shared_data / "admin_cz" / "admin_cz.gpkg"
    kraje = pyogrio.read_dataframe(gpkg, layer="kraje").to_crs("EPSG:5514")
    ustecky = kraje[kraje["NAZ_CZNUTS3"].str.contains("Ústecký")].geometry.iloc[0]
    assert ustecky.contains(shapely.box(*EXTENT))
    real = set(pyogrio.read_dataframe(gpkg, layer="obce", read_geometry=False)["nazev_obce"])
    munis = pyogrio.read_dataframe(full_build.summary.out_dir / FILES["municipalities"], read_geometry=False)
    assert set(munis["nazev_obce"]) & real == set()


def test_every_municipality_has_a_village_sized_by_population(small_region: DemoRegion) -> None:
    munis = small_region.municipalities
    counts = small_region.buildings["kod_obce"].value_counts()
    per_muni = counts.reindex(munis["kod_obce"]).fillna(0).to_numpy()
    assert (per_muni > 0).all()
    assert np.corrcoef(per_muni, munis["pocet_obyv"].to_numpy())[0, 1] > 0.7
