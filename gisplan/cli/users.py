"""``gisplan users add|list|set-role|disable|enable|password``: manage who may do what.

The command line acts as the operator (``SYSTEM``), who holds the database
anyway; every change is still audited. Passwords are read from a hidden prompt
or, with ``--password-stdin``, from the first line of standard input, and stored
only as Argon2id hashes.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from gisplan.cli import app
from gisplan.errors import InputError
from gisplan.store import SYSTEM, Scope, open_store

users_app = typer.Typer(help="Manage users, roles and scopes.", no_args_is_help=True)
app.add_typer(users_app, name="users")

UrlOption = Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")]
ScopeOption = Annotated[
    list[str] | None,
    typer.Option("--scope", help="kind:code, repeatable: region:CZ042, mas:MAS123, municipality:564729"),
]
StdinOption = Annotated[bool, typer.Option("--password-stdin", help="read the password from standard input")]


def _scope(items: list[str] | None) -> Scope | None:
    if items is None:
        return None
    try:
        return Scope.parse(items)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add(
    username: str,
    *,
    role: Annotated[str, typer.Option("--role", help="admin | animator | municipality | planner")],
    scope: ScopeOption = None,
    name: Annotated[str, typer.Option("--name", help="display name")] = "",
    oidc_sub: Annotated[str | None, typer.Option("--oidc-sub", help="OIDC subject of the user's login")] = None,
    password: Annotated[bool, typer.Option("--password/--no-password", help="set a password")] = True,
    password_stdin: StdinOption = False,
    url: UrlOption = None,
) -> None:
    """Add a user with a role and a scope."""
    secret = _password(password_stdin) if password or password_stdin else None
    with open_store(url) as store:
        user = store.add_user(
            SYSTEM, username, role, scope=_scope(scope), password=secret, display_name=name, oidc_sub=oidc_sub
        )
    typer.echo(f"added user {user.username} (id {user.id}, {user.role})")


@users_app.command("list")
def list_users(url: UrlOption = None) -> None:
    """List users: id, name, role, scope, and whether they are disabled."""
    with open_store(url) as store:
        users = store.users()
    for user, scope in users:
        state = "disabled" if user.disabled else "active"
        login = "password" if user.password_hash else ("oidc" if user.oidc_sub else "no login")
        typer.echo(f"{user.id:>4}  {user.username:<24} {user.role:<12} {state:<8} {login:<9} {scope}")
    typer.echo(f"{len(users)} users")


@users_app.command("set-role")
def set_role(username: str, role: str, scope: ScopeOption = None, url: UrlOption = None) -> None:
    """Change a user's role (and scope, when --scope is given)."""
    with open_store(url) as store:
        user = store.set_role(SYSTEM, username, role, scope=_scope(scope))
    typer.echo(f"user {user.username} is now {user.role}")


@users_app.command("disable")
def disable(username: str, url: UrlOption = None) -> None:
    """Disable a user: they can no longer log in or change anything."""
    with open_store(url) as store:
        store.set_disabled(SYSTEM, username, True)
    typer.echo(f"user {username} disabled")


@users_app.command("enable")
def enable(username: str, url: UrlOption = None) -> None:
    """Enable a disabled user again."""
    with open_store(url) as store:
        store.set_disabled(SYSTEM, username, False)
    typer.echo(f"user {username} enabled")


@users_app.command("password")
def password(username: str, password_stdin: StdinOption = False, url: UrlOption = None) -> None:
    """Set a user's password."""
    secret = _password(password_stdin)
    with open_store(url) as store:
        store.transaction(SYSTEM, lambda tx: tx.set_password(username, secret))
    typer.echo(f"password of {username} changed")
