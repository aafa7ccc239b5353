"""The sections of a catalogue file beside ``layers:``: ``region:`` (the sun) and ``unavailable:`` (missing slots).

Split from :mod:`gisplan.catalogue`, which re-exports :class:`Region` and
:func:`unavailable_in_data`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gisplan.errors import Problem

if TYPE_CHECKING:
    from gisplan.energy import SolarRegion

ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
#: Key of ``unavailable:`` that applies to every profile.
ALL_PROFILES = "*"


class Region(BaseModel):
    """What the region declares about its sun, for yields without an irradiation raster.

    Example (a top-level ``region:`` beside ``layers:`` in one catalogue file)::

        region:
          name: Ústecký kraj
          annual_ghi_kwh_m2: 1060
          bbox: [12.9, 50.1, 14.9, 51.1]
          source: PVGIS-SARAH3, long-term annual GHI at Ústí nad Labem

    Give ``annual_ghi_kwh_m2`` [kWh/m²/yr] (yields say ``region``), or
    ``clearness`` [–], annual over clear-sky annual GHI (yields say
    ``fallback_clearsky``), or both; ``bbox`` ``[west, south, east, north]``
    [degrees, EPSG:4326] limits them to sites inside it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    annual_ghi_kwh_m2: float | None = Field(default=None, ge=300, le=3000)
    clearness: float | None = Field(default=None, gt=0.2, le=1.0)
    bbox: tuple[float, float, float, float] | None = None
    source: str = Field(min_length=3, description="where the values come from")

    @field_validator("bbox")
    @classmethod
    def _box(cls, value: tuple[float, float, float, float] | None) -> tuple[float, float, float, float] | None:
        if value is not None:
            west, south, east, north = value
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                msg = "must be [west, south, east, north] in degrees, with west < east and south < north"
                raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _something(self) -> Region:
        if self.annual_ghi_kwh_m2 is None and self.clearness is None:
            msg = "give annual_ghi_kwh_m2, clearness or both"
            raise ValueError(msg)
        return self

    def solar(self) -> SolarRegion:
        """The declaration as :class:`gisplan.energy.SolarRegion`."""
        from gisplan.energy import SolarRegion

        return SolarRegion(
            annual_ghi_kwh_m2=self.annual_ghi_kwh_m2, clearness=self.clearness, bbox_deg=self.bbox, name=self.name
        )


def region_in_file(path: Path) -> tuple[Region | None, list[Problem]]:
    """The file's ``region:`` section, if any (the file is read again: it is small)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return None, []  # reported by _problems_in_file
    if not isinstance(data, dict) or data.get("region") is None:
        return None, []
    try:
        return Region.model_validate(data["region"]), []
    except ValidationError as exc:
        return None, [
            Problem(str(path), f"region, field {'.'.join(str(x) for x in err['loc']) or '(region)'}", err["msg"])
            for err in exc.errors()
        ]


def _slot_list(value: object, where: str, name: str, problems: list[Problem]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and ID_RE.match(v) for v in value):
        problems.append(Problem(name, where, "must be a list of layer slot names, e.g. [protected_areas, roads]"))
        return ()
    return tuple(value)


def unavailable_in_data(data: object, name: str) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """The ``unavailable:`` section of a parsed catalogue file: slots the region has no data for.

    Either a list of slots (for every profile), e.g. ``unavailable: [protected_areas]``, or a
    mapping of profile names (or ``'*'`` for all) to lists, e.g. ``{ground_pv: [slope]}``.
    """
    if not isinstance(data, dict) or data.get("unavailable") is None:
        return {}, []
    value = data["unavailable"]
    problems: list[Problem] = []
    if isinstance(value, list):
        return {ALL_PROFILES: _slot_list(value, "field unavailable", name, problems)}, problems
    if not isinstance(value, dict):
        msg = "must be a list of slots, or a mapping of profile names ('*' for all) to lists of slots"
        return {}, [Problem(name, "field unavailable", msg)]
    out = {str(k): _slot_list(v, f"field unavailable.{k}", name, problems) for k, v in value.items()}
    return out, problems


def unavailable_in_file(path: Path) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """The file's ``unavailable:`` section, if any (the file is read again: it is small)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return {}, []  # reported by _problems_in_file
    return unavailable_in_data(data, str(path))


__all__ = ["ALL_PROFILES", "ID_RE", "Region", "region_in_file", "unavailable_in_data", "unavailable_in_file"]
