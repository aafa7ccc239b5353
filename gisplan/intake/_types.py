"""Limits, results and refusal reasons of the intake pipeline.

Every refusal raises :class:`~gisplan.errors.UploadRejectedError` with a stable
``reason`` code. :data:`REASONS_CS` gives the Czech sentence the app shows for
each code; the English message of the exception says what was wrong, where, and
what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gisplan import settings
from gisplan.errors import Problem, UploadRejectedError

if TYPE_CHECKING:
    import geopandas as gpd

MB = 1024 * 1024

#: Czech texts of the refusal and warning codes (the app shows these; the English text is in the message).
REASONS_CS: dict[str, str] = {
    "too_large": "Soubor je příliš velký.",
    "empty_file": "Soubor je prázdný.",
    "vsi_path": "Název souboru je cesta GDAL (/vsi…), tu nepřijímáme.",
    "vrt": "Soubor VRT (odkaz na jiná data) nepřijímáme.",
    "unknown_type": "Typ souboru nepoznáváme; nahrajte GeoJSON, zip se Shapefilem, GeoPackage, KML nebo CSV.",
    "extension_mismatch": (
        "Obsah souboru neodpovídá jeho příponě (například soubor .geojson, který není platný GeoJSON); "
        "uložte data znovu ve správném formátu."
    ),
    "not_geopackage": "Databáze SQLite není GeoPackage.",
    "gpkg_unsafe": "GeoPackage obsahuje spouště, pohledy nebo příliš mnoho vrstev.",
    "xml_unsafe": "KML obsahuje DTD, entity nebo síťové odkazy, ty nepřijímáme.",
    "xml_invalid": "KML není platné XML.",
    "zip_unsafe": "Archiv zip obsahuje nebezpečné položky (absolutní cesty, '..', odkazy).",
    "zip_bomb": "Archiv zip se rozbalí do příliš velkého objemu nebo má příliš mnoho položek.",
    "zip_content": "Archiv zip neobsahuje úplná data (u Shapefilu .shp, .shx a .dbf).",
    "choose_layer": "Soubor má více vrstev; vyberte jednu.",
    "parse_failed": "Soubor se nepodařilo přečíst.",
    "parse_limits": "Čtení souboru překročilo limit času nebo paměti.",
    "too_many_features": "Soubor má příliš mnoho objektů.",
    "too_many_vertices": "Tvary mají příliš mnoho lomových bodů.",
    "no_geometry": "Soubor neobsahuje žádný tvar.",
    "empty_geometry": "Některý tvar je prázdný.",
    "bad_geometry_type": "Povolené jsou jen body a plochy (polygony).",
    "bad_coordinates": "Souřadnice nejsou konečná čísla v platném rozsahu.",
    "crs_missing": "Soubor neuvádí souřadnicový systém; vyberte ho ze seznamu.",
    "crs_conflict": "Zvolený souřadnicový systém se liší od toho, který uvádí soubor.",
    "outside_region": "Souřadnice leží mimo území – vypadá to na prohozené osy nebo špatný souřadnicový systém.",
    "outside_municipality": "Lokalita leží mimo obec, za kterou podáváte.",
    "unrepairable": "Tvar je neplatný a nejde opravit.",
    "invalid_geometry": (
        "Tvar je neplatný (například protíná sám sebe); nahrajte ho přes formulář podání, "
        "kde se opraví a opravu potvrdíte."
    ),
    "form_invalid": "Formulář není vyplněný správně.",
    "needs_confirmation": "Opravené tvary je třeba před odesláním potvrdit.",
    # warnings
    "repaired": "Tvar byl neplatný a byl opraven; potvrďte opravený tvar.",
    "crosses_border": "Lokalita přesahuje hranici obce; posoudí ji animátor.",
    "place_not_checked": "Hranici obce neznáme, poloha nebyla ověřena.",
    "rows_without_geometry": "Některé řádky nemají souřadnice a byly vynechány.",
}


@dataclass(frozen=True)
class IntakeLimits:
    """Caps that keep a hostile or broken upload from costing too much.

    ``None`` for ``max_upload_mb`` means ``settings.get().max_upload_mb`` (``GISPLAN_MAX_UPLOAD_MB``),
    read at call time.
    """

    #: Largest accepted upload [MB]; ``None``: the setting.
    max_upload_mb: float | None = None
    #: Members of a zip archive [count].
    max_zip_members: int = 50
    #: Bytes a zip may inflate to, counted while reading [MB].
    max_inflated_mb: float = 200.0
    #: Layers (feature tables) of a GeoPackage [count].
    max_layers: int = 50
    #: Features (sites) in one submission [count]. A municipality's whole parcel layer fits.
    max_features: int = 10_000
    #: Vertices of one feature [count].
    max_vertices_per_feature: int = 100_000
    #: Vertices of all features together [count].
    max_vertices: int = 1_000_000
    #: Wall-clock time of the parsing child process [s].
    timeout_s: float = 30.0
    #: CPU time of the parsing child process [s].
    cpu_s: int = 30
    #: Address space of the parsing child process [MB]; Python with GDAL needs about 500 MB to start.
    memory_mb: int = 2048
    #: A site this close to the municipal boundary still counts as touching it [m]. Boundaries such as
    #: the generalised ČSÚ/DataRozhlas polygons are off by up to ~300 m against RÚIAN parcels.
    border_tolerance_m: float = 500.0

    def max_upload_bytes(self) -> int:
        """The upload cap [bytes], from the setting when not set here."""
        mb = settings.get().max_upload_mb if self.max_upload_mb is None else self.max_upload_mb
        return int(mb * MB)


@dataclass(frozen=True)
class IntakeWarning:
    """A soft problem: the upload is accepted, the user (or the animator) should look at it."""

    code: str
    message: str
    #: 1-based number of the site it concerns, or ``None`` for the whole upload.
    site_no: int | None = None

    @property
    def message_cs(self) -> str:
        """The Czech text for :attr:`code`."""
        return REASONS_CS.get(self.code, self.message)

    def __str__(self) -> str:
        where = f"site {self.site_no}: " if self.site_no is not None else ""
        return f"{where}{self.message}"


@dataclass(frozen=True)
class IntakeResult:
    """An upload or drawing that passed every check.

    ``sites`` holds one row per site in the working CRS (metres): ``site_no`` (1-based), ``name``,
    ``geometry_type``, ``area_m2`` [m²], ``repaired`` and ``repair_note``, ``inside_share`` (share of
    the area, or 1/0 for points, inside the municipality; ``NaN`` when not checked),
    ``crosses_border``, the file's own attributes in snake_case, and ``geometry``. ``original``
    holds the shape as uploaded (working CRS) for repaired sites, so the app can show both.
    """

    sites: gpd.GeoDataFrame
    original: gpd.GeoSeries
    source_format: str
    source_crs: str
    layer: str | None
    municipality_code: str
    place_checked: bool
    warnings: tuple[IntakeWarning, ...] = field(default_factory=tuple)

    @property
    def needs_confirmation(self) -> bool:
        """True when a shape was repaired and the user must confirm the repaired shape."""
        return bool(self.sites["repaired"].any())

    @property
    def flagged(self) -> bool:
        """True when a site crosses the municipal border, so the animator should look at it."""
        return bool(self.sites["crosses_border"].any())


def reject(
    msg: str, reason: str, *, problems: list[Problem] | None = None, choices: tuple[str, ...] = ()
) -> UploadRejectedError:
    """The refusal to raise (``raise reject(...)``); ``reason`` must be a key of :data:`REASONS_CS`."""
    if reason not in REASONS_CS:  # pragma: no cover - a programming error, caught by the tests
        msg = f"unknown refusal reason {reason!r}"
        raise ValueError(msg)
    return UploadRejectedError(msg, reason=reason, problems=problems, choices=choices)


__all__ = ["MB", "REASONS_CS", "IntakeLimits", "IntakeResult", "IntakeWarning", "reject"]
