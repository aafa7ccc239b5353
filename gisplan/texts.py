"""User-facing texts: one catalogue per language in ``gisplan/app/locales/<code>.yaml``.

The one text mechanism of the library and the app: every label the app shows,
and the words the library's documents use for codes, come from a catalogue
through :func:`t` (the app imports it as ``gisplan.app.i18n``). A catalogue
is a flat YAML mapping ``group.key: text``; texts may hold ``{name}``
placeholders, filled from keyword arguments. Czech (``cs.yaml``) is the default
and must be complete, English (``en.yaml``) too; the app starts with any other
catalogue partial, and a text missing in it falls back to English (Czech only
for a key English lacks too, which the loader refuses anyway).

To add a text, add the same key to every catalogue (``cs``, ``en``, ``pl``,
``hu``, ``da``; same placeholders); ``tests/app/test_i18n.py`` fails on a key
missing from any of them.

Numbers, percentages and dates are shown in each language's conventions
(group and decimal separators, date order) through Babel's CLDR data:
:func:`fmt_number`, :func:`fmt_percent`, :func:`fmt_area`, :func:`fmt_date`,
:func:`fmt_datetime`.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import string
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from gisplan.errors import ConfigError, Problem

if TYPE_CHECKING:
    from babel import Locale
    from babel.numbers import NumberPattern

#: Folder of the catalogues, one ``<language code>.yaml`` each.
LOCALES_DIR = Path(__file__).resolve().parent / "app" / "locales"
#: The default language, and the one every other catalogue is checked against.
DEFAULT_LANGUAGE = "cs"
#: The complete catalogues; the app refuses to start when one lacks a key of the other.
REQUIRED_LANGUAGES = ("cs", "en")
#: The language a text missing from another catalogue is taken from.
FALLBACK_LANGUAGE = "en"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def read_catalogue(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """Read one catalogue file; return its texts and every problem found in it."""
    problems: list[Problem] = []
    try:
        # the C loader when PyYAML has it: ten times faster than the pure-Python one, the same result
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        return {}, [Problem(path.name, "", f"cannot be read as YAML: {exc}")]
    if not isinstance(raw, dict):
        return {}, [Problem(path.name, "top level", "must be a mapping of 'group.key: text'")]
    texts: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or "." not in key:
            problems.append(Problem(path.name, str(key), "keys look like 'group.key'"))
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(path.name, key, "the text must be a non-empty string"))
        else:
            try:
                _fields(value)
            except ValueError as exc:
                problems.append(Problem(path.name, key, f"bad {{placeholder}}: {exc}; write '{{{{' for a brace"))
                continue
            texts[key] = value
    return texts, problems


def load_catalogues(folder: Path = LOCALES_DIR) -> dict[str, dict[str, str]]:
    """All catalogues of ``folder``, by language code, checked against the Czech one.

    Raises
    ------
    ConfigError
        If a file is unreadable, a required language lacks a key the other has,
        or a text's placeholders differ from the Czech text's; every problem is listed.
    """
    catalogues: dict[str, dict[str, str]] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        texts, found = read_catalogue(path)
        catalogues[path.stem] = texts
        problems += found
    for lang in REQUIRED_LANGUAGES:
        if lang not in catalogues:
            problems.append(Problem(f"{lang}.yaml", "", f"the {lang} catalogue is missing from {folder}"))
    base = catalogues.get(DEFAULT_LANGUAGE, {})
    for lang, texts in catalogues.items():
        if lang in REQUIRED_LANGUAGES:
            for key in sorted(set(base) ^ set(texts)):
                where = f"{lang}.yaml" if key in base else f"{DEFAULT_LANGUAGE}.yaml"
                problems.append(Problem(where, key, "missing; every key must be in both cs.yaml and en.yaml"))
        for key in sorted(set(base) & set(texts)):
            if _fields(base[key]) != _fields(texts[key]):
                msg = f"placeholders {sorted(_fields(texts[key]))} differ from Czech {sorted(_fields(base[key]))}"
                problems.append(Problem(f"{lang}.yaml", key, msg))
    if problems:
        msg = f"the interface text catalogues in {folder} are invalid"
        raise ConfigError(msg, problems)
    return catalogues


#: ``language -> key -> text`` for every catalogue file.
CATALOGUES: dict[str, dict[str, str]] = load_catalogues()
#: The order of the language switch; a catalogue not named here follows, alphabetically.
LANGUAGE_ORDER = ("cs", "en", "pl", "hu", "da")
#: Languages the interface is translated into; the first is the default.
UI_LANGUAGES: tuple[str, ...] = (
    *(lang for lang in LANGUAGE_ORDER if lang in CATALOGUES),
    *sorted(set(CATALOGUES) - set(LANGUAGE_ORDER)),
)
#: Each language's name in itself, for the language switch.
LANGUAGE_NAMES: dict[str, str] = {lang: CATALOGUES[lang].get("language.name", lang) for lang in UI_LANGUAGES}
#: ``key -> language -> text``: the catalogues turned around (every key of the Czech catalogue).
MESSAGES: dict[str, dict[str, str]] = {
    key: {lang: CATALOGUES[lang][key] for lang in UI_LANGUAGES if key in CATALOGUES[lang]}
    for key in CATALOGUES[DEFAULT_LANGUAGE]
}


def normalise_language(lang: str | None) -> str:
    """``lang`` if the interface has a catalogue for it, else the default (Czech)."""
    return lang if lang in UI_LANGUAGES else UI_LANGUAGES[0]


def has_text(key: str) -> bool:
    """True if ``key`` is in the Czech catalogue."""
    return key in MESSAGES


def t(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang``, with ``{name}`` placeholders filled from ``values``.

    A language without the text falls back to English (never to Czech, which
    a Polish, Hungarian or Danish user may not read), then Czech.

    Raises
    ------
    KeyError
        If ``key`` is not in the catalogues; the message names close keys.
    """
    try:
        entry = MESSAGES[key]
    except KeyError:
        prefix = key.split(".", 1)[0]
        close = sorted(k for k in MESSAGES if k.startswith(prefix + "."))
        msg = f"no interface text {key!r} in {LOCALES_DIR}; texts in the same group: {close}"
        raise KeyError(msg) from None
    text = entry.get(lang) or entry.get(FALLBACK_LANGUAGE) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


# ------------------------------------------------------------------------ numbers and dates
@cache
def _locale(lang: str) -> Locale:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LANGUAGE)


@cache
def _decimal_pattern(lang: str, digits: int, trim: bool) -> NumberPattern:
    """The language's decimal pattern with ``digits`` decimals (at most ``digits`` if ``trim``)."""
    pattern: NumberPattern = copy.copy(_locale(lang).decimal_formats[None])
    pattern.frac_prec = (0 if trim else digits, digits)
    return pattern


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def fmt_number(value: object, lang: str, digits: int = 0, *, trim: bool = False) -> str:
    """``value`` rounded to ``digits`` decimals, with the group and decimal signs of ``lang``.

    E.g. 1234.5 is ``1,234.5`` in English, ``1 234,5`` in Czech, Polish and
    Hungarian (a no-break space groups), ``1.234,5`` in Danish (CLDR data via Babel).
    With ``trim``, trailing zero decimals are dropped (1.50 gives ``1.5``, 2.0 ``2``).
    ``None``, NaN and non-numbers give an empty string.
    """
    number = _finite(value)
    if number is None:
        return ""
    return str(_decimal_pattern(lang, digits, trim).apply(number, _locale(lang)))


def fmt_percent(share: object, lang: str, digits: int = 0) -> str:
    """A share (0.25 for a quarter) as a percentage in ``lang``'s style: ``25%``, ``25 %``."""
    number = _finite(share)
    if number is None:
        return ""
    pattern = copy.copy(_locale(lang).percent_formats[None])
    pattern.frac_prec = (digits, digits)
    return str(pattern.apply(number, _locale(lang)))


def fmt_area(area_m2: object, lang: str) -> str:
    """An area as whole square metres in ``lang``'s style, e.g. ``12 345 m²``; empty when unknown. [m²]"""
    text = fmt_number(area_m2, lang)
    return f"{text}\u00a0m²" if text else ""


def fmt_date(value: dt.date | None, lang: str) -> str:
    """A date in ``lang``'s medium style (``5. 3. 2026``, ``Mar 5, 2026``, ``2026. márc. 5.``); '' for None."""
    if value is None:
        return ""
    from babel.dates import format_date

    day = value.date() if isinstance(value, dt.datetime) else value
    return str(format_date(day, format="medium", locale=_locale(lang)))


def fmt_datetime(value: dt.datetime | None, lang: str) -> str:
    """A moment as ``lang``'s medium date and a 24-hour ``HH:MM`` (as stored; no time-zone shift)."""
    if value is None:
        return ""
    return f"{fmt_date(value, lang)} {value:%H:%M}"


__all__ = [
    "CATALOGUES",
    "DEFAULT_LANGUAGE",
    "FALLBACK_LANGUAGE",
    "LANGUAGE_NAMES",
    "LANGUAGE_ORDER",
    "LOCALES_DIR",
    "MESSAGES",
    "REQUIRED_LANGUAGES",
    "UI_LANGUAGES",
    "fmt_area",
    "fmt_date",
    "fmt_datetime",
    "fmt_number",
    "fmt_percent",
    "has_text",
    "load_catalogues",
    "normalise_language",
    "read_catalogue",
    "t",
]
