"""Edits made from the site card, run as the logged-in user: plain Python, no Streamlit.

A form on the card turns into one *action*, a small dict such as
``{"op": "status", "site": "demo:1", "to": "screening", "reason": "", "version": 3}``.
:func:`execute` runs it through the store, which re-reads the user, checks the
permission and the version, writes and audits; whatever it refuses comes back
as an :class:`Outcome` with a message key for the interface. A stale save comes
back with a :class:`Conflict` holding both versions; :func:`keep_mine` turns it
into the action that saves the user's values over the stored ones, on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gisplan.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from gisplan.store import Store, Tx
from gisplan.store import permissions as perm
from gisplan.store.models import Site, SiteFundingLink
from gisplan.store.tx import snapshot

#: Every operation :func:`execute` knows.
OPS = (
    "annotate",
    "edit_note",
    "status",
    "link_community",
    "update_community_link",
    "unlink_community",
    "link_call",
    "update_call_link",
    "unlink_call",
)
_CALL_LINK_FIELDS = ("site_id", "funding_call_id", "verdict", "reasons", "note", "version")
MAX_NOTE_CHARS = 10_000


@dataclass(frozen=True)
class Conflict:
    """A save refused because someone saved first: what the user tried and what is stored now."""

    action: dict[str, Any]
    mine: dict[str, Any]
    theirs: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What came of an action: ``message_key`` is an i18n key, ``detail`` the store's own message."""

    ok: bool
    message_key: str
    detail: str = ""
    conflict: Conflict | None = None


def _text(action: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = action.get(key)
    text = "" if value is None else str(value)
    if required and not text.strip():
        msg = f"the edit {action.get('op')!r} needs a {key!r}"
        raise InputError(msg)
    if len(text) > MAX_NOTE_CHARS:
        msg = f"{key} is {len(text)} characters long; the limit is {MAX_NOTE_CHARS}"
        raise InputError(msg)
    return text


def _int(action: Mapping[str, Any], key: str) -> int:
    try:
        return int(action[key])
    except (KeyError, TypeError, ValueError):
        msg = f"the edit {action.get('op')!r} needs a whole number {key!r}, got {action.get(key)!r}"
        raise InputError(msg) from None


def _reasons(action: Mapping[str, Any]) -> list[str]:
    value = action.get("reasons") or []
    return [str(r) for r in value] if isinstance(value, Sequence) and not isinstance(value, str) else [str(value)]


def unlink_funding_call(tx: Tx, link_id: int, *, expected_version: int) -> None:
    """Remove a site–funding-call link (the store has this for community links only).

    Same checks as :meth:`~gisplan.store.site_writes.SiteWrites.unlink_community`: the
    actor may link on the site, the link is still at ``expected_version``; audited.
    """
    link = tx.fetch(SiteFundingLink, link_id, "site–funding-call link")
    site = tx.fetch(Site, link.site_id, "site")
    region, municipality = tx.site_place(site)
    tx.require(perm.Action.SITE_LINK, "site", link.site_id, region=region, municipality=municipality)
    before = snapshot(link, _CALL_LINK_FIELDS)
    if link.version != expected_version:
        tx.conflict(f"site–funding-call link {link_id}", expected_version, {"deleted": True}, before)
    tx.session.delete(link)
    tx.session.flush()
    tx.audit("site.unlink_funding_call", "site_funding_link", link_id, before=before)


def _work(action: Mapping[str, Any]) -> Callable[[Tx], object]:  # noqa: PLR0911 - one branch per operation
    """The store call of ``action``, checked for shape (values are checked by the store)."""
    op = action.get("op")
    if op == "annotate":
        site, text = _text(action, "site"), _text(action, "text")
        return lambda tx: tx.add_annotation(site, text)
    if op == "edit_note":
        note_id, text, version = _int(action, "annotation"), _text(action, "text"), _int(action, "version")
        return lambda tx: tx.edit_annotation(note_id, text, expected_version=version)
    if op == "status":
        site, to, version = _text(action, "site"), _text(action, "to"), _int(action, "version")
        reason = _text(action, "reason", required=False) or None
        return lambda tx: tx.change_status(site, to, expected_version=version, reason=reason)
    if op == "link_community":
        site, community = _text(action, "site"), _int(action, "community")
        role, note = _text(action, "role", required=False) or None, _text(action, "note", required=False)
        return lambda tx: tx.link_community(site, community, role=role, note=note)
    if op == "update_community_link":
        link, version = _int(action, "link"), _int(action, "version")
        role, note = _text(action, "role", required=False) or None, _text(action, "note", required=False)
        return lambda tx: tx.update_community_link(link, expected_version=version, role=role, note=note)
    if op == "unlink_community":
        link, version = _int(action, "link"), _int(action, "version")
        return lambda tx: tx.unlink_community(link, expected_version=version)
    if op == "link_call":
        site, call = _text(action, "site"), _int(action, "call")
        verdict, reasons = _text(action, "verdict", required=False) or "unknown", _reasons(action)
        note = _text(action, "note", required=False)
        return lambda tx: tx.link_funding_call(site, call, verdict=verdict, reasons=reasons, note=note)
    if op == "update_call_link":
        link, version = _int(action, "link"), _int(action, "version")
        verdict, reasons = _text(action, "verdict", required=False) or "unknown", _reasons(action)
        note = _text(action, "note", required=False)
        return lambda tx: tx.update_funding_link(
            link, expected_version=version, verdict=verdict, reasons=reasons, note=note
        )
    if op == "unlink_call":
        link, version = _int(action, "link"), _int(action, "version")
        return lambda tx: unlink_funding_call(tx, link, expected_version=version)
    msg = f"unknown edit {op!r}; known edits are {list(OPS)}"
    raise InputError(msg)


def execute(store: Store, user_id: int, action: Mapping[str, Any]) -> Outcome:
    """Run ``action`` as ``user_id`` in one store transaction; never raises for refusals.

    Returns
    -------
    Outcome
        ``ok`` with ``edit.done.<op>``; else ``edit.denied`` (the store refused:
        role, scope, disabled account, a workflow move the role may not make;
        the refusal is audited), ``edit.conflict`` (with both versions) or
        ``edit.invalid`` (bad input, or the record is gone).
    """
    op = str(action.get("op"))
    try:
        store.transaction(user_id, _work(action))
    except ConflictError as exc:
        mine = exc.mine if isinstance(exc.mine, dict) else {}
        theirs = exc.theirs if isinstance(exc.theirs, dict) else {}
        return Outcome(False, "edit.conflict", str(exc), Conflict(dict(action), mine, theirs))
    except PermissionDeniedError as exc:
        return Outcome(False, "edit.denied", str(exc))
    except (InputError, NotFoundError) as exc:
        return Outcome(False, "edit.invalid", str(exc))
    return Outcome(True, f"edit.done.{op}")


def keep_mine(conflict: Conflict) -> dict[str, Any] | None:
    """The action that saves the user's values over the stored version; None if there is none.

    A stale edit is retried against the stored version. A link that exists
    already is updated with the user's values instead of created.
    """
    action, theirs = dict(conflict.action), conflict.theirs
    version = theirs.get("version")
    if version is None:
        return None
    op = action.get("op")
    if op in {"edit_note", "status", "update_community_link", "unlink_community", "update_call_link", "unlink_call"}:
        return action | {"version": int(version)}
    if op == "link_call" and theirs.get("id") is not None:
        return action | {"op": "update_call_link", "link": int(theirs["id"]), "version": int(version)}
    if op == "link_community" and theirs.get("id") is not None:
        return action | {"op": "update_community_link", "link": int(theirs["id"]), "version": int(version)}
    return None
