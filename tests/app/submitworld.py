"""A store and region for the AppTest tests of the Submit, My submissions and Moderation pages.

The tiny region of ``tests/app/conftest.py`` (two square municipalities near
Bílina, EPSG:5514) plus the project's scoring profiles; a SQLite store with an
admin, an animator of Ústecký kraj, the municipality user ``obec`` of Horní Ves
(567001) and ``obec2`` of Dolní Ves (567002), and both municipalities as
communities of CZ042.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import shapely
from streamlit.testing.v1 import AppTest

from gisplan.app import auth
from gisplan.crs import transformer
from gisplan.store import SYSTEM, Scope, Store, open_store
from tests.app.conftest import X0, Y0
from tests.conftest import ROOT

HORNI, DOLNI = "567001", "567002"
#: A profile the tiny region can score (its only context layer is a power line); the project's
#: profiles need layers the tiny region lacks, and show as "not scored".
TINY_PROFILE = """
name: tiny_lines
version: "1"
title: {cs: Blízko vedení, en: Close to the line}
site_kinds: [brownfield, municipal_land]
measures:
  - {type: proximity, layer: lines, name: line, radius_m: 5000}
criteria:
  - {column: dist_line_m, weight: 1, ramp: {bad: 2000, good: 0}}
  - {column: area_m2, weight: 1, ramp: {bad: 0, good: 40000}}
"""
REGION = "CZ042"


@dataclass
class SubmitWorld:
    """The store and the ids of its users."""

    store: Store
    users: dict[str, int]


@pytest.fixture(name="submit_world")
def submit_world_fixture(
    tiny_region: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SubmitWorld]:
    """A store with users and municipalities, and settings pointing at the tiny region with profiles."""
    tiny_layers, data = tiny_region
    layers = tmp_path / "layers"
    shutil.copytree(tiny_layers, layers)
    shutil.copytree(ROOT / "layers" / "profiles", layers / "profiles")
    (layers / "profiles" / "tiny_lines.yaml").write_text(TINY_PROFILE, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    for name, value in {
        "GISPLAN_DATABASE_URL": url,
        "GISPLAN_LAYERS_DIR": str(layers),
        "GISPLAN_DATA_DIR": str(data),
        "GISPLAN_OFFLINE": "1",
        "GISPLAN_BASEMAP": "none",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GISPLAN_LANG", raising=False)
    monkeypatch.delenv("GISPLAN_WORKING_CRS", raising=False)
    store = open_store(url)
    store.add_community(SYSTEM, "municipality", "Horní Ves", code=HORNI, region_code=REGION)
    store.add_community(SYSTEM, "municipality", "Dolní Ves", code=DOLNI, region_code=REGION)
    users = {
        "admin": store.add_user(SYSTEM, "admin", "admin").id,
        "animator": store.add_user(SYSTEM, "animator", "animator", scope=Scope.parse([f"region:{REGION}"])).id,
        "animator_far": store.add_user(SYSTEM, "animator_far", "animator", scope=Scope.parse(["region:CZ080"])).id,
        "obec": store.add_user(SYSTEM, "obec", "municipality", scope=Scope.parse([f"municipality:{HORNI}"])).id,
        "obec2": store.add_user(SYSTEM, "obec2", "municipality", scope=Scope.parse([f"municipality:{DOLNI}"])).id,
    }
    auth._open.clear()
    yield SubmitWorld(store, users)
    auth._open.clear()
    store.close()


def _page(module: str) -> None:
    import importlib

    importlib.import_module(module).render()


def app(module: str, user_id: int | None, *, lang: str = "cs") -> AppTest:
    """An AppTest of one page, logged in as ``user_id`` (not run yet)."""
    at = AppTest.from_function(_page, args=(module,), default_timeout=60)
    if user_id is not None:
        at.session_state[auth.USER_KEY] = user_id
        at.session_state[auth.METHOD_KEY] = "local"
    at.session_state["lang"] = lang
    return at


def square_feature(x: float, y: float, half: float = 100.0) -> dict[str, Any]:
    """A drawn polygon (Leaflet.draw GeoJSON, lon/lat) of a square around S-JTSK (x, y) [m]."""
    to_lonlat = transformer("EPSG:5514", "EPSG:4326")
    ring = [
        to_lonlat.transform(cx, cy) for cx, cy in shapely.box(x - half, y - half, x + half, y + half).exterior.coords
    ]
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [[[float(a), float(b)] for a, b in ring]]},
    }


INSIDE_HORNI = (X0 + 600.0, Y0 + 600.0)
INSIDE_DOLNI = (X0 + 3000.0, Y0 + 1500.0)


def drawing(*features: dict[str, Any]) -> Any:
    """Patch ``st_folium`` so the map returns these drawings (AppTest cannot run the map)."""
    value = {"all_drawings": list(features), "last_active_drawing": features[-1] if features else None}
    return mock.patch("streamlit_folium.st_folium", return_value=value)


def texts(at: AppTest) -> str:
    """Every text the page shows."""
    parts = [*at.title, *at.subheader, *at.markdown, *at.caption, *at.warning, *at.info, *at.error, *at.success]
    return "\n".join(str(p.value) for p in parts).replace("\\", "")


def button(at: AppTest, label: str) -> Any:
    """The button with this label."""
    for b in at.button:
        if b.label == label:
            return b
    msg = f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    raise AssertionError(msg)


def fill_form(at: AppTest, prefix: str = "subf", *, name: str = "Bývalá pila") -> None:
    """Fill every required field of the submission form."""
    at.text_input(key=f"{prefix}_name").input(name)
    at.text_area(key=f"{prefix}_location").input("Za nádražím, Horní Ves")
    at.text_input(key=f"{prefix}_parcel_numbers").input("123/4, st. 45")
    at.selectbox(key=f"{prefix}_previous_use").set_value("industrial")
    at.selectbox(key=f"{prefix}_ownership").set_value("municipal")
    at.selectbox(key=f"{prefix}_contamination").set_value("suspected")
    at.multiselect(key=f"{prefix}_intended_use").set_value(["pv", "community_energy"])
    at.radio(key=f"{prefix}_consent").set_value("yes")
    at.text_input(key=f"{prefix}_contact_name").input("Jana Nováková")
    at.text_input(key=f"{prefix}_contact_email").input("starostka@hornives.cz")


def errors(at: AppTest) -> str:
    """Every error message, markdown escapes removed."""
    return "\n".join(str(e.value) for e in at.error).replace("\\", "")
