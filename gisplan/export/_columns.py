"""Names shared by the export snapshot and the data dictionary: column prefixes and names, source records."""

from __future__ import annotations

from dataclasses import dataclass

#: Column prefix of the points each breakdown line contributed to the score. [score points]
POINTS_PREFIX = "pts_"
#: Column prefix of each criterion's raw value (the unit is in the criterion name).
VALUE_PREFIX = "val_"


@dataclass(frozen=True)
class SourceInfo:
    """A data source behind the export, with its licence and attribution."""

    source: str
    title: str
    licence: str
    role: str
    sites: int = 0


def column_name(line: str) -> str:
    """A breakdown line name as a column name: ``handicap:flood`` -> ``handicap_flood``."""
    return "".join(c if c.isalnum() or c == "_" else "_" for c in line)


__all__ = ["POINTS_PREFIX", "VALUE_PREFIX", "SourceInfo", "column_name"]
