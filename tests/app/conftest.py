"""A tiny region built in code: catalogue YAML plus GeoPackages in EPSG:5514.

Two municipalities side by side, brownfields (one with hostile names), municipal
land, 60 rooftops, a power line and a substation. Small enough that the app runs
on it in about a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pytest
import shapely
import yaml

if TYPE_CHECKING:
    from gisplan.store import Store

CRS = "EPSG:5514"
X0, Y0 = -782_000.0, -992_000.0  # near Bílina, Ústecký kraj
HOSTILE_NAMES = (
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "C:\\users\\new [link](javascript:alert(1))",
)


def _write(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_file(path, layer=layer, driver="GPKG")


def build_tiny_region(root: Path) -> tuple[Path, Path]:
    """Write the region under ``root``; return (layers_dir, data_dir)."""
    data = root / "data"
    layers = root / "layers"
    layers.mkdir(parents=True, exist_ok=True)
    demo = data / "tiny"
    obce = gpd.GeoDataFrame(
        {"kod": ["567001", "567002"], "nazev": ["Horní Ves", "Dolní Ves"]},
        geometry=[shapely.box(X0, Y0, X0 + 2000, Y0 + 2000), shapely.box(X0 + 2000, Y0, X0 + 4000, Y0 + 2000)],
        crs=CRS,
    )
    _write(obce, demo / "obce.gpkg", "obce")
    brownfields = gpd.GeoDataFrame(
        {
            "kod": ["BF1", "BF2", "BF3", "BF4"],
            "nazev": ["Bývalý důl Jan", *HOSTILE_NAMES],
            "puvodni_vyuziti": ["tezba", "prumysl", "prumysl", "armada"],
        },
        geometry=[
            shapely.box(X0 + 100, Y0 + 100, X0 + 400, Y0 + 300),
            shapely.box(X0 + 600, Y0 + 100, X0 + 800, Y0 + 250),
            shapely.box(X0 + 2200, Y0 + 100, X0 + 2500, Y0 + 400),
            shapely.box(X0 + 2600, Y0 + 1200, X0 + 2700, Y0 + 1300),
        ],
        crs=CRS,
    )
    _write(brownfields, demo / "brownfields.gpkg", "brownfields")
    municipal = gpd.GeoDataFrame(
        {"kod": ["P1", "P2"], "nazev": ["Obecní louka", "Pozemek u hřiště"]},
        geometry=[
            shapely.box(X0 + 1000, Y0 + 1000, X0 + 1300, Y0 + 1200),
            shapely.box(X0 + 3000, Y0 + 600, X0 + 3100, Y0 + 700),
        ],
        crs=CRS,
    )
    _write(municipal, demo / "municipal.gpkg", "municipal_land")
    roofs = []
    for i in range(60):
        x = X0 + 150 + (i % 10) * 180
        y = Y0 + 1500 + (i // 10) * 60
        roofs.append(shapely.box(x, y, x + 10 + i, y + 12))
    rooftops = gpd.GeoDataFrame(
        {"kod": [f"B{i}" for i in range(60)], "nazev": [f"Budova {i}" for i in range(60)]}, geometry=roofs, crs=CRS
    )
    _write(rooftops, demo / "buildings.gpkg", "buildings")
    lines = gpd.GeoDataFrame(
        {"kod": ["V1"], "nazev": ["Vedení 110 kV"]},
        geometry=[shapely.LineString([(X0, Y0 + 900), (X0 + 4000, Y0 + 950)])],
        crs=CRS,
    )
    _write(lines, demo / "grid.gpkg", "lines")
    catalogue = {
        "layers": [
            _layer("tiny_obce", "Obce", "Municipalities", "admin", None, "tiny/obce.gpkg", "obce"),
            _layer("tiny_lines", "Vedení", "Power lines", "context", None, "tiny/grid.gpkg", "lines"),
            _layer(
                "tiny_brownfields",
                "Brownfieldy",
                "Brownfields",
                "candidate",
                "brownfield",
                "tiny/brownfields.gpkg",
                "brownfields",
            ),
            _layer(
                "tiny_municipal",
                "Obecní pozemky",
                "Municipal land",
                "candidate",
                "municipal_land",
                "tiny/municipal.gpkg",
                "municipal_land",
            ),
            _layer("tiny_rooftops", "Střechy", "Rooftops", "candidate", "rooftop", "tiny/buildings.gpkg", "buildings"),
        ]
    }
    (layers / "tiny.yaml").write_text(yaml.safe_dump(catalogue, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return layers, data


def _layer(
    layer_id: str, cs: str, en: str, role: str, site_kind: str | None, path: str, name: str
) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": layer_id,
        "title": {"cs": cs, "en": en},
        "kind": "vector",
        "role": role,
        "source": {"type": "file", "path": path, "layer": name, "columns": {"name": "nazev", "source_id": "kod"}},
        "licence": "Synthetic test data, CC0 1.0",
    }
    if site_kind:
        entry["site_kind"] = site_kind
    return entry


@pytest.fixture(autouse=True)
def _no_warmup(monkeypatch: pytest.MonkeyPatch) -> None:
    """No background warm-up thread in AppTest runs (``test_warmup.py`` calls it directly)."""
    monkeypatch.setenv("GISPLAN_WARMUP", "0")


@pytest.fixture(scope="session")
def tiny_region(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(layers_dir, data_dir) of the tiny region, built once per test session."""
    return build_tiny_region(tmp_path_factory.mktemp("tiny_region"))


@pytest.fixture
def tiny_env(tiny_region: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Point GISPLAN_LAYERS_DIR / GISPLAN_DATA_DIR at the tiny region, offline, no basemap."""
    layers, data = tiny_region
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(layers))
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("GISPLAN_BASEMAP", "none")
    monkeypatch.setenv("GISPLAN_OFFLINE", "1")
    monkeypatch.delenv("GISPLAN_WORKING_CRS", raising=False)
    monkeypatch.delenv("GISPLAN_LANG", raising=False)
    return tiny_region


@pytest.fixture(scope="session")
def app_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store with the users, communities, calls and scored sites of ``tests/app/appstore.py``."""
    from tests.app.appstore import build

    return build(tmp_path_factory.mktemp("app_store") / "template.sqlite")


@pytest.fixture
def app_store(
    tiny_env: tuple[Path, Path], app_store_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    """A fresh copy of the app store, set as GISPLAN_DATABASE_URL (on top of ``tiny_env``).

    The layers folder becomes a copy of the tiny region's with the project's scoring
    profiles beside it, so the site card finds profile titles and criterion labels.
    """
    import shutil

    from gisplan.store import open_store
    from tests.app.appstore import copy_of
    from tests.conftest import ROOT

    layers = tmp_path / "layers"
    shutil.copytree(tiny_env[0], layers)
    shutil.copytree(ROOT / "layers" / "profiles", layers / "profiles")
    monkeypatch.setenv("GISPLAN_LAYERS_DIR", str(layers))
    url = copy_of(app_store_template, tmp_path)
    monkeypatch.setenv("GISPLAN_DATABASE_URL", url)
    store = open_store(url)
    yield store
    store.close()
