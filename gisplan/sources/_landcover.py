"""The canonical ``land_cover`` column: one small vocabulary for RÚIAN land types and OSM tags.

Profiles exclude what cannot host PV by these values (``forest``, ``water``), so
they must mean the same whatever the source. A site whose source says nothing
gets no value: land cover unknown, which no exclusion matches.

Vocabulary: ``arable``, ``hop_garden``, ``vineyard``, ``garden``, ``orchard``,
``grassland``, ``forest``, ``water``, ``wetland``, ``built_up``, ``brownfield``,
``other``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

LAND_COVERS = (
    "arable",
    "hop_garden",
    "vineyard",
    "garden",
    "orchard",
    "grassland",
    "forest",
    "water",
    "wetland",
    "built_up",
    "brownfield",
    "other",
)

#: RÚIAN ``DruhPozemkuKod`` (ČÚZK code list "Druh pozemku", vyhláška č. 357/2013 Sb., příloha) ->
#: land cover: 2 orná půda, 3 chmelnice, 4 vinice, 5 zahrada, 6 ovocný sad, 7 trvalý travní
#: porost, 10 lesní pozemek, 11 vodní plocha, 13 zastavěná plocha a nádvoří, 14 ostatní plocha.
RUIAN_LAND_TYPES: dict[int, str] = {
    2: "arable",
    3: "hop_garden",
    4: "vineyard",
    5: "garden",
    6: "orchard",
    7: "grassland",
    10: "forest",
    11: "water",
    13: "built_up",
    14: "other",
}

#: OSM ``landuse`` values -> land cover (https://wiki.openstreetmap.org/wiki/Key:landuse).
OSM_LANDUSE: dict[str, str] = {
    "farmland": "arable",
    "vineyard": "vineyard",
    "orchard": "orchard",
    "allotments": "garden",
    "meadow": "grassland",
    "grass": "grassland",
    "forest": "forest",
    "reservoir": "water",
    "basin": "water",
    "residential": "built_up",
    "industrial": "built_up",
    "commercial": "built_up",
    "retail": "built_up",
    "farmyard": "built_up",
    "brownfield": "brownfield",
}
#: OSM ``natural`` values -> land cover (https://wiki.openstreetmap.org/wiki/Key:natural).
OSM_NATURAL: dict[str, str] = {
    "wood": "forest",
    "water": "water",
    "wetland": "wetland",
    "grassland": "grassland",
    "heath": "grassland",
    "scrub": "grassland",
}


def from_ruian(codes: pd.Series[Any]) -> pd.Series[Any]:
    """``land_cover`` from RÚIAN ``DruhPozemkuKod`` codes; unknown or missing codes give ``None``."""
    numbers = pd.to_numeric(codes, errors="coerce")
    return pd.Series(
        [RUIAN_LAND_TYPES.get(int(v)) if pd.notna(v) else None for v in numbers], index=codes.index, dtype=object
    )


def from_osm(frame: pd.DataFrame) -> pd.Series[Any] | None:
    """``land_cover`` from OSM ``natural`` (first) and ``landuse`` tags; ``None`` if neither is there.

    ``natural`` wins because it says what covers the ground (``natural=water`` inside
    ``landuse=residential``); values outside the tables give no land cover.
    """
    have = [c for c in ("natural", "landuse") if c in frame.columns]
    if not have:
        return None
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for column, table in (("landuse", OSM_LANDUSE), ("natural", OSM_NATURAL)):
        if column in frame.columns:
            mapped = frame[column].map(lambda v, t=table: t.get(v) if isinstance(v, str) else None)
            out = mapped.where(mapped.notna(), out)
    return pd.Series([v if isinstance(v, str) else None for v in out], index=frame.index, dtype=object)


__all__ = ["LAND_COVERS", "OSM_LANDUSE", "OSM_NATURAL", "RUIAN_LAND_TYPES", "from_osm", "from_ruian"]
