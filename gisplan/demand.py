"""Measured electricity consumption per municipality or per building, used in place of the estimate.

A municipality or a distribution company often knows what a municipality (kód
obce) or a building (a site of the store, e.g. the school roof) consumed in a
year. :func:`read_demand_csv` reads such a table, :func:`load_measured_demand`
stores it (one transaction, nothing stored on any error), and
:func:`latest_measured` gives the newest measured year per municipality or site.
:mod:`gisplan.communities` uses a measurement where there is one and the
household estimate elsewhere, and always says which (``measured`` with the year
and source, or ``estimated``).

The CSV has a header row and, per row, either ``municipality_code`` or
``site_id``, then ``mwh_yr`` [MWh/yr], ``year`` and ``source`` (the source column
may be left out when the command gives ``--source``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
from sqlalchemy import select

from gisplan import _codecsv
from gisplan.errors import InputError, InvalidDataError, Problem
from gisplan.store import permissions as perm

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gisplan.store import ActorRef, Store, Tx

Scope = Literal["municipality", "site"]
#: Columns of the demand CSV; ``municipality_code`` or ``site_id`` names what was measured.
DEMAND_COLUMNS = ("municipality_code", "site_id", "mwh_yr", "year", "source")
MEASURED_COLUMNS = ["scope", "key", "year", "mwh_yr", "source"]


@dataclass(frozen=True)
class DemandRecord:
    """One measured yearly consumption [MWh/yr] of a municipality or a site, with its year and source."""

    scope: Scope
    key: str
    year: int
    mwh_yr: float
    source: str
    line: int = 0


@dataclass
class DemandLoadReport:
    """What a load did: rows added and replaced (same place and year)."""

    added: int = 0
    replaced: int = 0
    municipalities: set[str] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.replaced} replaced "
            f"({len(self.municipalities)} municipalities, {len(self.sites)} buildings/sites)"
        )


def read_demand_csv(path: str | Path, *, default_source: str | None = None) -> list[DemandRecord]:
    """Measured consumption rows of a CSV (see the module docstring), every problem listed at once.

    Raises
    ------
    InputError
        If the file is missing, not UTF-8, or lacks ``mwh_yr``/``year`` or both key columns.
    InvalidDataError
        Naming the line and field of every empty key, non-numeric or negative value, bad year,
        missing source and duplicate (place, year).
    """
    file = str(path)
    if default_source is not None and not default_source.strip():
        msg = "the default source is empty; name where the figures come from (e.g. 'ČEZ Distribuce 2024')"
        raise InputError(msg)
    rows = _codecsv.read_rows(path, required=("mwh_yr", "year"), optional=("municipality_code", "site_id", "source"))
    header = set(rows[0][1]) if rows else set()
    if rows and not header & {"municipality_code", "site_id"}:
        msg = f"{file}: give a municipality_code or a site_id column (what was measured)"
        raise InputError(msg)
    problems: list[Problem] = []
    records: list[DemandRecord] = []
    seen: dict[tuple[str, str, int], int] = {}
    for line, row in rows:
        code, site = row.get("municipality_code", ""), row.get("site_id", "")
        if bool(code) == bool(site):
            problems.append(Problem(file, f"line {line}", "give exactly one of municipality_code and site_id"))
        value = _codecsv.number(row["mwh_yr"], file=file, line=line, field="mwh_yr", problems=problems)
        when = _codecsv.year(row["year"], file=file, line=line, field="year", problems=problems)
        source = row.get("source") or (default_source or "").strip()
        if not source:
            problems.append(Problem(file, f"line {line}, field source", "empty; name the source or give --source"))
        if value is None or when is None or bool(code) == bool(site) or not source:
            continue
        scope: Scope = "municipality" if code else "site"
        key = code or site
        first = seen.setdefault((scope, key, when), line)
        if first != line:
            problems.append(Problem(file, f"line {line}", f"{scope} {key} in {when} is already on line {first}"))
            continue
        records.append(DemandRecord(scope, key, when, value, source, line))
    if problems:
        msg = f"{file}: {len(problems)} problem(s); nothing was stored:"
        raise InvalidDataError(msg, problems[:100])
    if not records:
        msg = f"{file} has no rows; add one row per municipality or building and year"
        raise InputError(msg)
    return records


def _check_places(tx: Tx, records: Sequence[DemandRecord], file: str) -> None:
    """Refuse unknown municipality codes and site ids (all listed) and places outside the actor's scope."""
    from gisplan.store.models import Community, Site

    codes = sorted({r.key for r in records if r.scope == "municipality"})
    site_ids = sorted({r.key for r in records if r.scope == "site"})
    municipalities = {
        c.code: c
        for c in tx.session.scalars(
            select(Community).where(Community.kind == "municipality", Community.code.in_(codes))
        )
    }
    sites = {s.id: s for s in tx.session.scalars(select(Site).where(Site.id.in_(site_ids)))} if site_ids else {}
    problems = [
        Problem(file, f"line {r.line}", f"there is no municipality {r.key!r} in the store")
        for r in records
        if r.scope == "municipality" and r.key not in municipalities
    ]
    problems += [
        Problem(file, f"line {r.line}", f"there is no site {r.key!r} in the store")
        for r in records
        if r.scope == "site" and r.key not in sites
    ]
    if problems:
        msg = (
            f"{file}: {len(problems)} unknown place(s); load the municipalities (gisplan territories load) "
            "or ingest the sites first. Nothing was stored:"
        )
        raise InvalidDataError(msg, problems[:100])
    for code, muni in municipalities.items():
        tx.require(perm.Action.COMMUNITY_WRITE, "measured_demand", code, region=muni.region_code, municipality=code)
    for site_id, site in sites.items():
        tx.require(
            perm.Action.SITE_EDIT,
            "measured_demand",
            site_id,
            region=site.region_code,
            municipality=site.municipality_code,
        )


def load_measured_demand(
    store: Store, actor: ActorRef, records: Sequence[DemandRecord], *, file: str = "the demand table"
) -> DemandLoadReport:
    """Store measured consumption; a row for the same place and year replaces the stored one.

    One transaction: every municipality and site must exist and lie in the actor's scope
    (community write for municipalities, site edit for buildings), else nothing is stored.
    The load is audited once, with the counts.

    Raises
    ------
    InvalidDataError
        Listing every unknown municipality code and site id with its line.
    PermissionDeniedError
        If a place is outside the actor's scope.
    """
    from gisplan.store.models import MeasuredDemand

    def work(tx: Tx) -> DemandLoadReport:
        _check_places(tx, records, file)
        report = DemandLoadReport()
        for record in records:
            row = tx.session.scalar(
                select(MeasuredDemand).where(
                    MeasuredDemand.scope == record.scope,
                    MeasuredDemand.key == record.key,
                    MeasuredDemand.year == record.year,
                )
            )
            if row is None:
                tx.session.add(
                    MeasuredDemand(
                        scope=record.scope, key=record.key, year=record.year, mwh_yr=record.mwh_yr, source=record.source
                    )
                )
                report.added += 1
            else:
                row.mwh_yr, row.source = record.mwh_yr, record.source
                report.replaced += 1
            (report.municipalities if record.scope == "municipality" else report.sites).add(record.key)
        tx.audit(
            "demand.load",
            "measured_demand",
            file,
            after={"added": report.added, "replaced": report.replaced, "rows": len(records)},
        )
        return report

    return store.transaction(actor, work)


def measured_rows(session: Session, scope: Scope, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Every stored measurement of ``scope`` (optionally only ``keys``), :data:`MEASURED_COLUMNS`."""
    from gisplan.store.models import MeasuredDemand

    stmt = select(
        MeasuredDemand.scope, MeasuredDemand.key, MeasuredDemand.year, MeasuredDemand.mwh_yr, MeasuredDemand.source
    )
    stmt = stmt.where(MeasuredDemand.scope == scope)
    rows: list[tuple[object, ...]] = []
    if keys is None:
        rows = [tuple(r) for r in session.execute(stmt).all()]
    else:
        wanted = sorted({str(k) for k in keys})
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            rows += [tuple(r) for r in session.execute(stmt.where(MeasuredDemand.key.in_(part))).all()]
    return pd.DataFrame(rows, columns=MEASURED_COLUMNS)


def latest(rows: pd.DataFrame) -> pd.DataFrame:
    """The newest year of each place of :func:`measured_rows`, indexed by ``key``."""
    if rows.empty:
        return pd.DataFrame(columns=MEASURED_COLUMNS).set_index("key")
    return rows.sort_values(["key", "year"]).drop_duplicates("key", keep="last").set_index("key")


def latest_measured(store: Store, scope: Scope, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """The newest measurement per municipality code or site id: ``year``, ``mwh_yr`` [MWh/yr], ``source``."""
    return latest(store.read(lambda s: measured_rows(s, scope, keys)))


__all__ = [
    "DEMAND_COLUMNS",
    "MEASURED_COLUMNS",
    "DemandLoadReport",
    "DemandRecord",
    "latest",
    "latest_measured",
    "load_measured_demand",
    "measured_rows",
    "read_demand_csv",
]
