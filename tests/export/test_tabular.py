"""CSV and XLSX exports: no formula injection, numbers stay numbers, the register variants read back."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import openpyxl
import pytest

from gisplan.errors import InputError
from gisplan.export import load_snapshot, neutralise, write_csv, write_xlsx
from gisplan.export._tabular import CZ_COLUMNS, FORMULA_TRIGGERS, UK_BLR_COLUMNS
from gisplan.sources import read
from gisplan.store import Store
from tests.export.conftest import HOSTILE_NAME, HOSTILE_NOTE, HOSTILE_NOTES, ExportWorld


@pytest.fixture
def snap(filled: tuple[Store, ExportWorld]) -> object:
    store, ew = filled
    return load_snapshot(store, ew.world.planner, ew.shortlist)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", HOSTILE_NAME])
def test_neutralise_prefixes_formula_text(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Děčany", "a=b", " =1", "", -3.5, 7, None, True])
def test_neutralise_leaves_other_values(value: object) -> None:
    assert neutralise(value) == value


def _all_text_cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell]


def test_csv_has_no_cell_a_spreadsheet_would_run(snap: object, tmp_path: Path) -> None:
    path = write_csv(snap, tmp_path / "sites.csv")  # type: ignore[arg-type]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    cells = _all_text_cells(body)
    dangerous = [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    # negative numbers are numbers, not text: the only cells starting with '-' are numbers
    assert all(_is_number(c) for c in dangerous), dangerous
    by_id = {row[header.index("site_id")]: dict(zip(header, row, strict=True)) for row in body}
    assert by_id["t:out"]["name"] == "'" + HOSTILE_NAME
    assert by_id["t:out"]["note"] == "'" + HOSTILE_NOTE
    assert by_id["t:mas"]["pts_exclusion"] == "-55.0"  # a number keeps its sign
    assert by_id["t:in"]["name"] == "Bývalý důl Jan"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_xlsx_has_no_formula_and_neutralised_text(snap: object, tmp_path: Path) -> None:
    path = write_xlsx(snap, tmp_path / "sites.xlsx")  # type: ignore[arg-type]
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in archive.read(name), name  # no formula anywhere
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Přehled",  # the overview in the GISPLAN_LANG language (Czech by default)
        "sites",
        "annotations",
        "community_links",
        "funding_links",
        "communities",
        "funding_calls",
        "data_dictionary",
        "data_sources",
        "metadata",
    ]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_TRIGGERS), (sheet.title, cell.coordinate, cell.value)
    notes = [row[3] for row in book["annotations"].iter_rows(min_row=2, values_only=True)]
    for text in HOSTILE_NOTES:
        assert "'" + text.replace("\r", "\n") in notes  # XML reads a bare CR back as LF
    sites = book["sites"]
    header = [c.value for c in sites[1]]
    values = {row[header.index("site_id")]: row for row in sites.iter_rows(min_row=2, values_only=True)}
    assert values["t:out"][header.index("name")] == "'" + HOSTILE_NAME
    assert values["t:in"][header.index("score")] == 72.5
    assert values["t:mas"][header.index("pts_exclusion")] == -55.0


def test_uk_blr_csv_reads_back_as_a_register(snap: object, tmp_path: Path) -> None:
    path = write_csv(snap, tmp_path / "uk.csv", variant="uk-blr")  # type: ignore[arg-type]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == UK_BLR_COLUMNS
    sites = read(path)
    assert len(sites) == 4
    assert set(sites["site"]) == {"t:in", "t:out", "t:mas", "uk:1"}
    row = sites.set_index("site").loc["uk:1"]
    assert row["hectares"] == pytest.approx(51.7)
    assert row["ownership"] == "not owned by a public authority"
    assert sites.set_index("site").loc["t:in", "ownership"] == "owned by a public authority"


@pytest.mark.shared_data
def test_uk_blr_columns_are_those_of_real_registers(shared_data: Path) -> None:
    real = shared_data / "brownfields" / "uk_blr_local-authority-eng-dnc.csv"
    with real.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == UK_BLR_COLUMNS


def test_cz_brownfields_csv_reads_back_with_czech_values(snap: object, tmp_path: Path) -> None:
    path = write_csv(snap, tmp_path / "cz.csv", variant="cz-brownfields")  # type: ignore[arg-type]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == CZ_COLUMNS
    sites = read(path)
    assert sites.crs == "EPSG:5514"
    by_id = sites.set_index("kod")
    assert len(sites) == 4
    assert by_id.loc["t:in", "puvodni_vyuziti"] == "tezba"
    assert by_id.loc["t:in", "previous_use"] == "mining"
    assert by_id.loc["t:in", "vlastnictvi"] == "obec"
    assert by_id.loc["t:out", "name"] == "'" + HOSTILE_NAME  # neutralised in the file, read back as text
    assert float(by_id.loc["t:in", "area_m2"]) == pytest.approx(10_000.0)
    geom = sites.set_index("kod").geometry["t:in"]
    assert geom.bounds == pytest.approx((-770_000.0, -990_000.0, -769_900.0, -989_900.0))


def test_unknown_variant_and_wrong_suffix_are_refused(snap: object, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="uk-blr"):
        write_csv(snap, tmp_path / "a.csv", variant="shapefile")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"\.xlsx"):
        write_xlsx(snap, tmp_path / "a.csv")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="does not exist"):
        write_csv(snap, tmp_path / "missing" / "a.csv")  # type: ignore[arg-type]


@pytest.mark.parametrize(("lang", "sheet"), [("cs", "Přehled"), ("en", "Overview"), ("da", "Oversigt")])
def test_xlsx_overview_reads_in_the_language_with_units_and_no_codes(
    snap: object, tmp_path: Path, lang: str, sheet: str
) -> None:
    from gisplan.export._dossier_labels import labels as dossier_labels

    path = write_xlsx(snap, tmp_path / "sites.xlsx", lang=lang)  # type: ignore[arg-type]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == sheet
    rows = list(book[sheet].iter_rows(values_only=True))
    header, body = list(rows[0]), rows[1:]
    labels = dossier_labels(lang)
    assert header[:5] == [labels[k] for k in ("rank", "site", "municipality", "kind", "status")]
    assert labels["capacity_kwp"] in header and "[kWp]" in labels["capacity_kwp"]
    ranks = [row[0] for row in body if row[0] is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1
    kinds, statuses = {row[3] for row in body}, {row[4] for row in body}
    assert kinds and kinds <= {v for k, v in labels.items() if k.startswith("kind.")}, kinds
    assert statuses and statuses <= {v for k, v in labels.items() if k.startswith("status.")}, statuses
    if lang == "cs":  # the words, never the codes (the codes are English words)
        assert not kinds & {"rooftop", "municipal_land"} and not statuses & {"new", "screening"}
    names = [row[1] for row in body]
    assert "'" + HOSTILE_NAME in names and "Bývalý důl Jan" in names  # neutralised text, site names not ids
    for column in (labels["score_100"], labels["energy_mwh_yr"], labels["co2_t_yr"]):
        for value in (row[header.index(column)] for row in body):
            assert value is None or round(value, 1) == value, (column, value)
    for value in (row[header.index(labels["capacity_kwp"])] for row in body):
        assert value is None or float(value).is_integer(), value
