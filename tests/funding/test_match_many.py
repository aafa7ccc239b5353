"""``gisplan funding match --shortlist`` / ``--municipality``: a 50-site shortlist against the shipped catalogue.

The table has one row per site and one column per call (programme pointers apart);
``--save --as USER`` records the links under that user, never the programme pointers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import box
from sqlalchemy import select

from gisplan.cli import main
from gisplan.funding import load_calls, programmes
from gisplan.store import SYSTEM, Scope, Tx, open_store
from gisplan.store.models import FundingCall, Site, SiteFundingLink, SiteScore, User
from gisplan.workflows import shortlists as sl

#: Demo municipalities (okres Teplice, Ústecký kraj, see gisplan.funding.demo_places).
CODES = ("999101", "999102", "999103")
KINDS = ("rooftop", "brownfield", "municipal_land")
SITES = 50


def _world(tx: Tx) -> None:
    for i in range(SITES):
        kind = KINDS[i % 3]
        site_id = f"demo:s{i:02d}"
        tx.session.add(
            Site(
                id=site_id,
                kind=kind,
                name=f"Lokalita {i:02d}" if i % 10 else "",  # every tenth has no name: its address stands in
                source="demo",
                source_id=f"s{i:02d}",
                area_m2=1500.0 + 400 * i,
                municipality_code=CODES[i % len(CODES)],
                attributes={"address": f"Školní {i}, Teplice"} if i % 10 == 0 else {"ownership": "municipal"},
                geom=tx.with_srid(box(i * 100, 0, i * 100 + 40, 50)),
            )
        )
        profile = "rooftop_pv" if kind == "rooftop" else "ground_pv"
        tx.session.add(SiteScore(site_id=site_id, profile=profile, capacity_kwp=40.0 + 60 * i, score=90.0 - i))
    for code in CODES:
        tx.add_community("municipality", f"Obec {code}", code=code, population=1200)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = open_store(url)
    store.transaction(SYSTEM, _world)
    store.add_user(SYSTEM, "jana", "animator", scope=Scope(municipalities=frozenset(CODES)))
    ids = [f"demo:s{i:02d}" for i in range(SITES)]
    sl.create_shortlist(store, SYSTEM, "all50", profile="ground_pv", site_ids=ids)
    store.close()
    assert main(["funding", "sync", "--url", url]) == 0
    return url


def test_one_command_matches_a_50_site_shortlist_and_saves_under_the_user(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GISPLAN_LANG", "en")
    capsys.readouterr()
    args = ["funding", "match", "--shortlist", "all50", "--today", "2024-06-01", "--demo", "--url", url]
    assert main([*args, "--applicant", "municipality", "--save", "--as", "jana"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    calls = [c for c in load_calls().calls.values() if not c.is_programme]
    pointers = {c.id for c in programmes(load_calls())}
    assert lines[0].startswith(f"50 sites × {len(calls)} calls")
    rows = lines[2 : 2 + SITES]
    # after the name: the row number, one mark per call, then "eligible / to check"
    marks = [row[35:].split()[1:-3] for row in rows]
    assert all(len(cells) == len(calls) and set(cells) <= {"+", "?", "-"} for cells in marks)
    assert len({cell for cells in marks for cell in cells}) >= 2  # the table tells calls and sites apart
    assert any(row.startswith("Školní 0, Teplice") for row in rows)  # no name: the address
    assert not any(row.startswith("demo:") for row in rows)
    legend = lines[lines.index("calls:") + 1 : lines.index("programmes to watch (not calls; never linked to a site):")]
    assert [line.split()[1] for line in legend] == [
        line.split()[1] for line in legend if line.split()[1] not in pointers
    ]
    assert len(legend) == len(calls)
    assert lines[-1].startswith("saved ") and lines[-1].endswith(" for 50 sites as jana")
    saved = int(lines[-1].split()[1])

    store = open_store(url)
    found = store.read(
        lambda s: s.execute(
            select(FundingCall.code, User.username)
            .join(SiteFundingLink, SiteFundingLink.funding_call_id == FundingCall.id)
            .outerjoin(User, User.id == SiteFundingLink.created_by)
        ).all()
    )
    store.close()
    assert len(found) == saved > 0
    assert {name for _, name in found} == {"jana"}
    assert not {code for code, _ in found} & pointers  # programme pointers are never linked as calls


def test_a_municipality_and_a_refusal(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["funding", "match", "--municipality", CODES[0], "--demo", "--url", url]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("17 sites × ")
    assert main(["funding", "match", "demo:s01", "--shortlist", "all50", "--url", url]) == 1
    assert "not both" in capsys.readouterr().err
    assert main(["funding", "match", "--municipality", "123456", "--url", url]) == 1
    assert "no current site in municipality 123456" in capsys.readouterr().err
