"""Tidy pandas tables read from the store, for the community and monitoring aggregates.

The store's public API answers per-site questions (``status_history(site_id)``,
``community_links(site_id)``...). Dashboards need the same facts for many sites
at once, so :class:`StoreFrames` reads them in a few queries through
:meth:`gisplan.store.Store.read` and returns plain DataFrames. The aggregates in
:mod:`gisplan.communities` and :mod:`gisplan.monitoring` only see these frames
(the :class:`PipelineSource` protocol), so they can be tested without a database
and fed from elsewhere.

No geometry is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd
from sqlalchemy import select

from gisplan.errors import NotFoundError
from gisplan.store.models import (
    CommunityMember,
    FundingCall,
    Site,
    SiteCommunityLink,
    SiteFundingLink,
    SiteScore,
    StatusChange,
)

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry
    from sqlalchemy.orm import Session

    from gisplan.store import Store

SITE_COLUMNS = [
    "site_id",
    "name",
    "kind",
    "status",
    "municipality_code",
    "region_code",
    "area_m2",
    "first_seen",
    "end_date",
]
SCORE_COLUMNS = ["site_id", "profile", "score", "excluded", "capacity_kwp", "energy_mwh_yr", "co2_t_yr", "households"]
CHANGE_COLUMNS = ["site_id", "from_status", "to_status", "changed_at"]
FUNDING_COLUMNS = ["site_id", "call_code", "call_name", "programme", "intake_end", "verdict", "reasons", "note"]
COMMUNITY_COLUMNS = ["community_id", "kind", "name", "code", "population", "region_code", "municipality_code"]
MEMBER_COLUMNS = ["community_id", "name", "municipality_code", "member_community_id", "role"]


class PipelineSource(Protocol):
    """What the community and monitoring aggregates read; :class:`StoreFrames` reads it from the store."""

    def sites(
        self, *, site_ids: Iterable[str] | None = None, municipality_codes: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """Sites (:data:`SITE_COLUMNS`), optionally only these ids or those in these municipalities."""
        ...

    def scores(self, site_ids: Iterable[str], *, profile: str | None = None) -> pd.DataFrame:
        """Scores (:data:`SCORE_COLUMNS`) of these sites."""
        ...

    def status_changes(self, site_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Workflow moves (:data:`CHANGE_COLUMNS`), oldest first."""
        ...

    def funding_links(self, site_ids: Iterable[str]) -> pd.DataFrame:
        """Links of these sites to funding calls (:data:`FUNDING_COLUMNS`)."""
        ...

    def communities(self, kind: str | None = None) -> pd.DataFrame:
        """Communities (:data:`COMMUNITY_COLUMNS`) plus their ``attributes`` (dict)."""
        ...

    def members(self, community_id: int) -> pd.DataFrame:
        """Members (:data:`MEMBER_COLUMNS`) of one community."""
        ...

    def linked_sites(self, community_id: int) -> pd.DataFrame:
        """``site_id`` and ``role`` of the sites linked to one community."""
        ...

    def measured_demand(self, scope: str, keys: Iterable[str]) -> pd.DataFrame:
        """The newest measured consumption per municipality code or site id (:func:`gisplan.demand.latest`)."""
        ...

    def sites_within(self, boundary: dict[str, Any]) -> list[str]:
        """Ids of the current sites inside a GeoJSON boundary (EPSG:4326)."""
        ...


def _frame(rows: Iterable[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class StoreFrames:
    """A :class:`PipelineSource` reading a :class:`~gisplan.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _in(self, column: Any, values: Iterable[str] | None, base: Any, columns: list[str]) -> pd.DataFrame:
        if values is None:
            return self.store.read(lambda s: _frame(s.execute(base).all(), columns))
        wanted = sorted({str(v) for v in values})

        def work(session: Session) -> pd.DataFrame:
            rows: list[Any] = []
            for part in _chunks(wanted):
                rows.extend(session.execute(base.where(column.in_(part))).all())
            return _frame(rows, columns)

        return self.store.read(work)

    def sites(
        self, *, site_ids: Iterable[str] | None = None, municipality_codes: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """Current and ended sites (:data:`SITE_COLUMNS`), sorted by id."""
        base = select(
            Site.id,
            Site.name,
            Site.kind,
            Site.status,
            Site.municipality_code,
            Site.region_code,
            Site.area_m2,
            Site.first_seen,
            Site.end_date,
        )
        if site_ids is not None:
            frame = self._in(Site.id, site_ids, base, SITE_COLUMNS)
            if municipality_codes is not None:
                frame = frame[frame["municipality_code"].isin(list(municipality_codes))]
        elif municipality_codes is not None:
            frame = self._in(Site.municipality_code, municipality_codes, base, SITE_COLUMNS)
        else:
            frame = self._in(Site.id, None, base, SITE_COLUMNS)
        return frame.sort_values("site_id", ignore_index=True)

    def scores(self, site_ids: Iterable[str], *, profile: str | None = None) -> pd.DataFrame:
        """Scores (:data:`SCORE_COLUMNS`) of these sites, optionally of one profile."""
        base = select(
            SiteScore.site_id,
            SiteScore.profile,
            SiteScore.score,
            SiteScore.excluded,
            SiteScore.capacity_kwp,
            SiteScore.energy_mwh_yr,
            SiteScore.co2_t_yr,
            SiteScore.households,
        )
        if profile is not None:
            base = base.where(SiteScore.profile == profile)
        return self._in(SiteScore.site_id, site_ids, base, SCORE_COLUMNS)

    def status_changes(self, site_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Workflow moves (:data:`CHANGE_COLUMNS`), oldest first."""
        base = select(StatusChange.site_id, StatusChange.from_status, StatusChange.to_status, StatusChange.changed_at)
        frame = self._in(StatusChange.site_id, site_ids, base.order_by(StatusChange.id), CHANGE_COLUMNS)
        return frame.sort_values("changed_at", kind="stable", ignore_index=True)

    def funding_links(self, site_ids: Iterable[str]) -> pd.DataFrame:
        """Links of these sites to funding calls, with the call's code, name and programme."""
        base = select(
            SiteFundingLink.site_id,
            FundingCall.code,
            FundingCall.name,
            FundingCall.programme,
            FundingCall.intake_end,
            SiteFundingLink.verdict,
            SiteFundingLink.reasons,
            SiteFundingLink.note,
        ).join(FundingCall, FundingCall.id == SiteFundingLink.funding_call_id)
        return self._in(SiteFundingLink.site_id, site_ids, base, FUNDING_COLUMNS)

    def communities(self, kind: str | None = None) -> pd.DataFrame:
        """Communities (:data:`COMMUNITY_COLUMNS` + ``attributes``), by id."""
        rows = [
            (c.id, c.kind, c.name, c.code, c.population, c.region_code, c.municipality_code, dict(c.attributes or {}))
            for c in self.store.communities(kind)
        ]
        return pd.DataFrame(rows, columns=[*COMMUNITY_COLUMNS, "attributes"])

    def members(self, community_id: int) -> pd.DataFrame:
        """Members of one community."""
        base = select(
            CommunityMember.community_id,
            CommunityMember.name,
            CommunityMember.municipality_code,
            CommunityMember.member_community_id,
            CommunityMember.member_role,
        ).where(CommunityMember.community_id == community_id)
        return self.store.read(lambda s: _frame(s.execute(base.order_by(CommunityMember.id)).all(), MEMBER_COLUMNS))

    def linked_sites(self, community_id: int) -> pd.DataFrame:
        """``site_id`` and ``role`` of the sites linked to one community."""
        base = select(SiteCommunityLink.site_id, SiteCommunityLink.role).where(
            SiteCommunityLink.community_id == community_id
        )
        return self.store.read(
            lambda s: _frame(s.execute(base.order_by(SiteCommunityLink.id)).all(), ["site_id", "role"])
        )

    def measured_demand(self, scope: str, keys: Iterable[str]) -> pd.DataFrame:
        """The newest measured consumption per municipality code or site id (:func:`gisplan.demand.latest`)."""
        from gisplan.demand import latest, measured_rows

        wanted = list(keys)
        if not wanted:
            return latest(pd.DataFrame(columns=["scope", "key", "year", "mwh_yr", "source"]))
        return latest(self.store.read(lambda s: measured_rows(s, scope, wanted)))  # type: ignore[arg-type]

    def sites_within(self, boundary: dict[str, Any]) -> list[str]:
        """Ids of the current sites inside a GeoJSON boundary (EPSG:4326); see :func:`sites_within`."""
        return sites_within(self.store, boundary)


def boundary_shape(boundary: dict[str, Any], srid: int) -> BaseGeometry:
    """A stored GeoJSON boundary (EPSG:4326) as a shapely geometry in EPSG:``srid``."""
    import numpy as np
    import shapely
    from pyproj import Transformer

    geom = shapely.from_geojson(json.dumps(boundary))
    transformer = Transformer.from_crs("EPSG:4326", f"EPSG:{srid}", always_xy=True)
    moved: BaseGeometry = shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    return moved


def sites_within(store: Store, boundary: dict[str, Any]) -> list[str]:
    """Ids of the current sites whose representative point lies inside ``boundary`` (GeoJSON, EPSG:4326)."""
    import shapely
    from sqlalchemy import select

    area = boundary_shape(boundary, store.srid)
    if area.is_empty:
        return []
    x0, y0, x1, y1 = area.bounds
    shapely.prepare(area)
    stmt = select(Site.id, Site.geom).where(
        Site.end_date.is_(None), Site.maxx >= x0, Site.minx <= x1, Site.maxy >= y0, Site.miny <= y1
    )
    rows = store.read(lambda s: s.execute(stmt).all())
    ids = [str(i) for i, _ in rows]
    geoms = [g for _, g in rows]
    if not ids:
        return []
    points = shapely.point_on_surface(geoms)
    inside = shapely.contains_xy(area, shapely.get_x(points), shapely.get_y(points))
    return sorted(i for i, keep in zip(ids, inside, strict=True) if keep)


def community_row(source: PipelineSource, community_id: int) -> dict[str, Any]:
    """One community as a dict (:data:`COMMUNITY_COLUMNS` + ``attributes``).

    Raises
    ------
    NotFoundError
        If there is no such community.
    """
    frame = source.communities()
    found = frame[frame["community_id"] == community_id]
    if found.empty:
        msg = f"there is no community {community_id}; known ids: {sorted(frame['community_id'].tolist())[:20]}"
        raise NotFoundError(msg)
    return {str(k): v for k, v in found.iloc[0].to_dict().items()}


__all__ = [
    "CHANGE_COLUMNS",
    "COMMUNITY_COLUMNS",
    "FUNDING_COLUMNS",
    "MEMBER_COLUMNS",
    "SCORE_COLUMNS",
    "SITE_COLUMNS",
    "PipelineSource",
    "StoreFrames",
    "boundary_shape",
    "community_row",
    "sites_within",
]
