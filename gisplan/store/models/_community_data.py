"""Tables of measured demand, the energy poverty indicator and climate-plan actions.

- :class:`MeasuredDemand`: a yearly electricity consumption [MWh/yr] measured for a
  municipality (``scope`` ``municipality``, ``key`` = kód obce) or a building
  (``scope`` ``site``, ``key`` = site id), with the year and the source it came from.
- :class:`EnergyPoverty`: one value of an energy poverty indicator per municipality and
  year, with its unit and source.
- :class:`ClimateAction`: an action of a municipal climate plan (Covenant of Mayors
  SECAP, DK2020), optionally made from a site, with the fields of the MyCovenant
  action template.

The reads and writes live in :mod:`gisplan.demand`, :mod:`gisplan.poverty` and
:mod:`gisplan.actions`; the schema is created by migration ``0007``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gisplan.store.models._core import Base, UTCDateTime, utcnow


class MeasuredDemand(Base):
    """A measured yearly consumption of a municipality or a building [MWh/yr]."""

    __tablename__ = "measured_demand"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    mwh_yr: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300), default="")
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("scope", "key", "year", name="uq_measured_demand_key_year"),)


class EnergyPoverty(Base):
    """One value of the energy poverty indicator of a municipality in a year."""

    __tablename__ = "energy_poverty"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(300), default="")
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("municipality_code", "year", name="uq_energy_poverty_code_year"),)


class ClimateAction(Base):
    """An action of a municipal climate plan, with the MyCovenant action fields.

    ``energy_savings_mwh_yr`` and ``production_mwh_yr`` [MWh/yr], ``co2_t_yr``
    [tCO2/yr], ``cost_eur`` [EUR] and ``capacity`` (in ``capacity_unit``) are
    missing when not known, never 0 in their place.
    """

    __tablename__ = "climate_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"), nullable=True)
    origin: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(500))
    sector: Mapped[str] = mapped_column(String(32))
    action_type: Mapped[str] = mapped_column(String(64))
    responsible_body: Mapped[str] = mapped_column(String(300), default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="not_started")
    cost_eur: Mapped[float | None] = mapped_column(Float, nullable=True)
    capacity: Mapped[float | None] = mapped_column(Float, nullable=True)
    capacity_unit: Mapped[str] = mapped_column(String(16), default="")
    energy_savings_mwh_yr: Mapped[float | None] = mapped_column(Float, nullable=True)
    production_mwh_yr: Mapped[float | None] = mapped_column(Float, nullable=True)
    co2_t_yr: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is

    __table_args__ = (
        Index("ix_climate_actions_municipality", "municipality_code"),
        Index("ix_climate_actions_site", "site_id"),
    )


__all__ = ["ClimateAction", "EnergyPoverty", "MeasuredDemand"]
