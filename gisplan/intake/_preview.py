"""Preview of a checked submission: area, score and energy estimate per applicable profile.

A profile applies when it scores the submission's site kind. Each is run with
:func:`gisplan.score` on the checked sites (working CRS) against the region's
context layers (the layer catalogue by default). A profile whose layers are not
available gives a row with ``note`` saying why, instead of failing the preview.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gisplan import settings
from gisplan.catalogue import Catalogue
from gisplan.profiles import Profile

if TYPE_CHECKING:
    import geopandas as gpd

    from gisplan.intake._types import IntakeResult
    from gisplan.measures import LayerInput

PREVIEW_COLUMNS = (
    "site_no",
    "profile",
    "profile_title",
    "area_m2",
    "score",
    "excluded",
    "exclusion_reasons",
    "capacity_kwp",
    "energy_mwh_yr",
    "co2_t_yr",
    "households",
    "note",
)
_FROM_SCORE = ("score", "excluded", "exclusion_reasons", "capacity_kwp", "energy_mwh_yr", "co2_t_yr", "households")


def preview_sites(result: IntakeResult, *, kind: str, area_ha: float | None = None) -> gpd.GeoDataFrame:
    """The checked sites as canonical candidate sites for scoring (``source`` ``submission-preview``)."""
    sites = result.sites.copy()
    sites.insert(0, "site_id", [f"submission-preview:{n}" for n in sites["site_no"]])
    sites.insert(1, "kind", kind)
    sites.insert(2, "source", "submission-preview")
    sites.insert(3, "source_id", sites["site_no"].astype(str))
    if area_ha is not None:
        points = sites["area_m2"].to_numpy() <= 0
        sites.loc[points, "area_m2"] = area_ha * 10_000.0
    return sites


def preview(
    result: IntakeResult,
    *,
    kind: str,
    profiles: Sequence[str | Path | Profile] | None = None,
    catalogue: Catalogue | Path | None = None,
    layers: Mapping[str, LayerInput] | None = None,
    area_ha: float | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """Score the checked sites with every applicable profile.

    Parameters
    ----------
    result
        A checked upload or drawing.
    kind
        The site kind given in the form (``brownfield``, ``rooftop``, ``municipal_land``).
    profiles
        Profiles to try (names, paths or :class:`Profile`); default all of the profiles folder.
    catalogue, layers
        Where the context layers come from, as for :func:`gisplan.score`.
    area_ha
        Area of point sites from the form [ha]; shown for points instead of 0.
    language
        Language of titles and reasons (default ``GISPLAN_LANG``).

    Returns
    -------
    pandas.DataFrame
        One row per site and applicable profile: ``site_no``, ``profile``, ``profile_title``,
        ``area_m2`` [m²], ``score`` [0–100], ``excluded``, ``exclusion_reasons`` (JSON),
        ``capacity_kwp`` [kWp], ``energy_mwh_yr`` [MWh/yr], ``co2_t_yr`` [t/yr], ``households``, and
        ``note`` (why a profile could not be scored, else empty). Empty when no profile applies.
    """
    from gisplan.scoring import score_applicable

    lang = language or settings.get().language
    sites = preview_sites(result, kind=kind, area_ha=area_ha)
    frames = []
    for run in score_applicable(sites, kind, profiles=profiles, catalogue=catalogue, layers=layers, language=lang):
        profile = run.profile
        title = profile.title.get(lang) or profile.title.get("en") or profile.name
        base = pd.DataFrame(
            {
                "site_no": sites["site_no"].to_numpy(),
                "profile": profile.name,
                "profile_title": title,
                "area_m2": sites["area_m2"].to_numpy(),
                "note": "",
            }
        )
        if run.scored is None:
            for column in _FROM_SCORE:
                base[column] = np.nan
            base["note"] = f"not scored: {run.problem}"
        else:
            for column in _FROM_SCORE:
                base[column] = run.scored[column].to_numpy()
        frames.append(base[list(PREVIEW_COLUMNS)])
    if not frames:
        return pd.DataFrame(columns=list(PREVIEW_COLUMNS))
    return pd.concat(frames, ignore_index=True)


__all__ = ["PREVIEW_COLUMNS", "preview", "preview_sites"]
