"""Tiny worlds for the store tests, built in code: users, sites, communities, a scored GeoPackage."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import box

from gisplan.store import SYSTEM, Member, Scope, Store, Tx
from gisplan.store.models import Site

#: Region codes (NUTS 3): Ústecký kraj and Moravskoslezský kraj.
REGION_IN = "CZ042"
REGION_OUT = "CZ080"


@dataclass
class World:
    """Ids of the users and records of a small test world."""

    admin: int
    animator: int
    animator_mas: int
    municipality: int
    other_municipality: int
    planner: int
    disabled: int
    municipality_111: int
    mas: int
    call: int


def site_row(
    site_id: str, *, region: str | None, municipality: str | None, x0: float = -770_000.0
) -> dict[str, object]:
    """Fields of a site in EPSG:5514, a 100 m square starting at ``x0`` [m]."""
    source, _, source_id = site_id.partition(":")
    geom = box(x0, -990_000.0, x0 + 100.0, -989_900.0)
    return {
        "id": site_id,
        "kind": "brownfield",
        "name": f"Site {site_id}",
        "source": source,
        "source_id": source_id,
        "area_m2": 10_000.0,
        "municipality_code": municipality,
        "region_code": region,
        "attributes": {},
        "geom": geom,
        "minx": geom.bounds[0],
        "miny": geom.bounds[1],
        "maxx": geom.bounds[2],
        "maxy": geom.bounds[3],
        "status": "new",
    }


def add_sites(store: Store, rows: list[dict[str, object]]) -> None:
    """Insert sites directly (test setup only; the product path is ingest)."""
    store.transaction(SYSTEM, lambda tx: _add_sites(tx, rows))


def _add_sites(tx: Tx, rows: list[dict[str, object]]) -> None:
    for row in rows:
        fields = dict(row)
        fields["geom"] = tx.with_srid(fields["geom"])  # type: ignore[arg-type]
        tx.session.add(Site(**fields))
    tx.session.flush()


def build_world(store: Store) -> World:
    """Users of every role, three sites, communities and a funding call, in one transaction.

    - ``t:in``   region CZ042, municipality 111 (inside the animator's region)
    - ``t:out``  region CZ080, municipality 999 (outside every scope but the admin's)
    - ``t:mas``  region CZ080, municipality 112 (inside the MAS territory of ``animator_mas``)
    """

    def work(tx: Tx) -> World:
        _add_sites(
            tx,
            [
                site_row("t:in", region=REGION_IN, municipality="111"),
                site_row("t:out", region=REGION_OUT, municipality="999", x0=-760_000.0),
                site_row("t:mas", region=REGION_OUT, municipality="112", x0=-750_000.0),
            ],
        )
        muni = tx.add_community("municipality", "Děčany", code="111", population=420, region_code=REGION_IN)
        mas = tx.add_community("mas", "MAS Test", code="MAS1", members=[Member("Obec 112", municipality_code="112")])
        call = tx.add_funding_call("OPST-1", programme="OPST", name="Test call", rules={"regions": [REGION_IN]})

        def user(name: str, role: str, scope: list[str]) -> int:
            return tx.add_user(name, role, scope=Scope.parse(scope)).id

        disabled = user("disabled", "animator", [f"region:{REGION_IN}"])
        tx.set_disabled("disabled")
        return World(
            admin=user("admin", "admin", []),
            animator=user("animator", "animator", [f"region:{REGION_IN}"]),
            animator_mas=user("animator_mas", "animator", ["mas:MAS1"]),
            municipality=user("obec111", "municipality", ["municipality:111"]),
            other_municipality=user("obec222", "municipality", ["municipality:222"]),
            planner=user("planner", "planner", [f"region:{REGION_IN}"]),
            disabled=disabled,
            municipality_111=muni.id,
            mas=mas.id,
            call=call.id,
        )

    return store.transaction(SYSTEM, work)


def write_scored(path: Path, rows: list[dict[str, object]], *, profile: str = "pv", crs: str = "EPSG:5514") -> Path:
    """Write a scored GeoPackage (layer ``sites``) following the scoring ↔ store contract."""
    records = []
    geoms = []
    for row in rows:
        score = float(row.get("score", 50.0))  # type: ignore[arg-type]
        breakdown = [
            {
                "criterion": "dist_substation_m",
                "raw": 800.0,
                "unit": "m",
                "normalised": 0.6,
                "weight": 0.5,
                "contribution": score / 2,
            },
            {
                "criterion": "area_m2",
                "raw": 10_000.0,
                "unit": "m2",
                "normalised": 0.6,
                "weight": 0.5,
                "contribution": score / 2,
            },
        ]
        records.append(
            {
                "site_id": f"{row['source']}:{row['source_id']}",
                "kind": row.get("kind", "brownfield"),
                "name": row.get("name", f"Site {row['source_id']}"),
                "source": row["source"],
                "source_id": row["source_id"],
                "area_m2": 10_000.0,
                "profile": profile,
                "profile_version": "1",
                "score": score,
                "excluded": bool(row.get("excluded", False)),
                "exclusion_reasons": json.dumps(row.get("exclusion_reasons", [])),
                "handicaps": json.dumps([]),
                "breakdown": json.dumps(breakdown),
                "capacity_kwp": 700.0,
                "yield_kwh_kwp_yr": 1_000.0,
                "energy_mwh_yr": 700.0,
                "co2_t_yr": 300.0,
                "households": 200.0,
                "dist_substation_m": 800.0,
                "kod_obce": row.get("kod_obce", "111"),
                "region_code": row.get("region_code", REGION_IN),
                "owner": row.get("owner", "obec"),
            }
        )
        geoms.append(row.get("geom", box(-770_000.0, -990_000.0, -769_900.0, -989_900.0)))
    gdf = gpd.GeoDataFrame(records, geometry=geoms, crs="EPSG:5514")
    if crs != "EPSG:5514":
        gdf = gdf.to_crs(crs)
    gdf.to_file(path, layer="sites", driver="GPKG")
    return path


def wkt_equal(a: shapely.Geometry, b: shapely.Geometry, tolerance: float = 0.01) -> bool:
    """True if two geometries are equal within ``tolerance`` [m]."""
    return bool(shapely.equals_exact(a, b, tolerance=tolerance))
