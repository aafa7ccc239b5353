"""The matcher: rate every call of the catalogue for one site, with a reason per rule.

Calls are sorted for the site card: eligible first, then unknown, then not
eligible; inside each group open calls come before upcoming ones, calls with
unknown dates after them and closed calls last, then by closing date.

Site facts come from a scored-site row (:func:`facts_from_row`, the columns of
:func:`gisplan.scoring.score` and the store's ingest: ``kind``, ``area_m2``,
``capacity_kwp``, ``municipality_code``/``kod_obce``, ``region_code``,
``municipality_population``/``pocet_obyv``, the owner from ``owner_type`` or
``ownership``, the building use from ``building_use`` or RÚIAN's
``zpusob_vyuziti_kod``, and a brownfield's ``previous_use``) or from the store
(:func:`gisplan.funding.facts_from_store`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gisplan.errors import InputError
from gisplan.funding._models import APPLICANT_TYPES, USES, FundingCall, FundingCatalogue
from gisplan.funding._reasons import all_met
from gisplan.funding._rules import CallState, RuleResult, SiteFacts, Verdict, call_state, combine, evaluate
from gisplan.funding._territory import PlaceLookup
from gisplan.sources import BUILDING_USE_VOCABULARY, code_of
from gisplan.vocabulary import BUILDING_USES, OWNER_TYPES, PREVIOUS_USES

if TYPE_CHECKING:
    import pandas as pd


#: The intended use assumed for a site kind when none is given (this is a solar planning tool).
DEFAULT_USE = {"rooftop": "pv_rooftop", "brownfield": "pv_ground", "municipal_land": "pv_ground"}
_VERDICT_ORDER = {"eligible": 0, "unknown": 1, "not_eligible": 2}
_STATE_ORDER = {"open": 0, "upcoming": 1, "unknown": 2, "closed": 3}

#: RÚIAN ``ZpusobVyuzitiKod`` -> building use: the one table in :mod:`gisplan.sources._ruian_codes`.
#: Office buildings (14) and multi-purpose ones (20) stay ``other``: they may be public or private.
RUIAN_BUILDING_USE: dict[int, str] = BUILDING_USE_VOCABULARY
#: Ownership wordings of the sources -> :data:`~gisplan.vocabulary.OWNER_TYPES`
#: (Czech register and intake form use the codes themselves; UK Brownfield Land Registers use phrases).
OWNERSHIP_WORDS: dict[str, str | None] = {
    "owned by a public authority": "public",
    "not owned by a public authority": "private",
    "mixed ownership": "mixed",
    "unknown ownership": None,
    "unknown": None,
}


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
        """One reason per rule, in rule order, in English."""
        return [r.reason for r in self.rules]

    def stored_reasons(self) -> list[str]:
        """What a site–call link keeps: the failing and to-check rules, or every rule when all are met.

        Each is a reason record as JSON text (:meth:`RuleResult.stored`), worded
        in the reader's language when shown
        (:func:`gisplan.funding.reason_text`).
        """
        return [r.stored() for r in (self.failing() or list(self.rules))]

    def reasons_in(self, language: str) -> list[str]:
        """One reason per rule, in rule order, in ``language`` ('cs' or 'en'; English otherwise)."""
        return [r.text(language) for r in self.rules]

    def failing(self) -> list[RuleResult]:
        """The rules that are not met, then the ones to check."""
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

    met = all_met(reasons_language)

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
                "reasons": "; ".join(r.text(reasons_language) for r in m.failing()) or met,
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


def owner_of(value: Any) -> str | None:
    """An owner type of :data:`~gisplan.vocabulary.OWNER_TYPES` from a source's ownership value, or None."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in OWNER_TYPES:
        return text
    return OWNERSHIP_WORDS.get(text)


def building_use_of(row: Mapping[str, Any]) -> str | None:
    """The building use of a row: its ``building_use`` when in the vocabulary, else from RÚIAN's code, else None."""
    given = _value(row, "building_use")
    if given is not None and str(given) in BUILDING_USES:
        return str(given)
    code = code_of(_value(row, "zpusob_vyuziti_kod", "ZpusobVyuzitiKod"))
    return None if code is None else RUIAN_BUILDING_USE.get(code)


def previous_use_of(value: Any) -> str | None:
    """A previous use of :data:`~gisplan.vocabulary.PREVIOUS_USES` from a row's ``previous_use``, or None."""
    text = None if value is None else str(value).strip().lower()
    return text if text in PREVIOUS_USES else None


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
    row's ``municipality_population`` or ``pocet_obyv``. The owner comes from
    ``owner_type`` or ``ownership`` (:func:`owner_of`), the building use from
    ``building_use`` or ``zpusob_vyuziti_kod`` (:func:`building_use_of`); values
    that say nothing (``unknown``, an unlisted code) leave the fact unknown.

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
        owner=owner_of(_value(row, "owner_type", "ownership")),
        building_use=building_use_of(row),
        previous_use=previous_use_of(_value(row, "previous_use")),
    )


__all__ = [
    "DEFAULT_USE",
    "OWNERSHIP_WORDS",
    "RUIAN_BUILDING_USE",
    "Match",
    "building_use_of",
    "check_choice",
    "facts_from_row",
    "match_site",
    "matches_frame",
    "owner_of",
    "previous_use_of",
]
