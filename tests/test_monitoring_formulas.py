"""A hostile site name reaches the SECAP export as text, never as a formula (issue 11, point 3)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from gisplan.monitoring import secap_actions, write_secap
from gisplan.store import Store, open_store
from gisplan.store.models import Site
from tests.funding.pipeline_world import build_pipeline_world

HYPERLINK = '=HYPERLINK("http://x","y")'
HOSTILE = {"t:s1": HYPERLINK, "t:s2": "+1+cmd|' /C calc'!A0", "t:s6": "@SUM(1+1)*cmd|' /C calc'!A0"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    build_pipeline_world(opened)
    with Session(opened.engine) as session, session.begin():
        for site_id, name in HOSTILE.items():
            session.execute(update(Site).where(Site.id == site_id).values(name=name))
    yield opened
    opened.close()


def test_secap_csv_neutralises_formula_site_names(store: Store, tmp_path: Path) -> None:
    actions = secap_actions(store, "599101")
    assert set(actions["action_title"]) == set(HOSTILE.values())
    path = write_secap(actions, tmp_path / "secap.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    titles = {row["action_id"]: row["action_title"] for row in table}
    assert titles == {site_id: "'" + name for site_id, name in HOSTILE.items()}
    cells = [value for row in table for value in row.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    assert [float(row["renewable_production_mwh_yr"]) for row in table] == [100.0, 2100.0, 30.0]  # numbers stay numbers


def test_secap_xlsx_has_no_formula_cell(store: Store, tmp_path: Path) -> None:
    path = write_secap(secap_actions(store, "599101"), tmp_path / "secap.xlsx", note="=1+1")
    book = load_workbook(path)
    sheet = book["actions"]
    header = [c.value for c in sheet[1]]
    titles = [row[header.index("action_title")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["'" + HOSTILE[site_id] for site_id in ("t:s1", "t:s2", "t:s6")]
    for worksheet in book.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (worksheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), (worksheet.title, cell.coordinate)
    about = {row[0]: row[1] for row in book["about"].iter_rows(min_row=2, values_only=True)}
    assert about["note"] == "'=1+1"
    assert about["actions"] == 3
