"""Eligibility rules: one function per rule type, each with a reason a person can read.

Every rule takes a call and the facts of a site (and what else it needs) and
returns a :class:`RuleResult`, or None when the call sets no such condition.

Verdicts (the whole vocabulary; the store keeps the same three words):

- ``eligible``: the rule was checked and the site meets it;
- ``not_eligible``: the rule was checked and the site fails it;
- ``unknown``, shown to people as **to check**: the rule could not be checked,
  because the site lacks a fact it needs (owner, building use, applicant type,
  capacity…) or the catalogue does not record the call's condition. The reason
  says which fact is missing. "Unknown" and "to check" are one verdict: both
  mean that someone has to look before the call can be claimed, and a fourth
  word would have to be ranked, counted and stored everywhere the other three are.

A call is eligible only when every rule that applies answers ``eligible``.

A reason is a record (rule id, code and parameters, see
:mod:`gisplan.funding._reasons`), worded in the reader's language only when it
is shown: :meth:`RuleResult.text`. :meth:`RuleResult.stored` is the form the
store keeps in ``site_funding_links.reasons``.

Adding a rule type means registering it in one module
(:func:`gisplan.funding.rule_registry.register_rule`): its settings model, its
evaluator and its text keys; a call gives its settings under ``rules:``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from gisplan.funding._models import OTHERS, FundingCall, Limit, Range, Territory
from gisplan.funding._reasons import date_cs, encode, kwp, kwp_cs, number, number_cs, record, render
from gisplan.funding._territory import PlaceLookup
from gisplan.vocabulary import BROAD_OWNERS

Verdict = Literal["eligible", "not_eligible", "unknown"]
CallState = Literal["open", "upcoming", "closed", "unknown"]
ELIGIBLE: Verdict = "eligible"
NOT_ELIGIBLE: Verdict = "not_eligible"
#: The "to check" verdict: a rule that could not be checked (see the module docstring).
UNKNOWN: Verdict = "unknown"
TO_CHECK: Verdict = UNKNOWN


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
    owner
        Who owns the site, one of :data:`~gisplan.vocabulary.OWNER_TYPES`; None when not recorded.
    building_use
        What the building is used for, one of :data:`~gisplan.vocabulary.BUILDING_USES`;
        None when not recorded (or the site is no building).
    previous_use
        What the site was used for before, one of :data:`~gisplan.vocabulary.PREVIOUS_USES`;
        None when not recorded.
    energy_poverty
        The municipality's energy poverty indicator (newest year, unit as loaded,
        :mod:`gisplan.poverty`); None when not loaded.
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
    owner: str | None = None
    building_use: str | None = None
    previous_use: str | None = None
    energy_poverty: float | None = None


@dataclass(frozen=True)
class RuleResult:
    """The answer of one rule for one call and site: verdict, reason code and the values compared.

    ``params`` hold plain JSON values; their names carry the unit (``value_kwp``,
    ``max_ha``, ``close_date``…).
    """

    rule: str
    verdict: Verdict
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The reason as a record: ``{"rule", "code", "verdict", "params"}``."""
        return record(self.rule, self.code, self.verdict, self.params)

    def stored(self) -> str:
        """The reason as the store keeps it in ``site_funding_links.reasons`` (JSON text of :meth:`record`)."""
        return encode(self.record())

    def text(self, language: str) -> str:
        """The reason in ``language`` (en, cs, pl, hu, da; English for any other code).

        An added rule's reason is worded by the text key it registered for the code, when there is one.
        """
        from gisplan.funding.rule_registry import funding_rules, reason_text

        rule = funding_rules().get(self.rule)
        own = reason_text(rule, self.code, self.params, language) if rule is not None and rule.texts else None
        return own if own is not None else render(self.record(), language)

    @property
    def reason(self) -> str:
        """The reason in English."""
        return self.text("en")

    @property
    def reason_cs(self) -> str:
        """The reason in Czech."""
        return self.text("cs")


def _result(rule: str, verdict: Verdict, code: str, **params: Any) -> RuleResult:
    return RuleResult(rule, verdict, code, {k: v for k, v in params.items() if v is not None})


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
    """Closed calls are not eligible; open and upcoming ones are; missing dates are to check."""
    opens, closes = call.intake.open, call.intake.close
    open_date = opens.isoformat() if opens else None
    close_date = closes.isoformat() if closes else None
    state = call_state(call, today)
    if state == "closed":
        return _result("intake", NOT_ELIGIBLE, "closed", close_date=close_date)
    if state == "upcoming":
        code = "upcoming_until" if closes else "upcoming"
        return _result("intake", ELIGIBLE, code, open_date=open_date, close_date=close_date)
    if state == "open":
        return _result("intake", ELIGIBLE, "open", close_date=close_date)
    if opens is not None:
        return _result("intake", UNKNOWN, "no_close", open_date=open_date)
    return _result("intake", UNKNOWN, "no_dates")


# ------------------------------------------------------------------------------------- territory
def _territory_params(territory: Territory) -> dict[str, Any]:
    return {
        "regions": list(territory.regions),
        "districts": list(territory.districts),
        "municipalities_count": len(territory.municipalities),
        "mas": list(territory.mas),
    }


def _territory_hits(
    territory: Territory, facts: SiteFacts, places: PlaceLookup
) -> tuple[list[dict[str, str]], list[str]]:
    """How the site's municipality meets the call's territory (hit params), and which facts are missing."""
    code = facts.municipality_code
    place = places.get(code)
    region = facts.region_code or (place.region if place else None)
    district = facts.district_code or (place.district if place else None)
    hits: list[dict[str, str]] = []
    missing: list[str] = []
    checks = (
        (territory.municipalities, code, "municipality", {"hit": "named"}),
        (territory.districts, district, "district", {"hit": "district", "district": district or ""}),
        (territory.regions, region, "region", {"hit": "region", "region": region or ""}),
    )
    for listed, value, name, hit in checks:
        if not listed:
            continue
        if value is None:
            missing.append(name)
        elif value in listed:
            hits.append(hit)
    if territory.mas:
        if facts.mas_codes is None:
            missing.append("mas")
        else:
            hits += [{"hit": "mas", "mas_code": m} for m in territory.mas if m in facts.mas_codes]
    return hits, missing


def territory_rule(call: FundingCall, facts: SiteFacts, places: PlaceLookup) -> RuleResult:
    """Whether the site's municipality lies in the call's regions, districts, municipality list or MAS."""
    territory = call.territory
    if territory == "unknown":
        return _result("territory", UNKNOWN, "not_recorded")
    if territory.national:
        return _result("territory", ELIGIBLE, "national")
    hits, missing = _territory_hits(territory, facts, places)
    where: dict[str, Any] = {"municipality": facts.municipality_code}
    if hits and territory.partial:
        return _result("territory", UNKNOWN, "partial", **where, **hits[0], note=territory.note)
    if hits or missing:
        found = ("inside", ELIGIBLE, hits[0]) if hits else ("cannot_check", UNKNOWN, {"missing": missing})
        return _result("territory", found[1], found[0], **where, **found[2])
    where |= _territory_params(territory)
    if territory.also_elsewhere:
        return _result("territory", UNKNOWN, "also_elsewhere", **where, note=territory.note)
    return _result("territory", NOT_ELIGIBLE, "outside", **where)


# ------------------------------------------------------------------------------------ lists
def _broad(rule: str, named: list[str], others: bool, value: str) -> RuleResult | None:
    """A value that stands for several narrower ones (``public`` owner: municipal or other public)."""
    narrower = BROAD_OWNERS.get(value) if rule == "owner" else None
    if narrower is None:
        return None
    params = {"value": value, "accepted": named, "others": others}
    if all(n in named for n in narrower):
        return _result(rule, ELIGIBLE, "named", **params)
    if any(n in named for n in narrower) or others:
        return _result(rule, UNKNOWN, "broad", **params)
    return _result(rule, NOT_ELIGIBLE, "not_accepted", **params)


def _list_rule(rule: str, allowed: list[str] | str | None, value: str | None) -> RuleResult | None:
    if allowed is None:
        return None
    if allowed == "any":
        return _result(rule, ELIGIBLE, "any")
    if allowed == "unknown":
        return _result(rule, UNKNOWN, "not_recorded")
    return _listed(rule, [a for a in allowed if a != OTHERS], OTHERS in allowed, value)


def _listed(rule: str, named: list[str], others: bool, value: str | None) -> RuleResult:
    """A list rule whose call names the accepted values (``others``: the list is not exhaustive)."""
    if value is None:
        return _result(rule, UNKNOWN, "missing", accepted=named, others=others)
    if value in named:
        return _result(rule, ELIGIBLE, "named", value=value)
    broad = _broad(rule, named, others, value)
    if broad is not None:
        return broad
    code = "not_named" if others else "not_accepted"
    return _result(rule, UNKNOWN if others else NOT_ELIGIBLE, code, value=value, accepted=named, others=others)


def applicant_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the applicant type (municipality, business, ...) may apply."""
    return _list_rule("applicant", call.applicants, facts.applicant)


def site_kind_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the kind of site (brownfield, rooftop, municipal land) is eligible."""
    return _list_rule("site_kind", call.site_kinds, facts.kind)


def use_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the intended use (rooftop PV, ground PV, public services, ...) is eligible."""
    return _list_rule("use", call.uses, facts.intended_use)


def owner_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the site's owner (municipal, other public, private, mixed) fits; no rule when the call sets none.

    A site whose owner is not recorded is to check: RÚIAN buildings and parcels
    carry no owner (that is in the cadastre), so a call for public buildings
    cannot be claimed for them without looking it up.
    """
    return _list_rule("owner", call.owners, facts.owner)


def building_use_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the building's use (civic, residential, agricultural…) fits; no rule when the call sets none."""
    return _list_rule("building_use", call.building_uses, facts.building_use)


def previous_use_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the site's previous use (industrial, mining, agricultural…) fits; no rule when the call sets none."""
    return _list_rule("previous_use", call.previous_uses, facts.previous_use)


# ------------------------------------------------------------------------------------ limits
def _range_rule(rule: str, limit: Limit, value: float | None, unit: str) -> RuleResult | None:
    """``unit`` is the parameter suffix: ``kwp``, ``ha`` or ``inhabitants``."""
    if limit is None:
        return None
    if limit == "unknown":
        return _result(rule, UNKNOWN, "not_recorded")
    assert isinstance(limit, Range)
    bounds = {f"min_{unit}": limit.min, f"max_{unit}": limit.max}
    if value is None:
        return _result(rule, UNKNOWN, "missing", **bounds)
    shown = {f"value_{unit}": value}
    if limit.max is not None and value > limit.max:
        return _result(rule, NOT_ELIGIBLE, "above_max", **shown, **{f"max_{unit}": limit.max})
    if limit.min is not None and value < limit.min:
        return _result(rule, NOT_ELIGIBLE, "below_min", **shown, **{f"min_{unit}": limit.min})
    return _result(rule, ELIGIBLE, "within", **shown, **bounds)


def capacity_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Installed capacity [kWp] against the call's limits."""
    return _range_rule("capacity", call.limits.capacity_kwp, facts.capacity_kwp, "kwp")


def area_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Site area [ha] against the call's limits."""
    area_ha = None if facts.area_m2 is None else facts.area_m2 / 10_000.0
    return _range_rule("area", call.limits.area_ha, area_ha, "ha")


def population_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Inhabitants of the municipality against the call's limits (e.g. small municipalities ≤ 3,000)."""
    return _range_rule("population", call.limits.population, facts.population, "inhabitants")


def energy_poverty_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """The municipality's energy poverty indicator against the call's limits (e.g. at least 15 % of households)."""
    return _range_rule("energy_poverty", call.limits.energy_poverty, facts.energy_poverty, "indicator")


#: The rules that need only the call and the site facts, in the order reasons are shown.
RULES: tuple[Callable[[FundingCall, SiteFacts], RuleResult | None], ...] = (
    applicant_rule,
    site_kind_rule,
    use_rule,
    owner_rule,
    building_use_rule,
    previous_use_rule,
    capacity_rule,
    area_rule,
    population_rule,
    energy_poverty_rule,
)


def evaluate(call: FundingCall, facts: SiteFacts, *, today: dt.date, places: PlaceLookup) -> list[RuleResult]:
    """Every rule's answer for one call and site: intake and territory first, then every registered rule.

    The registered rules (:mod:`gisplan.funding.rule_registry`) are the built-in ones of
    :data:`RULES`, in that order, then any added rule whose settings the call gives.
    """
    from gisplan.funding.rule_registry import funding_rules

    results = [intake_rule(call, today), territory_rule(call, facts, places)]
    for rule in funding_rules().values():
        settings = rule.settings(call)
        result = rule.evaluate(settings, facts) if settings is not None else None
        if result is not None:
            results.append(result)
    return results


def combine(results: list[RuleResult]) -> Verdict:
    """Not eligible if any rule says so, else to check (``unknown``) if any rule could not be checked, else eligible."""
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
    "TO_CHECK",
    "UNKNOWN",
    "CallState",
    "RuleResult",
    "SiteFacts",
    "Verdict",
    "applicant_rule",
    "area_rule",
    "building_use_rule",
    "call_state",
    "capacity_rule",
    "combine",
    "date_cs",
    "energy_poverty_rule",
    "evaluate",
    "intake_rule",
    "kwp",
    "kwp_cs",
    "number",
    "number_cs",
    "owner_rule",
    "population_rule",
    "previous_use_rule",
    "site_kind_rule",
    "territory_rule",
    "use_rule",
]
