"""From an empty folder to a scored store with real public files, by README's commands only (issue 13).

The shell block under README's "Using your own region's data" runs as it stands,
with ``SHARED`` (the public files) and ``REGION`` (the new folder) set by the test.
Then: Děčany is stored with its okres and kraj, every site carries the kraj code,
an animator of Ústecký kraj may write on its sites and one of another kraj may
not, a second load adds nothing and keeps a note; and a file written by
``gisplan read`` scores exactly as its source.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.shared_data

DECANY = "564729"
VFR = "OB_564729_UKSH_20140331_Decany.xml.gz"
#: Tables a second load must leave as they are (the audit log grows by the load's own entries).
KEPT = ("sites", "site_scores", "annotations", "communities", "users")


def readme_block() -> str:
    """The first ``sh`` block of README's "Using your own region's data"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Using your own region's data", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert found, "README's 'Using your own region's data' has no ```sh block"
    return found.group(1)


def run_shell(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["/bin/bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def region(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The README block run once: the region folder and the environment it exported."""
    folder = tmp_path_factory.mktemp("region") / "my-region"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GISPLAN_")}
    env |= {
        "SHARED": str(shared_data),
        "REGION": str(folder),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    }
    result = run_shell(readme_block(), env)
    assert "ok: 4 layers" in result.stdout
    assert "rooftop_pv: scored 298 sites" in result.stdout
    assert "ground_pv: skipped, no candidate layer" in result.stdout
    env |= {
        "GISPLAN_DATA_DIR": str(folder / "data"),
        "GISPLAN_LAYERS_DIR": str(folder / "layers"),
        "GISPLAN_DATABASE_URL": f"sqlite:///{folder / 'gisplan.sqlite'}",
    }
    return folder, env


def test_readme_path_gives_a_scored_store_with_territories_and_scoped_roles(
    region: tuple[Path, dict[str, str]],
) -> None:
    from gisplan.errors import PermissionDeniedError
    from gisplan.store import SYSTEM, Scope, open_store

    _, env = region
    with open_store(env["GISPLAN_DATABASE_URL"]) as store:
        decany = next(c for c in store.communities("municipality") if c.code == DECANY)
        assert decany.name == "Děčany"
        assert decany.region_code == "CZ042"
        assert decany.attributes["okres_code"] == "3506"
        assert decany.attributes["okres_lau"] == "CZ0423"
        assert decany.population == 394  # from the national list, loaded after RÚIAN (which has none)
        assert decany.attributes["boundary"]["type"] in {"Polygon", "MultiPolygon"}
        assert len(store.communities("municipality")) == 105  # okres Litoměřice
        mas = next(c for c in store.communities("mas") if c.code == "EXAMPLE")
        assert sorted(m.municipality_code or "" for m in store.community_members(mas.id)) == ["530506", DECANY]
        assert mas.region_code == "CZ042"
        assert mas.attributes["boundary"]["type"] in {"Polygon", "MultiPolygon"}

        sites = store.list_sites()
        assert len(sites) == 298
        assert {s.region_code for s in sites} == {"CZ042"}
        site = next(s for s in sites if s.municipality_code == DECANY)
        assert {sc.profile for sc in store.site_scores(site.id)} == {"rooftop_pv", "community_energy"}

        animator = store.user("animator").id
        note = store.transaction(animator, lambda tx: tx.add_annotation(site.id, "school roof, ask the mayor"))
        assert note.id
        store.add_user(SYSTEM, "moravskoslezsky", "animator", scope=Scope.parse(["region:CZ080"]))
        elsewhere = store.user("moravskoslezsky").id
        with pytest.raises(PermissionDeniedError, match="outside the scope"):
            store.transaction(elsewhere, lambda tx: tx.add_annotation(site.id, "not mine"))
        before = {k: v for k, v in store.counts().items() if k in KEPT}

    again = run_shell("gisplan region load --no-progress", env)
    assert "rooftop_pv: scored 298 sites" in again.stdout
    assert "0 new, 0 updated, 298 unchanged" in again.stdout
    with open_store(env["GISPLAN_DATABASE_URL"]) as store:
        assert len(store.list_sites()) == 298
        assert [a.text for a in store.annotations(site.id)] == ["school roof, ask the mayor"]
        assert {k: v for k, v in store.counts().items() if k in KEPT} == before


@pytest.mark.parametrize(
    ("profile", "layer", "kind"),
    [("rooftop_pv", "stavebni_objekty", None), ("ground_pv", "parcely", "municipal_land")],
)
def test_read_then_score_equals_direct_score(
    region: tuple[Path, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    profile: str,
    layer: str,
    kind: str | None,
) -> None:
    from gisplan.cli import main

    folder, env = region
    for key in ("GISPLAN_DATA_DIR", "GISPLAN_LAYERS_DIR", "GISPLAN_DATABASE_URL"):
        monkeypatch.setenv(key, env[key])
    source = str(folder / "data" / VFR)
    as_kind = ["--kind", kind] if kind else []
    direct, via_file, sites = tmp_path / "direct.gpkg", tmp_path / "via.gpkg", tmp_path / "sites.gpkg"
    args = ["score", "-p", profile, "--no-progress"]
    assert main([*args, "--sites", source, "--sites-layer", layer, *as_kind, "-o", str(direct)]) == 0
    assert main(["read", source, "--layer", layer, *as_kind, "--out", str(sites)]) == 0
    assert main([*args, "--sites", str(sites), "-o", str(via_file)]) == 0

    one = pyogrio.read_dataframe(direct, layer="sites").set_index("site_id").sort_index()
    two = pyogrio.read_dataframe(via_file, layer="sites").set_index("site_id").sort_index()
    assert len(one) in {298, 3172}
    assert one.index.str.startswith("ruian:").all()
    assert list(one.index) == list(two.index)
    assert (one["kind"] == two["kind"]).all()
    assert (one["source_id"] == two["source_id"]).all()
    assert int((~one["excluded"]).sum()) == int((~two["excluded"]).sum()) > 0
    assert one["capacity_kwp"].where(~one["excluded"], 0).sum() == pytest.approx(
        two["capacity_kwp"].where(~two["excluded"], 0).sum(), rel=1e-9
    )
    assert (one["score"] - two["score"]).abs().max() < 1e-9
    assert (one["exclusion_reasons"] == two["exclusion_reasons"]).all()
