"""RÚIAN code lists gisplan decodes: building use, land type and parcel numbering.

One place for these tables: the RÚIAN reader names buildings with them, and the
funding matcher (:mod:`gisplan.funding._matcher`) maps building use to its
vocabulary through :data:`BUILDING_USE_VOCABULARY`.

Sources: ČÚZK code lists of RÚIAN/ISKN, "Způsob využití stavebního objektu"
(``ZpusobVyuzitiKod``, codes 1–29, valid since 1993 or 2007), "Druh pozemku"
(``DruhPozemkuKod``) and "Druh číslování parcel" (``DruhCislovaniKod``: 1 stavební
parcela, written ``st. 12``; 2 pozemková parcela, written ``12``). Checked on the
Děčany VFR file: all 358 parcels of land type 13 (zastavěná plocha) are numbered
as stavební parcely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class BuildingUse:
    """One ``ZpusobVyuzitiKod`` value.

    Attributes
    ----------
    cs
        The ČÚZK name in Czech.
    code
        A short English code (``detached_house``, ``agricultural_building``…).
    use
        The funding vocabulary's building use (:data:`gisplan.vocabulary.BUILDING_USES`).
    public
        True for civic amenities (občanská vybavenost: schools, authorities' offices, culture,
        health, sport; building code decree 501/2006 Sb., § 6), False for uses that are not,
        None where the code cannot tell (offices, multi-purpose buildings).
    """

    cs: str
    code: str
    use: str
    public: bool | None


#: ``ZpusobVyuzitiKod`` (způsob využití stavebního objektu, ČÚZK code list).
#: Office buildings (14) and multi-purpose ones (20) may be public or private: ``public`` None.
BUILDING_USES: dict[int, BuildingUse] = {
    1: BuildingUse("průmyslový objekt", "industrial_building", "industrial", False),
    2: BuildingUse("zemědělská usedlost", "farmstead", "agricultural", False),
    3: BuildingUse("objekt k bydlení", "dwelling", "residential", False),
    4: BuildingUse("objekt lesního hospodářství", "forestry_building", "agricultural", False),
    5: BuildingUse("objekt občanské vybavenosti", "civic_amenity", "civic", True),
    6: BuildingUse("bytový dům", "apartment_building", "residential", False),
    7: BuildingUse("rodinný dům", "detached_house", "residential", False),
    8: BuildingUse("stavba pro rodinnou rekreaci", "holiday_house", "residential", False),
    9: BuildingUse("stavba pro shromažďování většího počtu osob", "assembly_building", "civic", True),
    10: BuildingUse("stavba pro obchod", "shop", "commercial", False),
    11: BuildingUse("stavba ubytovacího zařízení", "accommodation", "commercial", False),
    12: BuildingUse("stavba pro výrobu a skladování", "production_storage", "industrial", False),
    13: BuildingUse("zemědělská stavba", "agricultural_building", "agricultural", False),
    14: BuildingUse("stavba pro administrativu", "office_building", "other", None),
    15: BuildingUse("stavba občanského vybavení", "civic_building", "civic", True),
    16: BuildingUse("stavba technického vybavení", "technical_infrastructure", "technical", False),
    17: BuildingUse("stavba pro dopravu", "transport_building", "technical", False),
    18: BuildingUse("garáž", "garage", "other", False),
    19: BuildingUse("jiná stavba", "other_building", "other", False),
    20: BuildingUse("víceúčelová stavba", "multi_purpose_building", "other", None),
    21: BuildingUse("skleník", "greenhouse", "agricultural", False),
    22: BuildingUse("přehrada", "dam", "technical", False),
    23: BuildingUse("hráz přehrazující vodní tok nebo údolí", "barrage", "technical", False),
    24: BuildingUse("hráz k ochraně nemovitostí před zaplavením při povodni", "flood_dyke", "technical", False),
    25: BuildingUse("hráz ohrazující umělou vodní nádrž", "reservoir_dyke", "technical", False),
    26: BuildingUse("jez", "weir", "technical", False),
    27: BuildingUse(
        "stavba k plavebním účelům v korytech nebo na březích vodních toků", "navigation_structure", "technical", False
    ),
    28: BuildingUse("stavba k využití vodní energie (vodní elektrárna)", "hydro_power_plant", "technical", False),
    29: BuildingUse("stavba odkaliště", "tailings_structure", "technical", False),
}

#: ``ZpusobVyuzitiKod`` -> the funding vocabulary's building use (residential, civic, …).
BUILDING_USE_VOCABULARY: dict[int, str] = {code: entry.use for code, entry in BUILDING_USES.items()}

#: ``DruhPozemkuKod`` (druh pozemku, ČÚZK code list).
LAND_TYPES: dict[int, str] = {
    2: "orná půda",
    3: "chmelnice",
    4: "vinice",
    5: "zahrada",
    6: "ovocný sad",
    7: "trvalý travní porost",
    8: "trvalý travní porost",
    10: "lesní pozemek",
    11: "vodní plocha",
    13: "zastavěná plocha a nádvoří",
    14: "ostatní plocha",
}

#: ``DruhCislovaniKod``: 1 stavební parcela (``st.``), 2 pozemková parcela.
BUILDING_PLOT, LAND_PLOT = 1, 2


def code_of(value: object) -> int | None:
    """A code from a cell: ``7``, ``7.0`` or ``"7"`` -> 7; empty, NaN or text -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def building_use(value: object) -> BuildingUse | None:
    """The :class:`BuildingUse` of a ``ZpusobVyuzitiKod`` cell, or None for a missing or unlisted code."""
    code = code_of(value)
    return None if code is None else BUILDING_USES.get(code)


def parcel_number(base: object, sub: object, numbering: object) -> str | None:
    """The parcel number as the cadastre writes it: ``st. 56``, ``153/36``; None without a base number."""
    number = code_of(base)
    if number is None:
        return None
    part = code_of(sub)
    text = f"{number}/{part}" if part is not None else str(number)
    return f"st. {text}" if code_of(numbering) == BUILDING_PLOT else text


__all__ = [
    "BUILDING_PLOT",
    "BUILDING_USES",
    "BUILDING_USE_VOCABULARY",
    "LAND_PLOT",
    "LAND_TYPES",
    "BuildingUse",
    "building_use",
    "code_of",
    "parcel_number",
]
