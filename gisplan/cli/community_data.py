"""``gisplan demand load``, ``gisplan poverty load`` and ``gisplan actions add|list``: community data from files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from gisplan.cli import app
from gisplan.cli.territories import territories_app
from gisplan.errors import InputError

demand_app = typer.Typer(help="Measured electricity consumption per municipality or building.", no_args_is_help=True)
app.add_typer(demand_app, name="demand")

UrlOption = Annotated[str | None, typer.Option("--url", help="database URL; default GISPLAN_DATABASE_URL")]
SourceOption = Annotated[
    str | None, typer.Option("--source", help="source of every row without a 'source' value, e.g. 'ČEZ Distribuce'")
]


@demand_app.command("load")
def demand_load(
    csv_path: Annotated[
        Path,
        typer.Argument(help="CSV: municipality_code or site_id, mwh_yr [MWh/yr], year, source (a row per place, year)"),
    ],
    source: SourceOption = None,
    url: UrlOption = None,
) -> None:
    """Load measured yearly consumption; community pages then use it instead of the household estimate."""
    from gisplan.demand import load_measured_demand, read_demand_csv
    from gisplan.store import SYSTEM, open_store

    records = read_demand_csv(csv_path, default_source=source)
    with open_store(url) as store:
        report = load_measured_demand(store, SYSTEM, records, file=csv_path.name)
    typer.echo(f"measured demand from {csv_path.name}: {report}")


poverty_app = typer.Typer(help="The energy poverty indicator per municipality.", no_args_is_help=True)
app.add_typer(poverty_app, name="poverty")


@poverty_app.command("load")
def poverty_load(
    csv_path: Annotated[Path, typer.Argument(help="CSV: municipality_code, value, unit, year, source")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="unit of every row without one, e.g. '% of households'")
    ] = None,
    source: SourceOption = None,
    url: UrlOption = None,
) -> None:
    """Load an energy poverty indicator; community pages show it and funding calls may set limits on it."""
    from gisplan.poverty import load_poverty, read_poverty_csv
    from gisplan.store import SYSTEM, open_store

    records = read_poverty_csv(csv_path, unit=unit, source=source)
    with open_store(url) as store:
        added, replaced = load_poverty(store, SYSTEM, records, file=csv_path.name)
    typer.echo(f"energy poverty from {csv_path.name}: {added} added, {replaced} replaced ({records[0].unit})")


@territories_app.command("boundary")
def boundary_command(
    community: Annotated[str, typer.Argument(help="the community: its id, or kind:code (energy_community:EK1)")],
    path: Annotated[Path, typer.Argument(help="vector file with the area (GPKG, GeoJSON, SHP); all shapes are joined")],
    layer: Annotated[str | None, typer.Option("--layer", help="layer of a multi-layer file")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of a file that declares none, e.g. EPSG:5514")] = None,
    url: UrlOption = None,
) -> None:
    """Give a community a boundary: its page then lists every site inside it and maps it."""
    from gisplan.community_areas import read_boundary, sites_within, store_boundary
    from gisplan.store import SYSTEM, open_store

    shape = read_boundary(path, layer=layer, crs=crs)
    with open_store(url) as store:
        community_id = store_boundary(store, SYSTEM, community.strip(), shape, source=path.name)
        inside = len(sites_within(store, shape))
    typer.echo(f"community {community_id}: boundary from {path.name}; {inside} current site(s) inside it")


actions_app = typer.Typer(
    help="Climate-plan actions (Covenant of Mayors SECAP / DK2020): heat, transport, buildings, PV…",
    no_args_is_help=True,
)
app.add_typer(actions_app, name="actions")


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        msg = f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01"
        raise InputError(msg) from exc


@dataclass(frozen=True)
class _Fields:
    """The MyCovenant fields common to ``actions add`` and ``actions from-site``."""

    responsible: str | None
    start: str | None
    end: str | None
    status: str | None
    cost_eur: float | None
    note: str | None

    def as_spec_fields(self) -> dict[str, object]:
        out: dict[str, object] = {
            "start_date": _date(self.start, "--start"),
            "end_date": _date(self.end, "--end"),
            "cost_eur": self.cost_eur,
        }
        for key, value in (("responsible_body", self.responsible), ("status", self.status), ("note", self.note)):
            if value is not None:
                out[key] = value.strip()
        return out


Responsible = Annotated[str | None, typer.Option("--responsible", help="responsible body, e.g. 'Obecní úřad'")]
Start = Annotated[str | None, typer.Option("--start", help="implementation start, YYYY-MM-DD")]
End = Annotated[str | None, typer.Option("--end", help="implementation end, YYYY-MM-DD")]
Status = Annotated[
    str | None, typer.Option("--status", help="not_started | ongoing | completed | postponed | cancelled")
]
Cost = Annotated[float | None, typer.Option("--cost-eur", help="implementation cost [EUR]")]
Note = Annotated[str | None, typer.Option("--note", help="how the effect was estimated, or anything else")]


@actions_app.command("add")
def actions_add(  # noqa: PLR0917  (typer maps each parameter to an option)
    municipality: Annotated[str, typer.Option("--municipality", help="kód obce whose plan holds the action")],
    title: Annotated[str, typer.Option("--title", help="what the action is")],
    action_type: Annotated[
        str,
        typer.Option(
            "--type",
            help="pv_rooftop, pv_ground, community_energy, renewable_heat, heat_pump, building_retrofit, "
            "public_lighting, transport, waste, redevelopment, other",
        ),
    ],
    sector: Annotated[str | None, typer.Option("--sector", help="sector code; default the type's")] = None,
    site: Annotated[str | None, typer.Option("--site", help="id of the site the action is about")] = None,
    origin: Annotated[
        str, typer.Option("--origin", help="where it came from: plan, site, proposal:ID (a resident's proposal)…")
    ] = "plan",
    responsible: Responsible = None,
    start: Start = None,
    end: End = None,
    status: Status = None,
    cost_eur: Cost = None,
    capacity: Annotated[float | None, typer.Option("--capacity", help="size in the type's unit (kWp, kWth)")] = None,
    savings: Annotated[float | None, typer.Option("--savings-mwh-yr", help="energy saved [MWh/yr]")] = None,
    production: Annotated[float | None, typer.Option("--production-mwh-yr", help="energy produced [MWh/yr]")] = None,
    co2: Annotated[float | None, typer.Option("--co2-t-yr", help="CO2 reduction [tCO2/yr]")] = None,
    note: Note = None,
    url: UrlOption = None,
) -> None:
    """Add an action of a municipality's climate plan with its MyCovenant fields."""
    from gisplan.actions import ActionSpec, add_action
    from gisplan.store import SYSTEM, open_store

    fields = _Fields(responsible, start, end, status, cost_eur, note).as_spec_fields()
    spec = ActionSpec(
        municipality_code=municipality,
        title=title,
        action_type=action_type.strip(),
        sector=sector,
        site_id=site,
        origin=origin.strip() or "plan",
        capacity=capacity,
        energy_savings_mwh_yr=savings,
        production_mwh_yr=production,
        co2_t_yr=co2,
        **fields,  # type: ignore[arg-type]
    )
    with open_store(url) as store:
        action_id = add_action(store, SYSTEM, spec)
    typer.echo(f"action {action_id}: {spec.title.strip()} ({spec.action_type}) in {spec.municipality_code}")


@actions_app.command("from-site")
def actions_from_site(  # noqa: PLR0917
    site: Annotated[str, typer.Argument(help="id of the site")],
    profile: Annotated[str | None, typer.Option("--profile", help="take the effect from this profile")] = None,
    responsible: Responsible = None,
    start: Start = None,
    end: End = None,
    status: Status = None,
    cost_eur: Cost = None,
    note: Note = None,
    url: UrlOption = None,
) -> None:
    """Make a site an action: its type and effect from its (best) score; a redevelopment gets no PV figures."""
    from gisplan.actions import action_from_site
    from gisplan.store import SYSTEM, open_store

    fields = {
        k: v
        for k, v in _Fields(responsible, start, end, status, cost_eur, note).as_spec_fields().items()
        if v is not None
    }
    with open_store(url) as store:
        action_id = action_from_site(store, SYSTEM, site, profile=profile, **fields)
    typer.echo(f"action {action_id} from site {site}")


@actions_app.command("list")
def actions_list(
    municipality: Annotated[str | None, typer.Option("--municipality", help="only this kód obce")] = None,
    url: UrlOption = None,
) -> None:
    """List the stored actions (id, municipality, type, status, effect)."""
    from gisplan.actions import list_actions
    from gisplan.store import open_store

    with open_store(url) as store:
        table = list_actions(store, municipality_codes=[municipality] if municipality else None)
    if table.empty:
        typer.echo("no actions")
        return
    for row in table.to_dict("records"):
        effect = ", ".join(
            f"{label} {row[key]:g}"
            for key, label in (
                ("production_mwh_yr", "produces MWh/yr"),
                ("energy_savings_mwh_yr", "saves MWh/yr"),
                ("co2_t_yr", "tCO2/yr"),
            )
            if row[key] is not None and row[key] == row[key]
        )
        typer.echo(
            f"{row['action_id']}\t{row['municipality_code']}\t{row['action_type']}\t{row['status']}\t"
            f"{row['title']}\t{effect or 'effect not given'}"
        )
