"""``gisplan submit`` with the preview on, fuzzed (issue 11, acceptance).

Each generated file goes through the CLI in-process. Whatever happens, no traceback:
the command stores its sites (exit 0) or prints one ``error:`` line (exit 1), and a
refused file stores nothing (rows counted before and after). With the store part
(:mod:`tests.store.test_submission_fuzz`, :data:`~tests.store.test_submission_fuzz.STORE_EXAMPLES`
per backend) the fuzzing sends more than 1,000 inputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gisplan.cli import main
from gisplan.store import open_store
from tests.intake.fuzzing import CODE, fuzz_region, uploads

__all__ = ["fuzz_region"]  # the fixture, used by name

#: Files sent through the CLI; each is parsed in a child process (about 0.5-1 s with the preview).
CLI_EXAMPLES = 60


# ----------------------------------------------------------------------------- the CLI
def _stored(db: Path) -> int:
    store = open_store(f"sqlite:///{db}")
    try:
        return len(store.submissions())
    finally:
        store.close()


@settings(
    max_examples=CLI_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(upload=uploads(), repairs=st.booleans())
def test_gisplan_submit_never_crashes(
    fuzz_region: tuple[Path, Path], capsys: pytest.CaptureFixture[str], upload: tuple[str, bytes], repairs: bool
) -> None:
    root, db = fuzz_region
    name, data = upload
    path = root / name
    path.write_bytes(data)
    before = _stored(db)
    argv = ["submit", str(path), "--municipality", CODE, "--as", "obec", "--url", f"sqlite:///{db}", "--preview"]
    code = main([*argv, "--accept-repairs"] if repairs else argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    after = _stored(db)
    if code == 0:
        assert "stored:" in out
        assert after > before
    else:
        assert code == 1, err
        assert err.startswith("error: "), err
        assert after == before, f"refused ({err.strip()}) but {after - before} rows stored"
