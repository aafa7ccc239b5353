from __future__ import annotations

import pytest

from gisplan.intake import FORM_FIELDS, REASON_CODES, field_label, reason_text
from gisplan.texts import CATALOGUES


@pytest.mark.parametrize("lang", ["en", "pl", "hu", "da"])
def test_every_refusal_and_field_has_a_text_in_each_language(lang: str) -> None:
    own = CATALOGUES[lang]  # the language's own catalogue, without the English fallback
    assert not [code for code in REASON_CODES if f"intake_reason.{code}" not in own]
    assert not [field for field in FORM_FIELDS if f"intake_field.{field}" not in own]
    if lang != "en":  # translated, not English copied over
        assert sum(field_label(f, lang) == field_label(f, "en") for f in FORM_FIELDS) == 0
        assert sum(reason_text(c, lang) == reason_text(c, "en") for c in REASON_CODES) == 0


def test_missing_texts_fall_back_to_english_never_czech() -> None:
    assert reason_text("vrt", "hu") == "VRT-fájlt (más adatokra mutató hivatkozást) nem fogadunk el."
    assert reason_text("vrt", "de") == reason_text("vrt", "en") != reason_text("vrt", "cs")
    assert reason_text("vrt", "cs") == "Soubor VRT (odkaz na jiná data) nepřijímáme."
    assert reason_text("no_such_code", "pl") is None
    assert field_label("kind", "de") == "Site kind"
    assert field_label("kind", "cs") == "Druh lokality"
    assert field_label("no_such_field", "pl") == "no_such_field"
