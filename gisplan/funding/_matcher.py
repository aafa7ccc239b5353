"""The matcher: rate every call of the catalogue for one site, with a reason per rule.

Calls are sorted for the site card: eligible first, then unknown, then not
eligible; inside each group open calls come before upcoming ones, calls with
unknown dates after them and closed calls last, then by closing date.

Site facts come from a scored-site row (:func:`facts_from_row`, the columns of
:func:`gisplan.scoring.score` and the store's ingest: ``kind``, ``area_m2``,
``capacity_kwp``, ``municipality_code``/``kod_obce``, ``region_code``,
``municipality_population``/``pocet_obyv``) or from the store
(:func:`facts_from_store`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from gisplan.errors import InputError
from gisplan.funding._models import APPLICANT_TYPES, USES, FundingCall, FundingCatalogue
from gisplan.funding._rules import CallState, RuleResult, SiteFacts, Verdict, call_state, combine, evaluate
from gisplan.funding._territory import PlaceLookup

if TYPE_CHECKING:
    import pandas as pd

    from gisplan.store import Store

#: The intended use assumed for a site kind when none is given (this is a solar planning tool).
DEFAULT_USE = {"rooftop": "pv_rooftop", "brownfield": "pv_ground", "municipal_land": "pv_ground"}
_VERDICT_ORDER = {"eligible": 0, "unknown": 1, "not_eligible": 2}
_STATE_ORDER = {"open": 0, "upcoming": 1, "unknown": 2, "closed": 3}
_ALL_MET = {"en": "all rules met", "cs": "všechna pravidla splněna"}


@dataclass(frozen=True)
class Match:
    """The matcher's answer for one call: the verdict, the call's intake state and every rule's reason."""

    call: FundingCall
    verdict: Verdict
    state: CallState
    rules: tuple[RuleResult, ...]

    @property
    def closed(self) -> bool:
        """True when the call's intake has closed."""
        return self.state == "closed"

    @property
    def reasons(self) -> list[str]:
        """One reason per rule, in rule order, in English (the text the store saves)."""
        return [r.reason for r in self.rules]

    def reasons_in(self, language: str) -> list[str]:
        """One reason per rule, in rule order, in ``language`` ('cs' or 'en'; English otherwise)."""
        return [r.text(language) for r in self.rules]

    def failing(self) -> list[RuleResult]:
        """The rules that are not met, then the unknown ones."""
        return [r for r in self.rules if r.verdict == "not_eligible"] + [
            r for r in self.rules if r.verdict == "unknown"
        ]


def _sort_key(m: Match) -> tuple[int, int, dt.date, str]:
    close = m.call.intake.close or dt.date.max
    return (_VERDICT_ORDER[m.verdict], _STATE_ORDER[m.state], close, m.call.id)


def match_site(
    facts: SiteFacts,
    catalogue: FundingCatalogue | Iterable[FundingCall],
    *,
    today: dt.date | None = None,
    places: PlaceLookup | None = None,
) -> list[Match]:
    """Rate every call for one site.

    Parameters
    ----------
    facts
        The site, its applicant and its municipality.
    catalogue
        The calls (see :func:`~gisplan.funding.load_calls`).
    today
        The date intake dates are compared with; default ``date.today()``.
    places
        Municipality -> district/region lookup for territory rules.

    Returns
    -------
    list of Match
        Sorted: eligible, unknown, not eligible; open before upcoming before
        unknown dates before closed; then by closing date.
    """
    when = today or dt.date.today()
    lookup = places or PlaceLookup()
    calls = catalogue.calls.values() if isinstance(catalogue, FundingCatalogue) else catalogue
    matches = []
    for call in calls:
        results = evaluate(call, facts, today=when, places=lookup)
        matches.append(Match(call, combine(results), call_state(call, when), tuple(results)))
    return sorted(matches, key=_sort_key)


def matches_frame(matches: list[Match], *, language: str = "en", reasons_language: str = "en") -> pd.DataFrame:
    """A table of matches for the site card: one row per call, reasons joined by '; '.

    ``language`` picks the call titles; ``reasons_language`` the reasons, English
    by default because that is the text the store saves and scripts compare.
    """
    import pandas as pd

    all_met = _ALL_MET.get(reasons_language, _ALL_MET["en"])

    return pd.DataFrame(
        [
            {
                "call_id": m.call.id,
                "programme": m.call.programme,
                "title": m.call.title.get(language),
                "verdict": m.verdict,
                "state": m.state,
                "intake_close": m.call.intake.close,
                "max_aid_rate_pct": m.call.max_aid_rate_pct,
                "reasons": "; ".join(r.text(reasons_language) for r in m.failing()) or all_met,
                "url": m.call.url,
            }
            for m in matches
        ],
        columns=[
            "call_id",
            "programme",
            "title",
            "verdict",
            "state",
            "intake_close",
            "max_aid_rate_pct",
            "reasons",
            "url",
        ],
    )


# ------------------------------------------------------------------------------- building facts
def _value(row: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = row.get(name)
        if value is None:
            continue
        if isinstance(value, float) and math.isnan(value):
            continue
        if value is not None and str(value) not in {"", "<NA>", "nan"}:
            return value
    return None


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _code(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    """``value`` if it is one of ``allowed`` (or None).

    Raises
    ------
    InputError
        If it is not.
    """
    if value is not None and value not in allowed:
        msg = f"{what} {value!r} is not one of {list(allowed)}"
        raise InputError(msg)
    return value


def facts_from_row(
    row: Mapping[str, Any],
    *,
    applicant: str | None = None,
    intended_use: str | None = None,
    population: float | None = None,
    mas_codes: tuple[str, ...] | None = None,
) -> SiteFacts:
    """Site facts from one scored-site row (a dict or a pandas row).

    The intended use defaults to the row's ``intended_use`` column, else
    :data:`DEFAULT_USE` for its kind; the population to ``population``, else the
    row's ``municipality_population`` or ``pocet_obyv``.

    Raises
    ------
    InputError
        If the applicant type or intended use is not in the vocabulary.
    """
    kind = _value(row, "kind")
    use = intended_use or _value(row, "intended_use") or DEFAULT_USE.get(str(kind))
    return SiteFacts(
        site_id=str(_value(row, "site_id", "id") or ""),
        kind=None if kind is None else str(kind),
        area_m2=_float(_value(row, "area_m2")),
        capacity_kwp=_float(_value(row, "capacity_kwp")),
        municipality_code=_code(_value(row, "municipality_code", "kod_obce")),
        region_code=_code(_value(row, "region_code", "kod_kraj")),
        district_code=_code(_value(row, "district_code")),
        population=population
        if population is not None
        else _float(_value(row, "municipality_population", "pocet_obyv")),
        intended_use=check_choice(None if use is None else str(use), USES, "intended use"),
        applicant=check_choice(applicant or _value(row, "applicant"), APPLICANT_TYPES, "applicant type"),
        mas_codes=mas_codes,
    )


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
        for muni in store.communities("municipality"):
            if muni.code == code:
                row["municipality_population"] = muni.population or row.get("municipality_population")
                row["region_code"] = row["region_code"] or muni.region_code
        mas_codes = tuple(
            str(mas.code)
            for mas in store.communities("mas")
            if mas.code and any(m.municipality_code == code for m in store.community_members(mas.id))
        )
    facts = facts_from_row(row, applicant=applicant, intended_use=intended_use)
    return replace(facts, mas_codes=mas_codes)


__all__ = [
    "DEFAULT_USE",
    "Match",
    "check_choice",
    "facts_from_row",
    "facts_from_store",
    "match_site",
    "matches_frame",
]
