from __future__ import annotations

import pytest

from gisplan.intake import FIELD_LABELS, REASONS, REASONS_CS, field_label, reason_text


@pytest.mark.parametrize("lang", ["en", "pl", "hu", "da"])
def test_every_refusal_and_field_has_a_text_in_each_language(lang: str) -> None:
    assert set(REASONS[lang]) == set(REASONS_CS)
    assert all(text.strip() for text in REASONS[lang].values())
    labels = {field: field_label(field, lang) for field in FIELD_LABELS}
    english = {field: en for field, (_cs, en) in FIELD_LABELS.items()}
    if lang != "en":  # translated, not English copied over
        assert sum(labels[f] == english[f] for f in FIELD_LABELS) == 0
        assert sum(REASONS[lang][c] == REASONS["en"][c] for c in REASONS_CS) == 0


def test_missing_texts_fall_back_to_english_never_czech() -> None:
    assert reason_text("vrt", "hu") == "VRT-fájlt (más adatokra mutató hivatkozást) nem fogadunk el."
    assert reason_text("vrt", "de") == REASONS["en"]["vrt"] != REASONS_CS["vrt"]
    assert reason_text("no_such_code", "pl") is None
    assert field_label("kind", "de") == "Site kind"
    assert field_label("kind", "cs") == "Druh lokality"
    assert field_label("no_such_field", "pl") == "no_such_field"
