"""The app's frame: settings from ``st.secrets``, login, language, and the pages each role sees.

``streamlit_app.py`` calls :func:`main`. Each page is a module in
:mod:`gisplan.app.pages` with a ``render()`` function and one line in
:func:`pages` that names the roles who see it. The navigation lists only those
pages, and the shell checks the role again (re-reading the user from the
store) every time a page runs: a page that is not listed cannot be opened by
its URL, and one that is listed is still refused to a user whose role changed a
second ago. Pages check the permission of each action themselves as well, and
the store checks it once more when it writes.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec

import streamlit as st

from gisplan import settings
from gisplan.app import auth, warmup
from gisplan.app.i18n import LANGUAGE_NAMES, UI_LANGUAGES, normalise_language, t
from gisplan.errors import ConfigError, GisplanError
from gisplan.store import Role
from gisplan.store.prefs import LANGUAGE, get_pref, set_pref

_log = logging.getLogger(__name__)

#: Session-state key of the interface language.
LANG_KEY = "lang"
#: Session-state key of the site the Site page shows (set by the Map page, a table or ``?site=``).
SELECTED_SITE = "selected_site_id"
#: Session-state key of a site card being opened from the Map page; the Site page clears it once drawn.
OPENING_SITE = "opening_site_id"
#: Query parameter that opens a site's card: ``/site?site=<site id>``.
SITE_PARAM = "site"
#: Session-state key of a page to open on the next run (after login).
_GO_TO = "shell_go_to"
_SEEN_PARAM = "shell_site_param"
#: Session-state key of the user whose saved language this session has applied.
_LANG_USER = "shell_lang_user"
#: The chosen language, outside the radio's own state: Streamlit may drop a widget's state when
#: the app switches page (a map click opening a card), and the choice must outlive that.
_LANG_CHOSEN = "shell_lang_chosen"

#: Who sees a page: everybody logged in, writers, admins; PUBLIC pages are also shown before login.
EVERYONE: frozenset[Role] = frozenset(Role)
ANIMATORS: frozenset[Role] = frozenset({Role.ADMIN, Role.ANIMATOR})
PLANNERS: frozenset[Role] = frozenset({Role.ADMIN, Role.ANIMATOR, Role.PLANNER})
MUNICIPALITIES: frozenset[Role] = frozenset({Role.ADMIN, Role.MUNICIPALITY})
ADMINS: frozenset[Role] = frozenset({Role.ADMIN})
#: Who runs resident participation: moderates proposals, opens votes.
ORGANISERS: frozenset[Role] = frozenset({Role.ADMIN, Role.ANIMATOR, Role.MUNICIPALITY})
PUBLIC: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class PageSpec:
    """One page of the app.

    Parameters
    ----------
    module
        Dotted name of the module with the page's ``render()`` function; imported
        only when the page runs.
    title_key
        i18n key of the title in the navigation.
    icon
        A Streamlit icon, e.g. ``":material/map:"``.
    url_path
        The page's path in the URL (``/map``).
    roles
        Roles that see and may open the page; :data:`PUBLIC` (empty) for pages
        shown to everybody, logged in or not.
    default
        The page opened at ``/``.
    """

    module: str
    title_key: str
    icon: str
    url_path: str
    roles: frozenset[Role]
    default: bool = False

    def visible_to(self, role: Role | None) -> bool:
        """True if a user with ``role`` (None: not logged in) sees this page."""
        return not self.roles or (role is not None and role in self.roles)


def pages() -> list[PageSpec]:
    """Every page of the app, in navigation order, with the roles that see it.

    To add a page: write ``gisplan/app/pages/<name>.py`` with ``render()``, add
    its title to the i18n catalogues, and add one line here.
    """
    p = "gisplan.app.pages."
    return [
        PageSpec(p + "map_page", "nav.map", ":material/map:", "map", EVERYONE, default=True),
        PageSpec(p + "site_page", "nav.site", ":material/location_on:", "site", EVERYONE),
        PageSpec(p + "communities_page", "nav.communities", ":material/groups:", "communities", EVERYONE),
        PageSpec(p + "funding_page", "nav.funding", ":material/payments:", "funding", EVERYONE),
        PageSpec(p + "dashboard_page", "nav.dashboard", ":material/monitoring:", "dashboard", PLANNERS),
        PageSpec(p + "export_page", "nav.export", ":material/download:", "export", PLANNERS),
        PageSpec(p + "submit_page", "nav.submit", ":material/add_location_alt:", "submit", MUNICIPALITIES),
        PageSpec(p + "my_submissions_page", "nav.my_submissions", ":material/inbox:", "my-submissions", MUNICIPALITIES),
        PageSpec(p + "moderation_page", "nav.moderation", ":material/fact_check:", "moderation", ANIMATORS),
        PageSpec(p + "proposals_page", "nav.proposals", ":material/campaign:", "proposals", ORGANISERS),
        PageSpec(p + "admin_page", "nav.admin", ":material/manage_accounts:", "admin", ADMINS),
        PageSpec(p + "propose_page", "nav.propose", ":material/lightbulb:", "propose", PUBLIC),
        PageSpec(p + "vote_page", "nav.vote", ":material/how_to_vote:", "vote", PUBLIC),
        PageSpec(p + "results_page", "nav.results", ":material/leaderboard:", "results", PUBLIC),
        PageSpec(p + "about", "nav.about", ":material/info:", "about", PUBLIC),
    ]


def spec(url_path: str) -> PageSpec:
    """The page registered under ``url_path``.

    Raises
    ------
    KeyError
        If no page has this path; the message lists the paths.
    """
    for page in pages():
        if page.url_path == url_path:
            return page
    msg = f"no page {url_path!r}; pages are {[p.url_path for p in pages()]}"
    raise KeyError(msg)


def apply_secrets() -> None:
    """Copy a ``[gisplan]`` table of ``.streamlit/secrets.toml`` into ``GISPLAN_*`` variables.

    Keys are setting names (``data_dir``, ``database_url``, ``basemap``…). An
    environment variable that is already set wins, so a deployment can override
    a secrets file. The library itself never reads ``st.secrets``.
    """
    try:
        table = st.secrets.get("gisplan", {})
    except FileNotFoundError:  # no secrets file (StreamlitSecretNotFoundError)
        return
    for key, value in dict(table).items():
        os.environ.setdefault(f"GISPLAN_{str(key).upper()}", str(value))


def language() -> str:
    """The interface language of this session (the ``GISPLAN_LANG`` setting, Czech, unless the user switched)."""
    for key in (LANG_KEY, _LANG_CHOSEN):
        value = st.session_state.get(key)
        if value in UI_LANGUAGES:
            return str(value)
    try:
        return normalise_language(settings.get().language)
    except ConfigError:
        return UI_LANGUAGES[0]


def _apply_saved_language(user: auth.SessionUser | None) -> None:
    """Once per login, switch to the language the user saved (their choice wins over the default)."""
    if user is None or st.session_state.get(_LANG_USER) == user.id:
        return
    st.session_state[_LANG_USER] = user.id
    try:
        saved = get_pref(auth.get_store(), user.id, LANGUAGE)
    except GisplanError:
        return
    if saved in UI_LANGUAGES:
        st.session_state[LANG_KEY] = st.session_state[_LANG_CHOSEN] = saved


_P = ParamSpec("_P")


def guarded(action: Callable[[], None]) -> None:
    """Run a page's ``action``; an unexpected exception becomes one line for the user and a logged traceback.

    The user sees :func:`t` ``app.page_failed`` with a short reference, never
    Streamlit's error page (which, depending on ``client.showErrorDetails``,
    shows a traceback with paths and data); the log holds the traceback under
    the same reference. ``st.stop``, ``st.rerun`` and ``st.switch_page`` raise
    ``BaseException`` subclasses, which pass through.
    """
    try:
        action()
    except Exception:
        ref = uuid.uuid4().hex[:8]
        _log.exception("page action failed (reference %s)", ref)
        st.error(t("app.page_failed", language(), ref=ref), icon=":material/error:")


def callback(fn: Callable[_P, None]) -> Callable[_P, None]:
    """Decorate a widget callback (``on_click``, ``on_change``, ``on_select``) like a page action.

    Streamlit runs callbacks before the page's script, outside :func:`guarded`;
    an exception there would otherwise reach Streamlit's error page.
    """

    @functools.wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> None:
        guarded(lambda: fn(*args, **kwargs))

    return run


#: Keys of choice widgets whose options are shown through translated labels. Streamlit keeps a
#: select box's, multiselect's or radio's choice as the label it showed, which after a language
#: switch names no option: the map's "(any)" funding call came back as a call named "(jakákoli)"
#: and hid every site. The switch hands these values back to Streamlit, to be shown in the new
#: language. Only widgets without a default may be listed (Streamlit warns when a widget has both
#: a default and a value set through the session state); a key that ends in ``_`` is a prefix.
TRANSLATED_CHOICES: tuple[str, ...] = (
    *("map_profile", "map_kinds", "map_statuses", "map_call", "map_excluded"),
    *("site_profile_", "site_status_to", "site_applicant", "site_link_call_index"),
    *("comm_kind", "dash_profile", "dash_scope", "fund_kind", "exp_kinds", "exp_variant"),
)
#: Translated choice widgets with a default: a language switch puts them back to it.
TRANSLATED_DEFAULTED: tuple[str, ...] = ("fund_states", "exp_statuses")


def _keep_translated_choices() -> None:
    for key in list(st.session_state):
        name = str(key)
        if name in TRANSLATED_DEFAULTED:
            del st.session_state[name]
        elif any(name == k or (k.endswith("_") and name.startswith(k)) for k in TRANSLATED_CHOICES):
            st.session_state[name] = st.session_state[name]


@callback
def _save_language() -> None:
    """Radio callback: keep the translated choices, remember the logged-in user's choice in the store."""
    _keep_translated_choices()
    user_id = st.session_state.get(_LANG_USER)
    chosen = st.session_state.get(LANG_KEY)
    if user_id is None or chosen not in UI_LANGUAGES:
        return
    try:
        # Callbacks run before the shell's check of the session: a session that has
        # just ended (disabled user, moved epoch) must not write even its language.
        user = auth.current_user()
        if user is None or user.id != int(user_id):
            return
        set_pref(auth.get_store(), user.id, LANGUAGE, str(chosen))
    except GisplanError:  # a disabled user: the next run logs them out anyway
        return


def language_switch() -> str:
    """Draw the language switch in the sidebar; return the chosen language (saved per user)."""
    if st.session_state.get(LANG_KEY) not in UI_LANGUAGES:
        st.session_state[LANG_KEY] = language()
    chosen = st.sidebar.radio(
        t("app.language", language()),
        options=list(UI_LANGUAGES),
        format_func=lambda code: LANGUAGE_NAMES.get(code, code),
        key=LANG_KEY,
        horizontal=True,
        on_change=_save_language,
    )
    st.session_state[_LANG_CHOSEN] = str(chosen)
    return str(chosen)


def _render(page: PageSpec) -> None:
    if page.roles:
        auth.require_role(page.roles, language())
    module = importlib.import_module(page.module)
    module.render()


def _runner(page: PageSpec) -> Callable[[], None]:
    def run() -> None:
        guarded(lambda: _render(page))

    run.__name__ = page.url_path
    return run


def st_page(page: PageSpec, lang: str, *, default: bool = False) -> st.Page:
    """The ``st.Page`` of ``page``, titled in ``lang``; running it checks the role first."""
    return st.Page(
        _runner(page), title=t(page.title_key, lang), icon=page.icon, url_path=page.url_path, default=default
    )


def _login_page(lang: str) -> st.Page:
    def login() -> None:
        guarded(lambda: auth.render_login(language(), on_success=_after_login))

    return st.Page(login, title=t("nav.login", lang), icon=":material/login:", url_path="login", default=True)


def _after_login(user: auth.SessionUser) -> None:
    if st.session_state.get(SELECTED_SITE) and spec("site").visible_to(user.role):
        st.session_state[_GO_TO] = "site"


def visible_pages(role: Role | None) -> list[PageSpec]:
    """The pages a user with ``role`` sees (None: not logged in), in navigation order."""
    return [page for page in pages() if page.visible_to(role)]


def navigation(user: auth.SessionUser | None, lang: str) -> list[st.Page]:
    """The pages ``user`` sees (the login page and public pages when nobody is logged in)."""
    visible = visible_pages(user.role if user is not None else None)
    if user is None:
        return [_login_page(lang), *(st_page(page, lang) for page in visible)]
    default = next((page for page in visible if page.default), visible[0])
    return [st_page(page, lang, default=page is default) for page in visible]


def _capture_site_param() -> bool:
    """``?site=<id>`` selects that site for the Site page; True if the URL names a site not seen before.

    An unknown id is reported on the Site page.
    """
    value = str(st.query_params.get(SITE_PARAM) or "")[:300]
    if not value or value == st.session_state.get(_SEEN_PARAM):
        return False
    st.session_state[_SEEN_PARAM] = value
    st.session_state[SELECTED_SITE] = value
    return True


def _sidebar_user(user: auth.SessionUser | None, lang: str) -> None:
    if user is None:
        return
    st.sidebar.caption(t("auth.signed_in_as", lang, user=user.label, role=t(f"role.{user.role.value}", lang)))
    if st.sidebar.button(t("auth.logout", lang), key="shell_logout", icon=":material/logout:"):
        auth.log_out()
        st.rerun()


def main() -> None:
    """Run the app: secrets, login state, language, sidebar and the page the URL names.

    The first run in a server process also starts preparing the Map page in the
    background (:mod:`gisplan.app.warmup`), while the user logs in.
    """
    apply_secrets()
    warmup.start()
    new_site = _capture_site_param()
    try:
        user = auth.current_user()
    except GisplanError as exc:
        st.error(t("auth.store_failed", language()))
        st.code(str(exc), language=None)
        return
    if user is None:
        st.session_state.pop(_LANG_USER, None)
    _apply_saved_language(user)
    lang = language_switch()
    _sidebar_user(user, lang)
    nav = st.navigation(navigation(user, lang))
    go_to = st.session_state.pop(_GO_TO, None) or ("site" if new_site else None)
    if go_to and user is not None and go_to != nav.url_path and spec(str(go_to)).visible_to(user.role):
        st.switch_page(st_page(spec(str(go_to)), lang))
    nav.run()
