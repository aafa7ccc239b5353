"""Climate-plan actions: what a municipality plans or does, with the fields of a MyCovenant action report.

A Covenant of Mayors signatory reports each mitigation action of its SECAP with
its area of intervention (sector), implementation timeframe, responsible body,
cost, status, and its expected energy savings, renewable energy production and
CO2 reduction (Covenant of Mayors for Climate and Energy Reporting Guidelines,
JRC, EUR 28160 EN, 2016, section "Mitigation actions"). DK2020 climate plans
track actions beyond electricity (heat, transport, buildings, waste, land use).

Here an action has a ``sector`` (:data:`SECTORS`: the MyCovenant area of
intervention and the DK2020 sector it belongs to) and an ``action_type``
(:data:`ACTION_TYPES`: what it does, and so which effect it has and in which
unit its size is given). Only production types (PV, renewable heat) carry a
production figure and a capacity; a brownfield redevelopment carries neither.
A number not known stays missing, never 0.

:func:`add_action` stores one (:class:`ActionSpec`), :func:`action_from_site`
makes one from a site with the effect of its best score, :func:`list_actions`
reads them. :mod:`gisplan.secap` exports them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import select

from gisplan.errors import InputError, NotFoundError
from gisplan.store import permissions as perm

if TYPE_CHECKING:
    from gisplan.store import ActorRef, Store, Tx


@dataclass(frozen=True)
class Sector:
    """A sector of a climate plan: its MyCovenant area of intervention and its DK2020 sector."""

    mycovenant: str
    dk2020: str


#: Sector codes -> MyCovenant area of intervention (SECAP template wording) and DK2020 sector.
SECTORS: dict[str, Sector] = {
    "municipal_buildings": Sector("Municipal buildings, equipment/facilities", "Buildings"),
    "tertiary_buildings": Sector("Tertiary (non municipal) buildings, equipment/facilities", "Buildings"),
    "residential_buildings": Sector("Residential buildings", "Buildings"),
    "public_lighting": Sector("Public lighting", "Electricity"),
    "industry": Sector("Industry", "Industry"),
    "transport": Sector("Transport", "Transport"),
    "local_electricity": Sector("Local electricity production", "Electricity"),
    "local_heat": Sector("Local heat/cold production", "Heating"),
    "waste": Sector("Others", "Waste and wastewater"),
    "land_use": Sector("Others", "Agriculture and land use"),
    "other": Sector("Others", "Other"),
}


@dataclass(frozen=True)
class ActionType:
    """What an action does: its usual sector, the measure's name, its effect and the unit of its size.

    ``effect`` is ``production`` (renewable energy produced), ``savings`` (energy saved) or
    ``none`` (no energy effect estimated, e.g. redevelopment of a brownfield for housing).
    """

    sector: str
    measure: str
    effect: str
    capacity_unit: str = ""


ACTION_TYPES: dict[str, ActionType] = {
    "pv_rooftop": ActionType("local_electricity", "Photovoltaics (rooftop)", "production", "kWp"),
    "pv_ground": ActionType("local_electricity", "Photovoltaics (ground-mounted)", "production", "kWp"),
    "community_energy": ActionType("local_electricity", "Community energy (shared photovoltaics)", "production", "kWp"),
    "renewable_heat": ActionType(
        "local_heat", "Renewable heat (biomass, solar thermal, district heat)", "production", "kWth"
    ),
    "heat_pump": ActionType("local_heat", "Heat pumps", "savings", "kWth"),
    "building_retrofit": ActionType(
        "municipal_buildings", "Building retrofit (insulation, windows, controls)", "savings"
    ),
    "public_lighting": ActionType("public_lighting", "Efficient public lighting (LED)", "savings"),
    "transport": ActionType("transport", "Clean transport (public transport, cycling, e-mobility)", "savings"),
    "waste": ActionType("waste", "Waste and wastewater (sorting, biogas, recovery)", "savings"),
    "redevelopment": ActionType("land_use", "Brownfield redevelopment", "none"),
    "other": ActionType("other", "Other measure", "savings"),
}

#: Implementation status codes -> MyCovenant wording.
STATUSES: dict[str, str] = {
    "not_started": "Not started",
    "ongoing": "Ongoing",
    "completed": "Completed",
    "postponed": "Postponed",
    "cancelled": "Cancelled",
}

#: Scoring profile -> action type of a site made into an action (or listed in the SECAP export).
PROFILE_TYPES = {
    "rooftop_pv": "pv_rooftop",
    "ground_pv": "pv_ground",
    "community_energy": "community_energy",
    "redevelopment": "redevelopment",
}
#: Site kind -> action type, for a site without a known profile. A brownfield is never assumed to be PV.
KIND_TYPES = {"rooftop": "pv_rooftop", "municipal_land": "pv_ground", "brownfield": "redevelopment"}
#: Longest action title [characters].
MAX_TITLE = 500
ACTION_COLUMNS = [
    "action_id",
    "municipality_code",
    "site_id",
    "origin",
    "title",
    "sector",
    "action_type",
    "responsible_body",
    "start_date",
    "end_date",
    "status",
    "cost_eur",
    "capacity",
    "capacity_unit",
    "energy_savings_mwh_yr",
    "production_mwh_yr",
    "co2_t_yr",
    "note",
    "version",
]


@dataclass(frozen=True)
class ActionSpec:
    """A climate-plan action to store (the MyCovenant fields).

    Parameters
    ----------
    municipality_code
        Kód obce of the municipality whose plan holds the action.
    title
        What the action is, e.g. "Heat pumps in the school".
    action_type
        A key of :data:`ACTION_TYPES`.
    sector
        A key of :data:`SECTORS`; default the type's usual sector.
    site_id
        The site the action is about, if any.
    origin
        Where it came from: ``site``, ``proposal:<id>``, ``plan``…
    responsible_body
        Who carries it out (municipality office, company…).
    start_date, end_date
        Implementation timeframe.
    status
        A key of :data:`STATUSES`.
    cost_eur
        Implementation cost [EUR].
    capacity
        Size in the type's unit (kWp, kWth); only for types that have one.
    energy_savings_mwh_yr, production_mwh_yr
        Expected energy saved / renewable energy produced [MWh/yr].
    co2_t_yr
        Expected CO2 reduction [tCO2/yr].
    note
        Free text, e.g. how the effect was estimated.
    """

    municipality_code: str
    title: str
    action_type: str
    sector: str | None = None
    site_id: str | None = None
    origin: str = "plan"
    responsible_body: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str = "not_started"
    cost_eur: float | None = None
    capacity: float | None = None
    energy_savings_mwh_yr: float | None = None
    production_mwh_yr: float | None = None
    co2_t_yr: float | None = None
    note: str = ""

    def problems(self) -> list[str]:
        """Every reason the action cannot be stored (empty when it is fine)."""
        found: list[str] = []
        if not self.municipality_code.strip():
            found.append("the municipality code is empty")
        if not self.title.strip() or len(self.title) > MAX_TITLE:
            found.append(f"the title must have 1–{MAX_TITLE} characters")
        kind = ACTION_TYPES.get(self.action_type)
        if kind is None:
            found.append(f"action type {self.action_type!r} is unknown; use one of {sorted(ACTION_TYPES)}")
        if self.sector is not None and self.sector not in SECTORS:
            found.append(f"sector {self.sector!r} is unknown; use one of {sorted(SECTORS)}")
        if self.status not in STATUSES:
            found.append(f"status {self.status!r} is unknown; use one of {sorted(STATUSES)}")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            found.append(f"the end {self.end_date} is before the start {self.start_date}")
        for name in ("cost_eur", "capacity", "energy_savings_mwh_yr", "production_mwh_yr"):
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value < 0):
                found.append(f"{name} must be a number >= 0, not {value}")
        if self.co2_t_yr is not None and not math.isfinite(self.co2_t_yr):
            found.append(f"co2_t_yr must be a number, not {self.co2_t_yr}")
        if kind is not None:
            found += _effect_problems(self, kind)
        return found


def _effect_problems(spec: ActionSpec, kind: ActionType) -> list[str]:
    found = []
    if kind.effect != "production" and spec.production_mwh_yr is not None:
        found.append(f"a {spec.action_type} action produces no energy; give energy savings instead of production")
    if kind.effect == "none" and spec.energy_savings_mwh_yr is not None:
        found.append(f"a {spec.action_type} action has no energy effect; leave the savings empty")
    if not kind.capacity_unit and spec.capacity is not None:
        found.append(f"a {spec.action_type} action has no capacity; leave it empty")
    return found


def _check(spec: ActionSpec) -> ActionSpec:
    problems = spec.problems()
    if problems:
        msg = "the action cannot be stored: " + "; ".join(problems)
        raise InputError(msg)
    return replace(
        spec,
        title=spec.title.strip(),
        municipality_code=spec.municipality_code.strip(),
        sector=spec.sector or ACTION_TYPES[spec.action_type].sector,
    )


def _require(tx: Tx, spec: ActionSpec) -> None:
    """Site edit on the action's site, else community write in its municipality; the municipality must exist."""
    from gisplan.store.models import Community, Site

    muni = tx.session.scalar(
        select(Community).where(Community.kind == "municipality", Community.code == spec.municipality_code)
    )
    if muni is None:
        msg = f"there is no municipality {spec.municipality_code!r} in the store; load it (gisplan territories load)"
        raise NotFoundError(msg)
    target, action = spec.municipality_code, perm.Action.COMMUNITY_WRITE
    region: str | None = muni.region_code
    municipality: str | None = spec.municipality_code
    if spec.site_id is not None:
        site = tx.fetch(Site, spec.site_id, "site")
        target, region, municipality = spec.site_id, site.region_code, site.municipality_code
        action = perm.Action.SITE_EDIT
    tx.require(action, "climate_action", target, region=region, municipality=municipality)


def add_action(store: Store, actor: ActorRef, spec: ActionSpec) -> int:
    """Store a climate-plan action (validated, permission-checked, audited); return its id.

    Raises
    ------
    InputError
        Listing every problem of the spec.
    NotFoundError
        If the municipality or the site is not in the store.
    PermissionDeniedError
        If the actor may not edit the site / write communities in the municipality.
    """
    from gisplan.store.models import ClimateAction

    clean = _check(spec)

    def work(tx: Tx) -> int:
        _require(tx, clean)
        row = ClimateAction(**asdict(clean), created_by=tx.actor_id)
        tx.session.add(row)
        tx.session.flush()
        tx.audit("action.add", "climate_action", row.id, after={k: _jsonable(v) for k, v in asdict(clean).items()})
        return int(row.id)

    return store.transaction(actor, work)


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def update_action_status(store: Store, actor: ActorRef, action_id: int, status: str, *, expected_version: int) -> None:
    """Move an action to another implementation status (MyCovenant wording in :data:`STATUSES`)."""
    from gisplan.store.models import ClimateAction

    if status not in STATUSES:
        msg = f"status {status!r} is unknown; use one of {sorted(STATUSES)}"
        raise InputError(msg)

    def work(tx: Tx) -> None:
        row = tx.fetch(ClimateAction, action_id, "climate action")
        spec = ActionSpec(row.municipality_code, row.title, row.action_type, site_id=row.site_id)
        _require(tx, spec)
        before, after = tx.save(row, f"climate action {action_id}", expected_version, {"status": status}, ("status",))
        tx.audit("action.status", "climate_action", action_id, before=before, after=after)

    store.transaction(actor, work)


def site_action(site: Mapping[Any, Any], score: Mapping[Any, Any] | None) -> ActionSpec:
    """The action a site becomes: its type from the profile of ``score`` (else its kind) and that score's effect.

    A redevelopment gets no capacity, production or CO2 figure; a PV type gets the
    score's capacity [kWp], output [MWh/yr] and avoided CO2 [tCO2/yr] (missing when
    the profile excluded the site).
    """
    profile = (score or {}).get("profile")
    kind = PROFILE_TYPES.get(str(profile)) or KIND_TYPES.get(str(site.get("kind")), "other")
    effect = ACTION_TYPES[kind].effect
    usable = score is not None and not bool(score.get("excluded"))

    def value(name: str) -> float | None:
        raw = (score or {}).get(name)
        return None if not usable or raw is None or pd.isna(raw) else float(raw)

    producing = effect == "production"
    return ActionSpec(
        municipality_code=str(site.get("municipality_code") or ""),
        title=str(site.get("name") or site.get("site_id")),
        action_type=kind,
        site_id=str(site["site_id"]),
        origin="site",
        capacity=value("capacity_kwp") if producing else None,
        production_mwh_yr=value("energy_mwh_yr") if producing else None,
        co2_t_yr=value("co2_t_yr") if producing else None,
        note=f"effect from scoring profile {profile}" if producing and usable else "",
    )


def action_from_site(store: Store, actor: ActorRef, site_id: str, *, profile: str | None = None, **fields: Any) -> int:
    """Store the action of a site (:func:`site_action` of its ``profile`` score, else its best one) with ``fields``.

    ``fields`` are any other :class:`ActionSpec` fields (responsible body, timeframe, cost…).
    """
    from gisplan._storeframes import StoreFrames

    frames = StoreFrames(store)
    sites = frames.sites(site_ids=[site_id])
    if sites.empty:
        msg = f"there is no site {site_id!r} in the store"
        raise NotFoundError(msg)
    scores = frames.scores([site_id], profile=profile)
    ranked = scores.assign(_ex=scores["excluded"].astype(bool)).sort_values(["_ex", "score"], ascending=[True, False])
    score = None if ranked.empty else {str(k): v for k, v in ranked.iloc[0].to_dict().items()}
    if profile is not None and score is None:
        msg = f"site {site_id} has no score under profile {profile!r}; score it or leave the profile out"
        raise NotFoundError(msg)
    base = site_action({str(k): v for k, v in sites.iloc[0].to_dict().items()}, score)
    return add_action(store, actor, replace(base, **fields))


def list_actions(store: Store, *, municipality_codes: list[str] | None = None) -> pd.DataFrame:
    """Stored actions (:data:`ACTION_COLUMNS`), by id; only these municipalities when given."""
    from gisplan.store.models import ClimateAction

    stmt = select(ClimateAction).order_by(ClimateAction.id)
    if municipality_codes is not None:
        stmt = stmt.where(ClimateAction.municipality_code.in_(municipality_codes))

    def work(session: Any) -> pd.DataFrame:
        rows = [
            [row.id if c == "action_id" else getattr(row, c) for c in ACTION_COLUMNS]
            for row in session.scalars(stmt).all()
        ]
        return pd.DataFrame(rows, columns=ACTION_COLUMNS)

    return store.read(work)


__all__ = [
    "ACTION_COLUMNS",
    "ACTION_TYPES",
    "KIND_TYPES",
    "PROFILE_TYPES",
    "SECTORS",
    "STATUSES",
    "ActionSpec",
    "ActionType",
    "Sector",
    "action_from_site",
    "add_action",
    "list_actions",
    "site_action",
    "update_action_status",
]
