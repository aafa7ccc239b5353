"""Hand-made funding calls for the tests, built in code."""

from __future__ import annotations

from typing import Any

from gisplan.funding import FundingCall

BASE: dict[str, Any] = {
    "id": "test_call",
    "programme": "Test programme",
    "title": {"cs": "Testovací výzva", "en": "Test call"},
    "provider": "SFŽP",
    "url": "https://example.org/call",
    "source_date": "2024-03",
}


def call_data(**fields: Any) -> dict[str, Any]:
    """The plain data of a call: :data:`BASE` with ``fields`` on top."""
    return BASE | fields


def make_call(**fields: Any) -> FundingCall:
    """A validated call: :data:`BASE` with ``fields`` on top."""
    return FundingCall.model_validate(call_data(**fields))
