"""The site card's funding suggestions show the matcher's reasons in the reader's language."""

from __future__ import annotations

import datetime as dt

import pytest

from gisplan.app.sitefunding import suggestions_frame
from gisplan.funding import SiteFacts, match_site
from tests.funding.helpers import make_call


@pytest.mark.parametrize(
    ("lang", "column", "refused", "met"),
    [
        ("cs", "Důvody", "výkon 1,4 MWp překračuje limit 1 MWp", "všechna pravidla splněna"),
        ("en", "Reasons", "capacity 1.4 MWp exceeds the 1 MWp limit", "all rules met"),
    ],
)
def test_suggestion_reasons_in_the_readers_language(lang: str, column: str, refused: str, met: str) -> None:
    common = {"territory": {"national": True}, "applicants": "any", "site_kinds": "any", "uses": "any"}
    calls = [
        make_call(id="refused", intake={"close": "2024-10-31"}, limits={"capacity_kwp": {"max": 1000}}, **common),
        make_call(id="fine", intake={"close": "2024-10-31"}, **common),
    ]
    matches = match_site(SiteFacts(capacity_kwp=1400.0), calls, today=dt.date(2024, 6, 1))
    frame = suggestions_frame(matches, {}, lang)
    reasons = dict(zip([m.call.id for m in matches], frame[column], strict=True))
    assert reasons == {"refused": refused, "fine": met}
