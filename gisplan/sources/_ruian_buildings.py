"""Names, addresses and uses of RÚIAN buildings (``StavebniObjekty``) from the rest of the VFR file.

A mayor looks for "the school in Semeč", not ``ruian:SO.42272815``. A building
with a house number is named by its address: the street and number where the
address point has a street (``Hlavní 12/3``), else the part of the municipality
and the house number (``Semeč č. p. 12``, ``Děčany č. ev. 4``), as Czech
addresses are written without streets (decree 359/2011 Sb., annex). A building
without a number (sheds, barns, garages: ``TypStavebnihoObjektuKod`` 3) is named
by its use and the plot it stands on (``zemědělská stavba, st. 123, k. ú. Děčany``).

The lookups come from the file's own layers ``AdresniMista``, ``Ulice``,
``CastiObci``, ``Obce``, ``Parcely`` and ``KatastralniUzemi``; a file without
them (a state-wide extract of one layer) gives the fallbacks.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gisplan.sources._common import logger
from gisplan.sources._ruian_codes import building_use, code_of, parcel_number

#: ``TypStavebnihoObjektuKod``: 1 číslo popisné, 2 číslo evidenční, 3 bez čísla (RÚIAN code list).
HOUSE_NUMBER_PREFIX = {1: "č. p.", 2: "č. ev."}


@dataclass
class Lookups:
    """Code -> text tables read from one VFR file (empty when the file lacks the layer)."""

    parts: dict[int, str] = field(default_factory=dict)  # část obce kód -> název
    municipalities: dict[int, str] = field(default_factory=dict)  # kód obce -> název
    streets: dict[int, str] = field(default_factory=dict)  # kód ulice -> název
    cadastral_areas: dict[int, str] = field(default_factory=dict)  # kód k. ú. -> název
    addresses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # kód SO -> address points
    parcels: dict[int, tuple[str | None, int | None]] = field(default_factory=dict)  # id -> (number, k. ú.)


def _layer(path: Path, name: str, columns: Sequence[str]) -> pd.DataFrame:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError, FieldError

    try:
        available = {str(row[0]) for row in pyogrio.list_layers(str(path))}
        if name not in available:
            return pd.DataFrame(columns=list(columns))
        frame = pyogrio.read_dataframe(str(path), layer=name, read_geometry=False, WRITE_GFS="NO")
    except (DataLayerError, DataSourceError, FieldError) as exc:
        logger.info("%s: layer %s not read for building names (%s)", path, name, exc)
        return pd.DataFrame(columns=list(columns))
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    return pd.DataFrame(frame[list(columns)])


def _table(frame: pd.DataFrame, key: str, value: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for k, v in zip(frame[key], frame[value], strict=True):
        code = code_of(k)
        if code is not None and isinstance(v, str) and v.strip():
            out[code] = v.strip()
    return out


def read_lookups(path: Path, *, parcels: bool = True) -> Lookups:
    """The lookups the building names need, from the VFR file ``path`` (``parcels=False``: not the plots)."""
    lookups = Lookups(
        parts=_table(_layer(path, "CastiObci", ["Kod", "Nazev"]), "Kod", "Nazev"),
        municipalities=_table(_layer(path, "Obce", ["Kod", "Nazev"]), "Kod", "Nazev"),
        streets=_table(_layer(path, "Ulice", ["Kod", "Nazev"]), "Kod", "Nazev"),
        cadastral_areas=_table(_layer(path, "KatastralniUzemi", ["Kod", "Nazev"]), "Kod", "Nazev"),
    )
    columns = ["StavebniObjektKod", "CisloDomovni", "CisloOrientacni", "CisloOrientacniPismeno", "UliceKod", "Psc"]
    for record in _layer(path, "AdresniMista", columns).to_dict("records"):
        code = code_of(record["StavebniObjektKod"])
        if code is not None:
            lookups.addresses.setdefault(code, []).append({str(k): v for k, v in record.items()})
    if not parcels:
        return lookups
    plots = _layer(
        path, "Parcely", ["Id", "KmenoveCislo", "PododdeleniCisla", "DruhCislovaniKod", "KatastralniUzemiKod"]
    )
    for pid, base, sub, numbering, area in plots.itertuples(index=False, name=None):
        code = code_of(pid)
        if code is not None:
            lookups.parcels[code] = (parcel_number(base, sub, numbering), code_of(area))
    return lookups


def _numbers(value: object) -> list[int]:
    values = list(value) if isinstance(value, list | tuple | np.ndarray) else [value]
    return [n for n in (code_of(v) for v in values) if n is not None]


def _postcode(value: object) -> str:
    code = code_of(value)
    return "" if code is None else f"{code // 100:03d} {code % 100:02d}"


def _street_number(point: dict[str, Any], lookups: Lookups) -> str | None:
    """``Hlavní 12/3a`` for an address point on a named street, else None."""
    street = lookups.streets.get(code_of(point.get("UliceKod")) or -1)
    house = code_of(point.get("CisloDomovni"))
    if street is None or house is None:
        return None
    orient = code_of(point.get("CisloOrientacni"))
    letter = point.get("CisloOrientacniPismeno")
    suffix = f"/{orient}{letter if isinstance(letter, str) else ''}" if orient is not None else ""
    return f"{street} {house}{suffix}"


@dataclass(frozen=True)
class BuildingLabel:
    """What the reader adds to one building: its name and, where it has a number, its address."""

    name: str
    address: str | None
    parcel: str | None
    cadastral_area: str | None


def label_building(row: dict[Hashable, Any], lookups: Lookups) -> BuildingLabel:
    """Name one ``StavebniObjekty`` record (GDAL field names) by its address, else by use and plot."""
    part = lookups.parts.get(code_of(row.get("CastObceKod")) or -1)
    parcel, area_code = lookups.parcels.get(code_of(row.get("IdentifikacniParcelaId")) or -1, (None, None))
    cadastral = lookups.cadastral_areas.get(area_code or -1)
    prefix = HOUSE_NUMBER_PREFIX.get(code_of(row.get("TypStavebnihoObjektuKod")) or -1)
    numbers = _numbers(row.get("CisloDomovni"))
    if prefix is not None and numbers:
        points = lookups.addresses.get(code_of(row.get("Kod")) or -1, [])
        street = _street_number(points[0], lookups) if points else None
        number_text = f"{prefix} {', '.join(str(n) for n in numbers)}"
        name = street or (f"{part} {number_text}" if part else number_text)
        municipality = next(iter(lookups.municipalities.values()), None) if len(lookups.municipalities) == 1 else None
        postcode = _postcode(points[0].get("Psc")) if points else ""
        place = " ".join(p for p in (postcode, municipality) if p)
        parts = [name, part if street and part else None, place or None]
        return BuildingLabel(name, ", ".join(p for p in parts if p), parcel, cadastral)
    use = building_use(row.get("ZpusobVyuzitiKod"))
    what = use.cs if use is not None else "budova bez čísla"
    where = f"{parcel}, k. ú. {cadastral}" if parcel and cadastral else parcel or part
    name = f"{what}, {where}" if where else f"{what} (SO {code_of(row.get('Kod'))})"
    return BuildingLabel(name, None, parcel, cadastral)


def building_columns(frame: pd.DataFrame, lookups: Lookups) -> pd.DataFrame:
    """Names and the added columns for the ``StavebniObjekty`` rows of ``frame`` (GDAL field names).

    Returns
    -------
    pandas.DataFrame
        ``name``; ``address`` (None for buildings without a house number); ``parcel_number``
        (``st. 123``) and ``cadastral_area`` of the plot; ``building_use`` (the funding
        vocabulary: residential, civic…), ``building_use_code`` (English), ``building_use_cs``
        (the ČÚZK name) and ``public_building`` (True for civic amenities, False for other
        uses, None where the code cannot tell), all from ``ZpusobVyuzitiKod``.
    """
    labels = [label_building(row, lookups) for row in frame.to_dict("records")]
    uses = [building_use(v) for v in frame.get("ZpusobVyuzitiKod", pd.Series(None, index=frame.index))]
    return pd.DataFrame(
        {
            "name": [label.name for label in labels],
            "address": [label.address for label in labels],
            "parcel_number": [label.parcel for label in labels],
            "cadastral_area": [label.cadastral_area for label in labels],
            "building_use": [u.use if u else None for u in uses],
            "building_use_code": [u.code if u else None for u in uses],
            "building_use_cs": [u.cs if u else None for u in uses],
            "public_building": pd.array([u.public if u else None for u in uses], dtype="boolean"),
        },
        index=frame.index,
    )


__all__ = ["BuildingLabel", "Lookups", "building_columns", "label_building", "read_lookups"]
