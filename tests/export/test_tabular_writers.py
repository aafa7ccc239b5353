"""Every tabular writer in gisplan goes through the one neutraliser (issue 11, point 3, the class).

The test reads the source of ``gisplan/`` and ``streamlit_app.py`` with ``ast``
and finds every call that writes a table a spreadsheet may open: pandas
``to_csv``/``to_excel``/``ExcelWriter``, ``csv.writer``/``csv.DictWriter``,
openpyxl's ``Workbook`` and Streamlit's ``download_button``. Each must be in
:data:`WRITERS` (a new writer fails the test until it is listed), and each
listed writer, unless exempt with a reason, must reach
:func:`gisplan.export.spreadsheet.neutralise` through the functions it calls
(a call graph by name over the whole package).

Dossier tables are HTML/PDF (escaped with ``html.escape``), not files a
spreadsheet opens, so they have no writer here. Streamlit's own dataframe
toolbar download is switched off app-wide (``client.disableDataExport``) and
replaced by the audited download of :func:`gisplan.app.tables.show_table`,
tested in ``tests/app/test_tables.py``.
"""

from __future__ import annotations

import ast
import csv
import io
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from gisplan.export.spreadsheet import FORMULA_TRIGGERS, neutralise, table_csv_bytes, tables_xlsx_bytes
from tests.conftest import ROOT

#: Names of calls that write a table (the last part of a dotted call).
WRITER_CALLS = frozenset({"to_csv", "to_excel", "ExcelWriter", "writer", "DictWriter", "Workbook", "download_button"})
#: (file, enclosing function, call) -> why it is safe. "neutralised": it must reach neutralise().
WRITERS: dict[tuple[str, str, str], str] = {
    ("gisplan/export/spreadsheet.py", "write_table_csv", "writer"): "neutralised",
    ("gisplan/export/spreadsheet.py", "write_tables_xlsx", "Workbook"): "neutralised",
    ("gisplan/app/pages/export_page.py", "_download", "download_button"): "neutralised",
    ("gisplan/app/pages/communities_page.py", "_secap_section", "download_button"): "neutralised",
    ("gisplan/app/tables.py", "_download", "download_button"): "neutralised",
    ("gisplan/app/pages/results_page.py", "_show", "to_csv"): "neutralised",
    ("gisplan/app/pages/results_page.py", "_show", "download_button"): "neutralised",
    ("gisplan/app/pages/proposals_page.py", "render", "download_button"): "neutralised",
    ("gisplan/cli/participation.py", "export_command", "to_csv"): "neutralised",
    ("gisplan/demo/_output.py", "write_vectors", "writer"): (
        "exempt: the synthetic demo register, generated in code from a seed, written as input for"
        " 'gisplan read' (neutralising would change the data it reads back)"
    ),
}
NEUTRALISER = "neutralise"
NEUTRALISER_FILE = "gisplan/export/spreadsheet.py"


def _sources() -> list[Path]:
    return [*sorted((ROOT / "gisplan").rglob("*.py")), ROOT / "streamlit_app.py"]


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _is_writer(node: ast.Call, name: str) -> bool:
    if name == "writer" or name == "DictWriter":  # csv.writer / csv.DictWriter, not any .writer()
        return (
            isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "csv"
        )
    return name in WRITER_CALLS


Func = tuple[str, str]  # (file, top-level function); nested functions count as part of theirs


def _module_file(module: str) -> str | None:
    base = ROOT / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.relative_to(ROOT).as_posix()
    return None


class _Scan(ast.NodeVisitor):
    """Writer call sites, the names each top-level function refers to, and the module's imports."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.stack: list[str] = []
        self.sites: list[tuple[str, str, str]] = []
        self.refs: dict[str, set[tuple[str | None, str]]] = defaultdict(set)  # owner -> (module alias, name)
        self.calls: dict[str, set[str]] = defaultdict(set)  # owner -> local names it calls
        self.functions: set[str] = set()
        self.imported: dict[str, tuple[str, str]] = {}  # local name -> (module, name)
        self.modules: dict[str, str] = {}  # local alias -> module

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.stack:
            self.functions.add(node.name)
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = _function  # noqa: N815 - ast.NodeVisitor's method names
    visit_AsyncFunctionDef = _function  # noqa: N815

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            module = node.module or ""
            if _module_file(f"{module}.{alias.name}"):
                self.modules[alias.asname or alias.name] = f"{module}.{alias.name}"
            else:
                self.imported[alias.asname or alias.name] = (module, alias.name)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.modules[alias.asname] = alias.name

    def _owner(self) -> str:
        return self.stack[0] if self.stack else "<module>"

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        if name is not None and _is_writer(node, name):
            self.sites.append((self.rel, self._owner(), name))
        if isinstance(node.func, ast.Name):
            self.calls[self._owner()].add(node.func.id)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self.refs[self._owner()].add((None, node.id))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name):
            self.refs[self._owner()].add((node.value.id, node.attr))
        self.generic_visit(node)


def _scan_all() -> tuple[list[tuple[str, str, str]], dict[str, _Scan]]:
    sites: list[tuple[str, str, str]] = []
    scans: dict[str, _Scan] = {}
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        scan = _Scan(rel)
        scan.visit(ast.parse(path.read_text(encoding="utf-8"), filename=rel))
        sites += scan.sites
        scans[rel] = scan
    return sites, scans


SITES, SCANS = _scan_all()


def _resolve(rel: str | None, alias: str | None, name: str, depth: int = 0) -> Func | None:
    """The function ``alias.name`` (or bare ``name``) refers to in module ``rel``, following imports."""
    scan = SCANS.get(rel or "")
    if scan is None or rel is None or depth > 5:
        return None
    if alias is not None:
        module = scan.modules.get(alias)
        return _resolve(_module_file(module), None, name, depth + 1) if module else None
    if name in scan.functions:
        return (rel, name)
    if name in scan.imported:
        module, original = scan.imported[name]
        return _resolve(_module_file(module), None, original, depth + 1)
    return None


def _reaches(start: Func) -> bool:
    """True if ``start`` calls or hands on :func:`neutralise`, directly or through other functions."""
    seen: set[Func] = set()
    todo = [start]
    while todo:
        func = todo.pop()
        if func in seen:
            continue
        seen.add(func)
        if func == (NEUTRALISER_FILE, NEUTRALISER):
            return True
        rel, owner = func
        for alias, name in SCANS[rel].refs.get(owner, set()):
            found = _resolve(rel, alias, name)
            if found is not None:
                todo.append(found)
    return False


def _safe(func: Func) -> bool:
    """``func`` reaches the neutraliser, or it writes only what its callers (in its module, at least one) hand it."""
    if _reaches(func):
        return True
    rel, owner = func
    callers = [(rel, other) for other, called in SCANS[rel].calls.items() if owner in called and other != owner]
    return bool(callers) and all(_reaches(caller) for caller in callers)


def test_every_tabular_writer_is_listed() -> None:
    found = set(SITES)
    assert found - set(WRITERS) == set(), "a new tabular writer: route it through gisplan.export.spreadsheet, list it"
    assert set(WRITERS) - found == set(), "a listed writer is gone: remove it from WRITERS"


@pytest.mark.parametrize("site", [s for s, why in WRITERS.items() if why == "neutralised"], ids=":".join)
def test_every_listed_writer_reaches_the_neutraliser(site: tuple[str, str, str]) -> None:
    rel, owner, _ = site
    assert _safe((rel, owner)), f"{rel}:{owner} writes a table without going through neutralise()"


def test_the_graph_check_would_catch_a_raw_writer() -> None:
    """Guard: a function that writes with pandas directly does not reach the neutraliser."""
    source = (
        "from gisplan.export import write_geopackage\n\n"
        "def raw(frame, label, path):\n    frame.to_csv(path)\n    write_geopackage(label, path)\n"
    )
    scan = _Scan("x.py")
    scan.visit(ast.parse(source))
    SCANS["x.py"] = scan
    try:
        assert scan.sites == [("x.py", "raw", "to_csv")]
        assert not _safe(("x.py", "raw"))
        assert _safe(("gisplan/secap.py", "write_secap"))
    finally:
        del SCANS["x.py"]


def test_exempt_writers_say_why() -> None:
    for site, why in WRITERS.items():
        assert why == "neutralised" or (why.startswith("exempt: ") and len(why) > 40), site


def test_download_bytes_are_neutralised() -> None:
    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")', "-1+1", "ok"], "value": [-1.5, 2.0, None]})
    text = table_csv_bytes(frame).decode("utf-8-sig")
    back = list(csv.reader(io.StringIO(text)))
    assert back == [["name", "value"], ['\'=HYPERLINK("http://x","y")', "-1.5"], ["'-1+1", "2.0"], ["ok", ""]]
    assert tables_xlsx_bytes({"t": frame})[:2] == b"PK"
    assert all(neutralise(t) != t for t in ["=1", "+1", "-1", "@x", "\tx", "\rx"])
    assert len(FORMULA_TRIGGERS) == 6
