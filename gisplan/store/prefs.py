"""Per-user preferences, such as the interface language.

A preference is a ``(user, key) -> value`` row. Only the user themself sets
their preferences (the write runs as that user and is refused for a disabled
or unknown user); each change is audited like every other write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from gisplan.errors import InputError
from gisplan.store import permissions as perm
from gisplan.store.models import UserPref, utcnow

if TYPE_CHECKING:
    from gisplan.store.store import Store
    from gisplan.store.transaction import Tx

#: The key of the interface language (``cs``, ``en``…).
LANGUAGE = "language"
MAX_VALUE_CHARS = 200


def get_pref(store: Store, user_id: int, key: str) -> str | None:
    """The user's preference ``key``, or None if they never set it."""
    stmt = select(UserPref.value).where(UserPref.user_id == user_id, UserPref.key == key)
    value: str | None = store.read(lambda s: s.scalar(stmt))
    return value


def set_pref(store: Store, user_id: int, key: str, value: str) -> None:
    """Set the user's own preference ``key`` (audited as ``user.set_pref``).

    Raises
    ------
    PermissionDeniedError
        If the user is unknown or disabled.
    InputError
        If the key or value is empty or too long.
    """
    if not key or len(key) > 64 or not value or len(value) > MAX_VALUE_CHARS:
        msg = f"a preference needs a key of 1-64 characters and a value of 1-{MAX_VALUE_CHARS}; got {key!r}"
        raise InputError(msg)

    def work(tx: Tx) -> None:
        tx.require(perm.Action.READ, "user", user_id)  # any enabled user, for themself
        row = tx.session.get(UserPref, (user_id, key))
        before = row.value if row is not None else None
        if before == value:
            return
        if row is None:
            tx.session.add(UserPref(user_id=user_id, key=key, value=value, updated_at=utcnow()))
        else:
            row.value = value
            row.updated_at = utcnow()
        tx.audit("user.set_pref", "user", user_id, before={key: before}, after={key: value})

    store.transaction(user_id, work)


__all__ = ["LANGUAGE", "UserPref", "get_pref", "set_pref"]
