"""Funding calls on the site card: the matcher's suggestions and the site's links, as tables.

Plain Python, no Streamlit. Suggestions come from :func:`gisplan.funding.match_site`
(eligible calls first, each with the matcher's reasons) over the catalogue file;
a call can be linked only once it is in the store (``gisplan funding sync``).
Links to call pages are kept only when they are http(s) URLs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from gisplan import funding
from gisplan.app.i18n import has_text, t
from gisplan.app.sitecard import safe_url, short
from gisplan.store import Store
from gisplan.store.models import FundingCall
from gisplan.store.site_card import SiteCard

#: Demo municipality codes (see :func:`gisplan.funding.demo_places`).
DEMO_CODE_PREFIX = "999"


def applicant_types() -> list[str]:
    """Applicant types the matcher knows, the municipality first."""
    return list(funding.APPLICANT_TYPES)


@lru_cache(maxsize=4)
def _catalogue(path: str, mtime: float) -> funding.FundingCatalogue:
    del mtime  # only part of the cache key
    return funding.load_calls(Path(path))


def catalogue() -> funding.FundingCatalogue:
    """The funding-call catalogue file, re-read when it changes.

    Raises
    ------
    ConfigError
        If the catalogue is invalid.
    """
    path = funding.calls_path()
    return _catalogue(str(path), path.stat().st_mtime if path.is_file() else 0.0)


def suggestions(store: Store, site_id: str, applicant: str | None) -> list[funding.Match]:
    """Every call of the catalogue rated for the site: eligible first, then unknown, then not eligible.

    Raises
    ------
    NotFoundError
        If the site does not exist.
    ConfigError
        If the catalogue is invalid.
    """
    facts = funding.facts_from_store(store, site_id, applicant=applicant)
    code = facts.municipality_code
    places = funding.demo_places([code]) if code and code.startswith(DEMO_CODE_PREFIX) else funding.PlaceLookup()
    return funding.match_site(facts, catalogue(), places=places)


def _verdict(verdict: str, lang: str) -> str:
    key = f"verdict.{verdict}"
    return t(key, lang) if has_text(key) else verdict


def suggestions_frame(matches: Sequence[funding.Match], stored: Mapping[str, FundingCall], lang: str) -> pd.DataFrame:
    """One row per call: title, verdict, intake state and close date, reasons, whether it can be linked, URL."""
    rows = []
    for m in matches:
        reasons = "; ".join(r.text(lang) for r in m.failing()) or t("site.all_rules_met", lang)
        state_key = f"call_state.{m.state}"
        rows.append(
            {
                t("site.call", lang): m.call.title.get(lang),
                # a programme pointer is not a call: no verdict to act on, never linked
                t("site.verdict", lang): t("site.programme", lang)
                if m.call.is_programme
                else _verdict(m.verdict, lang),
                t("site.intake", lang): t(state_key, lang) if has_text(state_key) else m.state,
                t("site.closes", lang): m.call.intake.close.isoformat() if m.call.intake.close else "",
                t("site.reasons", lang): short(reasons, 400),
                t("site.in_store", lang): m.call.id in stored and not m.call.is_programme,
                t("site.url", lang): safe_url(m.call.url),
            }
        )
    return pd.DataFrame(rows)


def _saved_reasons(reasons: Sequence[object] | None, lang: str) -> str:
    """A link's saved reasons in ``lang``: records are worded, plain text (older links) stays as saved."""
    return "; ".join(funding.reason_text(r, lang) for r in reasons or [])


def linked_frame(card: SiteCard, lang: str) -> pd.DataFrame:
    """The site's funding-call links: call, verdict, reasons (worded in ``lang``; plain text as saved), note, URL."""
    rows = []
    for link, call in card.funding_links:
        title = call.name or call.code
        rules = call.rules if isinstance(call.rules, dict) else {}
        titles = rules.get("title")
        if isinstance(titles, dict) and titles.get(lang):
            title = str(titles[lang])
        rows.append(
            {
                t("site.call", lang): f"{title} ({call.code})",
                t("site.verdict", lang): _verdict(link.verdict, lang),
                t("site.reasons", lang): short(_saved_reasons(link.reasons, lang), 400),
                t("site.link_note", lang): short(link.note or "", 200),
                t("site.url", lang): safe_url(rules.get("url")),
            }
        )
    return pd.DataFrame(rows)
