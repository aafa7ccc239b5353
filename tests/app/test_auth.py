"""Login: the throttle, local accounts from the store, OIDC subjects, logout, disabled users."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from gisplan.app import auth
from gisplan.errors import AuthenticationError
from gisplan.store import SYSTEM, Role, Scope, Store
from tests.app.appstore import ACCOUNTS, user_id
from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(clock: FakeClock) -> auth.LoginThrottle:
    return auth.LoginThrottle(free_attempts=3, window_s=600, base_delay_s=10, max_delay_s=40, clock=clock)


def test_throttle_lets_free_attempts_pass_then_doubles_the_wait() -> None:
    clock = FakeClock()
    throttle = _throttle(clock)
    assert [throttle.record_failure("Eva", "1.2.3.4") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert throttle.wait_s("eva", "1.2.3.4") == 0.0  # user names are compared case-insensitively
    assert throttle.record_failure(" EVA ", "1.2.3.4") == 10.0
    clock.now += 4
    assert throttle.wait_s("eva", "1.2.3.4") == pytest.approx(6.0)
    clock.now += 6
    assert throttle.record_failure("eva", "1.2.3.4") == 20.0
    assert throttle.record_failure("eva", "1.2.3.4") == 40.0
    assert throttle.record_failure("eva", "1.2.3.4") == 40.0  # capped at max_delay_s
    # another client and another user are not affected
    assert throttle.wait_s("eva", "5.6.7.8") == 0.0
    assert throttle.wait_s("petr", "1.2.3.4") == 0.0


def test_throttle_forgets_old_failures_and_resets_on_success() -> None:
    clock = FakeClock()
    throttle = _throttle(clock)
    for _ in range(4):
        throttle.record_failure("eva", "c")
    assert throttle.wait_s("eva", "c") > 0
    clock.now += 601  # all four fell out of the window
    assert throttle.wait_s("eva", "c") == 0.0
    assert throttle.record_failure("eva", "c") == 0.0
    for _ in range(4):
        throttle.record_failure("eva", "c")
    throttle.record_success("eva", "c")
    assert throttle.wait_s("eva", "c") == 0.0


def test_local_login_reads_role_and_scope_from_the_store(app_store: Store) -> None:
    throttle = _throttle(FakeClock())
    user = auth.login_local(app_store, "animator", ACCOUNTS["animator"].password, "c", throttle=throttle)
    assert user.role == Role.ANIMATOR
    assert user.scope.regions == frozenset({"CZ042"})
    assert user.method == "local"


def test_wrong_passwords_are_throttled_even_for_the_right_one_next(app_store: Store) -> None:
    clock = FakeClock()
    throttle = _throttle(clock)
    for _ in range(3):
        with pytest.raises(AuthenticationError) as info:
            auth.login_local(app_store, "animator", "wrong-password", "c", throttle=throttle)
        assert info.value.reason == "failed"
    with pytest.raises(AuthenticationError) as info:
        auth.login_local(app_store, "animator", "wrong-password", "c", throttle=throttle)
    assert info.value.retry_after_s == 10.0
    with pytest.raises(AuthenticationError) as info:
        auth.login_local(app_store, "animator", ACCOUNTS["animator"].password, "c", throttle=throttle)
    assert info.value.reason == "throttled"
    # from another client, or after the wait, the right password works
    assert auth.login_local(app_store, "animator", ACCOUNTS["animator"].password, "d", throttle=throttle)
    clock.now += 10
    assert auth.login_local(app_store, "animator", ACCOUNTS["animator"].password, "c", throttle=throttle)


def test_unknown_and_disabled_users_cannot_log_in(app_store: Store) -> None:
    throttle = _throttle(FakeClock())
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        auth.login_local(app_store, "nobody", "whatever-password", "c", throttle=throttle)
    app_store.set_disabled(SYSTEM, "obec")
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        auth.login_local(app_store, "obec", ACCOUNTS["obec"].password, "c", throttle=throttle)
    assert auth.load_user(app_store, user_id(app_store, "obec"), "local") is None


# --------------------------------------------------------------------------- in the app
def _app(**state: Any) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    return at


def _log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


@pytest.fixture
def fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> auth.LoginThrottle:
    throttle = auth.LoginThrottle()
    monkeypatch.setattr(auth, "THROTTLE", throttle)
    return throttle


@pytest.mark.usefixtures("app_store", "fresh_throttle")
def test_login_form_logs_in_and_out() -> None:
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "Přihlášení do gisplanu"
    at = _log_in(at, "animator", "not-the-password")
    assert [e.value for e in at.error] == ["Nesprávné uživatelské jméno nebo heslo."]
    assert auth.USER_KEY not in at.session_state
    at = _log_in(at, "animator", ACCOUNTS["animator"].password)
    assert not at.exception
    assert "Přihlášen(a): animator (animátor)" in [c.value for c in at.sidebar.caption]
    at.sidebar.button(key="shell_logout").click().run()
    assert at.title[0].value == "Přihlášení do gisplanu"
    assert auth.USER_KEY not in at.session_state


@pytest.mark.usefixtures("app_store")
def test_the_form_says_when_the_client_must_wait(fresh_throttle: auth.LoginThrottle) -> None:
    for _ in range(auth.FREE_ATTEMPTS + 1):
        fresh_throttle.record_failure("planner", "local")
    at = _log_in(_app().run(), "planner", ACCOUNTS["planner"].password)
    assert "Příliš mnoho neúspěšných pokusů" in at.error[0].value
    assert auth.USER_KEY not in at.session_state


def test_a_disabled_user_is_logged_out_on_the_next_action(app_store: Store) -> None:
    at = _app(**{auth.USER_KEY: user_id(app_store, "planner"), auth.METHOD_KEY: "local"}).run()
    assert "Přihlášen(a): planner (plánovač)" in [c.value for c in at.sidebar.caption]
    app_store.set_disabled(SYSTEM, "planner")
    at.run()
    assert at.title[0].value == "Přihlášení do gisplanu"
    assert "Vaše přihlášení skončilo" in at.info[0].value


OIDC = {"client_id": "gisplan", "client_secret": "s", "server_metadata_url": "https://id.example/.well-known"}


def test_oidc_users_get_their_role_from_the_store_by_subject(app_store: Store) -> None:
    app_store.add_user(SYSTEM, "eva", "planner", oidc_sub="oidc|eva", display_name="Eva Nováková")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = OIDC
    at.user = {"is_logged_in": True, "sub": "oidc|eva", "email": "eva@example.org"}
    at.run()
    assert not at.exception
    assert "Přihlášen(a): Eva Nováková (plánovač)" in [c.value for c in at.sidebar.caption]


def test_an_unlinked_oidc_subject_is_not_logged_in(app_store: Store) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = OIDC
    at.user = {"is_logged_in": True, "sub": "oidc|stranger"}
    at.run()
    assert at.title[0].value == "Přihlášení do gisplanu"
    assert "oidc|stranger" in at.warning[0].value
    assert [b.label for b in at.button if "OIDC" in b.label] == ["Přihlásit se přes organizaci (OIDC)"]


@pytest.mark.usefixtures("fresh_throttle")
def test_a_password_change_ends_an_open_session_and_its_writes(app_store: Store) -> None:
    from gisplan.app import shell
    from gisplan.store.prefs import LANGUAGE, get_pref

    at = _log_in(_app().run(), "planner", ACCOUNTS["planner"].password)
    assert "Přihlášen(a): planner (plánovač)" in [c.value for c in at.sidebar.caption]
    assert at.session_state[auth.EPOCH_KEY] == 0
    app_store.transaction(SYSTEM, lambda tx: tx.set_password("planner", "someone-elses-password"))
    # the next action of the open session is a write (the language switch saves the choice): refused
    at.sidebar.radio(key=shell.LANG_KEY).set_value("en").run()
    assert not at.exception
    assert get_pref(app_store, user_id(app_store, "planner"), LANGUAGE) is None
    assert at.title[0].value == "Log in to gisplan"
    assert "password, role or scope of your account changed" in at.info[0].value
    assert auth.USER_KEY not in at.session_state
    # the old password no longer works, the new one opens a new session at the new epoch
    at = _log_in(at, "planner", ACCOUNTS["planner"].password)
    assert auth.USER_KEY not in at.session_state
    at = _log_in(at, "planner", "someone-elses-password")
    assert at.session_state[auth.EPOCH_KEY] == 1
    assert "Signed in: planner (planner)" in [c.value for c in at.sidebar.caption]


def test_a_role_or_scope_change_ends_an_open_session(app_store: Store) -> None:
    at = _app(**{auth.USER_KEY: user_id(app_store, "animator"), auth.METHOD_KEY: "local"}).run()
    assert "Přihlášen(a): animator (animátor)" in [c.value for c in at.sidebar.caption]
    app_store.set_role(SYSTEM, "animator", "animator", scope=Scope.parse(["region:CZ080"]))
    at.run()
    assert at.title[0].value == "Přihlášení do gisplanu"
    assert "Vaše přihlášení skončilo, protože se změnilo heslo, role nebo působnost" in at.info[0].value


def test_an_oidc_session_ends_when_the_role_changes(app_store: Store) -> None:
    app_store.add_user(SYSTEM, "eva", "planner", oidc_sub="oidc|eva")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = OIDC
    at.user = {"is_logged_in": True, "sub": "oidc|eva"}
    at.run()
    assert "Přihlášen(a): eva (plánovač)" in [c.value for c in at.sidebar.caption]
    at.run()  # an unchanged epoch keeps the session
    assert "Přihlášen(a): eva (plánovač)" in [c.value for c in at.sidebar.caption]
    app_store.set_role(SYSTEM, "eva", "animator", scope=Scope.parse(["region:CZ042"]))
    at.run()
    assert not at.sidebar.caption
    assert at.title[0].value == "Přihlášení do gisplanu"
