"""The ``gisplan`` command line.

Each command group lives in its own module and registers itself on :data:`app`.
:func:`main` turns every :class:`~gisplan.errors.GisplanError` into a one-line
message on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import sys

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
    from gisplan.cli import db, demo, export, funding, ingest, layers, read, score, submit, users  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    _register()
    try:
        # With standalone_mode=False click returns the code of a ``typer.Exit`` instead of raising it.
        result = app(args=argv, standalone_mode=False)
    except GisplanError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
