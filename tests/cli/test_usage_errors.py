"""Every CLI usage mistake is one ``error:`` line with the usage and exit code 2 (issue 11, point 12).

The commands are enumerated from the typer app, so a new command is covered
without touching this file. The cases run through :func:`gisplan.cli.main`, the
function the ``gisplan`` console script calls; one case runs the real script.
"""

from __future__ import annotations

import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from gisplan.cli import _register, app, main

_register()


def _leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    children = getattr(command, "commands", None)
    if children:
        for name, child in children.items():
            yield from _leaves(child, (*path, name))
    else:
        yield path, command


COMMANDS = dict(_leaves(typer.main.get_command(app)))


def _takes_value(param: Any) -> bool:
    return param.param_type_name == "option" and not getattr(param, "is_flag", False) and param.nargs == 1


def _given(param: Any) -> list[str]:
    """Command-line words that give ``param`` a harmless value (a number where it takes one)."""
    annotation = param.type_descriptor.annotation
    inner = typing.get_args(annotation)[0] if typing.get_origin(annotation) is list else annotation
    value = "1" if inner in (int, float) else "x"
    if param.param_type_name == "argument":
        return [value] * max(param.nargs, 1)
    return [param.opts[0], value]


def _missing_cases() -> Iterator[tuple[tuple[str, ...], str, list[str]]]:
    """(command, param, argv) with every required parameter given except one."""
    for path, command in COMMANDS.items():
        required = [p for p in command.params if p.required]
        for left_out in required:
            words = [w for p in required if p is not left_out and p.param_type_name == "option" for w in _given(p)]
            args = [w for p in required if p is not left_out and p.param_type_name == "argument" for w in _given(p)]
            arguments = [p for p in required if p.param_type_name == "argument"]
            if left_out.param_type_name == "argument" and left_out is not arguments[-1]:
                continue  # a missing argument in the middle cannot be expressed; the last one can
            yield path, str(left_out.name), [*path, *args, *words]


def _no_value_cases() -> Iterator[tuple[tuple[str, ...], str, list[str]]]:
    """(command, option, argv) with an option that takes a value given last, without one."""
    for path, command in COMMANDS.items():
        option = next((p for p in command.params if _takes_value(p)), None)
        if option is not None:
            yield path, str(option.name), [*path, option.opts[0]]


def _one_error_line(capsys: pytest.CaptureFixture[str], path: tuple[str, ...]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err + captured.out
    line = lines[0]
    assert line.startswith("error: ")
    assert f"usage: gisplan {' '.join(path)}" in line
    assert f"'gisplan {' '.join(path)} --help'" in line
    return line


def test_every_command_is_enumerated() -> None:
    assert len(COMMANDS) >= 30
    assert ("users", "add") in COMMANDS
    assert ("score",) in COMMANDS


@pytest.mark.parametrize("path", list(COMMANDS), ids=" ".join)
def test_unknown_option_is_one_error_line_and_exit_2(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*path, "--no-such-option"]) == 2
    line = _one_error_line(capsys, path)
    assert "--no-such-option" in line


MISSING = list(_missing_cases())


@pytest.mark.parametrize(("path", "param", "argv"), MISSING, ids=[f"{' '.join(c[0])}-{c[1]}" for c in MISSING])
def test_missing_required_parameter_is_one_error_line_and_exit_2(
    path: tuple[str, ...], param: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    line = _one_error_line(capsys, path)
    assert "Missing" in line


NO_VALUE = list(_no_value_cases())


@pytest.mark.parametrize(("path", "option", "argv"), NO_VALUE, ids=[f"{' '.join(c[0])}-{c[1]}" for c in NO_VALUE])
def test_option_without_its_value_is_one_error_line_and_exit_2(
    path: tuple[str, ...], option: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    line = _one_error_line(capsys, path)
    assert "requires an argument" in line


def test_every_command_with_required_parameters_has_a_missing_case() -> None:
    covered = {case[0] for case in MISSING}
    assert covered == {path for path, command in COMMANDS.items() if any(p.required for p in command.params)}


def test_the_console_script_prints_one_line_and_exits_2() -> None:
    script = Path(sys.executable).with_name("gisplan")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "import sys; from gisplan.cli import main; sys.exit(main())"]
    )
    done = subprocess.run(
        [*command, "users", "add", "--no-such-option"], check=False, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: No such option: --no-such-option (usage: gisplan users add [OPTIONS]")
    assert lines[0].endswith("see 'gisplan users add --help')")
    done = subprocess.run(
        [*command, "score", "--profile", "ground_pv"], check=False, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("error: Missing option")
