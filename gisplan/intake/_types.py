"""Limits, results and refusal reasons of the intake pipeline.

Every refusal raises :class:`~gisplan.errors.UploadRejectedError` with a stable
``reason`` code (:data:`REASON_CODES`); the app shows each code's sentence from the
text catalogues (``intake_reason.<code>``); the English message of the exception
says what was wrong, where, and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gisplan import settings
from gisplan.errors import Problem, UploadRejectedError

if TYPE_CHECKING:
    import geopandas as gpd

MB = 1024 * 1024

#: Refusal and warning codes; their sentences are ``intake_reason.<code>`` of the text catalogues
#: (:mod:`gisplan.texts`, :func:`gisplan.intake.reason_text`); the English message of the exception
#: says what was wrong, where, and what to do.
REASON_CODES: tuple[str, ...] = (
    "too_large",
    "empty_file",
    "vsi_path",
    "vrt",
    "unknown_type",
    "extension_mismatch",
    "not_geopackage",
    "gpkg_unsafe",
    "xml_unsafe",
    "xml_invalid",
    "zip_unsafe",
    "zip_bomb",
    "zip_content",
    "choose_layer",
    "parse_failed",
    "parse_limits",
    "too_many_features",
    "too_many_vertices",
    "no_geometry",
    "empty_geometry",
    "bad_geometry_type",
    "bad_coordinates",
    "crs_missing",
    "crs_conflict",
    "outside_region",
    "outside_municipality",
    "unrepairable",
    "invalid_geometry",
    "form_invalid",
    "needs_confirmation",
    "repaired",
    "crosses_border",
    "place_not_checked",
    "rows_without_geometry",
)


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
        """The Czech text for :attr:`code` (the message when the code has none)."""
        from gisplan.texts import has_text, t

        key = f"intake_reason.{self.code}"
        return t(key, "cs") if has_text(key) else self.message

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
    """The refusal to raise (``raise reject(...)``); ``reason`` must be one of :data:`REASON_CODES`."""
    if reason not in REASON_CODES:  # pragma: no cover - a programming error, caught by the tests
        msg = f"unknown refusal reason {reason!r}"
        raise ValueError(msg)
    return UploadRejectedError(msg, reason=reason, problems=problems, choices=choices)


__all__ = ["MB", "REASON_CODES", "IntakeLimits", "IntakeResult", "IntakeWarning", "reject"]
