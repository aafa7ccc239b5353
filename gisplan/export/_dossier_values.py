"""Values on a dossier page as a council reads them: rounded numbers with units, words instead of codes.

:func:`number` writes a number with a fixed precision (at most :data:`MAX_DECIMALS`
decimals; a decimal comma in Czech) and :func:`attributes` turns a site's source
attributes into label/value pairs: the submission form's fields (labels from
:func:`gisplan.intake.field_label`, option words of the app's catalogues
``form.opt.*``), register fields translated, measured values with their unit.
Internal records (``intake``, ``preview``, ``file_attributes``…) and values the
page shows elsewhere are left out; nothing is shown as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from typing import Any

#: The most decimals any number on a dossier page has.
MAX_DECIMALS = 2

#: Attributes never shown: internal records of the intake, and what the page shows elsewhere.
HIDDEN = frozenset(
    {
        "intake",
        "preview",
        "file_attributes",
        "submission_id",
        "breakdown",
        "wkt",
        "geometry",
        "site_id",
        "kind",
        "name",
        "source",
        "source_id",
        "area_m2",
        "area_source",
        "kod",
        "nazev",
        "kod_obce",
        "obec",
        "nazev_obce",
        "vymera_m2",
        "municipality_code",
        "municipality_name",
        "municipality_share",
        "address",
        "adresa",
    }
)

#: Measured attributes: unit suffix -> (decimals, unit); the longest suffix wins. "/yr" is written
#: in the reader's language (``dossier.unit_year``: kWh/m²/rok, MWh/év, MWh/år).
_UNITS: dict[str, tuple[int, str]] = {
    "_kwh_m2_yr": (0, "kWh/m²/yr"),
    "_m2": (0, "m²"),
    "_m": (0, "m"),
    "_ha": (2, "ha"),
    "_deg": (1, "°"),
    "_kwp": (0, "kWp"),
    "_mwh_yr": (1, "MWh/yr"),
    "_share": (0, "%"),  # a share 0–1, shown as a percentage
    "_population": (0, ""),
}


#: Languages that write a decimal comma (CLDR).
_COMMA_LANGUAGES = frozenset({"cs", "pl", "hu", "da"})


def decimal_sign(lang: str) -> str:
    """The decimal sign ``lang`` writes: ``,`` or ``.``."""
    return "," if lang in _COMMA_LANGUAGES else "."


def number(value: object, digits: int = 1, lang: str = "en") -> str:
    """``value`` rounded to ``digits`` decimals (at most :data:`MAX_DECIMALS`), thousands apart; '–' when missing.

    English takes a decimal point, Czech, Polish, Hungarian and Danish a decimal
    comma; every language groups thousands with a no-break space (which Danish
    allows beside the point, and which cannot be misread as a decimal sign).
    """
    if value is None or isinstance(value, bool):
        return "–"
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return "–"
    text = f"{x:,.{min(digits, MAX_DECIMALS)}f}".replace(",", "\u00a0")
    return text.replace(".", ",") if lang in _COMMA_LANGUAGES else text


def _unit_of(key: str) -> tuple[int, str] | None:
    for suffix in sorted(_UNITS, key=len, reverse=True):
        if key.endswith(suffix):
            return _UNITS[suffix]
    return None


def measured(key: str, value: float, lang: str) -> str:
    """A measured attribute with the precision and unit its name implies (``dist_road_m`` -> ``565 m``)."""
    unit = _unit_of(key)
    if unit is None:
        return number(value, 0 if float(value).is_integer() else MAX_DECIMALS, lang)
    from gisplan.texts import t

    digits, symbol = unit
    shown = 100 * value if key.endswith("_share") else value
    text = number(shown, digits, lang)
    suffix = symbol.replace("/yr", f"/{t('dossier.unit_year', lang)}")
    return f"{text}\u00a0{suffix}" if suffix else text


@cache
def _catalogue(lang: str) -> dict[str, str]:
    """The interface texts of ``lang`` (the one text catalogue, :mod:`gisplan.texts`)."""
    from gisplan.errors import ConfigError
    from gisplan.texts import load_catalogues

    try:
        found = load_catalogues()
    except ConfigError:  # a broken catalogue: the codes stay as they are (the app reports the problem)
        return {}
    return {**found.get("en", {}), **found.get(lang, {})}


def word(value: object, lang: str, labels: Mapping[str, str], *, form: bool = False) -> str:
    """A code in words: the dossier's own labels (``value.*``), the app's form options, else as it is.

    With ``form`` the form's option words come first, so the page says what the submitter chose.
    """
    if isinstance(value, bool):
        return labels["value.yes" if value else "value.no"]
    text = str(value)
    own, option = labels.get(f"value.{text}"), _catalogue(lang).get(f"form.opt.{text}")
    return (option or own if form else own or option) or text


def _label(key: str, lang: str, labels: Mapping[str, str]) -> str:
    from gisplan.intake import FORM_FIELDS, field_label

    if f"attr.{key}" in labels:
        return labels[f"attr.{key}"]
    if key in FORM_FIELDS:
        return field_label(key, lang)
    return _catalogue(lang).get(f"form.{key}") or key.replace("_", " ")


def _form_value(key: str, value: object, lang: str, labels: Mapping[str, str]) -> str:
    if isinstance(value, Mapping):
        if key == "contact":
            return ", ".join(str(v) for v in value.values() if v not in (None, ""))
        return ", ".join(
            f"{_label(k, lang, labels)}: {word(v, lang, labels, form=True)}" for k, v in value.items() if v
        )
    if isinstance(value, list):
        return ", ".join(word(v, lang, labels, form=True) for v in value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return measured(key, float(value), lang)
    return word(value, lang, labels, form=True)


def _missing(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    return value is None or value in ("", [], {})


def _english_twins() -> dict[str, str]:
    """Czech register field -> the reader's English field with the same fact (shown instead)."""
    from gisplan.sources import CZ_CATEGORIES

    return {czech: english for czech, (english, _) in CZ_CATEGORIES.items()}


def attributes(attrs: Mapping[str, Any], lang: str, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """A site's source attributes as label/value pairs: the form first, then facts, then measured values."""
    form = attrs.get("form")
    facts: list[tuple[str, str]] = []
    measures: list[tuple[str, str]] = []
    if isinstance(form, Mapping):
        facts += [
            (_label(k, lang, labels), _form_value(k, v, lang, labels))
            for k, v in form.items()
            if not _missing(v) and k not in {"name", "kind"}
        ]
    twins = _english_twins()
    for key, value in attrs.items():
        if key in HIDDEN or key == "form" or _missing(value) or isinstance(value, Mapping | list):
            continue
        if key in twins and twins[key] in attrs:
            continue  # the Czech register code: its English twin is translated below
        if isinstance(value, float | int) and not isinstance(value, bool):
            measures.append((_label(key, lang, labels), measured(key, float(value), lang)))
        else:
            facts.append((_label(key, lang, labels), word(value, lang, labels)))
    return facts + measures


__all__ = ["HIDDEN", "MAX_DECIMALS", "attributes", "measured", "number", "word"]
