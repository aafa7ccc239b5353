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
from dataclasses import dataclass, field
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
    """A community's yearly electricity demand [MWh/yr] and how it was obtained.

    ``source`` is ``measured`` (every part measured), ``estimated``, ``entered`` (typed
    on the community page) or ``mixed`` (measured parts plus an estimate for the rest);
    ``year`` and ``data_source`` name the newest measurement and where it came from.
    """

    mwh_yr: float
    basis: str
    source: str = "estimated"
    year: int | None = None
    data_source: str = ""


@dataclass(frozen=True)
class Measured:
    """The newest measured consumption per municipality code and per site id (see :func:`gisplan.demand.latest`).

    Both frames are indexed by the code/id and have ``year``, ``mwh_yr`` [MWh/yr] and ``source``.
    """

    municipalities: pd.DataFrame
    sites: pd.DataFrame

    @classmethod
    def none(cls) -> Measured:
        """No measurement at all."""
        empty = pd.DataFrame(columns=["year", "mwh_yr", "source"])
        return cls(empty, empty)


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


def _estimate(community: dict[str, Any], member_population: float | None, params: EnergyParams | None) -> Demand | None:
    households = (community.get("attributes") or {}).get("households")
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


def _measured(rows: pd.DataFrame, what: str) -> Demand:
    """The sum of measured rows as a Demand naming the newest year and the sources."""
    year = int(rows["year"].max())
    sources = "; ".join(sorted({str(s) for s in rows["source"]}))
    years = sorted({int(y) for y in rows["year"]})
    when = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    basis = f"measured in {when} ({sources})" if what == "" else f"measured for {what} in {when} ({sources})"
    return Demand(float(rows["mwh_yr"].astype(float).sum()), basis, "measured", year, sources)


def _combine(measured: Demand, estimate: Demand) -> Demand:
    basis = f"{measured.basis}, plus {estimate.basis} for the rest"
    return Demand(measured.mwh_yr + estimate.mwh_yr, basis, "mixed", measured.year, measured.data_source)


def _members_demand(
    populations: dict[str, float | None], known: Measured, estimate: Demand | None, params: EnergyParams | None
) -> Demand | None:
    """Measured member municipalities plus the estimate for the others (see :func:`community_demand`)."""
    codes = [c for c in populations if c in known.municipalities.index]
    if not codes:
        return estimate
    part = _measured(known.municipalities.loc[codes], f"{len(codes)} of {len(populations)} municipalities")
    others = [populations[c] for c in populations if c not in codes]
    if not others:
        return _measured(known.municipalities.loc[codes], f"all {len(codes)} municipalities")
    rest = [float(p) for p in others if p is not None and not pd.isna(p)]
    if len(rest) < len(others):
        return estimate  # the rest cannot be estimated: a partial sum would understate the demand
    other = Demand(
        estimate_demand_mwh_yr(population=sum(rest), params=params), f"estimated from {int(sum(rest)):,} inhabitants"
    )
    return _combine(part, other)


def community_demand(
    community: dict[str, Any],
    *,
    member_population: float | None = None,
    params: EnergyParams | None = None,
    measured: Measured | None = None,
    member_populations: dict[str, float | None] | None = None,
    site_ids: Sequence[str] = (),
) -> Demand | None:
    """The demand of a community: entered, else measured where measured and estimated elsewhere.

    - ``attributes["demand_mwh_yr"]`` typed on the community page wins (``entered``).
    - A municipality with a measured consumption (``measured.municipalities``) uses it.
    - A MAS (or another community with member municipalities, ``member_populations``:
      code -> inhabitants) adds the measured members and estimates the others from
      their population (``mixed``); all measured is ``measured``.
    - An energy community adds the measured consumption of its buildings among
      ``site_ids`` to the estimate from its ``attributes["households"]``.
    - Otherwise the household estimate: ``attributes["households"]``, else the
      population, else ``member_population`` (the sum over member municipalities).

    None when nothing is known.
    """
    attributes = community.get("attributes") or {}
    entered = attributes.get("demand_mwh_yr")
    if entered is not None:
        return Demand(float(entered), "entered", "entered")
    known = measured or Measured.none()
    estimate = _estimate(community, member_population, params)
    code = community.get("code")
    if community.get("kind") == "municipality" and code is not None and str(code) in known.municipalities.index:
        return _measured(known.municipalities.loc[[str(code)]], "")
    if community.get("kind") == "energy_community":
        buildings = known.sites.loc[known.sites.index.intersection(list(site_ids))]
        if buildings.empty:
            return estimate
        part = _measured(buildings, f"{len(buildings)} building(s)")
        return part if estimate is None else _combine(part, estimate)
    return _members_demand(member_populations or {}, known, estimate, params)


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
    measured: Measured = field(default_factory=Measured.none)


def community_site_ids(source: PipelineSource, community: dict[str, Any], members: pd.DataFrame) -> list[str]:
    """Linked sites, plus the sites in the municipality (kind municipality) or in the member municipalities (mas).

    An energy community (or any other kind but municipality and MAS) with a boundary
    (``attributes["boundary"]``) also lists every current site inside it.
    """
    ids = set(source.linked_sites(int(community["community_id"]))["site_id"])
    boundary = (community.get("attributes") or {}).get("boundary")
    if boundary and community["kind"] not in {"municipality", "mas"}:
        ids |= set(source.sites_within(boundary))
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


def member_populations(source: PipelineSource, members: pd.DataFrame) -> dict[str, float | None]:
    """Population of each member municipality code (None where unknown)."""
    codes = [str(c) for c in members["municipality_code"].dropna()]
    municipalities = source.communities("municipality")
    known = dict(zip(municipalities["code"].astype(str), municipalities["population"], strict=True))
    return {c: (None if known.get(c) is None or pd.isna(known.get(c)) else float(known[c])) for c in codes}


def measured_for(
    source: PipelineSource, community: dict[str, Any], members: pd.DataFrame, site_ids: Sequence[str]
) -> Measured:
    """The newest measured consumption of the community's municipality or members, and of its sites."""
    codes = {str(c) for c in members["municipality_code"].dropna()}
    if community.get("code") is not None and community["kind"] == "municipality":
        codes.add(str(community["code"]))
    return Measured(source.measured_demand("municipality", sorted(codes)), source.measured_demand("site", site_ids))


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
    measured = measured_for(frames, community, members, ids)
    demand = community_demand(
        community,
        member_population=member_population(frames, members),
        params=params,
        measured=measured,
        member_populations=member_populations(frames, members) if community["kind"] == "mas" else None,
        site_ids=ids,
    )
    return CommunityReport(
        community=community,
        members=members,
        sites=sites,
        by_status=sites_by_status(sites),
        potential=demand_coverage(potential_by_profile(sites, scores), demand),
        demand=demand,
        funding=funding_pipeline(frames.funding_links(sites["site_id"].tolist())),
        measured=measured,
    )


__all__ = [
    "PERSONS_PER_HOUSEHOLD",
    "STATUS_ORDER",
    "CommunityReport",
    "Demand",
    "Measured",
    "add_municipalities",
    "community_demand",
    "community_report",
    "community_site_ids",
    "demand_coverage",
    "estimate_demand_mwh_yr",
    "funding_pipeline",
    "measured_for",
    "member_population",
    "member_populations",
    "municipalities_from_layer",
    "potential_by_profile",
    "sites_by_status",
]
