"""Funding calls: the catalogue, its editing history, eligibility rules and the matcher.

>>> from gisplan import funding
>>> catalogue = funding.load_calls()                                   # doctest: +SKIP
>>> facts = funding.facts_from_row({"kind": "rooftop", "capacity_kwp": 1400,
...                                 "kod_obce": "564729"}, applicant="municipality")  # doctest: +SKIP
>>> for m in funding.match_site(facts, catalogue, places=lookup):       # doctest: +SKIP
...     print(m.verdict, m.call.id, m.reasons)

Modules: ``_models`` (the YAML schema and loader), ``_rules`` (one function per
rule type), ``_reasons`` (reasons as records, worded per language), ``_matcher``
(rating and sorting calls for a site), ``_batch`` (many sites at once, a
sites × calls table), ``_territory`` (municipality ->
district/region lookup), ``_history`` (saving with history), ``_store`` (the catalogue and verdicts into the store).

Extension: :mod:`gisplan.funding.rule_registry` holds every rule type (the built-in ones
register from ``_builtin_rules``); a rule brings its field model, evaluator and text keys,
and the funding editor's form is generated from the field models (``docs/extending.md``).
"""

from __future__ import annotations

from gisplan.funding._batch import (
    VERDICT_WORDS,
    SiteMatches,
    facts_for_sites,
    facts_from_store,
    match_sites,
    programmes,
    site_label,
    table_calls,
    verdict_table,
)
from gisplan.funding._history import (
    HISTORY_DIR,
    Version,
    content_hash,
    current_text,
    history,
    previous_text,
    replace_call,
    restore,
    save_calls,
    to_yaml,
)
from gisplan.funding._matcher import DEFAULT_USE, Match, facts_from_row, match_site, matches_frame
from gisplan.funding._models import (
    APPLICANT_TYPES,
    USES,
    FundingCall,
    FundingCatalogue,
    Intake,
    Limits,
    Range,
    Territory,
    call_to_data,
    calls_path,
    load_calls,
    parse_text,
    validate_data,
    validate_file,
)
from gisplan.funding._reasons import render_joined as reasons_text
from gisplan.funding._reasons import render_stored as reason_text
from gisplan.funding._rules import CallState, RuleResult, SiteFacts, Verdict, call_state
from gisplan.funding._store import CALL_SITE_COLUMNS, SyncResult, call_sites, record_matches, store_fields, sync_calls
from gisplan.funding._territory import (
    DEMO_REGION,
    REGIONS,
    Place,
    PlaceLookup,
    demo_places,
    places_from_admin_gpkg,
    region_code,
    region_name,
)
from gisplan.vocabulary import BUILDING_USES, OWNER_TYPES

__all__ = [
    "APPLICANT_TYPES",
    "BUILDING_USES",
    "CALL_SITE_COLUMNS",
    "DEFAULT_USE",
    "DEMO_REGION",
    "HISTORY_DIR",
    "OWNER_TYPES",
    "REGIONS",
    "USES",
    "VERDICT_WORDS",
    "CallState",
    "FundingCall",
    "FundingCatalogue",
    "Intake",
    "Limits",
    "Match",
    "Place",
    "PlaceLookup",
    "Range",
    "RuleResult",
    "SiteFacts",
    "SiteMatches",
    "SyncResult",
    "Territory",
    "Verdict",
    "Version",
    "call_sites",
    "call_state",
    "call_to_data",
    "calls_path",
    "content_hash",
    "current_text",
    "demo_places",
    "facts_for_sites",
    "facts_from_row",
    "facts_from_store",
    "history",
    "load_calls",
    "match_site",
    "match_sites",
    "matches_frame",
    "parse_text",
    "places_from_admin_gpkg",
    "previous_text",
    "programmes",
    "reason_text",
    "reasons_text",
    "record_matches",
    "region_code",
    "region_name",
    "replace_call",
    "restore",
    "save_calls",
    "site_label",
    "store_fields",
    "sync_calls",
    "table_calls",
    "to_yaml",
    "validate_data",
    "validate_file",
    "verdict_table",
]
