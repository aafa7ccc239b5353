"""Eligibility rules: one function per rule type, each with a reason a person can read.

Every rule takes a call and the facts of a site (and what else it needs) and
returns a :class:`RuleResult`, or None when the call sets no such condition.
A rule answers

- ``eligible`` when the site meets the condition,
- ``not_eligible`` when it does not,
- ``unknown`` when the call's condition or the site's fact is not known.

Adding a rule type means adding one function here, listing it in :data:`RULES`,
and adding its field to :class:`~gisplan.funding._models.FundingCall`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from gisplan.funding._models import OTHERS, FundingCall, Limit, Range, Territory
from gisplan.funding._territory import PlaceLookup, region_name

Verdict = Literal["eligible", "not_eligible", "unknown"]
CallState = Literal["open", "upcoming", "closed", "unknown"]
ELIGIBLE: Verdict = "eligible"
NOT_ELIGIBLE: Verdict = "not_eligible"
UNKNOWN: Verdict = "unknown"


@dataclass(frozen=True)
class SiteFacts:
    """What the matcher knows about a site, its applicant and its municipality.

    Attributes
    ----------
    site_id
        The store's site id (only for display).
    kind
        brownfield | rooftop | municipal_land.
    area_m2
        Site area [m²].
    capacity_kwp
        Installable PV capacity [kWp] from the scoring.
    municipality_code
        Kód obce of the municipality holding the site.
    region_code, district_code
        NUTS 3 region and LAU 1 district, when the site carries them; else
        they come from a :class:`~gisplan.funding._territory.PlaceLookup`.
    population
        Inhabitants of the municipality.
    intended_use
        One of :data:`~gisplan.funding._models.USES`.
    applicant
        The applicant type, one of :data:`~gisplan.funding._models.APPLICANT_TYPES`.
    mas_codes
        MAS territories that hold the municipality; None when not known.
    """

    site_id: str = ""
    kind: str | None = None
    area_m2: float | None = None
    capacity_kwp: float | None = None
    municipality_code: str | None = None
    region_code: str | None = None
    district_code: str | None = None
    population: float | None = None
    intended_use: str | None = None
    applicant: str | None = None
    mas_codes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RuleResult:
    """The answer of one rule for one call and site."""

    rule: str
    verdict: Verdict
    reason: str


def number(value: float) -> str:
    """A number with a thousands separator and at most two decimals: 3000 -> '3,000', 1.40 -> '1.4'."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def kwp(value: float) -> str:
    """A capacity [kWp] as people say it: '700 kWp', '1.4 MWp'."""
    return f"{number(value / 1000)} MWp" if value >= 1000 else f"{number(value)} kWp"


# ---------------------------------------------------------------------------------------- intake
def call_state(call: FundingCall, today: dt.date) -> CallState:
    """Whether the call's intake is open, upcoming, closed or not known on ``today``."""
    opens, closes = call.intake.open, call.intake.close
    if closes is not None and today > closes:
        return "closed"
    if opens is not None and today < opens:
        return "upcoming"
    if closes is not None and (opens is None or opens <= today):
        return "open"
    return "unknown"


def intake_rule(call: FundingCall, today: dt.date) -> RuleResult:
    """Closed calls are not eligible; open and upcoming ones are; missing dates are unknown."""
    opens, closes = call.intake.open, call.intake.close
    state = call_state(call, today)
    if state == "closed":
        return RuleResult("intake", NOT_ELIGIBLE, f"intake closed on {closes}")
    if state == "upcoming":
        until = f", closes on {closes}" if closes else ""
        return RuleResult("intake", ELIGIBLE, f"intake opens on {opens}{until}")
    if state == "open":
        return RuleResult("intake", ELIGIBLE, f"intake open until {closes}")
    if opens is not None:
        return RuleResult("intake", UNKNOWN, f"intake opened on {opens}; its closing date is not recorded")
    return RuleResult("intake", UNKNOWN, "intake dates are not recorded; check the call")


# ------------------------------------------------------------------------------------- territory
def _territory_names(call: FundingCall) -> str:
    territory = call.territory
    if territory == "unknown":
        return ""
    parts = [region_name(r) for r in territory.regions]
    parts += [f"district {d}" for d in territory.districts]
    if territory.municipalities:
        parts.append(f"{len(territory.municipalities)} listed municipalities")
    parts += [f"MAS {m}" for m in territory.mas]
    return ", ".join(parts)


def _check(listed: list[str], value: str | None, missing: str, hit: str) -> tuple[list[str], list[str]]:
    """(hits, open questions) of one territory dimension."""
    if not listed:
        return [], []
    if value is None:
        return [], [missing]
    return ([hit] if value in listed else []), []


def _territory_hits(territory: Territory, facts: SiteFacts, places: PlaceLookup) -> tuple[list[str], list[str]]:
    """How the site's municipality meets the call's territory, and what could not be checked."""
    code = facts.municipality_code
    where = f"municipality {code}" if code else "the site's municipality"
    place = places.get(code)
    region = facts.region_code or (place.region if place else None)
    district = facts.district_code or (place.district if place else None)
    checks = [
        _check(territory.municipalities, code, "the site's municipality code is not known", "is named in the call"),
        _check(territory.districts, district, f"the district of {where} is not known", f"lies in district {district}"),
        _check(
            territory.regions, region, f"the region of {where} is not known", f"lies in {region_name(region or '')}"
        ),
    ]
    if territory.mas:
        if facts.mas_codes is None:
            checks.append(([], [f"the MAS membership of {where} is not known"]))
        else:
            checks.append(([f"is in MAS {m}" for m in territory.mas if m in facts.mas_codes], []))
    hits = [h for found, _ in checks for h in found]
    questions = [q for _, open_ in checks for q in open_]
    return hits, questions


def territory_rule(call: FundingCall, facts: SiteFacts, places: PlaceLookup) -> RuleResult:
    """Whether the site's municipality lies in the call's regions, districts, municipality list or MAS."""
    territory = call.territory
    if territory == "unknown":
        return RuleResult("territory", UNKNOWN, "the call's territory is not recorded in the catalogue")
    if territory.national:
        return RuleResult("territory", ELIGIBLE, "the call covers all of Czechia")
    code = facts.municipality_code
    where = f"municipality {code}" if code else "the site's municipality"
    note = f" ({territory.note})" if territory.note else ""
    hits, questions = _territory_hits(territory, facts, places)
    names = _territory_names(call)
    verdict, why = NOT_ELIGIBLE, f"{where} is not in the call's territory ({names})"
    if hits and territory.partial:
        verdict, why = UNKNOWN, f"{where} {hits[0]}, but the call covers only listed parts of it{note}; check the list"
    elif hits:
        verdict, why = ELIGIBLE, f"{where} {hits[0]}"
    elif questions:
        verdict, why = UNKNOWN, f"cannot check the territory: {'; '.join(questions)}"
    elif territory.also_elsewhere:
        verdict, why = UNKNOWN, f"{where} is outside {names}, but the call also covers places not recorded here{note}"
    return RuleResult("territory", verdict, why)


# ------------------------------------------------------------------------------------ lists
def _list_rule(rule: str, allowed: list[str] | str, value: str | None, *, what: str, missing: str) -> RuleResult | None:
    if allowed == "any":
        return RuleResult(rule, ELIGIBLE, f"the call accepts any {what}")
    if allowed == "unknown":
        return RuleResult(rule, UNKNOWN, f"the call's eligible {what}s are not recorded; check the call text")
    named = [a for a in allowed if a != OTHERS]
    accepted = ", ".join(named) + (" and others" if OTHERS in allowed else "")
    if value is None:
        return RuleResult(rule, UNKNOWN, f"{missing}; the call accepts {accepted}")
    if value in named:
        return RuleResult(rule, ELIGIBLE, f"{what} {value} is eligible")
    if OTHERS in allowed:
        return RuleResult(
            rule, UNKNOWN, f"{what} {value} is not among those the catalogue names ({accepted}); check the call text"
        )
    return RuleResult(rule, NOT_ELIGIBLE, f"{what} {value} is not eligible (the call accepts {accepted})")


def applicant_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the applicant type (municipality, business, ...) may apply."""
    return _list_rule(
        "applicant", call.applicants, facts.applicant, what="applicant type", missing="the applicant type is not given"
    )


def site_kind_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the kind of site (brownfield, rooftop, municipal land) is eligible."""
    return _list_rule("site_kind", call.site_kinds, facts.kind, what="site kind", missing="the site kind is not known")


def use_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the intended use (rooftop PV, ground PV, public services, ...) is eligible."""
    return _list_rule(
        "use", call.uses, facts.intended_use, what="intended use", missing="the intended use is not given"
    )


# ------------------------------------------------------------------------------------ limits
def _range_rule(
    rule: str, limit: Limit, value: float | None, *, what: str, show: Callable[[float], str], noun: str
) -> RuleResult | None:
    if limit is None:
        return None
    if limit == "unknown":
        return RuleResult(rule, UNKNOWN, f"the call limits the {noun}, but the limit is not recorded; check the call")
    assert isinstance(limit, Range)
    bounds = " and ".join(
        part
        for part in (
            f"at least {show(limit.min)}" if limit.min is not None else "",
            f"at most {show(limit.max)}" if limit.max is not None else "",
        )
        if part
    )
    if value is None:
        return RuleResult(rule, UNKNOWN, f"the {noun} is not known; the call allows {bounds}")
    if limit.max is not None and value > limit.max:
        return RuleResult(rule, NOT_ELIGIBLE, f"{what} {show(value)} exceeds the {show(limit.max)} limit")
    if limit.min is not None and value < limit.min:
        return RuleResult(rule, NOT_ELIGIBLE, f"{what} {show(value)} is below the {show(limit.min)} minimum")
    return RuleResult(rule, ELIGIBLE, f"{what} {show(value)} is within the limit ({bounds})")


def capacity_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Installed capacity [kWp] against the call's limits."""
    return _range_rule(
        "capacity", call.limits.capacity_kwp, facts.capacity_kwp, what="capacity", show=kwp, noun="capacity"
    )


def area_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Site area [ha] against the call's limits."""
    area_ha = None if facts.area_m2 is None else facts.area_m2 / 10_000.0
    return _range_rule(
        "area", call.limits.area_ha, area_ha, what="area", show=lambda v: f"{number(v)} ha", noun="site area"
    )


def population_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Inhabitants of the municipality against the call's limits (e.g. small municipalities ≤ 3,000)."""
    return _range_rule(
        "population",
        call.limits.population,
        facts.population,
        what="municipality population",
        show=lambda v: f"{number(v)} inhabitants",
        noun="municipality population",
    )


#: The rules that need only the call and the site facts, in the order reasons are shown.
RULES: tuple[Callable[[FundingCall, SiteFacts], RuleResult | None], ...] = (
    applicant_rule,
    site_kind_rule,
    use_rule,
    capacity_rule,
    area_rule,
    population_rule,
)


def evaluate(call: FundingCall, facts: SiteFacts, *, today: dt.date, places: PlaceLookup) -> list[RuleResult]:
    """Every rule's answer for one call and site: intake and territory first, then :data:`RULES`."""
    results = [intake_rule(call, today), territory_rule(call, facts, places)]
    for rule in RULES:
        result = rule(call, facts)
        if result is not None:
            results.append(result)
    return results


def combine(results: list[RuleResult]) -> Verdict:
    """Not eligible if any rule says so, else unknown if any rule is unknown, else eligible."""
    verdicts = {r.verdict for r in results}
    if NOT_ELIGIBLE in verdicts:
        return NOT_ELIGIBLE
    if UNKNOWN in verdicts:
        return UNKNOWN
    return ELIGIBLE


__all__ = [
    "ELIGIBLE",
    "NOT_ELIGIBLE",
    "RULES",
    "UNKNOWN",
    "CallState",
    "RuleResult",
    "SiteFacts",
    "Verdict",
    "applicant_rule",
    "area_rule",
    "call_state",
    "capacity_rule",
    "combine",
    "evaluate",
    "intake_rule",
    "kwp",
    "number",
    "population_rule",
    "site_kind_rule",
    "territory_rule",
    "use_rule",
]
