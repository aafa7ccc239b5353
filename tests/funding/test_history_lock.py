"""Catalogue saves are atomic check-and-write under a lock and keep the file's mode (issue 11, point 5)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path

import pytest

from gisplan.errors import ConflictError
from gisplan.funding import content_hash, history, save_calls, to_yaml
from tests.funding.helpers import call_data

SAVERS = 6


def _edit(number: int) -> str:
    return to_yaml({"calls": [call_data(id="base_call"), call_data(id=f"edit_{number}")]})


def _save_in_process(path: str, number: int, expected: str, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    try:
        save_calls(_edit(number), author=f"user{number}", path=Path(path), expected_hash=expected)
    except ConflictError:
        os._exit(3)
    os._exit(0)


@pytest.fixture
def catalogue(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "funding_calls.yaml"
    text = to_yaml({"calls": [call_data(id="base_call")]})
    path.write_text(text, encoding="utf-8")
    return path, content_hash(text)


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_saves_from_one_version_let_exactly_one_through(catalogue: tuple[Path, str], round_: int) -> None:
    path, digest = catalogue
    barrier = threading.Barrier(SAVERS)
    outcomes: list[str] = []

    def save(number: int) -> None:
        barrier.wait()
        try:
            save_calls(_edit(number), author=f"user{number}", path=path, expected_hash=digest)
        except ConflictError:
            outcomes.append("conflict")
        else:
            outcomes.append(f"saved {number}")

    threads = [threading.Thread(target=save, args=(n,)) for n in range(SAVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [o for o in outcomes if o.startswith("saved")]
    assert len(saved) == 1, outcomes
    assert outcomes.count("conflict") == SAVERS - 1
    winner = int(saved[0].split()[1])
    assert path.read_text(encoding="utf-8") == _edit(winner)  # the reported save is the one on disk
    assert [v.author for v in history(path)] == [f"user{winner}"]


def test_concurrent_saves_in_separate_processes_let_exactly_one_through(catalogue: tuple[Path, str]) -> None:
    path, digest = catalogue
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_save_in_process, args=(str(path), n, digest, start)) for n in range(4)]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(timeout=60)
    codes = sorted(proc.exitcode or 0 for proc in procs)
    assert codes == [0, 3, 3, 3]
    assert len(history(path)) == 1


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o664])
def test_save_keeps_the_catalogue_file_mode(catalogue: tuple[Path, str], mode: int) -> None:
    path, digest = catalogue
    path.chmod(mode)
    save_calls(_edit(1), author="admin", path=path, expected_hash=digest)
    assert path.stat().st_mode & 0o777 == mode
    save_calls(_edit(2), author="admin", path=path)
    assert path.stat().st_mode & 0o777 == mode


def test_first_save_of_a_new_file_follows_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "new" / "funding_calls.yaml"
    old = os.umask(0o022)
    try:
        save_calls(_edit(1), author="admin", path=path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
