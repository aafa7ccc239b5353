"""Municipal land: which RÚIAN parcels the municipality owns, from its own list or a stated filter.

RÚIAN carries no owner (ownership is in the cadastre, ISKN), so a parcel is
municipal land only when the caller says so:

- an ownership list (CSV) of parcel numbers per cadastral area, as a
  municipality's property records list them (``katastralni_uzemi`` code or name
  and ``parcela`` ``st. 56`` / ``153/36``, or ``kmenove_cislo``, ``pododdeleni``
  and ``druh`` ``st``/``p``), or of RÚIAN parcel ids (``parcela_id``);
- or a ``where`` filter on RÚIAN attributes (druh pozemku, způsob využití), which
  is an assumption the caller makes and the report repeats.

Nothing is kept silently: :class:`MunicipalLand` says what was assumed, how many
parcels were kept and which listed numbers were not found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from gisplan.errors import InputError, Problem
from gisplan.sources._common import check_path, problems_error, snake_case
from gisplan.sources._ruian_codes import BUILDING_PLOT, LAND_PLOT, code_of

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.catalogue import Layer

#: Header names (snake_case, no diacritics) accepted for each field of an ownership list.
ID_COLUMNS = ("parcela_id", "id_parcely", "parcel_id", "ruian_id", "id")
AREA_COLUMNS = ("katastralni_uzemi", "kod_ku", "ku_kod", "ku", "k_u", "katastr", "cadastral_area")
NUMBER_COLUMNS = ("parcela", "cislo_parcely", "parcelni_cislo", "parc_c", "parcel_number", "cislo")
BASE_COLUMNS = ("kmenove_cislo", "kmen")
SUB_COLUMNS = ("pododdeleni", "poddeleni", "pododdeleni_cisla", "podlomeni")
KIND_COLUMNS = ("druh", "druh_cislovani", "druh_parcely", "typ")
_NUMBER_RE = re.compile(r"^(?:parc\.?\s*(?:č\.?|c\.?)\s*)?(st\.?\s*)?(\d+)(?:\s*/\s*(\d+))?$", re.IGNORECASE)
_BUILDING_WORDS = {"st", "st.", "stavebni", "1"}
_LAND_WORDS = {"", "p", "poz", "pozemkova", "2"}


def _plain(text: object) -> str:
    """Lower case without diacritics and outer spaces: ``Lukohořany`` -> ``lukohorany``."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return " ".join(folded.lower().split())


@dataclass(frozen=True)
class ListedParcel:
    """One row of an ownership list: a RÚIAN parcel id, or a number in an optional cadastral area."""

    row: int
    text: str
    parcel_id: int | None = None
    number: str | None = None  # "st. 56" or "153/36", as parcel_number writes it
    cadastral_area: str | None = None  # k. ú. code (6 digits) or name, as listed


@dataclass
class MunicipalLand:
    """Parcels kept as municipal land, and what the selection assumed and could not find.

    Attributes
    ----------
    sites
        The kept parcels, kind ``municipal_land``; ``ownership`` is ``municipal`` for parcels
        from an ownership list and missing (not recorded) for parcels kept by a filter.
    read
        Parcels read from the file (after ``where``).
    listed
        Rows of the ownership list (0 without one).
    assumed
        What was taken as given, in one sentence.
    not_found
        Listed parcels that are not in the file, each with the reason.
    """

    sites: gpd.GeoDataFrame
    read: int
    listed: int = 0
    assumed: str = ""
    not_found: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        """The lines a command prints: the assumption, the count kept, the numbers not found."""
        lines = [f"assumed: {self.assumed}"]
        of_list = f" of {self.listed} listed" if self.listed else ""
        lines.append(f"kept {len(self.sites)} of {self.read} parcels as municipal land{of_list}")
        if self.not_found:
            lines.append(f"not found ({len(self.not_found)}): " + "; ".join(self.not_found))
        return lines


def _column(header: Sequence[str], names: Sequence[str]) -> int | None:
    keys = [snake_case(_plain(h)) for h in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def _number_text(raw: str) -> str | None:
    match = _NUMBER_RE.match(raw.strip())
    if not match:
        return None
    building, base, sub = match.groups()
    text = f"{int(base)}/{int(sub)}" if sub else str(int(base))
    return f"st. {text}" if building else text


def _numbering(raw: str) -> int | None:
    word = _plain(raw)
    if word in _BUILDING_WORDS or word.startswith("stav"):
        return BUILDING_PLOT
    if word in _LAND_WORDS or word.startswith("poz"):
        return LAND_PLOT
    return None


def _parse_row(row: int, cells: dict[str, str], label: str, problems: list[Problem]) -> ListedParcel | None:
    text = " ".join(v for v in cells.values() if v)
    area = cells.get("area") or None
    if cells.get("id"):
        pid = code_of(cells["id"].removeprefix("PA."))
        if pid is None:
            problems.append(Problem(label, f"row {row}", f"parcel id {cells['id']!r} is not a RÚIAN parcel id"))
            return None
        return ListedParcel(row, text, parcel_id=pid, cadastral_area=area)
    if cells.get("number"):
        number = _number_text(cells["number"])
        if number is None:
            msg = f"parcel number {cells['number']!r} is not like 'st. 56', '153/36' or '153'"
            problems.append(Problem(label, f"row {row}", msg))
            return None
        return ListedParcel(row, text, number=number, cadastral_area=area)
    base, sub = code_of(cells.get("base")), cells.get("sub", "")
    numbering = _numbering(cells.get("kind", ""))
    if base is None or (sub and code_of(sub) is None) or numbering is None:
        msg = "needs kmenove_cislo (a number), optional pododdeleni (a number) and druh 'st' or 'p'"
        problems.append(Problem(label, f"row {row}", f"{text!r}: {msg}"))
        return None
    number = f"{base}/{code_of(sub)}" if sub else str(base)
    return ListedParcel(
        row, text, number=f"st. {number}" if numbering == BUILDING_PLOT else number, cadastral_area=area
    )


def read_owned_list(source: str | Path) -> list[ListedParcel]:
    """Read an ownership list (CSV, ``,`` or ``;`` separated, UTF-8).

    Columns (header names in Czech or English, case and diacritics ignored): ``parcela_id``
    (RÚIAN parcel id, ``1063405506`` or ``PA.1063405506``), or ``parcela`` (``st. 56``,
    ``153/36``; without ``st.`` a pozemková parcela), or ``kmenove_cislo`` with optional
    ``pododdeleni`` and ``druh`` (``st``/``p``); optionally ``katastralni_uzemi`` (code
    ``624896`` or name ``Děčany``). Other columns are ignored.

    Raises
    ------
    InvalidDataError
        Listing every row that names no parcel, and a header without a parcel column.
    """
    from gisplan.sources._csv import read_rows

    path = check_path(source)
    header, rows = read_rows(path)
    label = str(path)
    where = {
        "id": _column(header, ID_COLUMNS),
        "area": _column(header, AREA_COLUMNS),
        "number": _column(header, NUMBER_COLUMNS),
        "base": _column(header, BASE_COLUMNS),
        "sub": _column(header, SUB_COLUMNS),
        "kind": _column(header, KIND_COLUMNS),
    }
    if where["id"] is None and where["number"] is None and where["base"] is None:
        msg = (
            "no parcel column; name one 'parcela' (st. 56, 153/36), 'kmenove_cislo' (+ 'pododdeleni', 'druh') "
            f"or 'parcela_id', with an optional 'katastralni_uzemi'; the header is {header}"
        )
        raise problems_error(f"{label}: not an ownership list:", [Problem(label, "header", msg)])
    problems: list[Problem] = []
    listed = []
    for number, cells in enumerate(rows, start=2):
        values = {k: str(cells[i]).strip() if i is not None and i < len(cells) else "" for k, i in where.items()}
        if not any(values.values()):
            continue
        parsed = _parse_row(number, values, label, problems)
        if parsed is not None:
            listed.append(parsed)
    if problems:
        raise problems_error(f"{label}: {len(problems)} row(s) of the ownership list name no parcel:", problems)
    if not listed:
        msg = f"{label}: the ownership list has no rows; list one parcel per row"
        raise InputError(msg)
    return listed


def _areas_of(parcels: gpd.GeoDataFrame) -> dict[str, int]:
    """Cadastral area code and plain name -> code, for the areas of the file."""
    out: dict[str, int] = {}
    for code, name in zip(parcels["katastralni_uzemi_kod"], parcels["cadastral_area"], strict=True):
        number = code_of(code)
        if number is not None:
            out[str(number)] = number
            if isinstance(name, str):
                out[_plain(name)] = number
    return out


def select_owned(parcels: gpd.GeoDataFrame, listed: Sequence[ListedParcel], *, label: str) -> MunicipalLand:
    """Keep the parcels of ``listed`` (from :func:`read_ruian`, layer ``parcely``), as municipal land.

    A number without a cadastral area is found only when one area of the file has it; when
    several do, it is reported as ambiguous, never guessed.
    """
    areas = _areas_of(parcels)
    names = {
        code: str(name)
        for code, name in zip(parcels["katastralni_uzemi_kod"].map(code_of), parcels["cadastral_area"], strict=True)
        if code is not None and isinstance(name, str)
    }
    by_id = {code_of(v): i for i, v in zip(parcels.index, parcels["id"], strict=True)}
    by_number: dict[str, list[tuple[int, object]]] = {}
    for i, number, area in zip(parcels.index, parcels["parcel_number"], parcels["katastralni_uzemi_kod"], strict=True):
        by_number.setdefault(str(number), []).append((code_of(area) or -1, i))
    kept: dict[object, int] = {}
    not_found = []
    for entry in listed:
        index, why = _find(entry, by_id, by_number, areas, names)
        if index is None:
            not_found.append(f"row {entry.row} {entry.text!r} ({why})")
        else:
            kept.setdefault(index, entry.row)
    sites = parcels.loc[list(kept)].copy()
    sites["kind"] = pd.Series("municipal_land", index=sites.index, dtype=object)
    sites["ownership"] = "municipal"
    sites["ownership_source"] = [f"{label} row {row}" for row in kept.values()]
    return MunicipalLand(
        sites=sites.reset_index(drop=True),
        read=len(parcels),
        listed=len(listed),
        assumed=f"the parcels listed in {label} are owned by the municipality; no other parcel is",
        not_found=not_found,
    )


def _find(
    entry: ListedParcel,
    by_id: dict[int | None, object],
    by_number: dict[str, list[tuple[int, object]]],
    areas: dict[str, int],
    names: dict[int, str],
) -> tuple[object | None, str]:
    area = None
    if entry.cadastral_area:
        area = areas.get(entry.cadastral_area) or areas.get(_plain(entry.cadastral_area))
        if area is None:
            known = ", ".join(f"{names.get(c, '?')} ({c})" for c in sorted(set(areas.values())))
            return None, f"k. ú. {entry.cadastral_area!r} is not in the file, which has {known}"
    if entry.parcel_id is not None:
        return (by_id[entry.parcel_id], "") if entry.parcel_id in by_id else (None, "no parcel with this id")
    candidates = [(a, i) for a, i in by_number.get(entry.number or "", []) if area is None or a == area]
    if not candidates:
        where = f" in k. ú. {names.get(area, area)}" if area is not None else ""
        return None, f"no parcel {entry.number}{where}"
    if len(candidates) > 1:
        found = ", ".join(names.get(a, str(a)) for a, _ in candidates)
        return None, f"{entry.number} is in {len(candidates)} cadastral areas ({found}); add katastralni_uzemi"
    return candidates[0][1], ""


def keep_all(parcels: gpd.GeoDataFrame, *, where: str | None) -> MunicipalLand:
    """Every parcel (of ``where``) as municipal land, saying that this is an assumption."""
    sites = parcels.copy()
    sites["kind"] = pd.Series("municipal_land", index=sites.index, dtype=object)
    scope = f"every parcel matching {where!r}" if where else "every parcel of the file (forest and water included)"
    assumed = (
        f"{scope} is municipal land; ownership is not recorded (give the municipality's list with --owned, "
        "or owned: {path: …} in the catalogue, to keep only its parcels)"
    )
    return MunicipalLand(sites=sites, read=len(parcels), assumed=assumed)


def read_municipal_land(
    source: str | Path,
    *,
    owned: str | Path | None = None,
    where: str | None = None,
    working_crs: object | None = None,
) -> MunicipalLand:
    """Municipal land from the parcels of a RÚIAN VFR file.

    Parameters
    ----------
    source
        A RÚIAN exchange file (``.xml.gz``) with the ``Parcely`` layer.
    owned
        The municipality's ownership list (:func:`read_owned_list`); ``None`` keeps every
        parcel of ``where`` and says so.
    where
        OGR SQL filter on RÚIAN fields, e.g. ``"DruhPozemkuKod IN (13, 14)"`` (zastavěná and
        ostatní plocha) or ``"DruhPozemkuKod NOT IN (10, 11)"`` (no forest, no water).
    working_crs
        Metric CRS of the result; default EPSG:5514.

    Returns
    -------
    MunicipalLand
        The sites (kind ``municipal_land``), counts, the assumption and the listed parcels not found.

    Raises
    ------
    InputError
        When the file is no RÚIAN file, or none of the listed parcels is in it.
    """
    from gisplan.sources._ruian import is_vfr, read_ruian

    path = check_path(source)
    if not is_vfr(path):
        msg = f"{path}: municipal land from an ownership list needs a RÚIAN exchange file (.xml.gz, layer parcely)"
        raise InputError(msg)
    listed = read_owned_list(owned) if owned is not None else None
    parcels = read_ruian(path, layer="parcely", where=where, kind=None, default_kind=False, working_crs=working_crs)
    if listed is None:
        return keep_all(parcels, where=where)
    land = select_owned(parcels, listed, label=Path(str(owned)).name)
    if where:
        land.assumed += f"; only parcels matching {where!r} were looked at"
    if land.sites.empty:
        msg = f"none of the {len(listed)} parcels of {owned} is in {path}: " + "; ".join(land.not_found[:5])
        raise InputError(msg)
    return land


def read_owned_layer(layer: Layer, *, data_dir: Path, working_crs: object | None = None) -> MunicipalLand:
    """Municipal land of a catalogue layer with ``owned:`` (:class:`gisplan.catalogue.Owned`).

    The layer's ``source.where`` and ``owned.where`` both apply; ``owned.path`` is the
    ownership list, relative to ``data_dir``.
    """
    from gisplan.catalogue import FileSource

    src, owned = layer.source, layer.owned
    if not isinstance(src, FileSource) or owned is None:
        msg = f"layer {layer.id} declares no owned: section on a RÚIAN file source"
        raise InputError(msg)
    where = " AND ".join(f"({w})" for w in (src.where, owned.where) if w) or None
    listed = check_path(data_dir / owned.path) if owned.path else None
    return read_municipal_land(check_path(data_dir / src.path), owned=listed, where=where, working_crs=working_crs)


__all__ = [
    "ListedParcel",
    "MunicipalLand",
    "read_municipal_land",
    "read_owned_layer",
    "read_owned_list",
    "select_owned",
]
