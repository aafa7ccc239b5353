"""Municipalities, MAS territories and energy communities, and what a community page shows.

- **Municipalities** come from a boundaries layer with code, name and population
  (:func:`municipalities_from_layer`, :func:`add_municipalities`).
- **MAS/LAG territories** are communities of kind ``mas`` whose members are municipalities.
- **Energy communities** (kind ``energy_community``) have a name, members
  (municipalities and organisations), a count of households
  (``attributes["households"]``) and linked sites.

A community's sites are its linked sites plus, for a municipality, the sites in
it and, for a MAS, the sites in its member municipalities. The community page
shows them by status, their total potential per scoring profile (MWp, MWh/yr,
tCO2/yr), how much of the community's yearly electricity demand that covers,
and the funding pipeline. :func:`community_report` gathers all of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan._storeframes import PipelineSource, StoreFrames, community_row
from gisplan.energy import EnergyParams
from gisplan.errors import InputError, InvalidDataError, Problem
from gisplan.store import Store
from gisplan.store.permissions import FORWARD, Status

if TYPE_CHECKING:
    from gisplan.store import ActorRef, Tx

#: Workflow statuses in pipeline order, rejected last.
STATUS_ORDER: tuple[str, ...] = (*(s.value for s in FORWARD), Status.REJECTED.value)

#: Average persons per household [persons]. About 2.3 in Czechia: the 2021 census (ČSÚ, SLDB 2021)
#: counted about 10.5 million people in about 4.5 million households.
PERSONS_PER_HOUSEHOLD = 2.3


# ----------------------------------------------------------------------------------- municipalities
def municipalities_from_layer(
    frame: pd.DataFrame,
    *,
    code_column: str = "kod_obce",
    name_column: str = "nazev_obce",
    population_column: str = "pocet_obyv",
    source: str = "the municipality layer",
) -> pd.DataFrame:
    """Code, name and population of each municipality of a boundaries layer.

    Returns
    -------
    pandas.DataFrame
        ``code`` (str), ``name`` (str), ``population`` [inhabitants, Int64, may be missing].

    Raises
    ------
    InvalidDataError
        Listing every missing column, empty or duplicate code and bad population.
    """
    missing = [c for c in (code_column, name_column, population_column) if c not in frame.columns]
    if missing:
        msg = f"{source} lacks column(s) {missing}; it has {list(frame.columns)}"
        raise InvalidDataError(msg)
    codes = frame[code_column].astype("string").str.strip()
    population = pd.to_numeric(frame[population_column], errors="coerce")
    problems: list[Problem] = []
    for row, (code, raw, pop) in enumerate(zip(codes, frame[population_column], population, strict=True)):
        if pd.isna(code) or not str(code):
            problems.append(Problem(source, f"row {row + 1}, field {code_column}", "empty municipality code"))
        if pd.notna(raw) and (pd.isna(pop) or pop < 0):
            problems.append(Problem(source, f"row {row + 1}, field {population_column}", f"{raw!r} is not a count"))
    for code in sorted(set(codes[codes.duplicated() & codes.notna()])):
        problems.append(Problem(source, f"field {code_column}", f"code {code} appears more than once"))
    if problems:
        msg = f"{source} has {len(problems)} problem(s):"
        raise InvalidDataError(msg, problems)
    return pd.DataFrame(
        {
            "code": codes.astype(str).to_numpy(),
            "name": frame[name_column].astype(str).to_numpy(),
            "population": population.round().astype("Int64").to_numpy(),
        }
    )


def add_municipalities(store: Store, actor: ActorRef, municipalities: pd.DataFrame, *, region_code: str | None) -> int:
    """Add the municipalities of :func:`municipalities_from_layer` that the store lacks; return how many.

    Existing municipality communities (same code) are left as they are. One
    transaction: all are added or none.
    """
    known = {str(c) for c in StoreFrames(store).communities("municipality")["code"].dropna()}
    fresh = municipalities[~municipalities["code"].isin(known)]

    rows: list[dict[str, Any]] = [
        {
            "code": str(r["code"]),
            "name": str(r["name"]),
            "population": None if pd.isna(r["population"]) else int(r["population"]),
        }
        for r in fresh.to_dict("records")
    ]

    def work(tx: Tx) -> int:
        for row in rows:
            tx.add_community(
                "municipality", row["name"], code=row["code"], population=row["population"], region_code=region_code
            )
        return len(rows)

    return int(store.transaction(actor, work))


# ---------------------------------------------------------------------------------------- demand
@dataclass(frozen=True)
class Demand:
    """A community's yearly electricity demand [MWh/yr] and how it was obtained."""

    mwh_yr: float
    basis: str


def estimate_demand_mwh_yr(
    *, population: float | None = None, households: float | None = None, params: EnergyParams | None = None
) -> float:
    """Yearly household electricity demand [MWh/yr] from households, else from population.

    Households use ``params.household_mwh_yr`` each (default 3.0 MWh/yr, see
    :class:`gisplan.energy.EnergyParams`); a population is turned into households
    with :data:`PERSONS_PER_HOUSEHOLD`. Only households count: public buildings,
    businesses and electric heating need an entered demand.

    Raises
    ------
    InputError
        If neither is given, or a value is negative.
    """
    p = params or EnergyParams()
    if households is None and population is None:
        msg = "give households or population to estimate the demand"
        raise InputError(msg)
    count = households if households is not None else float(population or 0) / PERSONS_PER_HOUSEHOLD
    if count < 0:
        msg = f"households/population must be >= 0, not {households if households is not None else population}"
        raise InputError(msg)
    return float(count * p.household_mwh_yr)


def community_demand(
    community: dict[str, Any], *, member_population: float | None = None, params: EnergyParams | None = None
) -> Demand | None:
    """The demand of a community: entered (``attributes["demand_mwh_yr"]``), else estimated.

    The estimate uses ``attributes["households"]`` (energy communities), else the
    community's population, else ``member_population`` (the sum over member
    municipalities). None when nothing is known.
    """
    attributes = community.get("attributes") or {}
    entered = attributes.get("demand_mwh_yr")
    if entered is not None:
        return Demand(float(entered), "entered")
    households = attributes.get("households")
    if households is not None:
        value = estimate_demand_mwh_yr(households=float(households), params=params)
        return Demand(value, f"estimated from {int(households):,} households")
    population = community.get("population")
    if population is None or pd.isna(population):
        population = member_population
    if population is None or pd.isna(population):
        return None
    value = estimate_demand_mwh_yr(population=float(population), params=params)
    return Demand(value, f"estimated from {int(population):,} inhabitants")


# ------------------------------------------------------------------------------------ aggregates
def sites_by_status(sites: pd.DataFrame) -> pd.DataFrame:
    """How many sites are in each workflow status, in pipeline order (every status, zeros included)."""
    counts = sites["status"].value_counts() if len(sites) else pd.Series(dtype="int64")
    extra = [s for s in counts.index if s not in STATUS_ORDER]
    order = [*STATUS_ORDER, *sorted(extra)]
    return pd.DataFrame({"status": order, "sites": [int(counts.get(s, 0)) for s in order]})


def potential_by_profile(
    sites: pd.DataFrame, scores: pd.DataFrame, *, exclude_statuses: Sequence[str] = ("rejected",)
) -> pd.DataFrame:
    """Total potential of the sites per scoring profile.

    Sites in ``exclude_statuses`` and scores that the profile excluded do not count.

    Returns
    -------
    pandas.DataFrame
        ``profile``, ``sites``, ``capacity_mwp`` [MWp], ``energy_mwh_yr`` [MWh/yr], ``co2_t_yr`` [tCO2/yr].
    """
    live = sites.loc[~sites["status"].isin(list(exclude_statuses)), "site_id"]
    counted = scores[scores["site_id"].isin(live) & ~scores["excluded"].astype(bool)]
    columns = ["profile", "sites", "capacity_mwp", "energy_mwh_yr", "co2_t_yr"]
    if counted.empty:
        return pd.DataFrame(columns=columns)
    grouped = counted.groupby("profile", sort=True).agg(
        sites=("site_id", "nunique"),
        capacity_kwp=("capacity_kwp", "sum"),
        energy_mwh_yr=("energy_mwh_yr", "sum"),
        co2_t_yr=("co2_t_yr", "sum"),
    )
    grouped["capacity_mwp"] = grouped.pop("capacity_kwp") / 1000.0
    return grouped.reset_index()[columns]


def demand_coverage(potential: pd.DataFrame, demand: Demand | None) -> pd.DataFrame:
    """``potential`` with ``demand_mwh_yr`` and ``coverage`` [share of the yearly demand, 0–∞] added.

    Both are missing when the demand is not known.
    """
    out = potential.copy()
    out["demand_mwh_yr"] = demand.mwh_yr if demand is not None else float("nan")
    if demand is not None and demand.mwh_yr > 0:
        out["coverage"] = out["energy_mwh_yr"].astype(float) / demand.mwh_yr
    else:
        out["coverage"] = float("nan")
    return out


def funding_pipeline(links: pd.DataFrame) -> pd.DataFrame:
    """Per linked funding call: how many sites are eligible, unknown or not eligible.

    Returns
    -------
    pandas.DataFrame
        ``call_code``, ``call_name``, ``programme``, ``eligible``, ``unknown``, ``not_eligible``, ``sites``;
        calls with more eligible sites first.
    """
    verdicts = ["eligible", "unknown", "not_eligible"]
    columns = ["call_code", "call_name", "programme", *verdicts, "sites"]
    if links.empty:
        return pd.DataFrame(columns=columns)
    table = pd.crosstab([links["call_code"], links["call_name"], links["programme"]], links["verdict"])
    for verdict in verdicts:
        if verdict not in table.columns:
            table[verdict] = 0
    table = table[verdicts].astype(int)
    table["sites"] = table.sum(axis=1)
    table = table.reset_index().sort_values(["eligible", "sites", "call_code"], ascending=[False, False, True])
    return table[columns].reset_index(drop=True)


# ------------------------------------------------------------------------------- the community page
@dataclass(frozen=True)
class CommunityReport:
    """Everything the community page shows."""

    community: dict[str, Any]
    members: pd.DataFrame
    sites: pd.DataFrame
    by_status: pd.DataFrame
    potential: pd.DataFrame
    demand: Demand | None
    funding: pd.DataFrame


def community_site_ids(source: PipelineSource, community: dict[str, Any], members: pd.DataFrame) -> list[str]:
    """Linked sites, plus the sites in the municipality (kind municipality) or in the member municipalities (mas)."""
    ids = set(source.linked_sites(int(community["community_id"]))["site_id"])
    codes: list[str] = []
    if community["kind"] == "municipality" and community.get("code"):
        codes = [str(community["code"])]
    elif community["kind"] == "mas":
        codes = [str(c) for c in members["municipality_code"].dropna()]
    if codes:
        ids |= set(source.sites(municipality_codes=codes)["site_id"])
    return sorted(ids)


def member_population(source: PipelineSource, members: pd.DataFrame) -> float | None:
    """Sum of the populations of the member municipalities that have one, or None."""
    codes = {str(c) for c in members["municipality_code"].dropna()}
    if not codes:
        return None
    municipalities = source.communities("municipality")
    pops = municipalities.loc[municipalities["code"].isin(codes), "population"].dropna()
    return float(pops.sum()) if len(pops) else None


def community_report(
    source: Store | PipelineSource,
    community_id: int,
    *,
    profile: str | None = None,
    include_ended: bool = False,
    params: EnergyParams | None = None,
) -> CommunityReport:
    """Gather the community page: sites by status, potential per profile, demand coverage, funding.

    Parameters
    ----------
    source
        The store, or any :class:`~gisplan._storeframes.PipelineSource`.
    community_id
        The community's id in the store.
    profile
        Only this scoring profile's potential; default every profile.
    include_ended
        Also count sites that vanished from their source (end-dated).
    params
        Energy parameters for the demand estimate (household consumption).

    Raises
    ------
    NotFoundError
        If there is no such community.
    """
    frames = StoreFrames(source) if isinstance(source, Store) else source
    community = community_row(frames, community_id)
    members = frames.members(community_id)
    ids = community_site_ids(frames, community, members)
    sites = frames.sites(site_ids=ids)
    if not include_ended:
        sites = sites[sites["end_date"].isna()].reset_index(drop=True)
    scores = frames.scores(sites["site_id"].tolist(), profile=profile)
    demand = community_demand(community, member_population=member_population(frames, members), params=params)
    return CommunityReport(
        community=community,
        members=members,
        sites=sites,
        by_status=sites_by_status(sites),
        potential=demand_coverage(potential_by_profile(sites, scores), demand),
        demand=demand,
        funding=funding_pipeline(frames.funding_links(sites["site_id"].tolist())),
    )


__all__ = [
    "PERSONS_PER_HOUSEHOLD",
    "STATUS_ORDER",
    "CommunityReport",
    "Demand",
    "add_municipalities",
    "community_demand",
    "community_report",
    "community_site_ids",
    "demand_coverage",
    "estimate_demand_mwh_yr",
    "funding_pipeline",
    "member_population",
    "municipalities_from_layer",
    "potential_by_profile",
    "sites_by_status",
]
