"""Login, logout and the role check every page makes on every run.

Local accounts live in the store (Argon2id hashes, see
:mod:`gisplan.store.user_writes`). When ``.streamlit/secrets.toml`` has an
``[auth]`` table, people may also sign in through OIDC (``st.login``); OIDC
carries no roles, so the role comes from the store user whose ``oidc_sub`` is
the identity's subject (``st.user.sub``).

The session remembers only the user's id and their session epoch at login.
:func:`current_user` re-reads that user from the store on every run and ends the
session when the account was disabled or its epoch moved on (a password, role or
scope change, or a disablement, see :mod:`gisplan.store.user_writes`), so the
change takes effect on the user's next action; the store checks the same user
again when it writes.

Failed logins are throttled per user name and client (:class:`LoginThrottle`,
one table per server process): the first :data:`FREE_ATTEMPTS` failures within
:data:`WINDOW_S` cost nothing, each one after that doubles the wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from gisplan import settings
from gisplan.app.i18n import t
from gisplan.errors import AuthenticationError, GisplanError
from gisplan.store import Role, Scope, Store, open_store, queries

log = logging.getLogger(__name__)

#: Session-state keys.
USER_KEY = "auth_user_id"
METHOD_KEY = "auth_method"
#: The user's session epoch at login; a session without one counts as epoch 0.
EPOCH_KEY = "auth_epoch"
#: ``(user id, session epoch)`` of the OIDC user as this session first saw them.
OIDC_EPOCH_KEY = "auth_oidc_epoch"
NOTICE_KEY = "auth_notice"
#: Failures per user and client that cost nothing, within :data:`WINDOW_S`.
FREE_ATTEMPTS = 5
#: Failures older than this are forgotten [s].
WINDOW_S = 15 * 60.0
#: The wait after the first failure beyond :data:`FREE_ATTEMPTS` [s]; it doubles with each further one.
BASE_DELAY_S = 30.0
#: The longest wait [s].
MAX_DELAY_S = 15 * 60.0
#: Most (user, client) pairs remembered; the oldest are dropped first (a bound on memory).
MAX_TRACKED = 10_000


@dataclass(frozen=True)
class SessionUser:
    """The logged-in user as just read from the store."""

    id: int
    username: str
    display_name: str
    role: Role
    scope: Scope
    method: str  # "local" or "oidc"
    epoch: int = 0  # the user's session epoch as just read

    @property
    def label(self) -> str:
        """The display name, else the user name."""
        return self.display_name or self.username


class LoginThrottle:
    """Failed logins per (user name, client), with the wait they impose.

    Parameters
    ----------
    free_attempts
        Failures within ``window_s`` that impose no wait.
    window_s
        Failures older than this are forgotten [s].
    base_delay_s, max_delay_s
        The wait after the first failure beyond ``free_attempts``, doubling with
        each further failure up to ``max_delay_s`` [s]; counted from the last failure.
    clock
        Monotonic time [s]; tests pass a fake clock.
    """

    def __init__(
        self,
        *,
        free_attempts: int = FREE_ATTEMPTS,
        window_s: float = WINDOW_S,
        base_delay_s: float = BASE_DELAY_S,
        max_delay_s: float = MAX_DELAY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_attempts = free_attempts
        self.window_s = window_s
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.clock = clock
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str, client: str) -> tuple[str, str]:
        return username.strip().casefold(), client

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        recent = [at for at in self._failures.get(key, []) if now - at < self.window_s]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def _wait(self, recent: list[float], now: float) -> float:
        beyond = len(recent) - self.free_attempts
        if beyond <= 0:
            return 0.0
        delay = min(self.base_delay_s * 2.0 ** (beyond - 1), self.max_delay_s)
        return max(0.0, recent[-1] + delay - now)

    def wait_s(self, username: str, client: str) -> float:
        """How long this user name must wait before trying again from this client [s]."""
        with self._lock:
            now = self.clock()
            return self._wait(self._recent(self._key(username, client), now), now)

    def record_failure(self, username: str, client: str) -> float:
        """Count a failed attempt; return the wait it imposes [s]."""
        with self._lock:
            now = self.clock()
            key = self._key(username, client)
            recent = [*self._recent(key, now), now]
            self._failures.pop(key, None)
            self._failures[key] = recent  # re-inserted: the dict stays in order of last failure
            while len(self._failures) > MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))
            return self._wait(recent, now)

    def record_success(self, username: str, client: str) -> None:
        """Forget the failures of this user name from this client."""
        with self._lock:
            self._failures.pop(self._key(username, client), None)


#: The throttle of this server process.
THROTTLE = LoginThrottle()


# --------------------------------------------------------------------------- store side (no Streamlit)
def load_user(store: Store, user_id: int, method: str) -> SessionUser | None:
    """The enabled user ``user_id`` with role and scope, read now; None if missing or disabled."""

    found = queries.active_user(store, user_id)
    if found is None:
        return None
    user, scope = found
    return SessionUser(
        id=user.id,
        username=user.username,
        display_name=user.display_name or "",
        role=Role(user.role),
        scope=scope,
        method=method,
        epoch=int(user.session_epoch or 0),
    )


def login_local(
    store: Store, username: str, password: str, client: str, *, throttle: LoginThrottle | None = None
) -> SessionUser:
    """Check a local account's password, throttled per user name and client (default :data:`THROTTLE`).

    Raises
    ------
    AuthenticationError
        If the name or password is wrong, the account is disabled, or the client
        must wait (``retry_after_s`` > 0). The message never says which.
    """
    throttle = throttle or THROTTLE
    wait = throttle.wait_s(username, client)
    if wait > 0:
        msg = f"too many failed logins for this user from this client; try again in {wait:.0f} s"
        raise AuthenticationError(msg, reason="throttled", retry_after_s=wait)
    user = store.authenticate(username.strip(), password) if username.strip() and password else None
    session_user = load_user(store, user.id, "local") if user is not None else None
    if session_user is None:
        wait = throttle.record_failure(username, client)
        log.warning("failed login for %r from %s", username.strip()[:200], client)
        msg = "wrong user name or password"
        raise AuthenticationError(msg, retry_after_s=wait)
    throttle.record_success(username, client)
    log.info("login of %r (%s) from %s", session_user.username, session_user.role.value, client)
    return session_user


def user_for_subject(store: Store, sub: str) -> SessionUser | None:
    """The enabled store user linked to an OIDC subject, or None."""
    user = store.user_for_oidc(sub) if sub else None
    return load_user(store, user.id, "oidc") if user is not None else None


# --------------------------------------------------------------------------- Streamlit side
@st.cache_resource(show_spinner=False)
def _open(url: str) -> Store:
    return open_store(url)


def get_store() -> Store:
    """The store of ``GISPLAN_DATABASE_URL``, opened once per server process and URL.

    Raises
    ------
    ConfigError
        If the setting is invalid or the store's schema is behind (PostgreSQL).
    """
    return _open(settings.get().database_url)


def client_id() -> str:
    """The client's address as the server sees it (``local`` on localhost)."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        return "local"
    return address if isinstance(address, str) and address else "local"


def _secrets_auth() -> Mapping[str, Any]:
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets file
        return {}
    return section if isinstance(section, Mapping) else {}


def oidc_providers() -> list[str | None]:
    """OIDC providers configured in ``[auth]``: ``[None]`` for the default one, else the provider names."""
    section = _secrets_auth()
    if not section:
        return []
    if "client_id" in section:
        return [None]
    return [name for name, value in section.items() if isinstance(value, Mapping)]


def _forget() -> None:
    for key in (USER_KEY, METHOD_KEY, EPOCH_KEY, OIDC_EPOCH_KEY):
        st.session_state.pop(key, None)


def current_user() -> SessionUser | None:
    """The logged-in user, re-read from the store now; None when nobody is (or may be) logged in.

    A session whose user was disabled or deleted, or whose epoch is not the
    user's epoch any more, is ended here; a user signed in through OIDC whose
    subject is not linked to a store user is not logged in.
    """
    store = get_store()
    user_id = st.session_state.get(USER_KEY)
    if user_id is not None:
        method = str(st.session_state.get(METHOD_KEY, "local"))
        user = load_user(store, int(user_id), method)
        if user is None:
            _forget()
            st.session_state[NOTICE_KEY] = "auth.session_ended"
        elif user.epoch != int(st.session_state.get(EPOCH_KEY, 0)):
            log.info("session of %r ended: its password, role or scope changed", user.username)
            _forget()
            st.session_state[NOTICE_KEY] = "auth.session_changed"
            return None
        return user
    if oidc_providers() and st.user.is_logged_in:
        return _same_oidc_epoch(user_for_subject(store, str(st.user.get("sub") or "")))
    return None


def _same_oidc_epoch(user: SessionUser | None) -> SessionUser | None:
    """``user`` unless their epoch moved on since this session first saw them; then end the OIDC login.

    The identity cookie belongs to the identity provider, so a new browser session
    starts again from the user's current epoch; an open one ends here.
    """
    if user is None:
        return None
    seen = st.session_state.get(OIDC_EPOCH_KEY)
    if not isinstance(seen, tuple) or seen[0] != user.id:
        st.session_state[OIDC_EPOCH_KEY] = (user.id, user.epoch)
        return user
    if seen[1] == user.epoch:
        return user
    log.info("OIDC session of %r ended: its role or scope changed", user.username)
    st.session_state.pop(OIDC_EPOCH_KEY, None)
    st.session_state[NOTICE_KEY] = "auth.session_changed"
    st.logout()
    return None


def require_role(roles: Collection[Role], lang: str) -> SessionUser:
    """The current user if their role is one of ``roles``; otherwise say why and stop the page.

    Every page calls this on every run (the shell does it before ``render()``),
    so hiding a page in the navigation is never the only protection.
    """
    user = current_user()
    if user is None:
        st.warning(t("auth.login_required", lang))
        st.stop()
    if user.role not in roles:
        st.error(t("auth.forbidden", lang, role=t(f"role.{user.role.value}", lang)))
        st.stop()
    return user


def log_in(user: SessionUser) -> None:
    """Remember ``user`` in this session."""
    st.session_state[USER_KEY] = user.id
    st.session_state[METHOD_KEY] = user.method
    st.session_state[EPOCH_KEY] = user.epoch
    st.session_state.pop(NOTICE_KEY, None)


def log_out() -> None:
    """End this session's login (and the OIDC identity cookie, if any)."""
    method = st.session_state.get(METHOD_KEY)
    _forget()
    if method != "local" and oidc_providers() and st.user.is_logged_in:
        st.logout()


def _oidc_buttons(lang: str) -> None:
    providers = oidc_providers()
    if not providers:
        return
    st.divider()
    for provider in providers:
        label = t("auth.oidc", lang) if provider is None else t("auth.oidc_named", lang, provider=provider)
        if st.button(label, key=f"auth_oidc_{provider or 'default'}"):
            if provider is None:
                st.login()
            else:
                st.login(provider)
    if st.user.is_logged_in:
        # signed in at the identity provider, but not linked to a gisplan user
        st.warning(t("auth.oidc_unknown", lang, sub=str(st.user.get("sub") or "")))
        if st.button(t("auth.logout", lang), key="auth_oidc_logout"):
            st.logout()


def render_login(lang: str, on_success: Callable[[SessionUser], None] | None = None) -> None:
    """The login page: a local-account form, and OIDC buttons when ``[auth]`` is configured."""
    st.title(t("auth.heading", lang))
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(t(str(notice), lang))
    with st.form("login", enter_to_submit=True):
        username = st.text_input(t("auth.username", lang), key="login_username", autocomplete="username")
        password = st.text_input(
            t("auth.password", lang), type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("auth.submit", lang), type="primary")
    if submitted:
        try:
            user = login_local(get_store(), username, password, client_id())
        except AuthenticationError as exc:
            if exc.reason == "throttled":
                st.error(t("auth.throttled", lang, seconds=f"{exc.retry_after_s:.0f}"))
            else:
                st.error(t("auth.failed", lang))
        except GisplanError as exc:
            st.error(t("auth.store_failed", lang))
            st.code(str(exc), language=None)
        else:
            log_in(user)
            if on_success is not None:
                on_success(user)
            st.rerun()
    _oidc_buttons(lang)
