"""Communities with a boundary: loading it, the sites inside it, and potential against demand per municipality.

A community's boundary is a GeoJSON geometry in EPSG:4326 kept in
``attributes["boundary"]`` (as :mod:`gisplan.territories` stores municipality
outlines and the union of a MAS's members). :func:`read_boundary` reads one
from any vector file (a city district, an energy community's area) and
:func:`store_boundary` puts it on a community; :func:`sites_within` then finds
the sites inside it, which :func:`gisplan.communities.community_report` lists
with the community. :func:`municipality_balance` sets each municipality's
potential against its demand (measured where loaded, estimated elsewhere) for
the choropleth of the community page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gisplan._storeframes import boundary_shape, sites_within
from gisplan.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from gisplan._storeframes import PipelineSource
    from gisplan.energy import EnergyParams
    from gisplan.store import ActorRef, Store, Tx

BALANCE_COLUMNS = [
    "municipality_code",
    "municipality_name",
    "sites",
    "potential_mwh_yr",
    "demand_mwh_yr",
    "demand_source",
    "demand_year",
    "demand_data_source",
    "coverage",
    "boundary",
]


def read_boundary(path: str | Path, *, layer: str | None = None, crs: str | None = None) -> dict[str, Any]:
    """The union of every shape of a vector file as a GeoJSON geometry in EPSG:4326.

    Simplified to :data:`gisplan.territories.BOUNDARY_TOLERANCE_M` in a local UTM zone.

    Raises
    ------
    InputError
        If the file is missing, declares no CRS (give ``crs``), or holds no polygon.
    """
    import geopandas as gpd
    import shapely

    from gisplan.territories import boundaries_geojson

    source = Path(path)
    if not source.is_file():
        msg = f"{source} does not exist or is not a file; give a GeoPackage, GeoJSON or shapefile with the area"
        raise InputError(msg)
    frame = gpd.read_file(source, layer=layer) if layer else gpd.read_file(source)
    if frame.crs is None:
        if crs is None:
            msg = f"{source} declares no CRS; give it, e.g. --crs EPSG:4326 or --crs EPSG:5514"
            raise InputError(msg)
        frame = frame.set_crs(crs)
    shapes = shapely.make_valid(frame.geometry.dropna().to_numpy())
    polygons = [g for g in shapes if g.geom_type in {"Polygon", "MultiPolygon"} and not g.is_empty]
    if not polygons:
        msg = f"{source} holds no polygon ({len(frame)} feature(s)); a boundary is an area"
        raise InputError(msg)
    union = gpd.GeoDataFrame(geometry=[shapely.union_all(polygons)], crs=frame.crs)
    metric = union.to_crs(union.estimate_utm_crs())
    (shape,) = boundaries_geojson(metric)
    if shape is None:
        msg = f"{source}: the area vanished when simplified; is it smaller than a few metres?"
        raise InputError(msg)
    return shape


def _find_community(tx: Tx, ref: str) -> Any:
    """A community by id (digits) or ``kind:code``."""
    from sqlalchemy import select

    from gisplan.store.models import Community

    if ref.isdigit():
        return tx.fetch(Community, int(ref), "community")
    kind, sep, code = ref.partition(":")
    if not sep or not code:
        msg = f"{ref!r} names no community; give its id or kind:code, e.g. energy_community:EK1 or mas:MAS1"
        raise InputError(msg)
    found = tx.session.scalar(select(Community).where(Community.kind == kind, Community.code == code))
    if found is None:
        msg = f"there is no community {ref!r}; list them on the Communities page or load them first"
        raise NotFoundError(msg)
    return found


def store_boundary(store: Store, actor: ActorRef, ref: str, boundary: dict[str, Any], *, source: str) -> int:
    """Put ``boundary`` (GeoJSON, EPSG:4326) on community ``ref`` (id or ``kind:code``); return its id."""

    def work(tx: Tx) -> int:
        community = _find_community(tx, ref)
        attributes = dict(community.attributes or {}) | {"boundary": boundary, "boundary_source": source}
        tx.update_community(community.id, expected_version=community.version, attributes=attributes)
        return int(community.id)

    return store.transaction(actor, work)


def municipality_balance(
    source: PipelineSource,
    sites: pd.DataFrame,
    scores: pd.DataFrame,
    codes: list[str],
    *,
    params: EnergyParams | None = None,
) -> pd.DataFrame:
    """Potential [MWh/yr] against demand [MWh/yr] per municipality, for the choropleth.

    ``scores`` should hold one profile; rejected sites and excluded scores do not count.
    Each municipality's demand is measured where loaded, else estimated from its
    population (``demand_source`` says which); ``coverage`` is potential / demand,
    missing when the demand is not known.

    Returns
    -------
    pandas.DataFrame
        :data:`BALANCE_COLUMNS`, one row per code of ``codes``; ``boundary`` is the
        stored outline (GeoJSON, EPSG:4326) or None.
    """
    from gisplan.communities import Measured, community_demand

    municipalities = source.communities("municipality")
    municipalities = municipalities[municipalities["code"].astype(str).isin(codes)]
    measured = Measured(source.measured_demand("municipality", codes), Measured.none().sites)
    live = sites[sites["status"] != "rejected"]
    kept = scores[~scores["excluded"].astype(bool) & scores["site_id"].isin(live["site_id"])]
    merged = live[["site_id", "municipality_code"]].merge(kept, on="site_id", how="inner")
    energy = merged.groupby("municipality_code")["energy_mwh_yr"].sum()
    counts = merged.groupby("municipality_code")["site_id"].nunique()
    rows = []
    for record in municipalities.to_dict("records"):
        code = str(record["code"])
        demand = community_demand({str(k): v for k, v in record.items()}, measured=measured, params=params)
        potential = float(energy.get(code, 0.0))
        rows.append(
            {
                "municipality_code": code,
                "municipality_name": str(record["name"]),
                "sites": int(counts.get(code, 0)),
                "potential_mwh_yr": potential,
                "demand_mwh_yr": demand.mwh_yr if demand else float("nan"),
                "demand_source": demand.source if demand else "not_available",
                "demand_year": demand.year if demand else None,
                "demand_data_source": demand.data_source if demand else "",
                "coverage": potential / demand.mwh_yr if demand and demand.mwh_yr > 0 else float("nan"),
                "boundary": (record.get("attributes") or {}).get("boundary"),
            }
        )
    return pd.DataFrame(rows, columns=BALANCE_COLUMNS).sort_values("municipality_code", ignore_index=True)


__all__ = [
    "BALANCE_COLUMNS",
    "boundary_shape",
    "municipality_balance",
    "read_boundary",
    "sites_within",
    "store_boundary",
]
