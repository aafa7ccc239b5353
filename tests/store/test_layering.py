"""The store is persistence only: importing it loads no workflow, intake, scoring or service module.

The import contracts in ``pyproject.toml`` (import-linter, run by ``dev.py test``) forbid
such imports in the source; this checks what a fresh interpreter actually loads.
"""

from __future__ import annotations

import json
import subprocess
import sys

ABOVE_THE_STORE = (
    "gisplan.workflows",
    "gisplan.intake",
    "gisplan.scoring",
    "gisplan.measures",
    "gisplan.profiles",
    "gisplan.measurements",
    "gisplan.sources",
    "gisplan.export",
    "gisplan.funding",
    "gisplan.app",
    "gisplan.cli",
)


def _loaded_after(statement: str) -> list[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


def test_importing_the_store_loads_nothing_above_it() -> None:
    loaded = _loaded_after("import gisplan.store, gisplan.store.queries, gisplan.store.bulk, gisplan.store.prefs")
    assert "gisplan.store.models" in loaded  # the check sees what was imported
    above = [m for m in loaded if m.startswith(ABOVE_THE_STORE)]
    assert above == []


def test_the_workflows_do_load_intake_and_scoring() -> None:
    """The other side of the check: the accept path scores, so it needs the scoring core and the intake."""
    loaded = _loaded_after("import gisplan.workflows.moderation, gisplan.workflows.site_scoring as s; s.score_rows")
    assert "gisplan.workflows.moderation" in loaded
