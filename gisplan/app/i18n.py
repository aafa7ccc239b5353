"""Interface texts: one catalogue per language in ``gisplan/app/locales/<code>.yaml``.

Every label the app shows comes from a catalogue through :func:`t`. A catalogue
is a flat YAML mapping ``group.key: text``; texts may hold ``{name}``
placeholders, filled from keyword arguments. Czech (``cs.yaml``) is the default
and must be complete, English (``en.yaml``) too; a new language (pl, hu, da)
is one more file, which may start partial: a missing text falls back to English,
then Czech.

To add a text, add the same key to ``cs.yaml`` and ``en.yaml`` (same
placeholders); ``tests/app/test_i18n.py`` checks both.
"""

from __future__ import annotations

import string
from pathlib import Path

import yaml

from gisplan.errors import ConfigError, Problem

#: Folder of the catalogues, one ``<language code>.yaml`` each.
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
#: The default language, and the one every other catalogue is checked against.
DEFAULT_LANGUAGE = "cs"
#: The complete catalogues; the app refuses to start when one lacks a key of the other.
REQUIRED_LANGUAGES = ("cs", "en")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def read_catalogue(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """Read one catalogue file; return its texts and every problem found in it."""
    problems: list[Problem] = []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
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
#: Languages the interface is translated into; the first is the default.
UI_LANGUAGES: tuple[str, ...] = (DEFAULT_LANGUAGE, *sorted(set(CATALOGUES) - {DEFAULT_LANGUAGE}))
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

    A language without the text falls back to English, then Czech.

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
    text = entry.get(lang) or entry.get("en") or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
