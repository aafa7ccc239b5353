"""The vocabularies of site attributes that readers, profiles and funding rules share.

A reader translates a source's wording into these codes (brownfield lists through
a column mapping, RÚIAN building use codes); the funding rules and profiles test
the codes. They live here, below both, so neither imports the other.
"""

from __future__ import annotations

#: Who owns a site. ``public``: a public body, not recorded which (UK registers say only
#: "owned by a public authority"); it meets a call only when the call accepts every public owner.
OWNER_TYPES: tuple[str, ...] = ("municipal", "other_public", "public", "private", "mixed")
#: Owner values that stand for several narrower ones.
BROAD_OWNERS: dict[str, tuple[str, ...]] = {"public": ("municipal", "other_public")}

#: What a building is used for: a small vocabulary over RÚIAN's ZpusobVyuzitiKod (see
#: :data:`gisplan.sources._ruian_codes.BUILDING_USES`). ``civic``: občanská vybavenost
#: (schools, offices of the municipality, culture, health, sport).
BUILDING_USES: tuple[str, ...] = (
    "residential",
    "civic",
    "commercial",
    "industrial",
    "agricultural",
    "technical",
    "other",
)

#: What a brownfield was used for before (the brownfield lists' ``previous_use``, see
#: ``gisplan.sources._mapping``).
PREVIOUS_USES: tuple[str, ...] = (
    "industrial",
    "agricultural",
    "mining",
    "military",
    "residential",
    "civic",
    "commercial",
    "transport",
    "other",
)


__all__ = ["BROAD_OWNERS", "BUILDING_USES", "OWNER_TYPES", "PREVIOUS_USES"]
