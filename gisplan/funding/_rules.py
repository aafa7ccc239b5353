"""Eligibility rules: one function per rule type, each with a reason a person can read.

Every rule takes a call and the facts of a site (and what else it needs) and
returns a :class:`RuleResult`, or None when the call sets no such condition.
A rule answers

- ``eligible`` when the site meets the condition,
- ``not_eligible`` when it does not,
- ``unknown`` when the call's condition or the site's fact is not known.

Every reason is written in English (``reason``) and Czech (``reason_cs``);
:meth:`RuleResult.text` picks one by language code. The English text is the
stable one: it is what the store saves in ``site_funding_links.reasons``.

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
    """The answer of one rule for one call and site, with its reason in English and Czech.

    ``reason_cs`` is empty only for results built elsewhere without one;
    :meth:`text` then falls back to English.
    """

    rule: str
    verdict: Verdict
    reason: str
    reason_cs: str = ""

    def text(self, language: str) -> str:
        """The reason in ``language`` ('cs' or 'en'); English for any other code."""
        return self.reason_cs if language == "cs" and self.reason_cs else self.reason


def _result(rule: str, verdict: Verdict, en: str, cs: str) -> RuleResult:
    return RuleResult(rule, verdict, en, cs)


def number(value: float) -> str:
    """A number with a thousands separator and at most two decimals: 3000 -> '3,000', 1.40 -> '1.4'."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def number_cs(value: float) -> str:
    """A number as Czech writes it: space between thousands, decimal comma: 3000 -> '3 000', 1.40 -> '1,4'."""
    return number(value).replace(",", " ").replace(".", ",")


def kwp(value: float) -> str:
    """A capacity [kWp] as people say it: '700 kWp', '1.4 MWp'."""
    return f"{number(value / 1000)} MWp" if value >= 1000 else f"{number(value)} kWp"


def kwp_cs(value: float) -> str:
    """A capacity [kWp] in Czech: '700 kWp', '1,4 MWp'."""
    return f"{number_cs(value / 1000)} MWp" if value >= 1000 else f"{number_cs(value)} kWp"


def date_cs(value: dt.date | None) -> str:
    """A date as Czech writes it: 2024-10-31 -> '31. 10. 2024' (ČSN 01 6910)."""
    return "" if value is None else f"{value.day}. {value.month}. {value.year}"


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
        return _result(
            "intake", NOT_ELIGIBLE, f"intake closed on {closes}", f"příjem žádostí skončil {date_cs(closes)}"
        )
    if state == "upcoming":
        until = f", closes on {closes}" if closes else ""
        until_cs = f", skončí {date_cs(closes)}" if closes else ""
        return _result(
            "intake",
            ELIGIBLE,
            f"intake opens on {opens}{until}",
            f"příjem žádostí začne {date_cs(opens)}{until_cs}",
        )
    if state == "open":
        return _result(
            "intake", ELIGIBLE, f"intake open until {closes}", f"příjem žádostí je otevřen do {date_cs(closes)}"
        )
    if opens is not None:
        return _result(
            "intake",
            UNKNOWN,
            f"intake opened on {opens}; its closing date is not recorded",
            f"příjem žádostí začal {date_cs(opens)}; datum ukončení není zaznamenáno",
        )
    return _result(
        "intake",
        UNKNOWN,
        "intake dates are not recorded; check the call",
        "termíny příjmu žádostí nejsou zaznamenány; ověřte výzvu",
    )


# ------------------------------------------------------------------------------------- territory
#: A text in English and Czech.
_Pair = tuple[str, str]


def _territory_names(call: FundingCall) -> _Pair:
    territory = call.territory
    if territory == "unknown":
        return "", ""
    regions = [region_name(r) for r in territory.regions]
    en = regions + [f"district {d}" for d in territory.districts]
    cs = regions + [f"okres {d}" for d in territory.districts]
    if territory.municipalities:
        en.append(f"{len(territory.municipalities)} listed municipalities")
        cs.append(f"vyjmenované obce: {len(territory.municipalities)}")
    en += [f"MAS {m}" for m in territory.mas]
    cs += [f"MAS {m}" for m in territory.mas]
    return ", ".join(en), ", ".join(cs)


def _check(listed: list[str], value: str | None, missing: _Pair, hit: _Pair) -> tuple[list[_Pair], list[_Pair]]:
    """(hits, open questions) of one territory dimension."""
    if not listed:
        return [], []
    if value is None:
        return [], [missing]
    return ([hit] if value in listed else []), []


def _where(facts: SiteFacts) -> tuple[str, str, str]:
    """The site's municipality in English, Czech nominative and Czech genitive."""
    code = facts.municipality_code
    if code:
        return f"municipality {code}", f"obec {code}", f"obce {code}"
    return "the site's municipality", "obec lokality", "obce lokality"


def _territory_hits(territory: Territory, facts: SiteFacts, places: PlaceLookup) -> tuple[list[_Pair], list[_Pair]]:
    """How the site's municipality meets the call's territory, and what could not be checked."""
    code = facts.municipality_code
    where, _, of_where = _where(facts)
    place = places.get(code)
    region = facts.region_code or (place.region if place else None)
    district = facts.district_code or (place.district if place else None)
    region_text = region_name(region or "")
    checks = [
        _check(
            territory.municipalities,
            code,
            ("the site's municipality code is not known", "kód obce lokality není znám"),
            ("is named in the call", "je ve výzvě jmenovitě uvedena"),
        ),
        _check(
            territory.districts,
            district,
            (f"the district of {where} is not known", f"okres {of_where} není znám"),
            (f"lies in district {district}", f"leží v okrese {district}"),
        ),
        _check(
            territory.regions,
            region,
            (f"the region of {where} is not known", f"kraj {of_where} není znám"),
            (f"lies in {region_text}", f"leží v území {region_text}"),
        ),
    ]
    if territory.mas:
        if facts.mas_codes is None:
            missing = (f"the MAS membership of {where} is not known", f"členství {of_where} v MAS není známo")
            checks.append(([], [missing]))
        else:
            checks.append(([(f"is in MAS {m}", f"je v MAS {m}") for m in territory.mas if m in facts.mas_codes], []))
    hits = [h for found, _ in checks for h in found]
    questions = [q for _, open_ in checks for q in open_]
    return hits, questions


def territory_rule(call: FundingCall, facts: SiteFacts, places: PlaceLookup) -> RuleResult:
    """Whether the site's municipality lies in the call's regions, districts, municipality list or MAS."""
    territory = call.territory
    if territory == "unknown":
        return _result(
            "territory",
            UNKNOWN,
            "the call's territory is not recorded in the catalogue",
            "území výzvy není v katalogu zaznamenáno",
        )
    if territory.national:
        return _result("territory", ELIGIBLE, "the call covers all of Czechia", "výzva pokrývá celé Česko")
    where, where_cs, _ = _where(facts)
    note = f" ({territory.note})" if territory.note else ""
    hits, questions = _territory_hits(territory, facts, places)
    names, names_cs = _territory_names(call)
    verdict = NOT_ELIGIBLE
    why = f"{where} is not in the call's territory ({names})"
    why_cs = f"{where_cs} není v území výzvy ({names_cs})"
    if hits and territory.partial:
        verdict = UNKNOWN
        why = f"{where} {hits[0][0]}, but the call covers only listed parts of it{note}; check the list"
        why_cs = f"{where_cs} {hits[0][1]}, ale výzva pokrývá jen jeho vyjmenované části{note}; ověřte seznam"
    elif hits:
        verdict, why, why_cs = ELIGIBLE, f"{where} {hits[0][0]}", f"{where_cs} {hits[0][1]}"
    elif questions:
        verdict = UNKNOWN
        why = f"cannot check the territory: {'; '.join(q[0] for q in questions)}"
        why_cs = f"území nelze ověřit: {'; '.join(q[1] for q in questions)}"
    elif territory.also_elsewhere:
        verdict = UNKNOWN
        why = f"{where} is outside {names}, but the call also covers places not recorded here{note}"
        why_cs = f"{where_cs} leží mimo {names_cs}, ale výzva pokrývá i místa, která zde nejsou zaznamenána{note}"
    return _result("territory", verdict, why, why_cs)


# ------------------------------------------------------------------------------------ lists
@dataclass(frozen=True)
class _Words:
    """How a rule names its subject: ``what`` (noun), ``missing`` (sentence), in English and Czech."""

    what: str
    what_cs: str
    missing: str
    missing_cs: str


_APPLICANT = _Words("applicant type", "typ žadatele", "the applicant type is not given", "typ žadatele není zadán")
_SITE_KIND = _Words("site kind", "druh lokality", "the site kind is not known", "druh lokality není znám")
_USE = _Words("intended use", "zamýšlené využití", "the intended use is not given", "zamýšlené využití není zadáno")


def _list_rule(rule: str, allowed: list[str] | str, value: str | None, words: _Words) -> RuleResult | None:
    what, what_cs = words.what, words.what_cs
    if allowed == "any":
        return _result(rule, ELIGIBLE, f"the call accepts any {what}", f"výzva nijak neomezuje {what_cs}")
    if allowed == "unknown":
        return _result(
            rule,
            UNKNOWN,
            f"the call's eligible {what}s are not recorded; check the call text",
            f"katalog neuvádí, co výzva přijímá jako {what_cs}; ověřte text výzvy",
        )
    named = [a for a in allowed if a != OTHERS]
    accepted = ", ".join(named) + (" and others" if OTHERS in allowed else "")
    accepted_cs = ", ".join(named) + (" a další" if OTHERS in allowed else "")
    if value is None:
        return _result(
            rule,
            UNKNOWN,
            f"{words.missing}; the call accepts {accepted}",
            f"{words.missing_cs}; výzva přijímá {accepted_cs}",
        )
    if value in named:
        return _result(rule, ELIGIBLE, f"{what} {value} is eligible", f"výzva přijímá {what_cs} {value}")
    if OTHERS in allowed:
        return _result(
            rule,
            UNKNOWN,
            f"{what} {value} is not among those the catalogue names ({accepted}); check the call text",
            f"{what_cs} {value} není mezi těmi, které katalog uvádí ({accepted_cs}); ověřte text výzvy",
        )
    return _result(
        rule,
        NOT_ELIGIBLE,
        f"{what} {value} is not eligible (the call accepts {accepted})",
        f"výzva nepřijímá {what_cs} {value} (přijímá {accepted_cs})",
    )


def applicant_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the applicant type (municipality, business, ...) may apply."""
    return _list_rule("applicant", call.applicants, facts.applicant, _APPLICANT)


def site_kind_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the kind of site (brownfield, rooftop, municipal land) is eligible."""
    return _list_rule("site_kind", call.site_kinds, facts.kind, _SITE_KIND)


def use_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Whether the intended use (rooftop PV, ground PV, public services, ...) is eligible."""
    return _list_rule("use", call.uses, facts.intended_use, _USE)


# ------------------------------------------------------------------------------------ limits
@dataclass(frozen=True)
class _Quantity:
    """How a limit rule names and shows its quantity in English and Czech.

    ``noun_cs`` is the Czech nominative, ``noun_cs_acc`` the accusative
    ("výzva omezuje rozlohu lokality").
    """

    what: str
    noun: str
    show: Callable[[float], str]
    what_cs: str
    noun_cs: str
    noun_cs_acc: str
    show_cs: Callable[[float], str]


_CAPACITY = _Quantity("capacity", "capacity", kwp, "výkon", "výkon", "výkon", kwp_cs)
_AREA = _Quantity(
    "area",
    "site area",
    lambda v: f"{number(v)} ha",
    "rozloha",
    "rozloha lokality",
    "rozlohu lokality",
    lambda v: f"{number_cs(v)} ha",
)
_POPULATION = _Quantity(
    "municipality population",
    "municipality population",
    lambda v: f"{number(v)} inhabitants",
    "počet obyvatel obce",
    "počet obyvatel obce",
    "počet obyvatel obce",
    lambda v: f"{number_cs(v)} obyvatel",
)


def _bounds(limit: Range, show: Callable[[float], str], *, least: str, most: str, join: str) -> str:
    parts = (
        f"{least} {show(limit.min)}" if limit.min is not None else "",
        f"{most} {show(limit.max)}" if limit.max is not None else "",
    )
    return join.join(part for part in parts if part)


def _range_rule(rule: str, limit: Limit, value: float | None, q: _Quantity) -> RuleResult | None:
    if limit is None:
        return None
    if limit == "unknown":
        return _result(
            rule,
            UNKNOWN,
            f"the call limits the {q.noun}, but the limit is not recorded; check the call",
            f"výzva omezuje {q.noun_cs_acc}, ale limit není zaznamenán; ověřte výzvu",
        )
    assert isinstance(limit, Range)
    bounds = _bounds(limit, q.show, least="at least", most="at most", join=" and ")
    bounds_cs = _bounds(limit, q.show_cs, least="nejméně", most="nejvýše", join=" a ")
    if value is None:
        return _result(
            rule,
            UNKNOWN,
            f"the {q.noun} is not known; the call allows {bounds}",
            f"chybí údaj: {q.noun_cs}; výzva připouští {bounds_cs}",
        )
    shown, shown_cs = f"{q.what} {q.show(value)}", f"{q.what_cs} {q.show_cs(value)}"
    if limit.max is not None and value > limit.max:
        return _result(
            rule,
            NOT_ELIGIBLE,
            f"{shown} exceeds the {q.show(limit.max)} limit",
            f"{shown_cs} překračuje limit {q.show_cs(limit.max)}",
        )
    if limit.min is not None and value < limit.min:
        return _result(
            rule,
            NOT_ELIGIBLE,
            f"{shown} is below the {q.show(limit.min)} minimum",
            f"{shown_cs} je pod minimem {q.show_cs(limit.min)}",
        )
    return _result(
        rule, ELIGIBLE, f"{shown} is within the limit ({bounds})", f"{shown_cs} je v mezích limitu ({bounds_cs})"
    )


def capacity_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Installed capacity [kWp] against the call's limits."""
    return _range_rule("capacity", call.limits.capacity_kwp, facts.capacity_kwp, _CAPACITY)


def area_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Site area [ha] against the call's limits."""
    area_ha = None if facts.area_m2 is None else facts.area_m2 / 10_000.0
    return _range_rule("area", call.limits.area_ha, area_ha, _AREA)


def population_rule(call: FundingCall, facts: SiteFacts) -> RuleResult | None:
    """Inhabitants of the municipality against the call's limits (e.g. small municipalities ≤ 3,000)."""
    return _range_rule("population", call.limits.population, facts.population, _POPULATION)


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
    "date_cs",
    "evaluate",
    "intake_rule",
    "kwp",
    "kwp_cs",
    "number",
    "number_cs",
    "population_rule",
    "site_kind_rule",
    "territory_rule",
    "use_rule",
]
