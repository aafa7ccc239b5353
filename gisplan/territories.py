"""Territories from public data: municipalities with their okres and kraj, MAS and energy communities.

- **Municipalities** come from RÚIAN (the ``Obce`` layer of a VFR file, which
  carries ``OkresKod`` and ``NutsLau``) or from any boundary file with a code, a
  name and, optionally, a population field (:func:`read_municipalities`).
- **Okres and kraj.** For Czech municipalities the kraj NUTS3 code (``CZ042``) is
  the region code that region-scoped roles use. It comes from a file with the
  layers ``okresy`` (``KOD_OKRES``, ``KOD_LAU1``, ``KOD_CZNUTS3``) and ``kraje``
  (``KOD_CZNUTS3``), such as ``admin_cz.gpkg``: by the okres LAU1 code when the
  municipality carries it (RÚIAN ``NutsLau`` ``CZ0423564729`` lies in okres
  ``CZ0423``), else by the okres polygon that holds the municipality's
  representative point (:func:`czech_units`). Without such a file, RÚIAN's
  ``NutsLau`` alone gives okres and kraj.
- **MAS territories and energy communities** come from a CSV with one row per
  member municipality (:func:`read_communities_csv`); their boundary is the
  union of their members' boundaries.

Everything is stored as communities (:func:`store_municipalities`,
:func:`store_communities`); a second run updates in place and adds nothing twice.
Boundaries are kept as GeoJSON in EPSG:4326 in the community's attributes
(``boundary``), simplified to :data:`BOUNDARY_TOLERANCE_M`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan.errors import InputError, InvalidDataError, Problem

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.store import ActorRef, Store, Tx

#: Field names tried, in order, when none is given (after snake_case, as the readers write them).
CODE_FIELDS = ("kod_obce", "kod_obec", "kod", "code", "municipality_code")
NAME_FIELDS = ("nazev_obce", "naz_obec", "nazev", "name")
POPULATION_FIELDS = ("pocet_obyv", "population", "obyvatel", "pop")
OKRES_FIELDS = ("okres_kod", "kod_okres")
NUTS_LAU_FIELDS = ("nuts_lau", "kod_cznuts")
#: Length of the kraj NUTS3 code (``CZ042``) and the okres LAU1 code (``CZ0423``) in a ``NutsLau``.
KRAJ_CODE_LENGTH = 5
OKRES_LAU_LENGTH = 6
#: Stored boundaries are simplified to this tolerance in the working CRS. [m]
BOUNDARY_TOLERANCE_M = 5.0
#: Decimal places of stored lon/lat boundary coordinates (1e-6° ≈ 0.1 m).
BOUNDARY_DECIMALS = 6
COMMUNITY_CSV_KINDS = ("mas", "energy_community")
COMMUNITY_CSV_COLUMNS = ("kind", "code", "name", "municipality_code")


def _find(frame: pd.DataFrame, given: str | None, candidates: Sequence[str], *, label: str, role: str) -> str | None:
    """The column for ``role``: ``given`` (as written, snake_case, or pushed aside as ``<name>_src``), else a guess."""
    from gisplan.sources import snake_case

    if given is not None:
        for name in (given, snake_case(given), f"{snake_case(given)}_src"):
            if name in frame.columns:
                return name
        shown = [c for c in frame.columns if c != getattr(frame, "geometry", pd.Series()).name]
        msg = f"{label}: no field {given!r} for the {role}; the fields are {shown}"
        raise InputError(msg)
    return next((c for c in candidates if c in frame.columns), None)


def _texts(values: Iterable[Any]) -> list[str | None]:
    out: list[str | None] = []
    for value in values:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
            out.append(None)
            continue
        whole = isinstance(value, float) and value.is_integer()
        text = str(int(value) if whole else value).strip()
        out.append(text or None)
    return out


@dataclass(frozen=True)
class Fields:
    """Which fields of a boundary file hold what; ``None`` lets the reader guess (see the ``*_FIELDS`` tuples)."""

    code: str | None = None
    name: str | None = None
    population: str | None = None
    okres: str | None = None
    region: str | None = None
    """A field with the region code itself (for boundary files outside Czechia)."""


def read_municipalities(
    path: str | Path,
    *,
    layer: str | None = None,
    where: str | None = None,
    fields: Fields | None = None,
    crs: object | None = None,
    working_crs: object | None = None,
) -> gpd.GeoDataFrame:
    """Municipalities of a boundary file: RÚIAN VFR (layer ``obce``) or any vector file.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code`` (kód obce, str), ``name``, ``population`` [inhabitants, Int64, may be missing],
        ``okres_code`` (RÚIAN okres code, e.g. ``3506``), ``nuts_lau`` (e.g. ``CZ0423564729``),
        ``region_code`` (from ``fields.region``), all text or missing, and the boundaries in
        the working CRS.

    Raises
    ------
    InputError
        If a named field does not exist, or no code or name field can be found.
    InvalidDataError
        Listing every empty or duplicate code and every population that is not a count.
    """
    import geopandas as gpd

    from gisplan.sources import check_path, read, sniff_format

    checked = check_path(path)
    given = fields or Fields()
    label = f"{checked} (layer {layer})" if layer else str(checked)
    is_ruian = sniff_format(checked) == "ruian"
    frame = read(checked, layer=(layer or "obce") if is_ruian else layer, where=where, crs=crs, working_crs=working_crs)
    code = _find(frame, given.code, CODE_FIELDS, label=label, role="municipality code")
    name = _find(frame, given.name, (*NAME_FIELDS, "name"), label=label, role="municipality name")
    population = _find(frame, given.population, POPULATION_FIELDS, label=label, role="population")
    okres = _find(frame, given.okres, OKRES_FIELDS, label=label, role="okres code")
    region = _find(frame, given.region, (), label=label, role="region code")
    nuts = _find(frame, None, NUTS_LAU_FIELDS, label=label, role="NUTS/LAU code")
    if code is None or name is None:
        role = "code" if code is None else "name"
        msg = (
            f"{label}: cannot tell which field holds the municipality {role}; name it with --{role}-field "
            f"(the fields are {[c for c in frame.columns if c != frame.geometry.name]})"
        )
        raise InputError(msg)
    out = pd.DataFrame(
        {
            "code": _texts(frame[code]),
            "name": _texts(frame[name]),
            "population": _population(frame, population, label),
            "okres_code": _texts(frame[okres]) if okres else None,
            "nuts_lau": _texts(frame[nuts]) if nuts else None,
            "region_code": _texts(frame[region]) if region else None,
        }
    )
    _check_codes(out, label, code)
    return gpd.GeoDataFrame(out, geometry=frame.geometry.to_numpy(), crs=frame.crs)


def _population(frame: pd.DataFrame, column: str | None, label: str) -> pd.Series[Any]:
    if column is None:
        return pd.Series(pd.NA, index=range(len(frame)), dtype="Int64")
    raw = frame[column].reset_index(drop=True)
    numbers = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & (numbers.isna() | (numbers < 0))
    if bad.any():
        problems = [
            Problem(label, f"feature {i + 1}, field {column}", f"{raw[i]!r} is not a count")
            for i in raw.index[bad][:20]
        ]
        msg = f"{label}: {int(bad.sum())} population value(s) are not counts:"
        raise InvalidDataError(msg, problems)
    return numbers.round().astype("Int64")


def _check_codes(table: pd.DataFrame, label: str, column: str) -> None:
    codes = table["code"]
    problems = [
        Problem(label, f"feature {i + 1}, field {column}", "empty municipality code") for i in codes.index[codes.isna()]
    ]
    problems += [
        Problem(label, f"field {column}", f"code {c} appears more than once")
        for c in sorted(set(codes[codes.duplicated() & codes.notna()]))
    ]
    if problems:
        msg = f"{label}: {len(problems)} problem(s) with municipality codes:"
        raise InvalidDataError(msg, problems[:50])


def czech_units(municipalities: gpd.GeoDataFrame, admin: str | Path | None = None) -> gpd.GeoDataFrame:
    """``municipalities`` with ``okres_lau``, ``okres_csu``, ``kraj_code``, ``region_code`` and ``region_name``.

    Parameters
    ----------
    municipalities
        From :func:`read_municipalities`, in a metric CRS.
    admin
        A file with layers ``okresy`` (``KOD_OKRES``, ``KOD_LAU1``, ``KOD_KRAJ``, ``KOD_CZNUTS3``,
        ``NAZ_CZNUTS3``) and ``kraje`` (``KOD_CZNUTS3``), e.g. ``admin_cz.gpkg``; ``None`` uses only
        the municipalities' own ``nuts_lau``.

    Notes
    -----
    An okres is found by the LAU1 code at the start of ``nuts_lau``, else by the okres polygon
    holding the municipality's representative point; a kraj by its okres, else by the kraj
    polygon. A region code given in the file (``region_code``) is kept.
    """
    out = municipalities.copy()
    nuts = out["nuts_lau"].astype("string")
    out["okres_lau"] = nuts.str.slice(0, OKRES_LAU_LENGTH).where(nuts.str.len() >= OKRES_LAU_LENGTH)
    out["okres_csu"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["kraj_code"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["region_name"] = pd.Series(pd.NA, index=out.index, dtype="string")
    from_nuts = nuts.str.slice(0, KRAJ_CODE_LENGTH).where(nuts.str.len() >= KRAJ_CODE_LENGTH)
    region = out["region_code"].astype("string")
    if admin is not None:
        okresy, kraje = _admin_layers(Path(admin), out.crs)
        points = out.geometry.representative_point()
        if okresy is not None:
            by_lau = okresy.drop_duplicates("kod_lau1").set_index("kod_lau1")
            hit = _within(points, okresy)
            lau = out["okres_lau"].where(out["okres_lau"].isin(by_lau.index), hit["kod_lau1"].astype("string"))
            out["okres_lau"] = lau
            row = by_lau.reindex(lau.fillna("").to_numpy())
            out["okres_csu"] = pd.array(_texts(row["kod_okres"]), dtype="string")
            out["kraj_code"] = pd.array(_texts(row["kod_kraj"]), dtype="string")
            out["region_name"] = pd.array(_texts(row["naz_cznuts3"]), dtype="string")
            from_nuts = from_nuts.fillna(pd.Series(_texts(row["kod_cznuts3"]), index=out.index, dtype="string"))
        if kraje is not None:
            hit = _within(points, kraje)
            from_nuts = from_nuts.fillna(hit["kod_cznuts3"].astype("string"))
            names = hit["naz_cznuts3"].astype("string") if "naz_cznuts3" in hit.columns else None
            if names is not None:
                out["region_name"] = out["region_name"].fillna(names)
    out["region_code"] = region.fillna(from_nuts)
    return out


def _admin_layers(path: Path, crs: object) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    import pyogrio

    from gisplan.sources import check_path, read

    checked = check_path(path)
    names = {str(row[0]) for row in pyogrio.list_layers(checked)}
    if not names & {"okresy", "kraje"}:
        msg = (
            f"--admin {path}: has no layer 'okresy' or 'kraje' (layers: {sorted(names)}); use a file like admin_cz.gpkg"
        )
        raise InputError(msg)
    layers: list[gpd.GeoDataFrame | None] = []
    for layer, needed in (
        ("okresy", ("kod_lau1", "kod_okres", "kod_kraj", "kod_cznuts3")),
        ("kraje", ("kod_cznuts3",)),
    ):
        if layer not in names:
            layers.append(None)
            continue
        frame = read(checked, layer=layer, working_crs=crs)
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            msg = f"--admin {path} (layer {layer}): lacks field(s) {[c.upper() for c in missing]}"
            raise InputError(msg)
        if "naz_cznuts3" not in frame.columns:
            frame["naz_cznuts3"] = None
        layers.append(frame)
    return layers[0], layers[1]


def _within(points: gpd.GeoSeries, polygons: gpd.GeoDataFrame) -> pd.DataFrame:
    """The attributes of the polygon holding each point (the first one), aligned with ``points``."""
    import geopandas as gpd

    left = gpd.GeoDataFrame(geometry=points.to_numpy(), crs=points.crs, index=points.index)
    joined = gpd.sjoin(
        left, polygons.drop(columns=["site_id", "source", "source_id"], errors="ignore"), predicate="within"
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    return pd.DataFrame(joined.drop(columns=joined.geometry.name)).reindex(points.index)


def boundaries_geojson(frame: gpd.GeoDataFrame) -> list[dict[str, Any] | None]:
    """Each boundary simplified to :data:`BOUNDARY_TOLERANCE_M` as a GeoJSON geometry in EPSG:4326."""
    import shapely

    geoms = frame.geometry.simplify(BOUNDARY_TOLERANCE_M, preserve_topology=True).to_crs("EPSG:4326")
    geoms = shapely.set_precision(geoms.to_numpy(), 10.0**-BOUNDARY_DECIMALS)
    return [None if g is None or g.is_empty else json.loads(shapely.to_geojson(g)) for g in geoms]


@dataclass
class TerritoryReport:
    """What a territories load did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    without_region: list[str] = field(default_factory=list)
    """Codes of municipalities for which no region code was found."""

    def __str__(self) -> str:
        text = f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged"
        if self.without_region:
            shown = ", ".join(self.without_region[:10]) + (" …" if len(self.without_region) > 10 else "")
            text += f"; {len(self.without_region)} without a region code ({shown})"
        return text


_MUNICIPALITY_ATTRIBUTES = ("okres_code", "okres_lau", "okres_csu", "kraj_code", "region_name", "nuts_lau")


def _municipality_rows(table: gpd.GeoDataFrame, *, boundaries: bool, source: str) -> list[dict[str, Any]]:
    shapes = boundaries_geojson(table) if boundaries else [None] * len(table)
    rows = []
    for record, shape in zip(table.drop(columns=table.geometry.name).to_dict("records"), shapes, strict=True):
        texts = {k: _texts([record.get(k)])[0] for k in _MUNICIPALITY_ATTRIBUTES if k in record}
        attributes: dict[str, Any] = {k: v for k, v in texts.items() if v is not None} | {"territory_source": source}
        if shape is not None:
            attributes["boundary"] = shape
        population = record.get("population")
        rows.append(
            {
                "code": str(record["code"]),
                "name": str(record["name"] or record["code"]),
                "population": None if population is None or pd.isna(population) else int(population),
                "region_code": _texts([record.get("region_code")])[0],
                "attributes": attributes,
            }
        )
    return rows


def store_municipalities(
    store: Store, actor: ActorRef, table: gpd.GeoDataFrame, *, boundaries: bool = True, source: str = ""
) -> TerritoryReport:
    """Add or update one municipality community per row of ``table`` (one transaction).

    A known code (kind ``municipality``) is updated: name, region code, attributes, and the
    population when the table has one (a RÚIAN file has none; an earlier population stays).
    """
    from sqlalchemy import select

    from gisplan.store.models import Community

    rows = _municipality_rows(table, boundaries=boundaries, source=source)
    report = TerritoryReport(without_region=[r["code"] for r in rows if r["region_code"] is None])

    def work(tx: Tx) -> TerritoryReport:
        known = {c.code: c for c in tx.session.scalars(select(Community).where(Community.kind == "municipality")).all()}
        for row in rows:
            old = known.get(row["code"])
            if old is None:
                tx.add_community(
                    "municipality",
                    row["name"],
                    **{k: row[k] for k in ("code", "population", "region_code")},
                    attributes=row["attributes"],
                )
                report.added.append(row["code"])
                continue
            attributes = dict(old.attributes or {}) | row["attributes"]
            population = row["population"] if row["population"] is not None else old.population
            region = row["region_code"] or old.region_code
            if (old.name, old.population, old.region_code, old.attributes) == (
                row["name"],
                population,
                region,
                attributes,
            ):
                report.unchanged += 1
                continue
            tx.update_community(
                old.id,
                expected_version=old.version,
                name=row["name"],
                population=population,
                region_code=region,
                attributes=attributes,
            )
            report.updated.append(row["code"])
        return report

    return store.transaction(actor, work)


# ------------------------------------------------------------------------- MAS and energy communities
@dataclass(frozen=True)
class CommunitySpec:
    """A MAS or energy community from the CSV: kind, code, name and member municipality codes."""

    kind: str
    code: str
    name: str
    members: tuple[str, ...]
    region_code: str | None = None


def read_communities_csv(path: str | Path) -> list[CommunitySpec]:
    """Communities from a CSV with one row per member: ``kind, code, name, municipality_code``.

    ``kind`` is ``mas`` or ``energy_community``; an optional ``region_code`` column sets the
    region (else the members' common region). Rows of one community share ``kind`` and
    ``code``; its name is taken from its first row.

    Raises
    ------
    InputError
        If the file is missing or lacks columns.
    InvalidDataError
        Listing every row with an unknown kind or an empty field.
    """
    source = Path(path)
    if not source.is_file():
        msg = f"{source} does not exist; give a CSV with columns {', '.join(COMMUNITY_CSV_COLUMNS)}"
        raise InputError(msg)
    with source.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
        reader = csv.DictReader(handle, dialect=dialect)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in COMMUNITY_CSV_COLUMNS if c not in header]
        if missing:
            needs = ", ".join(COMMUNITY_CSV_COLUMNS)
            msg = f"{source}: missing column(s) {missing}; the CSV needs {needs}, one row per member"
            raise InputError(msg)
        records = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]
    problems: list[Problem] = []
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for line, row in enumerate(records, start=2):
        empty = [c for c in COMMUNITY_CSV_COLUMNS if not row.get(c)]
        if empty:
            problems.append(Problem(str(source), f"line {line}", f"empty field(s) {empty}"))
            continue
        if row["kind"] not in COMMUNITY_CSV_KINDS:
            problems.append(
                Problem(str(source), f"line {line}, field kind", f"{row['kind']!r} is not one of {COMMUNITY_CSV_KINDS}")
            )
            continue
        entry = grouped.setdefault(
            (row["kind"], row["code"]), {"name": row["name"], "members": [], "region": row.get("region_code") or None}
        )
        if row["municipality_code"] not in entry["members"]:
            entry["members"].append(row["municipality_code"])
    if problems:
        msg = f"{source}: {len(problems)} problem(s):"
        raise InvalidDataError(msg, problems[:50])
    return [
        CommunitySpec(kind, code, entry["name"], tuple(entry["members"]), entry["region"])
        for (kind, code), entry in grouped.items()
    ]


def _union_boundary(shapes: list[dict[str, Any]]) -> dict[str, Any] | None:
    import shapely

    geoms = [shapely.from_geojson(json.dumps(s)) for s in shapes]
    if not geoms:
        return None
    union = shapely.set_precision(shapely.union_all(geoms), 10.0**-BOUNDARY_DECIMALS)
    return None if union.is_empty else dict(json.loads(shapely.to_geojson(union)))


def store_communities(store: Store, actor: ActorRef, specs: Sequence[CommunitySpec]) -> TerritoryReport:
    """Add or update MAS and energy communities with their member municipalities (one transaction).

    Every member must be a stored municipality. The boundary is the union of the members'
    boundaries, the region code the one all members share (or the CSV's ``region_code``).

    Raises
    ------
    InvalidDataError
        Naming every member code that is not a stored municipality.
    """
    from sqlalchemy import select

    from gisplan.store import Member
    from gisplan.store.models import Community

    def work(tx: Tx) -> TerritoryReport:
        municipalities = {
            c.code: c for c in tx.session.scalars(select(Community).where(Community.kind == "municipality")).all()
        }
        unknown = sorted({m for spec in specs for m in spec.members if m not in municipalities})
        if unknown:
            msg = (
                f"{len(unknown)} member code(s) are not municipalities in the store: {', '.join(unknown[:20])}; "
                "load them first with `gisplan territories load`"
            )
            raise InvalidDataError(msg)
        report = TerritoryReport()
        for spec in specs:
            members = [municipalities[m] for m in spec.members]
            regions = {m.region_code for m in members}
            region = spec.region_code or (regions.pop() if len(regions) == 1 else None)
            shapes = [m.attributes["boundary"] for m in members if (m.attributes or {}).get("boundary")]
            attributes: dict[str, Any] = {"territory_source": "communities CSV"}
            boundary = _union_boundary(shapes) if len(shapes) == len(members) else None
            if boundary is not None:
                attributes["boundary"] = boundary
            population = sum(m.population or 0 for m in members) if all(m.population for m in members) else None
            member_rows = [Member(m.name, municipality_code=m.code) for m in members]
            old = tx.session.scalar(select(Community).where(Community.kind == spec.kind, Community.code == spec.code))
            label = f"{spec.kind}:{spec.code}"
            if old is None:
                tx.add_community(
                    spec.kind,
                    spec.name,
                    code=spec.code,
                    population=population,
                    region_code=region,
                    members=member_rows,
                    attributes=attributes,
                )
                report.added.append(label)
                continue
            merged = dict(old.attributes or {}) | attributes
            same = (old.name, old.population, old.region_code, old.attributes) == (
                spec.name,
                population,
                region,
                merged,
            )
            if same and _member_codes(tx, old.id) == sorted(spec.members):
                report.unchanged += 1
                continue
            tx.update_community(
                old.id,
                expected_version=old.version,
                name=spec.name,
                population=population,
                region_code=region,
                attributes=merged,
                members=member_rows,
            )
            report.updated.append(label)
        return report

    return store.transaction(actor, work)


def _member_codes(tx: Tx, community_id: int) -> list[str]:
    from sqlalchemy import select

    from gisplan.store.models import CommunityMember

    codes = tx.session.scalars(
        select(CommunityMember.municipality_code).where(CommunityMember.community_id == community_id)
    ).all()
    return sorted(str(c) for c in codes if c is not None)


__all__ = [
    "BOUNDARY_TOLERANCE_M",
    "CommunitySpec",
    "Fields",
    "TerritoryReport",
    "boundaries_geojson",
    "czech_units",
    "read_communities_csv",
    "read_municipalities",
    "store_communities",
    "store_municipalities",
]
