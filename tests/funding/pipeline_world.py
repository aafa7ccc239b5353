"""A small store world with a known history, for the community and monitoring tests.

Municipalities 599101 Brehice (2,577 inhabitants) and 599102 Dižky (989) in Ústecký
kraj (CZ042), 554821 Ostrava (CZ080); MAS1 holds 599101 and 599102; the energy
community "EK Brehice" has 120 households. Sites, statuses and moves:

======  ==============  =======  =========  ===============================================
site    kind            obec     status     history (first seen 2025-01-10 unless stated)
======  ==============  =======  =========  ===============================================
s1      rooftop         599101   realised   screening 02-05, shortlisted 03-01, in prep. 04-15,
                                            funded 06-01, realised 09-30
s2      brownfield      599101   shortl.    screening 03-10, shortlisted 05-20
s3      municipal_land  599102   rejected   rejected 02-20
s4      rooftop         599102   new        first seen 2025-04-02 (score excluded)
s5      brownfield      554821   screening  screening 07-07
s6      rooftop         599101   new        first seen 2025-06-15
======  ==============  =======  =========  ===============================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shapely.geometry import box

from gisplan.store import SYSTEM, Member, Store, Tx
from gisplan.store.models import Site, SiteScore, StatusChange

JAN = dt.datetime(2025, 1, 10, 8, 0, tzinfo=dt.UTC)
MOVES: dict[str, list[tuple[str, str, str]]] = {
    "t:s1": [
        ("new", "screening", "2025-02-05"),
        ("screening", "shortlisted", "2025-03-01"),
        ("shortlisted", "project_in_preparation", "2025-04-15"),
        ("project_in_preparation", "funded", "2025-06-01"),
        ("funded", "realised", "2025-09-30"),
    ],
    "t:s2": [("new", "screening", "2025-03-10"), ("screening", "shortlisted", "2025-05-20")],
    "t:s3": [("new", "rejected", "2025-02-20")],
    "t:s5": [("new", "screening", "2025-07-07")],
}
SITES = [
    # id, kind, municipality, status, first seen
    ("t:s1", "rooftop", "599101", "realised", JAN),
    ("t:s2", "brownfield", "599101", "shortlisted", JAN),
    ("t:s3", "municipal_land", "599102", "rejected", JAN),
    ("t:s4", "rooftop", "599102", "new", dt.datetime(2025, 4, 2, tzinfo=dt.UTC)),
    ("t:s5", "brownfield", "554821", "screening", JAN),
    ("t:s6", "rooftop", "599101", "new", dt.datetime(2025, 6, 15, tzinfo=dt.UTC)),
]
SCORES = [
    # site, profile, score, excluded, kWp, MWh/yr, tCO2/yr
    ("t:s1", "rooftop_pv", 80.0, False, 100.0, 100.0, 45.0),
    ("t:s1", "community_energy", 70.0, False, 90.0, 90.0, 40.5),
    ("t:s2", "ground_pv", 65.0, False, 2000.0, 2100.0, 945.0),
    ("t:s3", "ground_pv", 40.0, False, 500.0, 520.0, 234.0),
    ("t:s4", "rooftop_pv", 0.0, True, 50.0, 50.0, 22.5),
    ("t:s5", "ground_pv", 55.0, False, 800.0, 840.0, 378.0),
    ("t:s6", "rooftop_pv", 35.0, False, 30.0, 30.0, 13.5),
]


@dataclass(frozen=True)
class PipelineWorld:
    """Community ids of the world."""

    brehice: int
    dizky: int
    ostrava: int
    mas: int
    energy_community: int


def _build(tx: Tx) -> PipelineWorld:
    for site_id, kind, code, status, seen in SITES:
        tx.session.add(
            Site(
                id=site_id,
                kind=kind,
                name=f"Site {site_id[2:]}",
                source="t",
                source_id=site_id[2:],
                area_m2=1000.0,
                municipality_code=code,
                attributes={},
                geom=tx.with_srid(box(0, 0, 10, 10)),
                status=status,
                first_seen=seen,
            )
        )
    tx.session.flush()
    for site_id, moves in MOVES.items():
        for before, after, day in moves:
            when = dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC)
            tx.session.add(StatusChange(site_id=site_id, from_status=before, to_status=after, changed_at=when))
    for site_id, profile, score, excluded, kwp, mwh, co2 in SCORES:
        tx.session.add(
            SiteScore(
                site_id=site_id,
                profile=profile,
                score=score,
                excluded=excluded,
                capacity_kwp=kwp,
                energy_mwh_yr=mwh,
                co2_t_yr=co2,
            )
        )
    tx.session.flush()
    brehice = tx.add_community("municipality", "Brehice", code="599101", population=2577, region_code="CZ042")
    dizky = tx.add_community("municipality", "Dižky", code="599102", population=989, region_code="CZ042")
    ostrava = tx.add_community("municipality", "Ostrava", code="554821", population=280000, region_code="CZ080")
    mas = tx.add_community(
        "mas",
        "MAS Bílinsko",
        code="MAS1",
        members=[Member("Brehice", municipality_code="599101"), Member("Dižky", municipality_code="599102")],
    )
    ek = tx.add_community(
        "energy_community",
        "EK Brehice",
        region_code="CZ042",
        members=[Member("Brehice", municipality_code="599101"), Member("Družstvo Slunce", role="organisation")],
        attributes={"households": 120},
    )
    tx.link_community("t:s1", ek.id)
    tx.link_community("t:s6", ek.id)
    tx.link_community("t:s6", brehice.id)
    res = tx.add_funding_call("RES3_2024", programme="RES+", name="FVE malých obcí")
    opst = tx.add_funding_call("OPST40", programme="OPST", name="Obnova území ÚK")
    tx.link_funding_call("t:s1", res.id, verdict="eligible")
    tx.link_funding_call("t:s2", res.id, verdict="not_eligible", reasons=["capacity 2 MWp exceeds the 1 MWp limit"])
    tx.link_funding_call("t:s2", opst.id, verdict="unknown")
    return PipelineWorld(brehice.id, dizky.id, ostrava.id, mas.id, ek.id)


def build_pipeline_world(store: Store) -> PipelineWorld:
    """Write the world into an empty store."""
    return store.transaction(SYSTEM, _build)
