"""Where a municipality lies: its district (okres, LAU 1) and region (kraj, NUTS 3).

Funding calls name their territory by region, by district or by an explicit list
of municipality codes (kód obce). The matcher needs to know, for a site's
municipality, which district and region hold it. That is what a
:class:`PlaceLookup` answers. It can be built

- from the real Czech administrative layers (:func:`places_from_admin_gpkg`:
  ``obce`` with ``nazev_okresu`` joined to ``okresy`` with ``KOD_LAU1`` and
  ``KOD_CZNUTS3``),
- from any table with code, district and region columns (:meth:`PlaceLookup.from_frame`),
- for the synthetic demo region (:func:`demo_places`), whose invented
  municipalities all lie in one district.

A site that carries its own region code (the store's ``sites.region_code``)
needs no lookup for region rules.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gisplan.errors import InputError, SourceNotFoundError

if TYPE_CHECKING:
    import pandas as pd

#: The 14 Czech regions (kraje): NUTS 3 code -> official name (ČSÚ CZ-NUTS).
REGIONS: dict[str, str] = {
    "CZ010": "Hlavní město Praha",
    "CZ020": "Středočeský kraj",
    "CZ031": "Jihočeský kraj",
    "CZ032": "Plzeňský kraj",
    "CZ041": "Karlovarský kraj",
    "CZ042": "Ústecký kraj",
    "CZ051": "Liberecký kraj",
    "CZ052": "Královéhradecký kraj",
    "CZ053": "Pardubický kraj",
    "CZ063": "Kraj Vysočina",
    "CZ064": "Jihomoravský kraj",
    "CZ071": "Olomoucký kraj",
    "CZ072": "Zlínský kraj",
    "CZ080": "Moravskoslezský kraj",
}

#: The demo region lies west of Bílina: okres Teplice (CZ0426) in Ústecký kraj (CZ042).
DEMO_DISTRICT = "CZ0426"
DEMO_REGION = "CZ042"


def _fold(text: str) -> str:
    """Lower-case, accents removed, 'kraj' and spaces dropped: 'Ústecký kraj' -> 'ustecky'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(plain.replace("kraj", "").split())


_REGION_BY_NAME = {_fold(name): code for code, name in REGIONS.items()} | {"praha": "CZ010", "vysocina": "CZ063"}


def region_code(value: str) -> str | None:
    """The NUTS 3 code of a region given by code or name ('CZ042', 'Ústecký kraj', 'ustecky'), else None."""
    text = value.strip()
    if text.upper() in REGIONS:
        return text.upper()
    return _REGION_BY_NAME.get(_fold(text))


def region_name(code: str) -> str:
    """The name of a region code, or the code itself when unknown."""
    return REGIONS.get(code, code)


@dataclass(frozen=True)
class Place:
    """Where one municipality lies: district (LAU 1 code, e.g. CZ0426) and region (NUTS 3, e.g. CZ042)."""

    municipality_code: str
    district: str | None = None
    region: str | None = None
    district_name: str | None = None


@dataclass(frozen=True)
class PlaceLookup:
    """Municipality code -> :class:`Place`, plus district names -> district codes."""

    places: Mapping[str, Place] = field(default_factory=dict)

    def get(self, municipality_code: str | None) -> Place | None:
        """The place of a municipality, or None when unknown."""
        if municipality_code is None:
            return None
        return self.places.get(str(municipality_code))

    def __len__(self) -> int:
        return len(self.places)

    def merged(self, other: PlaceLookup) -> PlaceLookup:
        """A lookup with the places of both; ``other`` wins on the same code."""
        return PlaceLookup({**self.places, **other.places})

    def district_code(self, value: str) -> str | None:
        """The LAU 1 code of a district given by code ('CZ0426') or by a name this lookup knows ('Teplice')."""
        text = value.strip()
        if len(text) == 6 and text.upper().startswith("CZ"):
            return text.upper()
        folded = _fold(text)
        for place in self.places.values():
            if place.district_name and place.district and _fold(place.district_name) == folded:
                return place.district
        return None

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        code_column: str = "kod_obce",
        district_column: str | None = None,
        region_column: str | None = None,
        district_name_column: str | None = None,
        default_district: str | None = None,
        default_region: str | None = None,
    ) -> PlaceLookup:
        """Build a lookup from a table of municipalities.

        Region values may be NUTS 3 codes or region names; district values are LAU 1 codes.

        Raises
        ------
        InputError
            If a named column is missing, or a region value is not a Czech region.
        """
        wanted = [c for c in (code_column, district_column, region_column, district_name_column) if c]
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            msg = f"the municipality table lacks column(s) {missing}; it has {list(frame.columns)}"
            raise InputError(msg)
        places: dict[str, Place] = {}
        bad: list[str] = []
        for row in frame[wanted].itertuples(index=False):
            values = dict(zip(wanted, row, strict=True))
            code = str(values[code_column])
            region = default_region
            if region_column and values[region_column] is not None:
                region = region_code(str(values[region_column]))
                if region is None:
                    bad.append(f"{code}: {values[region_column]!r}")
            district = str(values[district_column]) if district_column else default_district
            name = str(values[district_name_column]) if district_name_column else None
            places[code] = Place(code, district=district, region=region, district_name=name)
        if bad:
            msg = f"column {region_column!r} holds values that are not Czech regions: {bad[:10]}"
            raise InputError(msg)
        return cls(places)


def places_from_admin_gpkg(path: Path | str) -> PlaceLookup:
    """Places of all Czech municipalities from a GeoPackage with ``obce`` and ``okresy`` layers.

    ``obce`` needs ``kod_obce`` and ``nazev_okresu``; ``okresy`` needs
    ``NAZ_LAU1``, ``KOD_LAU1`` and ``KOD_CZNUTS3`` (the layout of
    ``admin_cz.gpkg`` in the shared test data, made from ČÚZK/RCzechia data).

    Raises
    ------
    SourceNotFoundError
        If the file does not exist.
    InputError
        If a municipality's district is not in ``okresy``.
    """
    import pyogrio

    source = Path(path)
    if not source.is_file():
        msg = f"{source} does not exist; give the GeoPackage with the 'obce' and 'okresy' layers"
        raise SourceNotFoundError(msg)
    obce = pyogrio.read_dataframe(source, layer="obce", read_geometry=False, columns=["kod_obce", "nazev_okresu"])
    okresy = pyogrio.read_dataframe(
        source, layer="okresy", read_geometry=False, columns=["NAZ_LAU1", "KOD_LAU1", "KOD_CZNUTS3"]
    )
    joined = obce.merge(okresy, left_on="nazev_okresu", right_on="NAZ_LAU1", how="left")
    unmatched = sorted(set(joined.loc[joined["KOD_LAU1"].isna(), "nazev_okresu"]))
    if unmatched:
        msg = f"{source}: layer obce names districts missing from layer okresy: {unmatched[:10]}"
        raise InputError(msg)
    return PlaceLookup.from_frame(
        joined,
        code_column="kod_obce",
        district_column="KOD_LAU1",
        region_column="KOD_CZNUTS3",
        district_name_column="nazev_okresu",
    )


def demo_places(codes: Iterable[str]) -> PlaceLookup:
    """Places of the synthetic demo municipalities: all in okres Teplice, Ústecký kraj.

    The demo codes (999xxx) are invented and outside the range of real codes
    (500011-599999); still, keep this lookup apart from real ones.
    """
    return PlaceLookup(
        {
            str(c): Place(str(c), district=DEMO_DISTRICT, region=DEMO_REGION, district_name="Teplice (demo)")
            for c in codes
        }
    )


__all__ = [
    "DEMO_DISTRICT",
    "DEMO_REGION",
    "REGIONS",
    "Place",
    "PlaceLookup",
    "demo_places",
    "places_from_admin_gpkg",
    "region_code",
    "region_name",
]
