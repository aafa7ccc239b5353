"""Funding-rule reasons in Polish, Hungarian and Danish."""

from __future__ import annotations

import pytest

from gisplan.funding import SiteFacts
from gisplan.funding._reasons import all_met
from gisplan.funding._rules import capacity_rule, evaluate, intake_rule, population_rule, territory_rule
from gisplan.texts import CATALOGUES
from tests.funding.helpers import make_call
from tests.funding.test_reasons_cs import CASES
from tests.funding.test_rules import PLACES, TODAY

LANGS = ("pl", "hu", "da")


FUNDING_GROUPS = ("funding_reason.", "funding_subject.", "funding_limited.", "funding_missing.", "funding_quantity.")


@pytest.mark.parametrize("lang", LANGS)
def test_every_reason_text_has_its_own_wording_in_the_language(lang: str) -> None:
    """No reason wording falls back to English (same placeholders: tests/app/test_i18n.py)."""
    english = [key for key in CATALOGUES["en"] if key.startswith(("funding_", "exclusion."))]
    assert len(english) > 100
    assert not [key for key in english if key not in CATALOGUES[lang]]
    assert any(key.startswith(FUNDING_GROUPS) for key in english)


@pytest.mark.parametrize("lang", LANGS)
def test_every_branch_has_its_own_sentence_in_the_language(lang: str) -> None:
    results = [r for fields, facts in CASES for r in evaluate(make_call(**fields), facts, today=TODAY, places=PLACES)]
    texts = {(r.text("en"), r.text(lang)) for r in results}
    assert len({t for _, t in texts}) == len({e for e, _ in texts})  # one sentence per English one
    for result in results:
        text = result.text(lang)
        assert text and text != result.reason and text != result.reason_cs, result
        assert "{" not in text and "}" not in text, text


def test_polish_hungarian_danish_sentences_read_naturally() -> None:
    over = capacity_rule(make_call(limits={"capacity_kwp": {"max": 1000}}), SiteFacts(capacity_kwp=1400.0))
    assert over is not None
    assert over.text("pl") == "Moc: 1,4 MWp – przekracza limit 1 MWp"
    assert over.text("hu") == "Teljesítmény: 1,4 MWp – túllépi a korlátot (1 MWp)"
    assert over.text("da") == "Effekt: 1,4 MWp – overskrider grænsen på 1 MWp"
    closed = intake_rule(make_call(intake={"close": "2024-10-31"}), TODAY.replace(month=11, day=1))
    assert closed.text("pl") == "nabór zakończył się 31.10.2024"
    assert closed.text("hu") == "a beadási határidő lejárt: 2024. 10. 31."
    assert closed.text("da") == "ansøgningsfristen udløb 31.10.2024"
    town = population_rule(make_call(limits={"population": {"max": 3000}}), SiteFacts(population=4800.0))
    assert town is not None
    assert town.text("da") == "Kommunens indbyggertal: 4 800 indbyggere – overskrider grænsen på 3 000 indbyggere"
    mas = territory_rule(make_call(territory={"mas": ["MAS1"]}), SiteFacts(), PLACES)
    assert mas.text("pl") == "nie można sprawdzić obszaru: przynależność do LGD nie jest znana (gmina lokalizacji)"
    assert all_met("hu") == "minden feltétel teljesül"
    assert all_met("de") == "all rules met"


def test_vocabulary_labels_cover_the_czech_ones() -> None:
    czech = {key for key in CATALOGUES["cs"] if key.startswith("funding_label.")}
    assert {"funding_label.municipality", "funding_label.pv_ground", "funding_label.mining"} <= czech
    for lang in LANGS:
        labels = {key: text for key, text in CATALOGUES[lang].items() if key.startswith("funding_label.")}
        assert set(labels) == czech, lang
        assert sum(text == key.removeprefix("funding_label.") for key, text in labels.items()) <= 3, lang
