from __future__ import annotations

import string
from pathlib import Path

import pytest

from gisplan.app.i18n import CATALOGUES, LANGUAGE_NAMES, MESSAGES, UI_LANGUAGES, load_catalogues, normalise_language, t
from gisplan.errors import ConfigError


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_text_is_translated_with_the_same_placeholders(key: str) -> None:
    entry = MESSAGES[key]
    for lang in UI_LANGUAGES:
        assert entry.get(lang), f"{key} has no {lang} text"
    assert _fields(entry["cs"]) == _fields(entry["en"])


def test_czech_is_the_default_and_english_the_fallback() -> None:
    assert UI_LANGUAGES[0] == "cs"
    assert t("nav.map", "cs") == "Mapa"
    assert t("nav.map", "en") == "Map"
    assert t("nav.map", "pl") == "Map"  # not translated yet
    assert normalise_language("pl") == "cs"
    assert normalise_language("en") == "en"


def test_placeholders_are_filled() -> None:
    assert t("about.version", "en", version="1.2") == "Version 1.2"


def test_unknown_key_names_close_keys() -> None:
    with pytest.raises(KeyError, match=r"nav\.map"):
        t("nav.mapa", "cs")


def test_catalogues_are_one_file_per_language_and_agree() -> None:
    assert set(CATALOGUES) >= {"cs", "en"}
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
