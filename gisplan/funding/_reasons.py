"""Rule reasons as data, and their wording in the reader's language.

A rule's reason is a record, not a sentence::

    {"rule": "capacity", "code": "above_max", "verdict": "not_eligible",
     "params": {"value_kwp": 1400.0, "max_kwp": 1000.0}}

``rule`` is the rule type, ``code`` which of its answers, ``params`` the values
it compared. :func:`render` turns a record into a sentence at display time, in
English (``en``), Czech (``cs``), Polish, Hungarian or Danish (``pl``, ``hu``, ``da``);
any other language reads English. The wording is in the interface catalogues
(:mod:`gisplan.texts`): ``funding_reason.<family>.<code>`` per answer, the words a
rule names its subject with (``funding_subject.*``, ``funding_limited.*``,
``funding_missing.*``, ``funding_quantity.*``), small words (``funding_word.*``) and
vocabulary labels (``funding_label.*``).
The store keeps each record as compact JSON text in ``site_funding_links.reasons``
(:func:`encode`); :func:`render_stored` also shows the plain English sentences
that links saved before records existed hold, as they are.

Parameter names carry their unit, which picks the format: ``*_kwp`` [kWp],
``*_ha`` [ha], ``*_inhabitants``, ``*_date`` (ISO date). Vocabulary values
(applicant types, uses, owners, building uses…) stay as codes in English and
get a label in the other languages.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gisplan.funding._territory import region_name
from gisplan.texts import UI_LANGUAGES, has_text, t

#: Languages with their own wording (the interface catalogues); every other language reads English.
LANGUAGES = UI_LANGUAGES
#: Rules that check a value against the ones a call names (``funding_reason.list.*``).
LIST_RULES = ("applicant", "site_kind", "use", "owner", "building_use", "previous_use")
#: Rules that check a quantity against a call's limits (``funding_reason.range.*``).
RANGE_RULES = ("capacity", "area", "population", "energy_poverty")


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


def _label(value: object, lang: str) -> str:
    """A vocabulary value in words (``funding_label.*``; English keeps the code); an unknown value as it is."""
    text = str(value)
    key = f"funding_label.{text}"
    return t(key, lang) if has_text(key) else text


def _accepted(values: Sequence[str], others: bool, lang: str) -> str:
    text = ", ".join(_label(v, lang) for v in values)
    if others:
        text += " " + t("funding_word.and_others", lang)
    return text


def _number(value: float, lang: str) -> str:
    return number(value) if lang == "en" else number_cs(value)


def _quantity(key: str, value: float, lang: str) -> str:
    if key.endswith("_kwp"):
        return kwp(value) if lang == "en" else kwp_cs(value)
    if key.endswith("_ha"):
        return f"{_number(value, lang)} ha"
    if key.endswith("_inhabitants"):
        return f"{_number(value, lang)} {t('funding_word.inhabitants', lang)}"
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
    """The site's municipality as a subject (``where``) and as the owner of a missing fact (``of_where``)."""
    code = params.get("municipality")
    if code:
        return {
            "where": t("funding_word.municipality", lang, code=code),
            "of_where": t("funding_word.municipality_of", lang, code=code),
        }
    return {
        "where": t("funding_word.site_municipality", lang),
        "of_where": t("funding_word.site_municipality_of", lang),
    }


def _names(params: Mapping[str, Any], lang: str) -> str:
    parts = [region_name(str(r)) for r in params.get("regions", [])]
    parts += [t("funding_word.district", lang, code=d) for d in params.get("districts", [])]
    count = params.get("municipalities_count") or 0
    if count:
        parts.append(t("funding_word.listed", lang, count=count))
    parts += [f"MAS {m}" for m in params.get("mas", [])]
    return ", ".join(parts)


def _template(key: str, lang: str) -> str:
    return t(f"funding_reason.{key}", lang)


def _known(key: str) -> bool:
    return has_text(f"funding_reason.{key}")


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
    values["hit"] = _phrase(f"hit.{hit}", values, lang) if _known(f"hit.{hit}") else ""
    missing = [f"missing.{m}" for m in params.get("missing", []) if _known(f"missing.{m}")]
    values["missing"] = "; ".join(_phrase(m, values, lang) for m in missing)
    return values


def _list(rule: str, params: Mapping[str, Any], lang: str) -> dict[str, str]:
    return {
        "subject": t(f"funding_subject.{rule}", lang),
        "limited": t(f"funding_limited.{rule}", lang),
        "missing_fact": t(f"funding_missing.{rule}", lang),
        "value": _label(params.get("value", ""), lang),
        "accepted": _accepted(list(params.get("accepted", [])), bool(params.get("others")), lang),
    }


def _range(rule: str, params: Mapping[str, Any], lang: str) -> dict[str, str]:
    shown = {k: _quantity(k, float(v), lang) for k, v in params.items() if isinstance(v, int | float)}
    lows = [v for k, v in shown.items() if k.startswith("min")]
    highs = [v for k, v in shown.items() if k.startswith("max")]
    least, most = t("funding_word.at_least", lang), t("funding_word.at_most", lang)
    join = f" {t('funding_word.and', lang)} "
    bounds = join.join([*(f"{least} {v}" for v in lows), *(f"{most} {v}" for v in highs)])
    value = next((v for k, v in shown.items() if k.startswith("value")), "")
    return {
        "subject": t(f"funding_subject.{rule}", lang),
        "limited": t(f"funding_limited.{rule}", lang),
        "quantity": t(f"funding_quantity.{rule}", lang),
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
    **dict.fromkeys(LIST_RULES, _list),
    **dict.fromkeys(RANGE_RULES, _range),
}


def _template_key(rule: str, code: str) -> str | None:
    family = "list" if rule in LIST_RULES else "range" if rule in RANGE_RULES else rule
    key = f"{family}.{code}"
    return key if _known(key) else None


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
    "LANGUAGES",
    "LIST_RULES",
    "RANGE_RULES",
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
