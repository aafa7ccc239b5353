"""Per-user preferences: set by the user themself, audited, refused for a disabled user."""

from __future__ import annotations

import pytest

from gisplan.errors import InputError, PermissionDeniedError
from gisplan.store import SYSTEM, Store
from gisplan.store.prefs import LANGUAGE, get_pref, set_pref


def test_a_user_sets_their_language_and_it_is_audited(store: Store) -> None:
    user = store.add_user(SYSTEM, "eva", "planner", password="eva-heslo-2026")
    assert get_pref(store, user.id, LANGUAGE) is None
    set_pref(store, user.id, LANGUAGE, "en")
    set_pref(store, user.id, LANGUAGE, "en")  # unchanged: no second audit row
    set_pref(store, user.id, LANGUAGE, "cs")
    assert get_pref(store, user.id, LANGUAGE) == "cs"
    rows = [e for e in store.audit_log(target_type="user", target_id=str(user.id)) if e.action == "user.set_pref"]
    assert [(e.actor_name, e.before, e.after) for e in reversed(rows)] == [
        ("eva", {"language": None}, {"language": "en"}),
        ("eva", {"language": "en"}, {"language": "cs"}),
    ]


def test_a_disabled_user_cannot_set_preferences(store: Store) -> None:
    user = store.add_user(SYSTEM, "petr", "planner")
    store.set_disabled(SYSTEM, "petr")
    with pytest.raises(PermissionDeniedError, match="disabled"):
        set_pref(store, user.id, LANGUAGE, "en")
    assert get_pref(store, user.id, LANGUAGE) is None
    assert store.audit_log(target_type="user", target_id=str(user.id), outcome="denied")


def test_empty_or_long_values_are_refused(store: Store) -> None:
    user = store.add_user(SYSTEM, "jana", "planner")
    with pytest.raises(InputError):
        set_pref(store, user.id, LANGUAGE, "")
    with pytest.raises(InputError):
        set_pref(store, user.id, LANGUAGE, "x" * 201)
