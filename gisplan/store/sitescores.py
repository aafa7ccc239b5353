"""Scoring one site in the store's CRS with every applicable profile, as rows of ``site_scores``.

Used when a submission is accepted (:func:`gisplan.store.moderation.accept`): the
new site is scored like ingested ones (:func:`gisplan.score`), and the rows carry
the breakdown, reasons and energy estimate the site card shows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gisplan.errors import GisplanError

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from gisplan.catalogue import Catalogue
    from gisplan.measures import LayerInput
    from gisplan.profiles import Profile

_SCORE_JSON = ("exclusion_reasons", "handicaps", "breakdown")
_ENERGY = ("capacity_kwp", "yield_kwh_kwp_yr", "energy_mwh_yr", "co2_t_yr", "households")


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


def area_m2(geom: BaseGeometry | None, attributes: Mapping[str, Any]) -> float | None:
    """Area [m²] of the shape; for a point, the area the form gave (``area_ha``) if any."""
    if geom is None:
        return None
    if geom.area > 0:
        return float(geom.area)
    form = attributes.get("form") or {}
    area_ha = _number(form.get("area_ha")) if isinstance(form, Mapping) else None
    return area_ha * 10_000.0 if area_ha else 0.0


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

    from gisplan.intake import applicable_profiles
    from gisplan.scoring import score

    frame = gpd.GeoDataFrame(
        {
            "site_id": [site_id],
            "kind": [kind],
            "name": [name],
            "source": ["submission"],
            "source_id": [site_id.partition(":")[2]],
            "area_m2": [area_m2 if area_m2 is not None else float(geom.area)],
        },
        geometry=[geom],
        crs=f"EPSG:{srid}",
    )
    rows: list[dict[str, Any]] = []
    unscored: list[tuple[str, str]] = []
    for profile in applicable_profiles(kind, profiles):
        try:
            scored = score(frame, profile, catalogue=catalogue, layers=layers)
        except GisplanError as exc:
            unscored.append((profile.name, str(exc).splitlines()[0]))
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
                **{column: _json_list(row.get(column)) for column in _SCORE_JSON},
                **{column: _number(row.get(column)) for column in _ENERGY},
                "criteria": {c: _number(row[c]) for c in names if c in scored.columns},
            }
        )
    return rows, unscored


__all__ = ["area_m2", "score_rows"]
