"""A small store for app tests: four users, two municipalities, three scored sites, the funding calls.

Sites lie in the tiny region of ``tests/app/conftest.py`` (EPSG:5514, near
Bílina); their scores come from the real scoring rules
(:func:`gisplan.scoring.apply_rules`) applied to hand-made criteria values, so
the breakdown has the shape and labels of real scores.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from sqlalchemy.orm import Session

from gisplan import funding
from gisplan.profiles import load_profile
from gisplan.scoring import apply_rules
from gisplan.store import SYSTEM, Scope, Store, open_store
from gisplan.store.models import Site, SiteScore

X0, Y0 = -782_000.0, -992_000.0
REGION = "CZ042"
HORNI, DOLNI = "567001", "567002"
XSS_PAYLOADS = (
    '<img src=x onerror="window.__xss=1">',
    "${window.__xss=1}",
    "</script><script>window.__xss=1</script>",
    "[click me](javascript:window.__xss=1)",
)


@dataclass(frozen=True)
class Account:
    """A test user: name, role, scope and password."""

    username: str
    role: str
    scope: tuple[str, ...]
    password: str


ACCOUNTS = {
    "admin": Account("admin", "admin", (), "admin-heslo-2026"),
    "animator": Account("animator", "animator", (f"region:{REGION}",), "animator-heslo-2026"),
    "obec": Account("obec", "municipality", (f"municipality:{HORNI}",), "obec-heslo-2026"),
    "planner": Account("planner", "planner", (), "planner-heslo-2026"),
}
GOOD_SITE = "tiny_brownfields:BF1"
ROOF_SITE = "tiny_rooftops:B7"
GOOD_VALUES = {
    "capacity_kwp": 1400.0,
    "ghi_mean_kwh_m2_yr": 1100.0,
    "dist_substation_m": 12000.0,
    "dist_power_line_m": 300.0,
    "slope_mean_deg": 3.0,
    "slope_p90_deg": 6.0,
    "dist_road_m": 50.0,
    "acceleration_share": 0.0,
    "compactness": 0.8,
    "protected_share": 0.1,
    "flood_share": 0.0,
    "usable_area_m2": 25000.0,
    "roof_type": "flat",
}


def _scores(site_id: str, kind: str, values: dict[str, Any], profiles: tuple[str, ...]) -> list[SiteScore]:
    rows = []
    for name in profiles:
        profile = load_profile(name)
        frame = pd.DataFrame([{col: values.get(col) for col in profile.columns()} | {"kind": kind}])
        rules = apply_rules(frame, profile, language="cs")
        rows.append(
            SiteScore(
                site_id=site_id,
                profile=name,
                profile_version=profile.version,
                score=float(rules.score[0]),
                completeness=float(rules.completeness[0]),
                excluded=bool(rules.excluded[0]),
                exclusion_reasons=json.loads(rules.exclusion_reasons.to_pylist()[0]),
                handicaps=json.loads(rules.handicaps.to_pylist()[0]),
                breakdown=json.loads(rules.breakdown.to_pylist()[0]),
                capacity_kwp=values.get("capacity_kwp"),
                yield_kwh_kwp_yr=1050.0,
                yield_source="irradiation_raster",
                energy_mwh_yr=(values.get("capacity_kwp") or 0) * 1.05,
                co2_t_yr=(values.get("capacity_kwp") or 0) * 1.05 * 0.45,
                households=(values.get("capacity_kwp") or 0) * 1.05 / 3.5,
                criteria={},
            )
        )
    return rows


def _site(site_id: str, kind: str, name: str, municipality: str, box: tuple[float, float, float, float]) -> Site:
    geom = shapely.box(X0 + box[0], Y0 + box[1], X0 + box[2], Y0 + box[3])
    minx, miny, maxx, maxy = geom.bounds
    source, source_id = site_id.split(":", 1)
    return Site(
        id=site_id,
        kind=kind,
        name=name,
        source=source,
        source_id=source_id,
        area_m2=float(geom.area),
        municipality_code=municipality,
        region_code=REGION,
        attributes={"puvodni_vyuziti": "tezba", "vlastnik": "obec"},
        geom=shapely.set_srid(geom, 5514),
        minx=minx,
        miny=miny,
        maxx=maxx,
        maxy=maxy,
        status="new",
    )


def populate(store: Store) -> None:
    """Users, municipalities, an energy community, funding calls and three scored sites."""
    for account in ACCOUNTS.values():
        store.add_user(
            SYSTEM, account.username, account.role, scope=Scope.parse(account.scope), password=account.password
        )
    store.add_community(SYSTEM, "municipality", "Horní Ves", code=HORNI, population=850, region_code=REGION)
    store.add_community(SYSTEM, "municipality", "Dolní Ves", code=DOLNI, population=420, region_code=REGION)
    store.add_community(SYSTEM, "energy_community", "Energie pro Ves", region_code=REGION, municipality_code=HORNI)
    funding.sync_calls(store, SYSTEM, funding.load_calls())
    sites = [
        (_site(GOOD_SITE, "brownfield", "Bývalý důl Jan", HORNI, (100, 100, 400, 300)), GOOD_VALUES),
        (
            _site(ROOF_SITE, "rooftop", "Budova 7", DOLNI, (2150, 1500, 2170, 1512)),
            GOOD_VALUES | {"usable_area_m2": 150.0},
        ),
        (
            _site("tiny_brownfields:BF2", "brownfield", XSS_PAYLOADS[0], HORNI, (600, 100, 800, 250)),
            GOOD_VALUES | {"capacity_kwp": 300.0},
        ),
    ]
    with Session(store.engine) as session, session.begin():
        for site, values in sites:
            session.add(site)
            session.flush()
            session.add_all(_scores(site.id, site.kind, values, ("ground_pv", "rooftop_pv")))


def build(path: Path) -> Path:
    """Write the populated store to the SQLite file ``path``; return it."""
    store = open_store(f"sqlite:///{path.as_posix()}")
    try:
        populate(store)
    finally:
        store.close()
    return path


def copy_of(template: Path, folder: Path) -> str:
    """A fresh copy of a built store in ``folder``; its SQLAlchemy URL."""
    target = folder / "gisplan.sqlite"
    shutil.copyfile(template, target)
    return f"sqlite:///{target.as_posix()}"


def user_id(store: Store, username: str) -> int:
    """The id of a test user."""
    return int(store.user(username).id)
