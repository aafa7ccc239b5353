"""Scoring one site in the store's CRS with every applicable profile, as rows of ``site_scores``.

Used when a submission is accepted (:func:`gisplan.workflows.moderation.accept`): the
new site is scored like ingested ones (:func:`gisplan.score`), and the rows carry
the breakdown, reasons and energy estimate the site card shows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gisplan.site_schema import ENERGY_NUMBERS, JSON_LIST_COLUMNS, PROVENANCE_NUMBERS, PROVENANCE_TEXTS

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from gisplan.catalogue import Catalogue
    from gisplan.measures import LayerInput
    from gisplan.profiles import Profile


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.strip():
        parsed = json.loads(value)
        return parsed if isinstance(parsed, list) else []
    return []


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str | None:
    import pandas as pd

    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    return str(value) or None


#: ``area_source`` of a point whose area the submission form declared (``area_ha``).
FORM_AREA_SOURCE = "declared:area_ha[ha]"


def area_and_source(geom: BaseGeometry | None, attributes: Mapping[str, Any]) -> tuple[float | None, str]:
    """Area [m²] of a submitted shape and where it comes from (see ``Site.area_source``).

    A polygon's own area (``geometry``); for a point, the area the form
    declared (``area_ha``); otherwise not available (None, never 0).
    """
    if geom is not None and geom.area > 0:
        return float(geom.area), "geometry"
    form = attributes.get("form") or {}
    area_ha = _number(form.get("area_ha")) if isinstance(form, Mapping) else None
    if geom is not None and area_ha is not None and area_ha > 0:
        return area_ha * 10_000.0, FORM_AREA_SOURCE
    return None, "not_available"


def area_m2(geom: BaseGeometry | None, attributes: Mapping[str, Any]) -> float | None:
    """Area [m²] of the shape; for a point, the area the form gave (``area_ha``); None when neither."""
    return area_and_source(geom, attributes)[0]


def score_rows(
    site_id: str,
    kind: str,
    name: str,
    geom: BaseGeometry,
    *,
    srid: int,
    area_m2: float | None = None,
    profiles: Sequence[str | Path | Profile] | None = None,
    catalogue: Catalogue | Path | None = None,
    layers: Mapping[str, LayerInput] | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Score one site with every applicable profile; return (``site_scores`` rows, unscored profiles).

    Parameters
    ----------
    site_id, kind, name
        The site's id (``submission:<id>``), kind and name.
    geom
        The shape in the store's working CRS (EPSG:``srid``).
    srid
        EPSG code of the store's CRS.
    area_m2
        Area to score a point site with [m²]; default the shape's area.
    profiles, catalogue, layers
        As for :func:`gisplan.intake.preview` (default: every profile of the profiles folder, the
        layer catalogue of ``GISPLAN_LAYERS_DIR``).

    Returns
    -------
    tuple
        Rows with ``profile`` and the columns of :class:`~gisplan.store.models.SiteScore`, and
        ``(profile, why)`` for each applicable profile that could not be scored.
    """
    import geopandas as gpd

    from gisplan.scoring import score_applicable

    frame = gpd.GeoDataFrame(
        {
            "site_id": [site_id],
            "kind": [kind],
            "name": [name],
            "source": ["submission"],
            "source_id": [site_id.partition(":")[2]],
            "area_m2": [area_m2 if area_m2 is not None else float(geom.area)],
            "area_source": [
                "geometry" if geom.area > 0 else (FORM_AREA_SOURCE if area_m2 is not None else "not_available")
            ],
        },
        geometry=[geom],
        crs=f"EPSG:{srid}",
    )
    rows: list[dict[str, Any]] = []
    unscored: list[tuple[str, str]] = []
    for run in score_applicable(frame, kind, profiles=profiles, catalogue=catalogue, layers=layers):
        profile, scored = run.profile, run.scored
        if scored is None:
            unscored.append((profile.name, run.problem))
            continue
        row = scored.iloc[0]
        breakdown = _json_list(row.get("breakdown"))
        names = {str(item.get("criterion")) for item in breakdown if isinstance(item, dict)}
        rows.append(
            {
                "profile": profile.name,
                "profile_version": str(row.get("profile_version") or ""),
                "score": _number(row.get("score")),
                "excluded": bool(row.get("excluded")),
                **{column: _json_list(row.get(column)) for column in JSON_LIST_COLUMNS},
                **{column: _number(row.get(column)) for column in ENERGY_NUMBERS},
                **{column: _number(row.get(column)) for column in PROVENANCE_NUMBERS},
                **{column: _text(row.get(column)) for column in PROVENANCE_TEXTS},
                "criteria": {c: _number(row[c]) for c in names if c in scored.columns},
            }
        )
    return rows, unscored


__all__ = ["FORM_AREA_SOURCE", "area_and_source", "area_m2", "score_rows"]
