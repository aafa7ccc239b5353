"""Users: session epochs and the last active admin, on SQLite and PostGIS."""

from __future__ import annotations

import contextlib
import threading

import pytest

from gisplan.errors import GisplanError, LastAdminError, PermissionDeniedError
from gisplan.store import SYSTEM, Scope, Store
from tests.store.helpers import REGION_IN, World


def _epoch(store: Store, username: str) -> int:
    return store.user(username).session_epoch


def test_password_role_scope_changes_and_disabling_move_the_session_epoch(store: Store, world: World) -> None:
    assert _epoch(store, "animator") == 0
    store.transaction(world.admin, lambda tx: tx.set_password("animator", "a brand new passphrase"))
    assert _epoch(store, "animator") == 1
    store.set_role(world.admin, "animator", "animator")  # nothing changes: sessions go on
    store.set_role(world.admin, "animator", "animator", scope=Scope.parse([f"region:{REGION_IN}"]))
    assert _epoch(store, "animator") == 1
    store.set_role(world.admin, "animator", "animator", scope=Scope.parse(["region:CZ080"]))
    assert _epoch(store, "animator") == 2
    store.set_role(world.admin, "animator", "planner")
    assert _epoch(store, "animator") == 3
    store.set_disabled(world.admin, "animator")
    assert _epoch(store, "animator") == 4
    store.set_disabled(world.admin, "animator", False)  # enabling keeps the moved epoch: old sessions stay ended
    assert _epoch(store, "animator") == 4
    assert _epoch(store, "planner") == 0  # other users are not touched


def test_a_refused_change_does_not_move_the_epoch(store: Store, world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        store.transaction(world.planner, lambda tx: tx.set_password("animator", "a brand new passphrase"))
    with pytest.raises(PermissionDeniedError):
        store.set_role(world.animator, "planner", "admin")
    assert (_epoch(store, "animator"), _epoch(store, "planner")) == (0, 0)


def test_the_last_active_admin_cannot_be_demoted_or_disabled(store: Store, world: World) -> None:
    for actor in (SYSTEM, world.admin):
        with pytest.raises(LastAdminError, match="would leave no active admin"):
            store.set_role(actor, "admin", "planner")
        with pytest.raises(LastAdminError, match="would leave no active admin"):
            store.set_disabled(actor, "admin")
    admin = store.user("admin")
    assert (admin.role, admin.disabled, admin.session_epoch) == ("admin", False, 0)
    assert [e.action for e in store.audit_log(target_type="user", target_id=str(world.admin))] == ["user.add"]
    # a disabled admin does not count
    store.add_user(SYSTEM, "spare", "admin")
    store.set_disabled(SYSTEM, "spare")
    with pytest.raises(LastAdminError):
        store.set_role(SYSTEM, "admin", "planner")
    # with a second active admin, either may step down, and the other is then the last one
    store.set_disabled(SYSTEM, "spare", False)
    store.set_role(world.admin, "admin", "planner")
    with pytest.raises(LastAdminError):
        store.set_disabled(SYSTEM, "spare")
    assert [u.username for u, _ in store.users() if u.role == "admin" and not u.disabled] == ["spare"]


def test_the_message_is_one_line_and_says_what_to_do(store: Store, world: World) -> None:
    with pytest.raises(GisplanError) as caught:
        store.set_disabled(SYSTEM, "admin")
    text = str(caught.value)
    assert "\n" not in text
    assert "disabling 'admin'" in text
    assert "gisplan users set-role" in text


def test_two_admins_demoted_at_once_leave_one(store: Store, world: World) -> None:
    store.add_user(SYSTEM, "second", "admin")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def hold(_: object) -> None:
        # Both wait here after their check, inside their transaction: without a lock both pass.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)

    def demote(username: str) -> None:
        try:
            store.transaction(SYSTEM, lambda tx: hold(tx.set_role(username, "planner")))
            outcomes[username] = "demoted"
        except LastAdminError as exc:
            outcomes[username] = exc

    threads = [threading.Thread(target=demote, args=(name,)) for name in ("admin", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(type(v).__name__ for v in outcomes.values()) == ["LastAdminError", "str"]
    active = [u.username for u, _ in store.users() if u.role == "admin" and not u.disabled]
    assert len(active) == 1
