"""Rule reasons as data, and their wording in the reader's language.

A rule's reason is a record, not a sentence::

    {"rule": "capacity", "code": "above_max", "verdict": "not_eligible",
     "params": {"value_kwp": 1400.0, "max_kwp": 1000.0}}

``rule`` is the rule type, ``code`` which of its answers, ``params`` the values
it compared. :func:`render` turns a record into a sentence at display time, in
English (``en``), Czech (``cs``), Polish, Hungarian or Danish (``pl``, ``hu``, ``da``;
their wording in :mod:`gisplan.funding._reasons_more`); any other language reads English.
The store keeps each record as compact JSON text in ``site_funding_links.reasons``
(:func:`encode`); :func:`render_stored` also shows the plain English sentences
that links saved before records existed hold, as they are.

Parameter names carry their unit, which picks the format: ``*_kwp`` [kWp],
``*_ha`` [ha], ``*_inhabitants``, ``*_date`` (ISO date). Vocabulary values
(applicant types, uses, owners, building uses…) stay as codes in English and
get a Czech label in Czech.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gisplan.funding._reasons_more import LABELS as LABELS_MORE
from gisplan.funding._reasons_more import LIST_WORDS as LIST_WORDS_MORE
from gisplan.funding._reasons_more import MORE_LANGUAGES, WORDS
from gisplan.funding._reasons_more import RANGE_WORDS as RANGE_WORDS_MORE
from gisplan.funding._reasons_more import TEMPLATES as TEMPLATES_MORE
from gisplan.funding._territory import region_name

#: Languages with their own wording; every other language reads English.
LANGUAGES = ("en", "cs", *MORE_LANGUAGES)

# (English, Czech) per "rule.code"; list and range rules share "list.*" and "range.*".
_TEMPLATES: dict[str, tuple[str, str]] = {
    "intake.closed": ("intake closed on {close_date}", "příjem žádostí skončil {close_date}"),
    "intake.upcoming": ("intake opens on {open_date}", "příjem žádostí začne {open_date}"),
    "intake.upcoming_until": (
        "intake opens on {open_date}, closes on {close_date}",
        "příjem žádostí začne {open_date}, skončí {close_date}",
    ),
    "intake.open": ("intake open until {close_date}", "příjem žádostí je otevřen do {close_date}"),
    "intake.no_close": (
        "intake opened on {open_date}; its closing date is not recorded",
        "příjem žádostí začal {open_date}; datum ukončení není zaznamenáno",
    ),
    "intake.no_dates": (
        "intake dates are not recorded; check the call",
        "termíny příjmu žádostí nejsou zaznamenány; ověřte výzvu",
    ),
    "territory.not_recorded": (
        "the call's territory is not recorded in the catalogue",
        "území výzvy není v katalogu zaznamenáno",
    ),
    "territory.national": ("the call covers all of Czechia", "výzva pokrývá celé Česko"),
    "territory.outside": ("{where} is not in the call's territory ({names})", "{where} není v území výzvy ({names})"),
    "territory.inside": ("{where} {hit}", "{where} {hit}"),
    "territory.partial": (
        "{where} {hit}, but the call covers only listed parts of it{note}; check the list",
        "{where} {hit}, ale výzva pokrývá jen jeho vyjmenované části{note}; ověřte seznam",
    ),
    "territory.cannot_check": ("cannot check the territory: {missing}", "území nelze ověřit: {missing}"),
    "territory.also_elsewhere": (
        "{where} is outside {names}, but the call also covers places not recorded here{note}",
        "{where} leží mimo {names}, ale výzva pokrývá i místa, která zde nejsou zaznamenána{note}",
    ),
    "hit.named": ("is named in the call", "je ve výzvě jmenovitě uvedena"),
    "hit.district": ("lies in district {district}", "leží v okrese {district}"),
    "hit.region": ("lies in {region}", "leží v území {region}"),
    "hit.mas": ("is in MAS {mas_code}", "je v MAS {mas_code}"),
    "missing.municipality": ("the site's municipality code is not known", "kód obce lokality není znám"),
    "missing.district": ("the district of {where} is not known", "okres {of_where} není znám"),
    "missing.region": ("the region of {where} is not known", "kraj {of_where} není znám"),
    "missing.mas": ("the MAS membership of {where} is not known", "členství {of_where} v MAS není známo"),
    "list.any": ("the call accepts any {what}", "výzva nijak neomezuje {what_acc}"),
    "list.not_recorded": (
        "the call's eligible {what}s are not recorded; check the call text",
        "katalog neuvádí, jaké podmínky klade výzva na {what_acc}; ověřte text výzvy",
    ),
    "list.missing": ("{missing_fact}; the call accepts {accepted}", "{missing_fact}; výzva přijímá: {accepted}"),
    "list.named": ("{what} {value} is eligible", "{What}: {value} – výzva přijímá"),
    "list.not_named": (
        "{what} {value} is not among those the catalogue names ({accepted}); check the call text",
        "{What}: {value} – katalog tuto hodnotu neuvádí ({accepted}); ověřte text výzvy",
    ),
    "list.not_accepted": (
        "{what} {value} is not eligible (the call accepts {accepted})",
        "{What}: {value} – výzva nepřijímá (přijímá: {accepted})",
    ),
    "list.broad": (
        "{what} {value}: it is not recorded which one; the call accepts {accepted}; check the owner",
        "{What}: {value}, nezaznamenáno který; výzva přijímá: {accepted}; ověřte vlastníka",
    ),
    "range.not_recorded": (
        "the call limits the {noun}, but the limit is not recorded; check the call",
        "výzva omezuje {noun_acc}, ale limit není zaznamenán; ověřte výzvu",
    ),
    "range.missing": (
        "the {noun} is not known; the call allows {bounds}",
        "chybí údaj: {noun_cs}; výzva připouští {bounds}",
    ),
    "range.above_max": ("{what} {value} exceeds the {max} limit", "{what} {value} překračuje limit {max}"),
    "range.below_min": ("{what} {value} is below the {min} minimum", "{what} {value} je pod minimem {min}"),
    "range.within": ("{what} {value} is within the limit ({bounds})", "{what} {value} je v mezích limitu ({bounds})"),
    "all_met": ("all rules met", "všechna pravidla splněna"),
}

#: How list rules name their subject: (English noun, Czech nominative, Czech accusative,
#: English "not given" sentence, Czech "not given" sentence).
_LIST_WORDS: dict[str, tuple[str, str, str, str, str]] = {
    "applicant": (
        "applicant type",
        "typ žadatele",
        "typ žadatele",
        "the applicant type is not given",
        "typ žadatele není zadán",
    ),
    "site_kind": (
        "site kind",
        "druh lokality",
        "druh lokality",
        "the site kind is not known",
        "druh lokality není znám",
    ),
    "use": (
        "intended use",
        "zamýšlené využití",
        "zamýšlené využití",
        "the intended use is not given",
        "zamýšlené využití není zadáno",
    ),
    "owner": (
        "site owner",
        "vlastník lokality",
        "vlastníka lokality",
        "the owner of the site is not recorded",
        "vlastník lokality není zaznamenán",
    ),
    "building_use": (
        "building use",
        "způsob využití stavby",
        "způsob využití stavby",
        "the use of the building is not recorded",
        "způsob využití stavby není zaznamenán",
    ),
    "previous_use": (
        "previous use of the site",
        "původní využití lokality",
        "původní využití lokality",
        "the previous use of the site is not recorded",
        "původní využití lokality není zaznamenáno",
    ),
}

#: How range rules name their quantity: (English "what", English noun, Czech "what", Czech noun, Czech accusative).
_RANGE_WORDS: dict[str, tuple[str, str, str, str, str]] = {
    "capacity": ("capacity", "capacity", "výkon", "výkon", "výkon"),
    "area": ("area", "site area", "rozloha", "rozloha lokality", "rozlohu lokality"),
    "population": (
        "municipality population",
        "municipality population",
        "počet obyvatel obce",
        "počet obyvatel obce",
        "počet obyvatel obce",
    ),
    "energy_poverty": (
        "energy poverty indicator",
        "the municipality's energy poverty indicator",
        "ukazatel energetické chudoby",
        "ukazatel energetické chudoby obce",
        "ukazatel energetické chudoby obce",
    ),
}

#: Czech labels of vocabulary values (applicant types, uses, site kinds, owners, building uses).
LABELS_CS: dict[str, str] = {
    "municipality": "obec",
    "municipal_district": "městská část",
    "municipal_org": "organizace obce",
    "association_of_municipalities": "svazek obcí",
    "region": "kraj",
    "church": "církev",
    "ngo": "nezisková organizace",
    "business": "podnik",
    "energy_community": "energetické společenství",
    "mas": "MAS",
    "state_org": "státní organizace",
    "pv_rooftop": "FVE na střeše",
    "pv_ground": "pozemní FVE",
    "storage": "akumulace energie",
    "community_energy": "komunitní energetika",
    "energy_management": "energetický management",
    "public_services": "veřejné služby",
    "nature": "příroda a krajina",
    "housing": "bydlení",
    "planning": "plánování a příprava",
    "remediation": "sanace",
    "brownfield": "brownfield",
    "rooftop": "střecha",
    "municipal_land": "obecní pozemek",
    "municipal": "obec",
    "other_public": "jiný veřejný vlastník",
    "public": "veřejný vlastník",
    "private": "soukromý vlastník",
    "mixed": "smíšené vlastnictví",
    "residential": "bydlení",
    "civic": "občanská vybavenost",
    "commercial": "obchod a služby",
    "industrial": "výroba a skladování",
    "agricultural": "zemědělská stavba",
    "technical": "technická stavba nebo doprava",
    "other": "jiná stavba",
    "mining": "těžba",
    "military": "armáda",
    "transport": "doprava",
}


# --------------------------------------------------------------------------------------- numbers
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


# --------------------------------------------------------------------------------------- records
def record(rule: str, code: str, verdict: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A reason record (see the module docstring)."""
    return {"rule": rule, "code": code, "verdict": verdict, "params": dict(params or {})}


def encode(reason: Mapping[str, Any]) -> str:
    """A reason record as the compact JSON text the store keeps."""
    return json.dumps(reason, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def decode(text: str) -> dict[str, Any] | None:
    """The record in a stored reason, or None when it is plain text (links saved before records)."""
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("rule"), str) and isinstance(value.get("code"), str):
        return value
    return None


# --------------------------------------------------------------------------------------- wording
def _lang(language: str) -> str:
    """The wording ``language`` reads: its own, or English."""
    return language if language in LANGUAGES else "en"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _label(value: object, lang: str) -> str:
    text = str(value)
    if lang == "cs":
        return LABELS_CS.get(text, text)
    return LABELS_MORE.get(lang, {}).get(text, text)


def _word(lang: str, key: str, cs: str, en: str) -> str:
    """A small word in ``lang``: Czech, English, or from the Polish/Hungarian/Danish table."""
    return cs if lang == "cs" else WORDS[lang][key] if lang in WORDS else en


def _accepted(values: Sequence[str], others: bool, lang: str) -> str:
    text = ", ".join(_label(v, lang) for v in values)
    if others:
        text += _word(lang, "others", " a další", " and others")
    return text


def _number(value: float, lang: str) -> str:
    return number(value) if lang == "en" else number_cs(value)


def _quantity(key: str, value: float, lang: str) -> str:
    if key.endswith("_kwp"):
        return kwp(value) if lang == "en" else kwp_cs(value)
    if key.endswith("_ha"):
        return f"{_number(value, lang)} ha"
    if key.endswith("_inhabitants"):
        return f"{_number(value, lang)} {_word(lang, 'inhabitants', 'obyvatel', 'inhabitants')}"
    return _number(value, lang)


def _date(value: dt.date, lang: str) -> str:
    """A date as ``lang`` writes it: ISO in English, ``31. 10. 2024`` in Czech, ``2024. 10. 31.`` in Hungarian."""
    if lang == "cs":
        return date_cs(value)
    if lang == "hu":
        return f"{value.year}. {value.month:02d}. {value.day:02d}."
    if lang in ("pl", "da"):
        return f"{value.day:02d}.{value.month:02d}.{value.year}"
    return value.isoformat()


def _where(params: Mapping[str, Any], lang: str) -> dict[str, str]:
    code = params.get("municipality")
    if lang in WORDS:
        words = WORDS[lang]
        where = words["municipality"].format(code=code) if code else words["site_municipality"]
        return {"where": where, "of_where": where}
    cs = lang == "cs"
    if code:
        return {"where": f"obec {code}" if cs else f"municipality {code}", "of_where": f"obce {code}"}
    return {"where": "obec lokality" if cs else "the site's municipality", "of_where": "obce lokality"}


def _names(params: Mapping[str, Any], lang: str) -> str:
    district = _word(lang, "district", "okres {code}", "district {code}")
    parts = [region_name(str(r)) for r in params.get("regions", [])]
    parts += [district.format(code=d) for d in params.get("districts", [])]
    count = params.get("municipalities_count") or 0
    if count:
        parts.append(
            _word(lang, "listed", "vyjmenované obce: {count}", "{count} listed municipalities").format(count=count)
        )
    parts += [f"MAS {m}" for m in params.get("mas", [])]
    return ", ".join(parts)


def _template(key: str, lang: str) -> str:
    if lang in MORE_LANGUAGES:
        return TEMPLATES_MORE[key][lang]
    en, czech = _TEMPLATES[key]
    return czech if lang == "cs" else en


def _phrase(key: str, values: Mapping[str, str], lang: str) -> str:
    return _template(key, lang).format_map(values)


def _territory(params: Mapping[str, Any], lang: str) -> dict[str, str]:
    values = _where(params, lang)
    region = params.get("region")
    values |= {
        "names": _names(params, lang),
        "note": f" ({params['note']})" if params.get("note") else "",
        "district": str(params.get("district") or ""),
        "region": region_name(str(region)) if region else "",
        "mas_code": str(params.get("mas_code") or ""),
    }
    hit = params.get("hit")
    values["hit"] = _phrase(f"hit.{hit}", values, lang) if f"hit.{hit}" in _TEMPLATES else ""
    missing = [f"missing.{m}" for m in params.get("missing", []) if f"missing.{m}" in _TEMPLATES]
    values["missing"] = "; ".join(_phrase(m, values, lang) for m in missing)
    return values


def _list(rule: str, params: Mapping[str, Any], lang: str) -> dict[str, str]:
    what, what_cs, what_acc, missing, missing_cs = _LIST_WORDS.get(rule, (rule, rule, rule, "", ""))
    if lang in MORE_LANGUAGES:
        shown, missing_fact = LIST_WORDS_MORE.get(rule, {}).get(lang, (what, missing))
    else:
        shown, missing_fact = (what_cs, missing_cs) if lang == "cs" else (what, missing)
    return {
        "what": shown,
        "What": _capital(shown),
        "what_acc": what_acc,
        "missing_fact": missing_fact,
        "value": _label(params.get("value", ""), lang),
        "accepted": _accepted(list(params.get("accepted", [])), bool(params.get("others")), lang),
    }


def _range(rule: str, params: Mapping[str, Any], lang: str) -> dict[str, str]:
    what, noun, what_cs, noun_cs, noun_acc = _RANGE_WORDS.get(rule, (rule, rule, rule, rule, rule))
    if lang in MORE_LANGUAGES:
        shown_what, shown_noun = RANGE_WORDS_MORE.get(rule, {}).get(lang, (what, noun))
    else:
        shown_what, shown_noun = (what_cs, noun_cs) if lang == "cs" else (what, noun)
    shown = {k: _quantity(k, float(v), lang) for k, v in params.items() if isinstance(v, int | float)}
    lows = [v for k, v in shown.items() if k.startswith("min")]
    highs = [v for k, v in shown.items() if k.startswith("max")]
    least = _word(lang, "at_least", "nejméně", "at least")
    most = _word(lang, "at_most", "nejvýše", "at most")
    join = _word(lang, "and", " a ", " and ")
    bounds = join.join([*(f"{least} {v}" for v in lows), *(f"{most} {v}" for v in highs)])
    value = next((v for k, v in shown.items() if k.startswith("value")), "")
    return {
        "what": shown_what,
        "What": _capital(shown_what),
        "noun": noun,
        "Noun": _capital(shown_noun),
        "noun_cs": noun_cs,
        "noun_acc": noun_acc,
        "value": value,
        "min": lows[0] if lows else "",
        "max": highs[0] if highs else "",
        "bounds": bounds,
    }


def _dates(params: Mapping[str, Any], lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if key.endswith("_date") and value:
            out[key] = _date(dt.date.fromisoformat(str(value)), lang)
    return out


_FAMILY: dict[str, Callable[[str, Mapping[str, Any], str], dict[str, str]]] = {
    "intake": lambda _rule, p, lang: _dates(p, lang),
    "territory": lambda _rule, p, lang: _territory(p, lang),
    **dict.fromkeys(_LIST_WORDS, _list),
    **dict.fromkeys(_RANGE_WORDS, _range),
}


def _template_key(rule: str, code: str) -> str | None:
    family = "list" if rule in _LIST_WORDS else "range" if rule in _RANGE_WORDS else rule
    key = f"{family}.{code}"
    return key if key in _TEMPLATES else None


def render(reason: Mapping[str, Any], language: str) -> str:
    """The sentence of a reason record in ``language`` (:data:`LANGUAGES`; English for any other code).

    A record with a rule or code this version does not know is shown by its
    rule, code and parameters rather than dropped.
    """
    rule, code = str(reason.get("rule", "")), str(reason.get("code", ""))
    params: Mapping[str, Any] = reason.get("params") or {}
    lang = _lang(language)
    key = _template_key(rule, code)
    family = _FAMILY.get(rule)
    if key is None or family is None:
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{rule}: {code}" + (f" ({shown})" if shown else "")
    return _template(key, lang).format_map(family(rule, params, lang))


def render_stored(reason: object, language: str) -> str:
    """A reason as a link stored it: a record (dict or JSON text) in ``language``, plain text as it is."""
    if isinstance(reason, Mapping):
        return render(reason, language)
    text = str(reason)
    found = decode(text)
    return text if found is None else render(found, language)


def render_joined(text: str, language: str) -> str:
    """A '; '-joined list of stored reasons (as :func:`gisplan.funding.call_sites` gives it) in ``language``.

    Records are found by their JSON opening ``{"code":`` and rendered; plain
    text between them stays as it is.
    """
    decoder = json.JSONDecoder()
    out: list[str] = []
    pos = 0
    while True:
        start = text.find('{"code":', pos)
        if start < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            out.append(text[start : start + 1])
            pos = start + 1
            continue
        out.append(render_stored(value, language) if isinstance(value, dict) else text[start:end])
        pos = end
    return "".join(out)


def all_met(language: str) -> str:
    """'all rules met' in ``language``."""
    return _template("all_met", _lang(language))


__all__ = [
    "LABELS_CS",
    "LANGUAGES",
    "all_met",
    "date_cs",
    "decode",
    "encode",
    "kwp",
    "kwp_cs",
    "number",
    "number_cs",
    "record",
    "render",
    "render_joined",
    "render_stored",
]
