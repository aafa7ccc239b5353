"""The brownfield register CSV against docs/cz_brownfields_schema.md, and site placement."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from gisplan.demo import EXTENT, DemoRegion
from gisplan.demo._brownfields import CONTAMINATION, OWNERSHIPS, PREVIOUS_USES, REGISTER_COLUMNS, UTILITY_VALUES
from gisplan.demo._catalogue import FILES
from tests.conftest import ROOT
from tests.demo.conftest import Built


def _schema() -> dict[str, tuple[bool, set[str]]]:
    """column -> (required, allowed values) parsed from the schema document itself."""
    text = (ROOT / "docs" / "cz_brownfields_schema.md").read_text(encoding="utf-8")
    out: dict[str, tuple[bool, set[str]]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([a-z0-9_]+)`", cells[0])
        values = set(re.findall(r"`([a-z0-9_]+)`", cells[3]))
        for name in names:
            out[name] = (cells[1] == "yes", values)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_register_follows_the_schema(full_build: Built) -> None:
    schema = _schema()
    assert {"kod", "nazev", "kod_obce", "vymera_m2", "puvodni_vyuziti", "wkt", "lat"} <= set(schema)
    path = full_build.summary.out_dir / FILES["brownfields"]
    rows = _rows(path)
    assert len(rows) >= 40
    header = list(rows[0])
    assert header == list(REGISTER_COLUMNS)
    assert set(header) <= set(schema)
    munis = pyogrio.read_dataframe(full_build.summary.out_dir / FILES["municipalities"], read_geometry=False)
    known = dict(zip(munis["kod_obce"].astype(str), munis["nazev_obce"], strict=True))
    problems = []
    for n, row in enumerate(rows, start=2):
        for column, (required, allowed) in schema.items():
            value = row.get(column, "")
            if required and column in header and not value:
                problems.append(f"line {n}: {column} is empty")
            if allowed and value and value not in allowed:
                problems.append(f"line {n}: {column}={value!r} not in {sorted(allowed)}")
        if not re.fullmatch(r"\d{6}", row["kod_obce"]) or known.get(row["kod_obce"]) != row["obec"]:
            problems.append(f"line {n}: kod_obce {row['kod_obce']} / obec {row['obec']} do not match a municipality")
        poly = shapely.from_wkt(row["wkt"])
        if not (poly.geom_type == "Polygon" and poly.is_valid and shapely.box(*EXTENT).contains(poly)):
            problems.append(f"line {n}: wkt is not a valid polygon inside the demo box")
        if abs(float(row["vymera_m2"]) - poly.area) > 1.0:
            problems.append(f"line {n}: vymera_m2 {row['vymera_m2']} differs from the polygon area {poly.area:.0f}")
    assert problems == []
    assert len({r["kod"] for r in rows}) == len(rows)
    assert {r["puvodni_vyuziti"] for r in rows} == set(PREVIOUS_USES)
    assert {r["vlastnictvi"] for r in rows} - {""} <= set(OWNERSHIPS)
    assert {r["kontaminace"] for r in rows} - {""} <= set(CONTAMINATION)
    assert {r["elektrina"] for r in rows} <= set(UTILITY_VALUES)


def test_sizes_are_mixed(full_build: Built) -> None:
    rows = _rows(full_build.summary.out_dir / FILES["brownfields"])
    ha = np.array([float(r["vymera_m2"]) for r in rows]) / 10_000
    assert ha.min() >= 0.3 and ha.max() <= 60.0
    assert (ha < 1.0).sum() >= 5
    assert (ha > 20.0).sum() >= 2
    assert ha.max() > 50.0


def test_sites_near_grid_in_protected_areas_and_flood_zones(small_region: DemoRegion) -> None:
    sites = np.asarray(small_region.brownfields.geometry.values, dtype=object)
    assert len(sites) >= 40
    lines = shapely.union_all(small_region.power_lines.geometry.values)
    protected = shapely.union_all(small_region.protected_areas.geometry.values)
    flood = shapely.union_all(small_region.flood_zones.geometry.values)
    assert (shapely.distance(sites, lines) <= 300.0).sum() >= 5
    assert shapely.within(sites, protected).sum() >= 3
    assert shapely.intersects(sites, flood).sum() >= 3
    assert (shapely.distance(sites, lines) > 1000.0).sum() >= 1  # and some far from the grid
    left, right = shapely.STRtree(sites).query(sites, predicate="intersects")
    assert (left == right).all()


def test_register_is_read_by_the_cz_brownfields_reader(small_build: Built) -> None:
    from gisplan.sources import read

    sites = read(small_build.summary.out_dir / FILES["brownfields"], format="cz-brownfields")
    assert len(sites) == small_build.summary.counts["brownfields"]
    assert sites.crs.to_epsg() == 5514
    assert set(sites["kind"]) == {"brownfield"}
    np.testing.assert_allclose(sites["area_m2"], sites["vymera_m2"].astype(float), atol=1.0)
    assert set(sites["previous_use"]) == {
        "industrial",
        "agricultural",
        "mining",
        "military",
        "residential",
        "civic",
        "other",
    }
