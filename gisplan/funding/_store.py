"""Putting the catalogue and the matcher's verdicts into the store.

Site–call links in the store refer to rows of its ``funding_calls`` table (code =
catalogue id). :func:`sync_calls` makes that table follow the YAML catalogue;
:func:`record_matches` saves the matcher's verdicts and reasons for one site as
links, so the site card, the community page and the SECAP export show them.
Both run as one transaction of the acting user and are audited by the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gisplan.funding._matcher import Match
from gisplan.funding._models import FundingCall, FundingCatalogue

if TYPE_CHECKING:
    import pandas as pd

    from gisplan.store import ActorRef, Store, Tx

#: Columns of :func:`call_sites`.
CALL_SITE_COLUMNS = ["site_id", "name", "kind", "municipality_code", "status", "verdict", "reasons"]


@dataclass(frozen=True)
class SyncResult:
    """Codes of the calls added, updated and left alone, and of store calls no longer in the catalogue."""

    added: list[str]
    updated: list[str]
    unchanged: list[str]
    not_in_catalogue: list[str]


def store_fields(call: FundingCall) -> dict[str, Any]:
    """The store columns of a catalogue call; ``rules`` holds the whole call as JSON."""
    return {
        "programme": call.programme,
        "name": call.title.cs,
        "provider": call.provider,
        "intake_start": call.intake.open,
        "intake_end": call.intake.close,
        "rules": call.model_dump(mode="json", exclude_none=True),
    }


def sync_calls(store: Store, actor: ActorRef, catalogue: FundingCatalogue) -> SyncResult:
    """Add new catalogue calls to the store and update changed ones (admins only).

    Calls that left the catalogue stay in the store, because links refer to them;
    they are listed in ``not_in_catalogue``.
    """
    stored = {c.code: c for c in store.funding_calls()}
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []

    def work(tx: Tx) -> None:
        for call in catalogue.calls.values():
            fields = store_fields(call)
            row = stored.get(call.id)
            if row is None:
                tx.add_funding_call(call.id, **fields)
                added.append(call.id)
                continue
            changes = {k: v for k, v in fields.items() if getattr(row, k) != v}
            if changes:
                tx.update_funding_call(row.id, expected_version=row.version, **changes)
                updated.append(call.id)
            else:
                unchanged.append(call.id)

    store.transaction(actor, work)
    gone = sorted(set(stored) - set(catalogue.calls))
    return SyncResult(added, updated, unchanged, gone)


def record_matches(
    store: Store,
    actor: ActorRef,
    site_id: str,
    matches: Iterable[Match],
    *,
    verdicts: Sequence[str] = ("eligible", "unknown"),
) -> int:
    """Save the matcher's verdicts for a site as site–call links; return how many links were written.

    New links are made for matches whose verdict is in ``verdicts``; existing
    links are updated whatever the new verdict (a call that stopped fitting says
    so). Reasons are the failing and unknown rules, or every rule when all are met,
    kept as reason records (:meth:`Match.stored_reasons`) so each reader sees them
    in their language. Programme-level pointers (:attr:`FundingCall.is_programme`)
    are not calls and are never linked. The links are recorded under ``actor``.
    Calls must be in the store (see :func:`sync_calls`).

    Raises
    ------
    NotFoundError
        If a matched call is not in the store.
    """
    from gisplan.errors import NotFoundError

    ids = {c.code: c.id for c in store.funding_calls()}
    links = {link.funding_call_id: link for link in store.funding_links(site_id)}
    wanted = [m for m in matches if not m.call.is_programme]
    missing = sorted({m.call.id for m in wanted} - set(ids))
    if missing:
        msg = f"funding calls {missing} are not in the store; run sync_calls (gisplan funding sync) first"
        raise NotFoundError(msg)

    def work(tx: Tx) -> int:
        written = 0
        for m in wanted:
            reasons = m.stored_reasons()
            link = links.get(ids[m.call.id])
            if link is not None:
                if link.verdict != m.verdict or list(link.reasons) != reasons:
                    tx.update_funding_link(link.id, expected_version=link.version, verdict=m.verdict, reasons=reasons)
                    written += 1
            elif m.verdict in verdicts:
                tx.link_funding_call(site_id, ids[m.call.id], verdict=m.verdict, reasons=reasons)
                written += 1
        return written

    return int(store.transaction(actor, work))


def call_sites(store: Store, call_code: str) -> pd.DataFrame:
    """The sites linked to one funding call (catalogue id), eligible first, then unknown, then not eligible.

    Returns
    -------
    pandas.DataFrame
        :data:`CALL_SITE_COLUMNS`; ``reasons`` joined by '; '. Empty when the call
        is not in the store or has no links. Sites that vanished from their source
        (end-dated) are left out.
    """
    import pandas as pd
    from sqlalchemy import select

    from gisplan.store.models import FundingCall as CallRow
    from gisplan.store.models import Site, SiteFundingLink

    stmt = (
        select(
            Site.id,
            Site.name,
            Site.kind,
            Site.municipality_code,
            Site.status,
            SiteFundingLink.verdict,
            SiteFundingLink.reasons,
        )
        .join(SiteFundingLink, SiteFundingLink.site_id == Site.id)
        .join(CallRow, CallRow.id == SiteFundingLink.funding_call_id)
        .where(CallRow.code == call_code, Site.end_date.is_(None))
    )
    rows = store.read(lambda s: [tuple(r) for r in s.execute(stmt).all()])
    frame = pd.DataFrame(rows, columns=CALL_SITE_COLUMNS)
    frame["reasons"] = ["; ".join(r or []) for r in frame["reasons"]]
    rank = frame["verdict"].map({"eligible": 0, "unknown": 1, "not_eligible": 2}).fillna(3)
    return frame.assign(_rank=rank).sort_values(["_rank", "site_id"]).drop(columns="_rank").reset_index(drop=True)


__all__ = ["CALL_SITE_COLUMNS", "SyncResult", "call_sites", "record_matches", "store_fields", "sync_calls"]
