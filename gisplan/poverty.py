"""The energy poverty indicator per municipality: loading it, and its newest value per municipality.

Energy poverty (households that cannot keep warm or pay their energy bills) is
central to community-energy programmes and to the Covenant of Mayors. No single
Czech statistic exists; regions use a share of households (e.g. energy costs
above twice the national median share of income, the EU Energy Poverty
Advisory Hub's "2M" indicator), the number of housing-allowance recipients, or
their own index. So each value carries its unit, year and source as loaded:

``municipality_code, value, unit, year, source`` (a header row; ``unit`` and
``source`` may be given once by the command instead). One file holds one
indicator: every row must have the same unit, and it must match the unit
already stored, so values stay comparable across municipalities.

The community page shows it, and the funding rule ``limits.energy_poverty``
(:mod:`gisplan.funding`) compares it against a call's minimum or maximum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from gisplan import _codecsv
from gisplan.errors import InputError, InvalidDataError, Problem
from gisplan.store import permissions as perm

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gisplan.store import ActorRef, Store, Tx

POVERTY_COLUMNS = ["municipality_code", "year", "value", "unit", "source"]


@dataclass(frozen=True)
class PovertyRecord:
    """One value of the indicator for a municipality and year, in ``unit``, from ``source``."""

    municipality_code: str
    year: int
    value: float
    unit: str
    source: str
    line: int = 0


def _given(value: str | None, option: str) -> str:
    if value is not None and not value.strip():
        msg = f"{option} is empty; give it, or leave the option out and fill the column"
        raise InputError(msg)
    return (value or "").strip()


def read_poverty_csv(path: str | Path, *, unit: str | None = None, source: str | None = None) -> list[PovertyRecord]:
    """The rows of an indicator CSV (see the module docstring), every problem listed at once.

    Raises
    ------
    InputError
        If the file is missing, not UTF-8, lacks a column, or has no rows.
    InvalidDataError
        Naming the line and field of every empty code, non-numeric or negative value, bad year,
        missing unit or source, duplicate (municipality, year), and a second unit in the file.
    """
    file = str(path)
    default_unit, default_source = _given(unit, "--unit"), _given(source, "--source")
    rows = _codecsv.read_rows(path, required=("municipality_code", "value", "year"), optional=("unit", "source"))
    problems: list[Problem] = []
    records: list[PovertyRecord] = []
    seen: dict[tuple[str, int], int] = {}
    for line, row in rows:
        code = row["municipality_code"]
        value = _codecsv.number(row["value"], file=file, line=line, field="value", problems=problems)
        when = _codecsv.year(row["year"], file=file, line=line, field="year", problems=problems)
        texts = {"unit": row.get("unit") or default_unit, "source": row.get("source") or default_source}
        empty = [name for name, text in (("municipality_code", code), *texts.items()) if not text]
        problems += [Problem(file, f"line {line}, field {name}", "empty") for name in empty]
        if value is None or when is None or empty:
            continue
        first = seen.setdefault((code, when), line)
        if first != line:
            problems.append(Problem(file, f"line {line}", f"municipality {code} in {when} is already on line {first}"))
            continue
        records.append(PovertyRecord(code, when, value, texts["unit"], texts["source"], line))
    units = sorted({r.unit for r in records})
    if len(units) > 1:
        problems.append(Problem(file, "field unit", f"one indicator per file, but it has units {units}"))
    if problems:
        msg = f"{file}: {len(problems)} problem(s); nothing was stored:"
        raise InvalidDataError(msg, problems[:100])
    if not records:
        msg = f"{file} has no rows; add one row per municipality and year"
        raise InputError(msg)
    return records


def _check(tx: Tx, records: Sequence[PovertyRecord], file: str) -> None:
    """Refuse unknown municipalities (all listed), a unit other than the stored one, places outside the scope."""
    from gisplan.store.models import Community, EnergyPoverty

    codes = sorted({r.municipality_code for r in records})
    known = {
        c.code: c
        for c in tx.session.scalars(
            select(Community).where(Community.kind == "municipality", Community.code.in_(codes))
        )
    }
    problems = [
        Problem(file, f"line {r.line}", f"there is no municipality {r.municipality_code!r} in the store")
        for r in records
        if r.municipality_code not in known
    ]
    stored = set(tx.session.scalars(select(EnergyPoverty.unit).distinct()))
    if stored and records[0].unit not in stored:
        problems.append(
            Problem(file, "field unit", f"{records[0].unit!r} differs from the stored unit {sorted(stored)}")
        )
    if problems:
        msg = f"{file}: {len(problems)} problem(s); nothing was stored:"
        raise InvalidDataError(msg, problems[:100])
    for code, muni in known.items():
        tx.require(perm.Action.COMMUNITY_WRITE, "energy_poverty", code, region=muni.region_code, municipality=code)


def load_poverty(
    store: Store, actor: ActorRef, records: Sequence[PovertyRecord], *, file: str = "the indicator table"
) -> tuple[int, int]:
    """Store indicator values (one transaction, audited); return (added, replaced).

    A value for the same municipality and year replaces the stored one.
    """
    from gisplan.store.models import EnergyPoverty

    def work(tx: Tx) -> tuple[int, int]:
        _check(tx, records, file)
        added = replaced = 0
        for r in records:
            row = tx.session.scalar(
                select(EnergyPoverty).where(
                    EnergyPoverty.municipality_code == r.municipality_code, EnergyPoverty.year == r.year
                )
            )
            if row is None:
                tx.session.add(
                    EnergyPoverty(
                        municipality_code=r.municipality_code, year=r.year, value=r.value, unit=r.unit, source=r.source
                    )
                )
                added += 1
            else:
                row.value, row.unit, row.source = r.value, r.unit, r.source
                replaced += 1
        tx.audit("poverty.load", "energy_poverty", file, after={"added": added, "replaced": replaced})
        return added, replaced

    return store.transaction(actor, work)


def _rows(session: Session, codes: list[str] | None) -> pd.DataFrame:
    from gisplan.store.models import EnergyPoverty

    stmt = select(
        EnergyPoverty.municipality_code,
        EnergyPoverty.year,
        EnergyPoverty.value,
        EnergyPoverty.unit,
        EnergyPoverty.source,
    )
    if codes is not None:
        stmt = stmt.where(EnergyPoverty.municipality_code.in_(codes))
    return pd.DataFrame([tuple(r) for r in session.execute(stmt).all()], columns=POVERTY_COLUMNS)


def latest_poverty(store: Store, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """The newest value per municipality: ``year``, ``value``, ``unit``, ``source``, indexed by the code."""
    wanted = None if codes is None else sorted({str(c) for c in codes})
    rows = store.read(lambda s: _rows(s, wanted))
    if rows.empty:
        return rows.set_index("municipality_code")
    newest = rows.sort_values(["municipality_code", "year"]).drop_duplicates("municipality_code", keep="last")
    return newest.set_index("municipality_code")


__all__ = ["POVERTY_COLUMNS", "PovertyRecord", "latest_poverty", "load_poverty", "read_poverty_csv"]
