"""Writes on funding calls (admins only); the catalogue's own history is in :mod:`gisplan.funding`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from gisplan.errors import ConflictError, InputError
from gisplan.store import permissions as perm
from gisplan.store.models import FundingCall, utcnow
from gisplan.store.tx import TxBase, snapshot

_CALL_FIELDS = ("code", "programme", "name", "provider", "intake_start", "intake_end", "rules")


class CallWrites(TxBase):
    """Funding-call writes; mixed into :class:`~gisplan.store.transaction.Tx`."""

    def add_funding_call(
        self,
        code: str,
        *,
        programme: str = "",
        name: str = "",
        provider: str = "",
        intake_start: dt.date | None = None,
        intake_end: dt.date | None = None,
        rules: Mapping[str, Any] | None = None,
    ) -> FundingCall:
        """Create a funding call; ``rules`` is what the funding matcher reads."""
        self.require(perm.Action.FUNDING_CALL_WRITE, "funding_call", code)
        if self.session.scalar(select(FundingCall.id).where(FundingCall.code == code)) is not None:
            msg = f"funding call {code!r} exists already; edit it instead"
            raise ConflictError(msg, mine={"code": code}, theirs={"code": code})
        call = FundingCall(
            code=code,
            programme=programme,
            name=name,
            provider=provider,
            intake_start=intake_start,
            intake_end=intake_end,
            rules=dict(rules or {}),
            created_at=utcnow(),
        )
        self.session.add(call)
        self.session.flush()
        self.audit("funding_call.add", "funding_call", call.id, after=snapshot(call, _CALL_FIELDS))
        return call

    def update_funding_call(self, call_id: int, *, expected_version: int, **changes: Any) -> FundingCall:
        """Edit fields of a funding call (any of programme, name, provider, intake_start, intake_end, rules)."""
        unknown = set(changes) - set(_CALL_FIELDS)
        if unknown:
            msg = f"funding calls have no fields {sorted(unknown)}; editable fields are {list(_CALL_FIELDS)}"
            raise InputError(msg)
        self.require(perm.Action.FUNDING_CALL_WRITE, "funding_call", call_id)
        call = self.fetch(FundingCall, call_id, "funding call")
        before, after = self.save(call, f"funding call {call_id}", expected_version, changes, _CALL_FIELDS)
        self.audit("funding_call.edit", "funding_call", call_id, before=before, after=after)
        return call


__all__ = ["CallWrites"]
