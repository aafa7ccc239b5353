from __future__ import annotations

import string

import pytest

from gisplan.app.i18n import MESSAGES, UI_LANGUAGES, normalise_language, t


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
