"""The ``gisplan`` command line.

Each command group lives in its own module and registers itself on :data:`app`.
:func:`main` turns every :class:`~gisplan.errors.GisplanError` into a one-line
message on stderr and exit code 1, and every usage mistake (an unknown option, a
missing option or argument, a bad value) into one ``error:`` line with the
command's usage and exit code 2, never a traceback.

typer bundles its own copy of click (``typer._click``) and raises that copy's
exceptions, so they are found through :class:`typer.BadParameter`'s bases
rather than by importing the standalone ``click``.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from gisplan.errors import GisplanError

app = typer.Typer(
    name="gisplan",
    help="GIS planning for regions in transition: layers, reading data, the demo region.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Imported for their side effect of adding commands to ``app``.
    from gisplan.cli import (  # noqa: F401
        community,
        community_data,
        daily,
        db,
        demo,
        export,
        funding,
        ingest,
        layers,
        participation,
        read,
        region,
        score,
        submit,
        terrain,
        territories,
        users,
    )


def _click_exceptions() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """The ``ClickException`` and ``UsageError`` classes of typer's click and of the standalone click."""
    bases = [c for c in typer.BadParameter.__mro__ if issubclass(c, Exception)]
    click_errors = {c for c in bases if c.__name__ == "ClickException"}
    usage_errors = {c for c in bases if c.__name__ == "UsageError"}
    try:
        import click
    except ImportError:  # pragma: no cover - typer no longer needs the standalone click
        pass
    else:
        click_errors.add(click.ClickException)
        usage_errors.add(click.UsageError)
    return tuple(click_errors), tuple(usage_errors)


def _context_for(argv: list[str]) -> Any:
    """The click context of the command ``argv`` names (the deepest group or command), for its usage line."""
    import typer.main

    command: Any = typer.main.get_command(app)
    ctx = command.context_class(command, info_name="gisplan")
    for word in argv:
        children = getattr(command, "commands", None)
        if not children or word not in children:
            break
        command = children[word]
        ctx = command.context_class(command, info_name=word, parent=ctx)
    return ctx


def usage_line(exc: Exception, argv: list[str]) -> str:
    """One ``error:`` line for a click usage error: what was wrong, the command's usage, where to get help.

    Some usage errors (an option given without its value) carry no context; the
    command is then found from ``argv``.
    """
    message = " ".join(str(getattr(exc, "format_message", exc.__str__)()).split()).rstrip(".")
    ctx = getattr(exc, "ctx", None) or _context_for(argv)
    usage = " ".join(ctx.get_usage().split()).removeprefix("Usage:").strip()
    help_option = (ctx.help_option_names or ["--help"])[0]
    return f"error: {message} (usage: {usage}; see '{ctx.command_path} {help_option}')"


def _click_failure(exc: Exception, argv: list[str]) -> int | None:
    """Report a click exception on stderr and return its exit code; None for any other exception."""
    click_errors, usage_errors = _click_exceptions()
    if type(exc).__name__ == "NoArgsIsHelpError":  # a group or command run without arguments: its help
        typer.echo(getattr(exc, "format_message", exc.__str__)(), err=True)
        return 2
    if isinstance(exc, usage_errors):
        typer.echo(usage_line(exc, argv), err=True)
        return 2
    if isinstance(exc, click_errors):
        message = " ".join(str(getattr(exc, "format_message", exc.__str__)()).split())
        typer.echo(f"error: {message}", err=True)
        return int(getattr(exc, "exit_code", 1))
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    _register()
    try:
        # With standalone_mode=False click returns the code of a ``typer.Exit`` instead of raising it.
        result = app(args=argv, prog_name="gisplan", standalone_mode=False)
    except GisplanError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except OSError as exc:  # a path the user gave that cannot be read or written: one line, never a traceback
        where = f": {exc.filename}" if exc.filename else ""
        typer.echo(f"error: {exc.strerror or exc}{where}; check the path, its folder and the permissions", err=True)
        return 1
    except Exception as exc:
        code = _click_failure(exc, sys.argv[1:] if argv is None else argv)
        if code is None:
            raise
        return code
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
