"""Matching many sites at once: a shortlist or the sites of some municipalities against the catalogue.

:func:`facts_for_sites` reads the facts of every site with the store's
communities read once; :func:`match_sites` rates every call for each site;
:func:`verdict_table` lays the verdicts out as a table of sites × calls.
Programme-level pointers (:attr:`~gisplan.funding.FundingCall.is_programme`)
are not calls: they get no column and are listed apart (:func:`programmes`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from gisplan.funding._matcher import Match, facts_from_row, match_site
from gisplan.funding._models import FundingCall, FundingCatalogue
from gisplan.funding._rules import SiteFacts
from gisplan.funding._territory import PlaceLookup

if TYPE_CHECKING:
    import pandas as pd

    from gisplan.store import Store
    from gisplan.store.models import Site

#: How a verdict reads in the table: ``unknown`` is "to check" (see gisplan.funding._rules).
VERDICT_WORDS = {"eligible": "eligible", "unknown": "to check", "not_eligible": "not eligible"}


@dataclass(frozen=True)
class SiteMatches:
    """One site's matches with what the table shows of the site: its id, name and municipality code."""

    site_id: str
    name: str
    municipality_code: str | None
    matches: list[Match]

    def verdicts(self) -> dict[str, str]:
        """Call id -> verdict, for the calls (not the programme pointers)."""
        return {m.call.id: m.verdict for m in self.matches if not m.call.is_programme}


def site_label(site: Site) -> str:
    """A site as people know it: its name, else its address, else its id."""
    attrs = site.attributes or {}
    for value in (site.name, attrs.get("address"), attrs.get("adresa")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return site.id


def facts_for_sites(
    store: Store,
    site_ids: Sequence[str],
    *,
    profile: str | None = None,
    applicant: str | None = None,
    intended_use: str | None = None,
) -> list[tuple[Site, SiteFacts]]:
    """Each site with its facts, as :func:`~gisplan.funding.facts_from_store` gives them for one site.

    The municipalities and MAS communities are read once for all sites.

    Raises
    ------
    NotFoundError
        If a site does not exist.
    """
    from gisplan.poverty import latest_poverty

    municipalities = {m.code: m for m in store.communities("municipality") if m.code}
    poverty = latest_poverty(store)["value"].to_dict()
    mas_members = {
        str(mas.code): {m.municipality_code for m in store.community_members(mas.id)}
        for mas in store.communities("mas")
        if mas.code
    }
    out: list[tuple[Site, SiteFacts]] = []
    for site_id in site_ids:
        site = store.get_site(site_id)
        scores = [s for s in store.site_scores(site_id) if profile is None or s.profile == profile]
        capacities = [s.capacity_kwp for s in scores if s.capacity_kwp is not None]
        row: dict[str, Any] = dict(site.attributes or {})
        row |= {
            "site_id": site.id,
            "kind": site.kind,
            "area_m2": site.area_m2,
            "capacity_kwp": max(capacities) if capacities else None,
            "municipality_code": site.municipality_code,
            "region_code": site.region_code,
        }
        code = site.municipality_code
        mas_codes: tuple[str, ...] | None = None
        if code is not None:
            muni = municipalities.get(code)
            if muni is not None:
                row["municipality_population"] = muni.population or row.get("municipality_population")
                row["region_code"] = row["region_code"] or muni.region_code
            mas_codes = tuple(mas for mas, members in mas_members.items() if code in members)
        facts = facts_from_row(row, applicant=applicant, intended_use=intended_use)
        indicator = poverty.get(code) if code is not None else None
        out.append((site, replace(facts, mas_codes=mas_codes, energy_poverty=indicator)))
    return out


def match_sites(
    sites: Iterable[tuple[Site, SiteFacts]],
    catalogue: FundingCatalogue | Iterable[FundingCall],
    *,
    today: dt.date | None = None,
    places: PlaceLookup | None = None,
) -> list[SiteMatches]:
    """Rate every call for each site (see :func:`~gisplan.funding.match_site`), in the order given."""
    calls = list(catalogue.calls.values() if isinstance(catalogue, FundingCatalogue) else catalogue)
    return [
        SiteMatches(
            site.id, site_label(site), site.municipality_code, match_site(facts, calls, today=today, places=places)
        )
        for site, facts in sites
    ]


def programmes(catalogue: FundingCatalogue | Iterable[FundingCall]) -> list[FundingCall]:
    """The programme-level pointers of the catalogue: shown as programmes to watch, never as calls."""
    calls = catalogue.calls.values() if isinstance(catalogue, FundingCatalogue) else catalogue
    return [c for c in calls if c.is_programme]


def table_calls(results: Sequence[SiteMatches], *, drop_closed: bool = False) -> list[FundingCall]:
    """The calls that get a column: every call (no programme pointer), the best-fitting first.

    Calls are ordered by how many sites they suit (eligible, then to check), then
    by id; with ``drop_closed`` calls whose intake has closed are left out.
    """
    found: dict[str, tuple[FundingCall, int, int, bool]] = {}
    for result in results:
        for m in result.matches:
            if m.call.is_programme:
                continue
            call, eligible, unknown, closed = found.get(m.call.id, (m.call, 0, 0, m.closed))
            found[m.call.id] = (
                call,
                eligible + (m.verdict == "eligible"),
                unknown + (m.verdict == "unknown"),
                closed,
            )
    kept = [v for v in found.values() if not (drop_closed and v[3])]
    return [v[0] for v in sorted(kept, key=lambda v: (-v[1], -v[2], v[0].id))]


def verdict_table(results: Sequence[SiteMatches], calls: Sequence[FundingCall]) -> pd.DataFrame:
    """Sites × calls: one row per site (``site_id``, ``name``), one column per call id, verdict words.

    The verdicts read ``eligible``, ``to check`` or ``not eligible`` (:data:`VERDICT_WORDS`).
    """
    import pandas as pd

    rows = []
    for result in results:
        verdicts = result.verdicts()
        row: dict[str, Any] = {"site_id": result.site_id, "name": result.name}
        row |= {call.id: VERDICT_WORDS.get(verdicts.get(call.id, ""), "") for call in calls}
        rows.append(row)
    return pd.DataFrame(rows, columns=["site_id", "name", *(c.id for c in calls)])


def facts_from_store(
    store: Store,
    site_id: str,
    *,
    profile: str | None = None,
    applicant: str | None = None,
    intended_use: str | None = None,
) -> SiteFacts:
    """Site facts from the store: the site, its score under ``profile`` and its municipality's record.

    Without ``profile`` the capacity comes from the score with the largest
    capacity. Population and region fall back to the municipality community
    (``kind='municipality'``, ``code`` = kód obce); MAS codes come from the MAS
    communities whose members include the municipality.

    Raises
    ------
    NotFoundError
        If the site does not exist.
    """
    [(_, facts)] = facts_for_sites(store, [site_id], profile=profile, applicant=applicant, intended_use=intended_use)
    return facts


__all__ = [
    "VERDICT_WORDS",
    "SiteMatches",
    "facts_for_sites",
    "facts_from_store",
    "match_sites",
    "programmes",
    "site_label",
    "table_calls",
    "verdict_table",
]
