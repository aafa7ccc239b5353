"""SECAP export: a municipality's climate-plan actions in the columns of the MyCovenant action template.

The Covenant of Mayors reports each mitigation action with its title, area of
intervention, responsible body, implementation timeframe and status, cost and
its expected energy savings, renewable energy production and CO2 reduction
(Reporting Guidelines, JRC EUR 28160 EN, 2016). :func:`secap_actions` lists,
for one municipality:

- the climate-plan actions stored for it (:mod:`gisplan.actions`), each with its
  own type, sector, unit and effect;
- its sites that are no action yet, once they are linked to the municipality or
  advanced in the workflow (:data:`ACTION_STATUSES`): each becomes the action
  type of its best profile (:func:`gisplan.actions.site_action`), so a rooftop
  scored for PV reports kWp and MWh/yr, and a brownfield scored for
  redevelopment reports a redevelopment, never megawatts of PV.

:func:`write_secap` writes the table to CSV or XLSX through
:mod:`gisplan.export.spreadsheet`, which neutralises every text cell that a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gisplan._storeframes import PipelineSource, StoreFrames
from gisplan.actions import ACTION_TYPES, SECTORS, STATUSES, ActionSpec, site_action
from gisplan.errors import InputError, NotFoundError
from gisplan.store import ActorRef, Store

#: MyCovenant implementation status of each workflow status of a site.
SECAP_STATUS = {
    "new": "Not started",
    "screening": "Not started",
    "shortlisted": "Not started",
    "project_in_preparation": "Ongoing",
    "funded": "Ongoing",
    "realised": "Completed",
    "rejected": "Cancelled",
}
#: Sites located in a municipality become SECAP actions from these statuses on (linked sites always do).
ACTION_STATUSES = ("shortlisted", "project_in_preparation", "funded", "realised")
#: The MyCovenant action template's fields (title, area of intervention, origin, responsible body,
#: timeframe, status, cost, savings, production, CO2), then gisplan's own (ids, type, unit, funding).
SECAP_COLUMNS = [
    "municipality_code",
    "municipality_name",
    "action_id",
    "action_title",
    "area_of_intervention",
    "dk2020_sector",
    "action_type",
    "measure",
    "origin",
    "responsible_body",
    "implementation_start",
    "implementation_end",
    "implementation_status",
    "implementation_cost_eur",
    "energy_savings_mwh_yr",
    "renewable_production_mwh_yr",
    "co2_reduction_t_yr",
    "capacity",
    "capacity_unit",
    "effect_basis",
    "site_id",
    "site_kind",
    "site_status",
    "status_since",
    "funding",
    "funding_verdict",
]
_VERDICT_RANK = {"eligible": 0, "unknown": 1, "not_eligible": 2}


def _frames(source: Store | PipelineSource) -> PipelineSource:
    return StoreFrames(source) if isinstance(source, Store) else source


def _best_scores(scores: pd.DataFrame, profile: str | None) -> pd.DataFrame:
    """One score row per site: ``profile``'s, else the site's best-scoring non-excluded profile."""
    if profile is not None:
        return scores[scores["profile"] == profile].drop_duplicates("site_id")
    ranked = scores.assign(_excluded=scores["excluded"].astype(bool)).sort_values(
        ["site_id", "_excluded", "score", "profile"], ascending=[True, True, False, True]
    )
    return ranked.drop_duplicates("site_id").drop(columns="_excluded")


def _funding_text(links: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Per site: the linked calls with their verdicts, best first, and the best verdict."""
    if links.empty:
        return {}
    ranked = links.assign(_rank=links["verdict"].map(_VERDICT_RANK).fillna(3)).sort_values(["site_id", "_rank"])
    out = {}
    for site_id, group in ranked.groupby("site_id", sort=True):
        text = "; ".join(f"{c} ({v})" for c, v in zip(group["call_code"], group["verdict"], strict=True))
        out[str(site_id)] = (text, str(group["verdict"].iloc[0]))
    return out


def _utc_date(value: Any) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.date()


def _row(spec: ActionSpec, action_id: str, status: str, basis: str, site: Mapping[Any, Any] | None) -> dict[str, Any]:
    """One SECAP row of an action; the effect columns only where the action type has that effect."""
    kind = ACTION_TYPES[spec.action_type]
    sector = SECTORS[spec.sector or kind.sector]
    return {
        "action_id": action_id,
        "action_title": spec.title,
        "area_of_intervention": sector.mycovenant,
        "dk2020_sector": sector.dk2020,
        "action_type": spec.action_type,
        "measure": kind.measure,
        "origin": spec.origin,
        "responsible_body": spec.responsible_body,
        "implementation_start": spec.start_date,
        "implementation_end": spec.end_date,
        "implementation_status": status,
        "implementation_cost_eur": spec.cost_eur,
        "energy_savings_mwh_yr": spec.energy_savings_mwh_yr if kind.effect == "savings" else None,
        "renewable_production_mwh_yr": spec.production_mwh_yr if kind.effect == "production" else None,
        "co2_reduction_t_yr": spec.co2_t_yr,
        "capacity": spec.capacity if kind.capacity_unit else None,
        "capacity_unit": kind.capacity_unit if spec.capacity is not None else "",
        "effect_basis": basis,
        "site_id": spec.site_id or "",
        "site_kind": (site or {}).get("kind", ""),
        "site_status": (site or {}).get("status", ""),
    }


def _stored_spec(row: Mapping[Any, Any]) -> ActionSpec:
    fields = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
    return ActionSpec(
        municipality_code=str(fields["municipality_code"]),
        title=str(fields["title"]),
        action_type=str(fields["action_type"]),
        sector=fields["sector"],
        site_id=fields["site_id"],
        origin=str(fields["origin"] or ""),
        responsible_body=str(fields["responsible_body"] or ""),
        start_date=fields["start_date"],
        end_date=fields["end_date"],
        status=str(fields["status"]),
        cost_eur=fields["cost_eur"],
        capacity=fields["capacity"],
        energy_savings_mwh_yr=fields["energy_savings_mwh_yr"],
        production_mwh_yr=fields["production_mwh_yr"],
        co2_t_yr=fields["co2_t_yr"],
        note=str(fields["note"] or ""),
    )


def secap_actions(
    source: Store | PipelineSource,
    municipality_code: str,
    *,
    profile: str | None = None,
    statuses: Sequence[str] = ACTION_STATUSES,
    stored: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A municipality's SECAP actions, one row each, in :data:`SECAP_COLUMNS`.

    Parameters
    ----------
    source
        The store, or any :class:`~gisplan._storeframes.PipelineSource`.
    municipality_code
        Kód obce.
    profile
        Take the effect of sites that are no stored action from this profile; default
        each site's best-scoring non-excluded profile.
    statuses
        Sites located in the municipality join from these workflow statuses on; linked
        sites always do.
    stored
        The stored actions (:func:`gisplan.actions.list_actions`); read from the store
        when ``source`` is one, none otherwise.

    Raises
    ------
    NotFoundError
        If no municipality community has this code.
    """
    frames = _frames(source)
    municipalities = frames.communities("municipality")
    found = municipalities[municipalities["code"] == str(municipality_code)]
    if found.empty:
        msg = (
            f"there is no municipality {municipality_code!r} in the store; load it from the boundaries "
            "(gisplan territories load)"
        )
        raise NotFoundError(msg)
    muni = found.iloc[0]
    if stored is None and isinstance(source, Store):
        from gisplan.actions import list_actions

        stored = list_actions(source, municipality_codes=[str(municipality_code)])
    stored = stored if stored is not None else pd.DataFrame(columns=["site_id"])
    linked = set(frames.linked_sites(int(muni["community_id"]))["site_id"])
    located = frames.sites(municipality_codes=[str(municipality_code)])
    ids = linked | set(located.loc[located["status"].isin(list(statuses)), "site_id"])
    ids |= {str(s) for s in stored["site_id"].dropna()}
    sites = frames.sites(site_ids=sorted(ids))
    sites = sites[sites["end_date"].isna()]
    site_rows = {str(r["site_id"]): r for r in sites.to_dict("records")}
    scores = _best_scores(frames.scores(list(site_rows)), profile)
    best = {str(r["site_id"]): r for r in scores.to_dict("records")}
    changes = frames.status_changes(list(site_rows))
    since = changes.groupby("site_id")["changed_at"].last() if len(changes) else pd.Series(dtype="object")
    funding = _funding_text(frames.funding_links(list(site_rows)))

    rows = []
    for record in stored.to_dict("records"):
        spec = _stored_spec(record)
        site = site_rows.get(spec.site_id or "")
        basis = spec.note or "entered with the action"
        rows.append(_row(spec, f"action:{record['action_id']}", STATUSES[spec.status], basis, site))
    acted = {str(s) for s in stored["site_id"].dropna()}
    for site_id, site in site_rows.items():
        if site_id in acted:
            continue
        spec = site_action(site, best.get(site_id))
        basis = spec.note or "no energy effect estimated for this action type"
        rows.append(_row(spec, site_id, SECAP_STATUS.get(str(site["status"]), "Not started"), basis, site))
    table = pd.DataFrame(
        rows, columns=[c for c in SECAP_COLUMNS if c not in {"municipality_code", "municipality_name"}]
    )
    table.insert(0, "municipality_name", str(muni["name"]))
    table.insert(0, "municipality_code", str(municipality_code))
    table["status_since"] = [
        _utc_date(since.get(s, site_rows[s]["first_seen"])) if s in site_rows else None for s in table["site_id"]
    ]
    table["funding"] = [funding.get(s, ("", ""))[0] for s in table["site_id"]]
    table["funding_verdict"] = [funding.get(s, ("", ""))[1] for s in table["site_id"]]
    return table.sort_values("action_id", ignore_index=True)[SECAP_COLUMNS]


def write_secap(actions: pd.DataFrame, path: Path | str, *, note: str = "") -> Path:
    """Write SECAP actions to ``.csv`` (UTF-8 with BOM, for Excel) or ``.xlsx`` (sheets actions + about).

    The ``about`` sheet holds the totals per effect, the date and ``note``. Titles,
    bodies and notes are user text: the cells go through
    :mod:`gisplan.export.spreadsheet`, so none runs as a formula.

    Raises
    ------
    InputError
        If the suffix is neither ``.csv`` nor ``.xlsx``.
    """
    from gisplan.export.spreadsheet import write_table_csv, write_tables_xlsx

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        write_table_csv(actions, target)
        return target
    if suffix != ".xlsx":
        msg = f"{target}: write SECAP actions to a .csv or .xlsx file"
        raise InputError(msg)
    names = sorted(
        {f"{c} {n}" for c, n in zip(actions["municipality_code"], actions["municipality_name"], strict=True)}
    )
    about = pd.DataFrame(
        {
            "item": [
                "municipality",
                "generated",
                "actions",
                "energy_savings_mwh_yr",
                "renewable_production_mwh_yr",
                "co2_reduction_t_yr",
                "note",
            ],
            "value": [
                ", ".join(names),
                dt.date.today().isoformat(),
                len(actions),
                float(pd.to_numeric(actions["energy_savings_mwh_yr"]).sum()),
                float(pd.to_numeric(actions["renewable_production_mwh_yr"]).sum()),
                float(pd.to_numeric(actions["co2_reduction_t_yr"]).sum()),
                note,
            ],
        }
    )
    write_tables_xlsx({"actions": actions, "about": about}, target)
    return target


def export_secap(
    store: Store, actor: ActorRef, municipality_code: str, path: Path | str, *, profile: str | None = None
) -> Path:
    """Write a municipality's SECAP actions to ``path`` (``.csv`` or ``.xlsx``) as ``actor``: checked and audited.

    The one SECAP export of the app and the CLI: the store checks that ``actor`` may export
    (and audits the export) before anything is read; the file is written only then.

    Raises
    ------
    PermissionDeniedError
        If the user may not export (municipality users, disabled users); nothing is written.
    NotFoundError
        If no municipality community has this code.
    InputError
        If the suffix is neither ``.csv`` nor ``.xlsx`` (checked before the permission, so a typo
        costs no audit entry).
    """
    target = Path(path)
    if target.suffix.lower() not in {".csv", ".xlsx"}:
        msg = f"{target}: write SECAP actions to a .csv or .xlsx file"
        raise InputError(msg)
    store.authorize_export(actor, f"secap {municipality_code} {target.suffix.lower().lstrip('.')}")
    return write_secap(secap_actions(store, municipality_code, profile=profile), target, note="gisplan")


__all__ = [
    "ACTION_STATUSES",
    "SECAP_COLUMNS",
    "SECAP_STATUS",
    "export_secap",
    "secap_actions",
    "write_secap",
]
