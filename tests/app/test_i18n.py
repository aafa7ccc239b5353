from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import pytest

from gisplan.app.i18n import (
    CATALOGUES,
    LANGUAGE_NAMES,
    LOCALES_DIR,
    MESSAGES,
    UI_LANGUAGES,
    fmt_area,
    fmt_date,
    fmt_datetime,
    fmt_number,
    fmt_percent,
    load_catalogues,
    normalise_language,
    read_catalogue,
    t,
)
from gisplan.errors import ConfigError

#: Every language the interface ships; each catalogue must hold every English key.
SHIPPED = ("cs", "en", "pl", "hu", "da")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_catalogue_has_every_english_key_with_its_placeholders(lang: str) -> None:
    english, _ = read_catalogue(LOCALES_DIR / "en.yaml")
    texts, problems = read_catalogue(LOCALES_DIR / f"{lang}.yaml")
    assert not problems, [str(p) for p in problems]
    missing = sorted(set(english) - set(texts))
    extra = sorted(set(texts) - set(english))
    assert not missing, f"{lang}.yaml lacks {len(missing)} keys of en.yaml: {missing}"
    assert not extra, f"{lang}.yaml has keys en.yaml lacks: {extra}"
    differ = {key: (sorted(_fields(texts[key])), sorted(_fields(english[key]))) for key in english}
    differ = {key: pair for key, pair in differ.items() if pair[0] != pair[1]}
    assert not differ, f"{lang}.yaml placeholders ({lang}, en) differ: {differ}"


@pytest.mark.parametrize("lang", ["pl", "hu", "da"])
def test_new_languages_are_translated_not_copied(lang: str) -> None:
    texts = CATALOGUES[lang]
    same = [key for key, text in texts.items() if text in (CATALOGUES["en"][key], CATALOGUES["cs"][key])]
    # Short labels may coincide (Status, Profil, E-mail, LAG…); the bulk must not.
    assert len(same) < len(texts) // 10, same


def test_czech_is_the_default_and_the_switch_offers_five_languages() -> None:
    assert UI_LANGUAGES == SHIPPED
    assert LANGUAGE_NAMES == {"cs": "Čeština", "en": "English", "pl": "Polski", "hu": "Magyar", "da": "Dansk"}
    assert t("nav.map", "cs") == "Mapa"
    assert t("nav.map", "en") == "Map"
    assert t("nav.map", "hu") == "Térkép"
    assert t("nav.map", "da") == "Kort"
    assert normalise_language("pl") == "pl"
    assert normalise_language("en") == "en"
    assert normalise_language("de") == "cs"


def test_a_text_missing_in_polish_falls_back_to_english_not_czech(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(MESSAGES["nav.about"], "pl")
    monkeypatch.delitem(MESSAGES["about.version"], "pl")
    assert t("nav.about", "pl") == "About" != t("nav.about", "cs")
    assert t("about.version", "pl", version="2.0") == "Version 2.0"
    assert t("nav.about", "hu") == "Névjegy"  # the other languages keep their own text


def test_placeholders_are_filled() -> None:
    assert t("about.version", "en", version="1.2") == "Version 1.2"


def test_unknown_key_names_close_keys() -> None:
    with pytest.raises(KeyError, match=r"nav\.map"):
        t("nav.mapa", "cs")


def test_catalogues_are_one_file_per_language_and_agree() -> None:
    assert set(CATALOGUES) >= set(SHIPPED)
    assert set(CATALOGUES["cs"]) == set(CATALOGUES["en"])
    assert LANGUAGE_NAMES["cs"] == "Čeština"


def _write(folder: Path, lang: str, text: str) -> None:
    (folder / f"{lang}.yaml").write_text(text, encoding="utf-8")


def test_a_broken_catalogue_lists_every_problem(tmp_path: Path) -> None:
    _write(tmp_path, "cs", "a.one: Jedna {n}\na.two: Dva\nbad: x\n")
    _write(tmp_path, "en", "a.one: One {count}\n")
    _write(tmp_path, "pl", "a.one: [not, text]\n")
    with pytest.raises(ConfigError) as info:
        load_catalogues(tmp_path)
    text = str(info.value)
    assert "cs.yaml: bad: keys look like 'group.key'" in text
    assert "en.yaml: a.two: missing" in text
    assert "en.yaml: a.one: placeholders ['count'] differ from Czech ['n']" in text
    assert "pl.yaml: a.one: the text must be a non-empty string" in text


def test_a_partial_new_language_is_allowed(tmp_path: Path) -> None:
    _write(tmp_path, "cs", "a.one: Jedna\na.two: Dva\n")
    _write(tmp_path, "en", "a.one: One\na.two: Two\n")
    _write(tmp_path, "pl", "a.one: Jeden\n")
    assert load_catalogues(tmp_path)["pl"] == {"a.one": "Jeden"}


# ------------------------------------------------------------------- numbers and dates (Babel, CLDR)
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "1,234.5"),
        ("cs", f"1{NBSP}234,5"),
        ("pl", f"1{NBSP}234,5"),
        ("hu", f"1{NBSP}234,5"),
        ("da", "1.234,5"),
    ],
)
def test_numbers_follow_each_language(lang: str, expected: str) -> None:
    assert fmt_number(1234.5, lang, 1) == expected
    assert fmt_number(1234.46, lang, 1) == expected  # rounded to the digits asked for


def test_number_edge_cases() -> None:
    assert fmt_number(1234567, "en") == "1,234,567"
    assert fmt_number(2.0, "cs", 1) == "2,0"
    assert fmt_number(1.5, "da", 2, trim=True) == "1,5"
    assert fmt_number(2.0, "en", 2, trim=True) == "2"
    assert fmt_number(None, "cs") == fmt_number(float("nan"), "cs") == fmt_number("x", "cs") == ""
    assert fmt_number(1234, "xx") == "1,234"  # an unknown language is shown the English way


def test_percent_area_and_dates_follow_each_language() -> None:
    assert fmt_percent(0.256, "en") == "26%"
    assert fmt_percent(0.256, "cs") == f"26{NBSP}%"
    assert fmt_percent(0.256, "da") == f"26{NBSP}%"
    assert fmt_area(12345.4, "hu") == f"12{NBSP}345{NBSP}m²"
    assert fmt_area(12345.4, "en") == f"12,345{NBSP}m²"
    assert fmt_area(None, "pl") == ""
    day = dt.date(2026, 3, 5)
    assert fmt_date(day, "en") == "Mar 5, 2026"
    assert fmt_date(day, "cs") == "5. 3. 2026"
    assert fmt_date(day, "hu") == "2026. márc. 5."
    assert fmt_date(day, "da") == "5. mar. 2026"
    assert fmt_date(None, "da") == ""
    assert fmt_datetime(dt.datetime(2026, 3, 5, 14, 7), "pl") == "5 mar 2026 14:07"


def test_the_language_switch_knows_the_widgets_it_translates() -> None:
    """Every key the switch hands back or resets is a widget key in the app's code (renames are caught)."""
    from gisplan.app.pages.map_page import KEYS
    from gisplan.app.shell import TRANSLATED_CHOICES, TRANSLATED_DEFAULTED

    source = "\n".join(path.read_text(encoding="utf-8") for path in LOCALES_DIR.parent.rglob("*.py"))
    for key in (*TRANSLATED_CHOICES, *TRANSLATED_DEFAULTED):
        assert f'"{key}' in source or f"'{key}" in source, key
    assert {KEYS["call"], KEYS["kinds"], KEYS["statuses"], KEYS["excluded"]} <= set(TRANSLATED_CHOICES)
